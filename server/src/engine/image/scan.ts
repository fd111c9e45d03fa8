// Executables inside image layers, read in one pass with bounded memory.
//
// A layer is a tar stream read front to back once; a file's bytes pass by
// exactly once. The scanner keeps only the ranges the parsers need, decided
// as the bytes arrive:
//   - the first 64 KiB (ELF header and program headers; PE headers and
//     section table);
//   - ELF: the section header table (Go's own linker writes it right after the
//     program headers, gcc at the end of the file), then the section-name
//     table it points to (ahead of it for Go's linker; before it for gcc and
//     lld: served from the last 256 KiB, which are kept as they pass, or found
//     by its own name "\0.shstrtab\0" after the loaded segments), and the
//     PT_INTERP path;
//   - Go build info: the writable non-executable PT_LOAD segments (ELF) or the
//     first 64 KiB of the first read-write data section (PE) are scanned for
//     the 16-byte-aligned magic "\xff Go buildinf:"; at most 4 hits, each kept
//     for exactly the bytes of its header and strings (at most 1 MiB);
//   - PE: the first 64 KiB of the COFF string table (long section names).
// Peak memory per file is therefore about 64 KiB + 256 KiB + the section
// header table + 4 × (32 B + strings) — a few hundred KiB for any binary,
// however large. What cannot be known this way is reported as unknown:
// pre-Go 1.18 binaries (pointer format) point back into data already passed,
// so their Go version is not read in streaming mode (whole files, as in the
// tests, are read completely).
import { BufferSource, SparseBytes, uvarint, type ByteSource } from './bytes';
import { BUILDINFO_MAGIC, MAX_MODINFO_BYTES, readGoBuildInfo, type GoBuildInfo } from './buildinfo';
import { elfStripInfo, isElf, parseElf, parseElfHeader, parseSections, parseSegments, PF_W, PF_X, PT_INTERP, PT_LOAD, SHT_NOBITS, type ElfHeader, type StripInfo } from './elf';
import { isPe, parsePe, parsePeHeader, peDataStart, peStripInfo } from './pe';

export interface ExecutableInfo {
  format: 'elf' | 'pe';
  /** GOARCH-style name of the machine. */
  arch: string;
  bits: 32 | 64;
  /** ELF PT_INTERP: dynamically linked, needs this file at run time. */
  interpreter?: string;
  strip: StripInfo;
  go?: GoBuildInfo;
  /** A Go build info header was found but could not be read completely. */
  goError?: string;
}

/** Parses what `src` holds of an executable; undefined when it is neither ELF nor PE. */
export function inspectExecutable(src: ByteSource): ExecutableInfo | undefined {
  const elf = parseElf(src);
  if (elf) {
    const out: ExecutableInfo = { format: 'elf', arch: elf.arch, bits: elf.header.bits, strip: elfStripInfo(elf) };
    if (elf.interpreter !== undefined) out.interpreter = elf.interpreter;
    const bi = readGoBuildInfo(src, elf);
    if (bi?.ok) out.go = bi.info;
    else if (bi) out.goError = bi.reason;
    return out;
  }
  const pe = parsePe(src);
  if (pe) {
    const out: ExecutableInfo = { format: 'pe', arch: pe.arch, bits: pe.header.bits, strip: peStripInfo(pe) };
    const bi = readGoBuildInfo(src, pe);
    if (bi?.ok) out.go = bi.info;
    else if (bi) out.goError = bi.reason;
    return out;
  }
  return undefined;
}

/** Whether the first bytes of a file say ELF or PE (what the layer reader feeds to a scanner). */
export function looksExecutable(first: Uint8Array): boolean {
  return isElf(first) || isPe(first);
}

const SHSTRTAB_NAME = Buffer.from('\0.shstrtab\0', 'latin1');
const HEAD = 64 * 1024;
const TAIL = 256 * 1024;
const MAX_HITS = 4;
const MAX_TABLE = 8 * 1024 * 1024;
const PE_STRINGS = 64 * 1024;
const PE_SCAN = 64 * 1024;

interface Hit {
  at: number;
  resolved: boolean;
}

/** Streams one file's bytes (in order) and keeps what inspectExecutable needs. */
export class ExecutableScanner {
  readonly bytes: SparseBytes;
  private pos = 0;
  private tail: { start: number; data: Uint8Array }[] = [];
  private tailBytes = 0;
  private wants: { start: number; end: number }[] = [];
  private scans: { start: number; end: number }[] = [];
  private hits: Hit[] = [];
  /** Where the section-name table is looked for by its own name (after the last PT_LOAD). */
  private nameScan?: { start: number; end: number };
  private nameHits = 0;
  private nameCarry = new Uint8Array(0);
  private carry = new Uint8Array(0);
  private kind: 'elf' | 'pe' | undefined;
  private headDone = false;
  private elf?: ElfHeader;
  private phDone = false;
  private shDone = false;
  private peDone = false;

