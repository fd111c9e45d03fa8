// Go build information (what `go version -m BINARY` prints), read in
// TypeScript the way Go's debug/buildinfo does (domain notes §4):
//
// - the 32-byte header starts with the 14-byte magic "\xff Go buildinf:" at a
//   16-byte-aligned offset within the first 64 KiB of the data start: ELF
//   section `.go.buildinfo`, else the first writable non-executable PT_LOAD;
//   PE: the first initialized read-write data section (`.data`);
// - byte 14 = pointer size, byte 15 = flags (bit 0 big-endian, bit 1 inline);
// - inline format (Go ≥ 1.18): after the header a uvarint-length-prefixed Go
//   version, then a uvarint-length-prefixed module info string;
// - pointer format (older): two pointers to Go string headers (data pointer,
//   length) for the version and the module info;
// - the module info's first and last 16 bytes are sentinels (stripped when
//   the string is ≥ 33 bytes and byte len-17 is '\n');
// - module info lines: `path\t…`, `mod\tpath\tversion\tsum`, `dep\t…`,
//   `=>\tpath\tversion\tsum`, `build\tkey=value` (key/value quoted Go-style
//   when they contain spaces, tabs, quotes, `=` (key) or newlines).
import { Reader, uvarint, type ByteSource } from './bytes';
import { elfDataStart, elfVaddrToOffset, type ElfInfo } from './elf';
import { peDataStart, peVaddrToOffset, type PeInfo } from './pe';

export const BUILDINFO_MAGIC = Uint8Array.from([0xff, ...Buffer.from(' Go buildinf:', 'latin1')]);
const HEADER_SIZE = 32;
const ALIGN = 16;
const SEARCH_SIZE = 64 * 1024;
/** Longest version/module-info string read (a service with hundreds of deps has ~50 KB). */
export const MAX_MODINFO_BYTES = 1024 * 1024;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildSetting {
  key: string;
  value: string;
}

export interface GoBuildInfo {
  goVersion: string;
  format: 'inline' | 'pointer';
  /** Package path of the main package (`path` line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: GoBuildSetting[];
  /** The module info text, sentinels stripped. */
  modinfo: string;
  /** Set when a module info line could not be parsed (what was read before it is kept). */
  parseError?: string;
}

export type BuildInfoResult =
  | { ok: true; info: GoBuildInfo }
  /** A Go build info header was found but could not be read completely. */
  | { ok: false; reason: string; format?: 'inline' | 'pointer' };

function isMagicAt(b: Uint8Array, i: number): boolean {
  if (i < 0 || i + BUILDINFO_MAGIC.length > b.length) return false;
  for (let k = 0; k < BUILDINFO_MAGIC.length; k++) if (b[i + k] !== BUILDINFO_MAGIC[k]) return false;
  return true;
}

/** The file offset of the build info header within [start, start + size), 16-aligned relative to start. */
export function findBuildInfoHeader(src: ByteSource, start: number, size: number): number | undefined {
  const end = start + Math.min(size, SEARCH_SIZE);
  for (const r of src.ranges(start, end)) {
    const buf = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    let from = 0;
    for (;;) {
      const i = buf.indexOf(BUILDINFO_MAGIC, from);
      if (i < 0) break;
      const abs = r.start + i;
      // Go needs the full 32-byte header inside what it read
      if ((abs - start) % ALIGN === 0 && end - abs >= HEADER_SIZE) return abs;
      from = i + 1;
    }
  }
  return undefined;
}

/** Where the build info header is for this executable, if anywhere. */
export function buildInfoOffset(src: ByteSource, exe: ElfInfo | PeInfo): number | undefined {
  const ds = exe.format === 'elf' ? elfDataStart(exe) : peDataStart(exe);
  if (!ds) return undefined;
  let size = SEARCH_SIZE;
  if (exe.format === 'elf') {
    // Go reads up to 64 KiB from the start, within the PT_LOAD holding it
    const seg = exe.segments.find((s) => s.type === 1 && ds.offset >= s.offset && ds.offset < s.offset + s.filesz);
    if (seg) size = Math.min(size, seg.offset + seg.filesz - ds.offset);
  } else size = Math.min(size, ds.size);
  return findBuildInfoHeader(src, ds.offset, size);
}

