// ELF: just what image analysis needs — program headers (PT_INTERP, PT_LOAD),
// section headers with names when the section-name table is available, and
// from them: dynamic linking, stripped or not, the size of debug sections,
// where Go's build info lives. Works on a ByteSource, so on a whole file or on
// the sparse ranges a streaming scan kept (a missing range degrades to
// "unknown", never to a wrong answer).
import { Reader, cString, type ByteSource } from './bytes';

export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PF_X = 1;
export const PF_W = 2;
export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHT_PROGBITS = 1;
export const SHF_ALLOC = 2;

export interface ElfHeader {
  bits: 32 | 64;
  littleEndian: boolean;
  type: number;
  machine: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  /** As written; 0 with shoff ≠ 0 means "in section 0's sh_size". */
  shnum: number;
  shstrndx: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfSection {
  /** Undefined when the section-name table was not available. */
  name?: string;
  nameOffset: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
}

export interface ElfInfo {
  format: 'elf';
  header: ElfHeader;
  /** Go's GOARCH name for e_machine, else `machine-<n>`. */
  arch: string;
  segments: ElfSegment[];
  /** Undefined when the section header table was not available. */
  sections?: ElfSection[];
  /** The section names were read (the section-name table was available). */
  sectionNames: boolean;
  /** PT_INTERP's path: the program is dynamically linked and needs it. */
  interpreter?: string;
}

const MACHINES: Record<number, string> = { 3: '386', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390x', 40: 'arm', 62: 'amd64', 183: 'arm64', 243: 'riscv64', 258: 'loong64' };

export function isElf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** The ELF header from the first bytes of a file (52 for ELF32, 64 for ELF64). */
export function parseElfHeader(b: Uint8Array): ElfHeader | undefined {
  if (!isElf(b) || b.length < 52) return undefined;
  const cls = b[4];
  const data = b[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const r = new Reader(b, data === 1);
  if (cls === 2) {
    if (b.length < 64) return undefined;
    return {
      bits: 64,
      littleEndian: data === 1,
      type: r.u16(16),
      machine: r.u16(18),
      phoff: r.u64(32),
      shoff: r.u64(40),
      phentsize: r.u16(54),
      phnum: r.u16(56),
      shentsize: r.u16(58),
      shnum: r.u16(60),
      shstrndx: r.u16(62),
    };
  }
  return {
    bits: 32,
    littleEndian: data === 1,
    type: r.u16(16),
    machine: r.u16(18),
    phoff: r.u32(28),
    shoff: r.u32(32),
    phentsize: r.u16(42),
    phnum: r.u16(44),
    shentsize: r.u16(46),
    shnum: r.u16(48),
    shstrndx: r.u16(50),
  };
}

export function parseSegments(h: ElfHeader, table: Uint8Array): ElfSegment[] {
  const r = new Reader(table, h.littleEndian);
  const out: ElfSegment[] = [];
  const min = h.bits === 64 ? 56 : 32;
  if (h.phentsize < min) return out;
  for (let i = 0; i < h.phnum && (i + 1) * h.phentsize <= table.length; i++) {
    const o = i * h.phentsize;
    if (h.bits === 64) out.push({ type: r.u32(o), flags: r.u32(o + 4), offset: r.u64(o + 8), vaddr: r.u64(o + 16), filesz: r.u64(o + 32), memsz: r.u64(o + 40) });
    else out.push({ type: r.u32(o), offset: r.u32(o + 4), vaddr: r.u32(o + 8), filesz: r.u32(o + 16), memsz: r.u32(o + 20), flags: r.u32(o + 24) });
  }
  return out;
}

export function parseSections(h: ElfHeader, table: Uint8Array, count: number): ElfSection[] {
  const r = new Reader(table, h.littleEndian);
  const out: ElfSection[] = [];
  const min = h.bits === 64 ? 64 : 40;
  if (h.shentsize < min) return out;
  for (let i = 0; i < count && (i + 1) * h.shentsize <= table.length; i++) {
    const o = i * h.shentsize;
    if (h.bits === 64) {
      out.push({ nameOffset: r.u32(o), type: r.u32(o + 4), flags: r.u64(o + 8), addr: r.u64(o + 16), offset: r.u64(o + 24), size: r.u64(o + 32), link: r.u32(o + 40) });
    } else {
      out.push({ nameOffset: r.u32(o), type: r.u32(o + 4), flags: r.u32(o + 8), addr: r.u32(o + 12), offset: r.u32(o + 16), size: r.u32(o + 20), link: r.u32(o + 24) });
    }
  }
  return out;
}

/** Number of section headers and the name-table index, resolving the extended-numbering escapes from section 0. */
export function sectionCount(h: ElfHeader, first?: ElfSection): { count: number; strndx: number } {
  let count = h.shnum;
  let strndx = h.shstrndx;
  if (h.shoff && count === 0 && first) count = first.size;
  if (strndx === 0xffff && first) strndx = first.link;
  return { count, strndx };
}

/** Everything readable of an ELF file in `src`; undefined when it is not ELF. */
export function parseElf(src: ByteSource): ElfInfo | undefined {
  const head = src.read(0, Math.min(64, src.size));
  const h = head && parseElfHeader(head);
  if (!h) return undefined;
  const info: ElfInfo = { format: 'elf', header: h, arch: MACHINES[h.machine] ?? `machine-${h.machine}`, segments: [], sectionNames: false };
  const ph = h.phnum ? src.read(h.phoff, h.phnum * h.phentsize) : undefined;
  if (ph) info.segments = parseSegments(h, ph);
  const interp = info.segments.find((s) => s.type === PT_INTERP);
  if (interp) {
    const b = src.read(interp.offset, Math.min(interp.filesz, 4096));
    info.interpreter = b ? (cString(b, 0, b.length) ?? Buffer.from(b).toString('utf8')) : '';
  }
  if (h.shoff) {
    const first = src.read(h.shoff, h.shentsize);
    const s0 = first ? parseSections(h, first, 1)[0] : undefined;
    const { count, strndx } = sectionCount(h, s0);
    const table = count ? src.read(h.shoff, count * h.shentsize) : undefined;
    if (table) {
      info.sections = parseSections(h, table, count);
      const strtab = info.sections[strndx];
      const names = strtab && strtab.type !== SHT_NOBITS ? src.read(strtab.offset, strtab.size) : undefined;
      if (names) {
        for (const s of info.sections) s.name = cString(names, s.nameOffset, names.length - s.nameOffset) ?? '';
        info.sectionNames = true;
      }
    }
  }
  return info;
}

/** The file offset of a virtual address, through the PT_LOAD segments. */
export function elfVaddrToOffset(info: ElfInfo, vaddr: number): number | undefined {
  for (const s of info.segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}

/**
 * Where Go's debug/buildinfo looks for the build info header: the
 * `.go.buildinfo` section, else the first writable, non-executable PT_LOAD
 * (as file offset and size).
 */
export function elfDataStart(info: ElfInfo): { offset: number; size: number; from: 'section' | 'segment' } | undefined {
  const sec = info.sections?.find((s) => s.name === '.go.buildinfo');
  if (sec && sec.type !== SHT_NOBITS) return { offset: sec.offset, size: sec.size, from: 'section' };
  const seg = info.segments.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  if (seg) return { offset: seg.offset, size: seg.filesz, from: 'segment' };
  return undefined;
}

export interface StripInfo {
  /** No `.symtab` and no `.debug_*`/`.zdebug_*` sections; undefined when the section table was not available. */
  stripped?: boolean;
  symtab: boolean;
  /** Bytes of `.symtab` + `.strtab` (what `-s` removes). */
  symtabBytes: number;
  /** Bytes in the file of `.debug_*`/`.zdebug_*` sections (what `-w` removes; compressed sizes when compressed). */
  debugBytes: number;
  debugSections: string[];
  /** The section names were not available: debug sections were counted as the non-allocated PROGBITS sections. */
  approximate?: boolean;
}

export function elfStripInfo(info: ElfInfo): StripInfo {
  const out: StripInfo = { symtab: false, symtabBytes: 0, debugBytes: 0, debugSections: [] };
  if (!info.sections) return out;
  for (const s of info.sections) {
    if (s.type === SHT_SYMTAB) {
      out.symtab = true;
      out.symtabBytes += s.size;
      const strtab = info.sections[s.link];
      if (strtab && strtab !== s && strtab.type !== SHT_NOBITS) out.symtabBytes += strtab.size;
    }
    const debug = info.sectionNames ? !!s.name && /^\.z?debug_/.test(s.name) && s.type !== SHT_NOBITS : s.type === SHT_PROGBITS && !(s.flags & SHF_ALLOC) && s.size > 0;
    if (debug) {
      out.debugBytes += s.size;
      out.debugSections.push(s.name ?? `#${info.sections.indexOf(s)}`);
    }
  }
  if (!info.sectionNames) out.approximate = true;
  out.stripped = !out.symtab && out.debugSections.length === 0;
  return out;
}