  constructor(readonly size: number) {
    this.bytes = new SparseBytes(size);
    this.want(0, Math.min(size, HEAD));
  }

  /** Bytes held for the parsers (not counting the passing tail window). */
  get held(): number {
    return this.bytes.held;
  }

  write(chunk: Uint8Array): void {
    if (!chunk.length) return;
    const start = this.pos;
    const end = start + chunk.length;
    this.pos = end;
    this.tail.push({ start, data: chunk });
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].data.length >= TAIL) this.tailBytes -= this.tail.shift()!.data.length;
    for (const w of this.wants) this.take(w, start, chunk);
    // the headers may arrive with this chunk: learn the ranges to scan before scanning it
    this.progress();
    this.scan(start, chunk);
    this.scanNames(start, chunk);
    this.progress();
    // wants fully behind us are done
    this.wants = this.wants.filter((w) => w.end > this.pos);
  }

  finish(): ExecutableInfo | undefined {
    this.progress();
    return inspectExecutable(this.bytes);
  }

  private take(w: { start: number; end: number }, start: number, chunk: Uint8Array): void {
    const s = Math.max(w.start, start);
    const e = Math.min(w.end, start + chunk.length);
    if (e > s) this.bytes.add(s, chunk.subarray(s - start, e - start));
  }

  /** Keeps [start, end) from now on, and what of it is still in the tail window. */
  private want(start: number, end: number): void {
    end = Math.min(end, this.size);
    if (!(end > start) || start < 0) return;
    if (start < this.pos) for (const t of this.tail) this.take({ start, end }, t.start, t.data);
    if (end > this.pos) this.wants.push({ start: Math.max(start, this.pos), end });
  }

  /** A scan range learnt late: look for the magic in what the tail window still holds. */
  private addScan(r: { start: number; end: number }): void {
    this.scans.push(r);
    const parts = this.tail.filter((t) => t.start < r.end && t.start + t.data.length > r.start);
    if (!parts.length) return;
    const joined = Buffer.concat(parts.map((t) => t.data));
    const base = parts[0].start;
    let from = 0;
    for (;;) {
      const i = joined.indexOf(BUILDINFO_MAGIC, from);
      if (i < 0 || this.hits.length >= MAX_HITS) break;
      from = i + 1;
      const abs = base + i;
      if (abs % 16 !== 0 || abs < r.start || abs >= r.end || this.hits.some((h) => h.at === abs)) continue;
      this.hits.push({ at: abs, resolved: false });
      this.want(abs, abs + 32 + 10);
    }
  }

  private scan(start: number, chunk: Uint8Array): void {
    const end = start + chunk.length;
    if (this.hits.length >= MAX_HITS || !this.scans.some((r) => r.start < end && r.end > start - 15)) {
      this.carry = (chunk.length >= 15 ? chunk : concat(this.carry, chunk)).slice(-15);
      return;
    }
    const joined = concat(this.carry, chunk);
    const buf = Buffer.from(joined.buffer, joined.byteOffset, joined.byteLength);
    const base = start - this.carry.length;
    let from = 0;
    for (;;) {
      const i = buf.indexOf(BUILDINFO_MAGIC, from);
      if (i < 0) break;
      from = i + 1;
      const abs = base + i;
      if (abs % 16 !== 0 || this.hits.some((h) => h.at === abs)) continue;
      if (!this.scans.some((r) => abs >= r.start && abs < r.end)) continue;
      this.hits.push({ at: abs, resolved: false });
      // header + the two length prefixes; the strings' extent is known once these arrive
      this.want(abs, abs + 32 + 10);
      if (this.hits.length >= MAX_HITS) break;
    }
    this.carry = Uint8Array.from(buf.subarray(Math.max(0, buf.length - 15)));
  }

  /**
   * gcc and lld put `.shstrtab` among the non-loaded sections at the end, and
   * the section headers after them (sometimes after a large `.strtab`): look
   * for the table by the name it contains, "\0.shstrtab\0", and keep 16 KiB
   * around each hit (at most 4).
   */
  private scanNames(start: number, chunk: Uint8Array): void {
    const r = this.nameScan;
    const end = start + chunk.length;
    if (!r || this.nameHits >= 4 || end <= r.start) return;
    const joined = concat(this.nameCarry, chunk);
    const buf = Buffer.from(joined.buffer, joined.byteOffset, joined.byteLength);
    const base = start - this.nameCarry.length;
    let from = 0;
    for (;;) {
      const i = buf.indexOf(SHSTRTAB_NAME, from);
      if (i < 0) break;
      from = i + 1;
      if (base + i < r.start) continue;
      this.want(base + i - 8192, base + i + 8192);
      if (++this.nameHits >= 4) break;
    }
    this.nameCarry = joined.slice(-SHSTRTAB_NAME.length);
  }

  private progress(): void {
    const have = (s: number, n: number) => this.bytes.read(s, n);
    if (!this.headDone) {
      const head = have(0, Math.min(this.size, HEAD));
      if (!head && this.pos < Math.min(this.size, HEAD)) return;
      this.headDone = true;
      const b = head ?? this.bytes.read(0, Math.min(this.pos, HEAD)) ?? new Uint8Array(0);
      if (isElf(b)) {
        this.kind = 'elf';
        this.elf = parseElfHeader(b);
        if (this.elf) {
          const h = this.elf;
          if (h.phnum) this.want(h.phoff, h.phoff + h.phnum * h.phentsize);
          if (h.shoff && h.shnum) this.want(h.shoff, h.shoff + Math.min(MAX_TABLE, h.shnum * h.shentsize));
        }
      } else if (isPe(b)) {
        this.kind = 'pe';
      }
    }
    if (this.kind === 'elf' && this.elf) {
      const h = this.elf;
      if (!this.phDone) {
        const ph = h.phnum ? have(h.phoff, h.phnum * h.phentsize) : undefined;
        if (ph) {
          this.phDone = true;
          let loaded = 0;
          for (const s of parseSegments(h, ph)) {
            if (s.type === PT_INTERP) this.want(s.offset, s.offset + Math.min(s.filesz, 4096));
            if (s.type === PT_LOAD && (s.flags & (PF_X | PF_W)) === PF_W) this.addScan({ start: s.offset, end: s.offset + s.filesz });
            if (s.type === PT_LOAD) loaded = Math.max(loaded, s.offset + s.filesz);
          }
          this.nameScan = { start: loaded, end: this.size };
        }
      }
      if (!this.shDone && h.shoff && h.shnum) {
        const table = have(h.shoff, Math.min(MAX_TABLE, h.shnum * h.shentsize));
        if (table) {
          this.shDone = true;
          const secs = parseSections(h, table, h.shnum);
          const strtab = secs[h.shstrndx];
          if (strtab && strtab.type !== SHT_NOBITS) this.want(strtab.offset, strtab.offset + Math.min(strtab.size, MAX_TABLE));
        }
      }
    }
    if (this.kind === 'pe' && !this.peDone) {
      const head = this.bytes.ranges(0, HEAD)[0]?.data;
      const h = head && parsePeHeader(head);
      if (h) {
        this.peDone = true;
        const pe = parsePe(this.bytes);
        const ds = pe && peDataStart(pe);
        if (ds) this.addScan({ start: ds.offset, end: ds.offset + Math.min(ds.size, PE_SCAN) });
        if (h.stringTable !== undefined) this.want(h.stringTable, h.stringTable + PE_STRINGS);
      }
    }
    for (const hit of this.hits) {
      if (hit.resolved) continue;
      const hb = have(hit.at, Math.min(32 + 10, this.size - hit.at));
      if (!hb || hb.length < 32) continue;
      hit.resolved = true;
      if (!(hb[15] & 2)) continue; // pointer format: its strings are elsewhere
      const v = uvarint(hb, 32);
      if (!v || v.value > MAX_MODINFO_BYTES) continue;
      const modLenAt = hit.at + 32 + v.length + v.value;
      // the version string and the module info's length prefix, then the module info
      this.want(hit.at, modLenAt + 10);
      const lenBytes = have(modLenAt, Math.min(10, this.size - modLenAt));
      if (lenBytes) this.wantModInfo(modLenAt, lenBytes);
      else this.pendingMod.push(modLenAt);
    }
    this.pendingMod = this.pendingMod.filter((at) => {
      const lenBytes = have(at, Math.min(10, this.size - at));
      if (!lenBytes) return true;
      this.wantModInfo(at, lenBytes);
      return false;
    });
  }

  private pendingMod: number[] = [];

  private wantModInfo(at: number, lenBytes: Uint8Array): void {
    const m = uvarint(lenBytes, 0);
    if (m && m.value <= MAX_MODINFO_BYTES) this.want(at, at + m.length + m.value);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Inspects a whole file held in memory (tests, small files). */
export function inspectBuffer(buf: Uint8Array): ExecutableInfo | undefined {
  return inspectExecutable(new BufferSource(buf));
}