function readString(src: ByteSource, at: number): { text: string; next: number } | undefined {
  const head = src.read(at, Math.min(10, src.size - at));
  if (!head) return undefined;
  const v = uvarint(head, 0);
  if (!v || v.value > MAX_MODINFO_BYTES) return undefined;
  const body = src.read(at + v.length, v.value);
  if (!body) return undefined;
  return { text: Buffer.from(body).toString('utf8'), next: at + v.length + v.value };
}

/** Reads Go build info from an executable already parsed with parseElf/parsePe; undefined when it carries none. */
export function readGoBuildInfo(src: ByteSource, exe: ElfInfo | PeInfo): BuildInfoResult | undefined {
  const at = buildInfoOffset(src, exe);
  if (at === undefined) return undefined;
  const header = src.read(at, HEADER_SIZE);
  if (!header) return { ok: false, reason: 'the build info header could not be read' };
  const ptrSize = header[14];
  const flags = header[15];
  let version: string;
  let mod: string;
  let format: 'inline' | 'pointer';
  if (flags & 2) {
    format = 'inline';
    const v = readString(src, at + HEADER_SIZE);
    const m = v && readString(src, v.next);
    if (!v || !m) return { ok: false, reason: 'the build info strings could not be read', format };
    version = v.text;
    mod = m.text;
  } else {
    format = 'pointer';
    if (ptrSize !== 4 && ptrSize !== 8) return { ok: false, reason: `unexpected pointer size ${ptrSize}`, format };
    const r = new Reader(header, (flags & 1) === 0);
    const toOffset = (addr: number) => (exe.format === 'elf' ? elfVaddrToOffset(exe, addr) : peVaddrToOffset(exe, addr));
    const goString = (ptrAt: number): string | undefined => {
      const hdrOff = toOffset(r.uint(ptrAt, ptrSize));
      if (hdrOff === undefined) return undefined;
      const sh = src.read(hdrOff, 2 * ptrSize);
      if (!sh) return undefined;
      const sr = new Reader(sh, (flags & 1) === 0);
      const dataAddr = sr.uint(0, ptrSize);
      const len = sr.uint(ptrSize, ptrSize);
      if (len === 0) return '';
      if (len > MAX_MODINFO_BYTES) return undefined;
      const dataOff = toOffset(dataAddr);
      const data = dataOff === undefined ? undefined : src.read(dataOff, len);
      return data ? Buffer.from(data).toString('utf8') : undefined;
    };
    const v = goString(16);
    const m = goString(16 + ptrSize);
    if (v === undefined || m === undefined) return { ok: false, reason: 'the pre-Go 1.18 build info points to data that was not read', format };
    version = v;
    mod = m;
  }
  if (!version) return undefined;
  mod = mod.length >= 33 && mod[mod.length - 17] === '\n' ? mod.slice(16, mod.length - 16) : '';
  const parsed = parseModInfo(mod);
  return { ok: true, info: { goVersion: version, format, modinfo: mod, ...parsed } };
}

// ---------------------------------------------------------------------------
// Module info text (runtime/debug.ParseBuildInfo)

