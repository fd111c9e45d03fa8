// PE (Windows executables): headers, the section table with long names from
// the COFF string table, where Go's build info lives (the first initialized
// read-write data section, `.data`), and whether symbols and DWARF were
// stripped. Works on a ByteSource like elf.ts.
import { Reader, cString, type ByteSource } from './bytes';
import type { StripInfo } from './elf';

export interface PeSection {
  name: string;
  /** The name was `/<n>` and the string table was not available. */
  nameUnknown?: boolean;
  virtualSize: number;
  virtualAddress: number;
  rawSize: number;
  rawOffset: number;
  characteristics: number;
}

export interface PeHeader {
  peOffset: number;
  machine: number;
  numberOfSections: number;
  symbolTable: number;
  numberOfSymbols: number;
  optionalHeaderSize: number;
  /** Where the section table starts. */
  sectionTable: number;
  /** COFF string table offset (after the symbol table), when there is one. */
  stringTable?: number;
  bits: 32 | 64;
  imageBase: number;
}

export interface PeInfo {
  format: 'pe';
  header: PeHeader;
  arch: string;
  sections: PeSection[];
  sectionNames: boolean;
  stringTableSize?: number;
}

const MACHINES: Record<number, string> = { 0x14c: '386', 0x8664: 'amd64', 0x1c0: 'arm', 0x1c4: 'arm', 0xaa64: 'arm64' };

export function isPe(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x4d && b[1] === 0x5a;
}

/** The PE headers from the first bytes of a file (they must include the section table). */
export function parsePeHeader(b: Uint8Array): PeHeader | undefined {
  if (!isPe(b) || b.length < 0x40) return undefined;
  const r = new Reader(b, true);
  const pe = r.u32(0x3c);
  if (pe + 24 > b.length || b[pe] !== 0x50 || b[pe + 1] !== 0x45 || b[pe + 2] !== 0 || b[pe + 3] !== 0) return undefined;
  const coff = pe + 4;
  const optionalHeaderSize = r.u16(coff + 16);
  const opt = coff + 20;
  if (opt + 2 > b.length) return undefined;
  const magic = optionalHeaderSize >= 2 ? r.u16(opt) : 0;
  let bits: 32 | 64 = 32;
  let imageBase = 0;
  if (magic === 0x20b && opt + 32 <= b.length) {
    bits = 64;
    imageBase = r.u64(opt + 24);
  } else if (magic === 0x10b && opt + 32 <= b.length) {
    imageBase = r.u32(opt + 28);
  }
  const symbolTable = r.u32(coff + 8);
  const numberOfSymbols = r.u32(coff + 12);
  return {
    peOffset: pe,
    machine: r.u16(coff),
    numberOfSections: r.u16(coff + 2),
    symbolTable,
    numberOfSymbols,
    optionalHeaderSize,
    sectionTable: opt + optionalHeaderSize,
    stringTable: symbolTable ? symbolTable + numberOfSymbols * 18 : undefined,
    bits,
    imageBase,
  };
}

export function parsePe(src: ByteSource): PeInfo | undefined {
  const head = src.read(0, Math.min(src.size, 4096));
  if (!head || !isPe(head)) return undefined;
  // the section table may lie past the first 4 KiB
  let h = parsePeHeader(head);
  if (!h) {
    const more = src.read(0, Math.min(src.size, 65536));
    h = more ? parsePeHeader(more) : undefined;
    if (!h) return undefined;
  }
  const info: PeInfo = { format: 'pe', header: h, arch: MACHINES[h.machine] ?? `machine-${h.machine.toString(16)}`, sections: [], sectionNames: true };
  const table = src.read(h.sectionTable, h.numberOfSections * 40);
  if (!table) {
    info.sectionNames = false;
    return info;
  }
  let strings: Uint8Array | undefined;
  if (h.stringTable !== undefined) {
    const sizeBytes = src.read(h.stringTable, 4);
    if (sizeBytes) {
      info.stringTableSize = new Reader(sizeBytes, true).u32(0);
      // the section names come first in Go's string table; read what is available
      const avail = src.ranges(h.stringTable, h.stringTable + Math.max(4, info.stringTableSize));
      if (avail.length && avail[0].start === h.stringTable) strings = avail[0].data;
    }
  }
  const r = new Reader(table, true);
  for (let i = 0; i < h.numberOfSections; i++) {
    const o = i * 40;
    let name = cString(table, o, 8) ?? Buffer.from(table.subarray(o, o + 8)).toString('utf8');
    let nameUnknown = false;
    const m = /^\/(\d+)$/.exec(name);
    if (m) {
      const n = Number(m[1]);
      const long = strings ? cString(strings, n, strings.length - n) : undefined;
      if (long !== undefined) name = long;
      else {
        nameUnknown = true;
        info.sectionNames = false;
      }
    }
    info.sections.push({
      name,
      ...(nameUnknown ? { nameUnknown } : {}),
      virtualSize: r.u32(o + 8),
      virtualAddress: r.u32(o + 12),
      rawSize: r.u32(o + 16),
      rawOffset: r.u32(o + 20),
      characteristics: r.u32(o + 36),
    });
  }
  return info;
}

const SCN_CNT_INITIALIZED_DATA = 0x40;
const SCN_MEM_READ = 0x40000000;
const SCN_MEM_WRITE = 0x80000000;
const SCN_ALIGN_32BYTES = 0x600000;

/** Go's debug/buildinfo DataStart for PE: the first initialized read-write data section (`.data`). */
export function peDataStart(info: PeInfo): { offset: number; size: number } | undefined {
  for (const s of info.sections) {
    const c = (s.characteristics & ~SCN_ALIGN_32BYTES) >>> 0;
    if (s.virtualAddress !== 0 && s.rawSize !== 0 && c === ((SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ | SCN_MEM_WRITE) >>> 0)) {
      return { offset: s.rawOffset, size: s.rawSize };
    }
  }
  return undefined;
}

/** The file offset of a virtual address (image base included). */
export function peVaddrToOffset(info: PeInfo, vaddr: number): number | undefined {
  const rva = vaddr - info.header.imageBase;
  for (const s of info.sections) {
    if (rva >= s.virtualAddress && rva < s.virtualAddress + s.rawSize) return s.rawOffset + (rva - s.virtualAddress);
  }
  return undefined;
}

export function peStripInfo(info: PeInfo): StripInfo {
  const h = info.header;
  const symtab = h.symbolTable !== 0 && h.numberOfSymbols > 0;
  const out: StripInfo = { symtab, symtabBytes: symtab ? h.numberOfSymbols * 18 + (info.stringTableSize ?? 0) : 0, debugBytes: 0, debugSections: [] };
  for (const s of info.sections) {
    if (/^\.z?debug_/.test(s.name)) {
      out.debugBytes += s.rawSize;
      out.debugSections.push(s.name);
    }
  }
  if (info.sectionNames || symtab || out.debugSections.length) out.stripped = !symtab && out.debugSections.length === 0;
  return out;
}