export function parseModInfo(data: string): Omit<GoBuildInfo, 'goVersion' | 'format' | 'modinfo'> {
  const out: Omit<GoBuildInfo, 'goVersion' | 'format' | 'modinfo'> = { deps: [], settings: [] };
  let last: GoModule | undefined;
  const lines = data.split('\n');
  // like Go: a last line without its newline is ignored
  lines.pop();
  const moduleLine = (cols: string[]): GoModule | string => {
    if (cols.length !== 2 && cols.length !== 3) return `expected 2 or 3 columns; got ${cols.length}`;
    return { path: cols[0], version: cols[1], ...(cols.length === 3 && cols[2] ? { sum: cols[2] } : {}) };
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const fail = (why: string) => {
      out.parseError = `line ${n + 1}: ${why}`;
    };
    if (line.startsWith('path\t')) out.path = line.slice(5);
    else if (line.startsWith('mod\t')) {
      const m = moduleLine(line.slice(4).split('\t'));
      if (typeof m === 'string') return (fail(m), out);
      out.main = m;
      last = m;
    } else if (line.startsWith('dep\t')) {
      const m = moduleLine(line.slice(4).split('\t'));
      if (typeof m === 'string') return (fail(m), out);
      out.deps.push(m);
      last = m;
    } else if (line.startsWith('=>\t')) {
      const cols = line.slice(3).split('\t');
      if (cols.length !== 3) return (fail(`expected 3 columns for replacement; got ${cols.length}`), out);
      if (!last) return (fail('replacement with no module on previous line'), out);
      last.replace = { path: cols[0], version: cols[1], ...(cols[2] ? { sum: cols[2] } : {}) };
      last = undefined;
    } else if (line.startsWith('build\t')) {
      const kv = line.slice(6);
      if (!kv) return (fail("build line missing '='"), out);
      let key: string;
      let rawValue: string;
      if (kv[0] === '=') return (fail('build line with missing key'), out);
      if (kv[0] === '"' || kv[0] === '`') {
        const q = quotedPrefix(kv);
        if (q === undefined) return (fail('invalid quoted key in build line'), out);
        if (kv[q.raw.length] !== '=') return (fail("build line missing '=' after quoted key"), out);
        key = q.value;
        rawValue = kv.slice(q.raw.length + 1);
      } else {
        const eq = kv.indexOf('=');
        if (eq < 0) return (fail("build line missing '=' after key"), out);
        key = kv.slice(0, eq);
        rawValue = kv.slice(eq + 1);
      }
      let value = rawValue;
      if (rawValue[0] === '"' || rawValue[0] === '`') {
        const q = quotedPrefix(rawValue);
        if (q === undefined || q.raw.length !== rawValue.length) return (fail('invalid quoted value in build line'), out);
        value = q.value;
      }
      out.settings.push({ key, value });
    }
  }
  return out;
}

/** Go's strconv.QuotedPrefix + Unquote for "…" (escapes) and `…` (raw). */
export function quotedPrefix(s: string): { raw: string; value: string } | undefined {
  const q = s[0];
  if (q === '`') {
    const end = s.indexOf('`', 1);
    if (end < 0) return undefined;
    const body = s.slice(1, end);
    return { raw: s.slice(0, end + 1), value: body.replace(/\r/g, '') };
  }
  if (q !== '"') return undefined;
  let value = '';
  let i = 1;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') return { raw: s.slice(0, i + 1), value };
    if (c === '\n') return undefined;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e in simple) {
      value += simple[e];
      i += 2;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      value += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
      value += String.fromCodePoint(parseInt(s.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (e === 'U' && /^[0-9a-fA-F]{8}$/.test(s.slice(i + 2, i + 10))) {
      const cp = parseInt(s.slice(i + 2, i + 10), 16);
      if (cp > 0x10ffff) return undefined;
      value += String.fromCodePoint(cp);
      i += 10;
    } else if (/^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      const n = parseInt(s.slice(i + 1, i + 4), 8);
      if (n > 255) return undefined;
      value += String.fromCharCode(n);
      i += 4;
    } else return undefined;
  }
  return undefined;
}

/** A build setting's value (`-ldflags`, `CGO_ENABLED`, `vcs.revision`, …). */
export function buildSetting(bi: GoBuildInfo, key: string): string | undefined {
  return bi.settings.find((s) => s.key === key)?.value;
}
