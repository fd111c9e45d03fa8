// Reading an image archive that is a regular file (or an OCI layout blob)
// with positioned reads: the tar headers of the archive and, at their offsets
// inside it, the headers of every plain layer tar, skipping the contents.
// File contents are read only where the report needs them: the first 4 bytes
// of a file (ELF/PE), the few ranges of an executable the parsers ask for
// (ELF/PE headers, section tables, Go build info: see `inspectAt`), and the
// small text files (os-release, Go's VERSION). A 1 GB `docker save` archive
// with 20,000 files is then a few hundred reads of at most 1 MiB, not 1 GB
// through a tar parser.
//
// Same answers as the streaming reader (archive.ts), which stdin and pipes
// still use: the tar format is decoded exactly like tar-stream decodes it
// (checksums, ustar prefix, GNU long names, PAX records with the global
// header's quirk, base-256 sizes, directories whose size is not skipped,
// zero blocks skipped rather than ending the archive) and the per-entry logic
// is shared (`addLayerEntry`). What differs, by design:
//   - plain layers are not hashed unless `verify` is set: their diff_id is the
//     config's (`LayerData.verified` = false); gzip and zstd layers are
//     decompressed as a stream of the blob's byte range and hashed as before;
//   - executables are parsed like a whole file (every range the parsers ask
//     for is fetched), so pre-Go 1.18 build info (pointer format), which the
//     streaming scanner cannot reach, is read.
//
// Reads are synchronous (a few µs each from the page cache, where async ones
// cost ~40 µs of thread-pool round trip, which 20,000 files would multiply);
// the loops give the event loop a turn every few milliseconds, so a language
// server stays responsive and cancellation is seen.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { SparseBytes, type ByteSource } from './bytes';
import {
  AbortError,
  addLayerEntry,
  ArchiveError,
  assemble,
  contentWanted,
  describeError,
  MAX_JSON,
  MAX_JSON_TOTAL,
  outerFile,
  progressThrottle,
  readLayer,
  sniff,
  type Collected,
  type ImageArchive,
  type LayerData,
  type ReadOptions,
} from './archive';
import { inspectExecutable, looksExecutable, type ExecutableInfo } from './scan';

const MIN_WINDOW = 16 * 1024;
const MAX_WINDOW = 1024 * 1024;
/** tar-stream's limit for a long-name or PAX header. */
const MAX_LONG_HEADER = 4 * 1024 * 1024;
/** Largest single range an executable parser may have fetched (section tables, name tables). */
const MAX_EXE_RANGE = 8 * 1024 * 1024;
const EXE_HEAD = 64 * 1024;
const MAX_ROUNDS = 16;
/** Longest run of synchronous work before the event loop gets a turn. */
const SLICE_MS = 8;

const unexpectedEnd = () => new Error('Unexpected end of data');
const padded = (n: number) => Math.ceil(n / 512) * 512;

// ---------------------------------------------------------------------------
// The file

/**
 * Positioned reads through one reusable window that grows while reads are
 * sequential (a run of small files: one read per MiB) and shrinks after a
 * jump (skipping a large file: one small read for the next header).
 */
export class FileWindow {
  private readonly win = Buffer.allocUnsafe(MAX_WINDOW);
  private start = 0;
  private len = 0;
  private next = MIN_WINDOW;
  /** Reads made and bytes read (for tests and benchmarks). */
  reads = 0;
  bytesRead = 0;

  constructor(
    /** The file's path: a compressed layer is streamed from a descriptor of its own. */
    readonly path: string,
    readonly fd: number,
    readonly size: number,
  ) {}

  /** The bytes [offset, offset + length) clipped to the end of the file; a view valid until the next call. */
  view(offset: number, length: number): Buffer {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return this.win.subarray(0, 0);
    if (offset >= this.start && end <= this.start + this.len) return this.win.subarray(offset - this.start, end - this.start);
    if (end - offset > MAX_WINDOW) return this.copy(offset, length);
    const sequential = offset >= this.start && offset <= this.start + this.len + MIN_WINDOW;
    this.next = sequential ? Math.min(MAX_WINDOW, this.next * 2) : MIN_WINDOW;
    this.start = offset;
    this.len = this.fill(this.win, offset, Math.min(MAX_WINDOW, this.size - offset, Math.max(end - offset, this.next)));
    return this.win.subarray(0, Math.min(this.len, end - offset));
  }

  /** The bytes [offset, offset + length) clipped to the end of the file, in a buffer of their own. */
  copy(offset: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - offset));
    if (offset >= this.start && offset + n <= this.start + this.len) return Buffer.from(this.win.subarray(offset - this.start, offset - this.start + n));
    const buf = Buffer.allocUnsafe(n);
    return buf.subarray(0, this.fill(buf, offset, n));
  }

  private fill(buf: Buffer, offset: number, n: number): number {
    let got = 0;
    while (got < n) {
      const r = fs.readSync(this.fd, buf, got, n - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    this.reads++;
    this.bytesRead += got;
    return got;
  }
}

/** Gives the event loop a turn every SLICE_MS of synchronous work, and notices cancellation. */
class Pacer {
  private last = performance.now();
  constructor(private readonly signal?: AbortSignal) {}
  async tick(): Promise<void> {
    if (this.signal?.aborted) throw new AbortError();
    if (performance.now() - this.last < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
    if (this.signal?.aborted) throw new AbortError();
  }
}

// ---------------------------------------------------------------------------
// tar headers, decoded as tar-stream 3 decodes them

export interface TarHeader {
  /** Long names and PAX records applied. */
  name: string;
  /** tar-stream's type names (`file`, `directory`, `symlink`, `link`, …), null for flags it does not know. */
  type: string | null;
  size: number;
  mode: number;
  linkname: string | null;
  /** Absolute offset of the entry's data in the file. */
  data: number;
}

const TYPES: Record<number, string> = {
  0: 'file',
  1: 'link',
  2: 'symlink',
  3: 'character-device',
  4: 'block-device',
  5: 'directory',
  6: 'fifo',
  7: 'contiguous-file',
  72: 'pax-header',
  55: 'pax-global-header',
  27: 'gnu-long-link-path',
  28: 'gnu-long-path',
  30: 'gnu-long-path',
};

function cstr(b: Buffer, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && b[end] !== 0) end++;
  return b.toString('utf8', start, end);
}

/** An octal field (leading spaces, ending at a space or NUL), or base-256 when the first byte has its top bit set. */
function numeric(b: Buffer, start: number, length: number): number {
  if (b[start] & 0x80) {
    const positive = b[start] === 0x80;
    if (!positive && b[start] !== 0xff) return 0;
    let n = 0;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + (positive ? b[i] : 0xff - b[i]);
    return positive ? n : -n;
  }
  let i = start;
  const limit = start + length;
  while (i < limit && b[i] === 0x20) i++;
  let end = i;
  while (end < limit && b[end] !== 0x20) end++;
  while (i < end && b[i] === 0) i++;
  if (end === i) return 0;
  return parseInt(b.toString('latin1', i, end), 8);
}


/** One 512-byte header block; null for an all-zero block (checksum of spaces only). */
export function decodeTarHeader(b: Buffer): Omit<TarHeader, 'data'> | null {
  let sum = 8 * 32;
  for (let i = 0; i < 148; i++) sum += b[i];
  for (let i = 156; i < 512; i++) sum += b[i];
  if (sum === 8 * 32) return null;
  if (sum !== numeric(b, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?');
  // "ustar\0" (POSIX) or "ustar " + " \0" (GNU) at 257
  const magic = b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
  const ustar = magic && b[262] === 0;
  const gnu = magic && b[262] === 0x20 && b[263] === 0x20 && b[264] === 0;
  if (!ustar && !gnu) throw new Error('Invalid tar header: unknown format.');
  const flag = b[156] === 0 ? 0 : b[156] - 0x30;
  let name = cstr(b, 0, 100);
  if (ustar && b[345]) name = cstr(b, 345, 155) + '/' + name;
  // (tar-stream's "trailing slash means directory" for old tars does not reach the type it returns)
  return { name, type: TYPES[flag] ?? null, size: numeric(b, 124, 12), mode: numeric(b, 100, 8), linkname: b[157] === 0 ? null : cstr(b, 157, 100) };
}

/** PAX records `<len> <key>=<value>\n`, stopping at the first malformed one. */
function decodePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let b = buf;
  while (b.length) {
    let i = 0;
    while (i < b.length && b[i] !== 0x20) i++;
    const len = parseInt(b.toString('utf8', 0, i), 10);
    if (!len) return out;
    const rec = b.toString('utf8', i + 1, len - 1);
    const eq = rec.indexOf('=');
    if (eq === -1) return out;
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    b = b.subarray(len);
  }
  return out;
}

/**
 * The entries of the tar in [start, end) of the file. `end` may lie beyond
 * the end of the file (a truncated archive): reaching past what the file has
 * throws "Unexpected end of data", like tar-stream at the end of its input.
 */
export class TarWalker {
  pos: number;
  private readonly avail: number;
  private longPath?: string;
  private longLink?: string;
  private pax?: Record<string, string>;
  private paxGlobal?: Record<string, string>;

  constructor(
    private readonly f: FileWindow,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
    this.avail = Math.min(end, f.size);
  }

  /** Bytes of the region the file holds. */
  get available(): number {
    return this.avail;
  }

  /** The next entry, or undefined at the end of the region. */
  next(): TarHeader | undefined {
    for (;;) {
      if (this.pos === this.end && this.end <= this.avail) return undefined;
      if (this.pos + 512 > this.avail) throw unexpectedEnd();
      const h = decodeTarHeader(this.f.view(this.pos, 512));
      this.pos += 512;
      if (!h) continue;
      switch (h.type) {
        case 'gnu-long-path':
        case 'gnu-long-link-path':
        case 'pax-global-header':
        case 'pax-header': {
          if (h.size > MAX_LONG_HEADER) throw new Error('Header exceeds max size');
          // (tar-stream reads on from a long header with no usable size in ways that depend on what follows; here it is an error)
          if (!(h.size >= 0)) throw new Error('Invalid header');
          if (this.pos + padded(h.size) > this.avail) throw unexpectedEnd();
          const body = this.f.view(this.pos, h.size);
          if (h.type === 'gnu-long-path') this.longPath = cstr(body, 0, body.length);
          else if (h.type === 'gnu-long-link-path') this.longLink = cstr(body, 0, body.length);
          else if (h.type === 'pax-global-header') this.paxGlobal = decodePax(body);
          // a global header's records apply only to entries that have a PAX header of their own (as in tar-stream)
          else this.pax = this.paxGlobal ? { ...this.paxGlobal, ...decodePax(body) } : decodePax(body);
          this.pos += padded(h.size);
          continue;
        }
      }
      if (this.longPath !== undefined) h.name = this.longPath;
      if (this.longLink !== undefined) h.linkname = this.longLink;
      this.longPath = this.longLink = undefined;
      if (this.pax) {
        if (this.pax.path) h.name = this.pax.path;
        if (this.pax.linkpath) h.linkname = this.pax.linkpath;
        if (this.pax.size) h.size = parseInt(this.pax.size, 10);
        this.pax = undefined;
      }
      if (!(h.size >= 0)) throw new Error('Invalid header');
      const data = this.pos;
      // tar-stream skips no data after a directory header, whatever its size says
      if (h.size !== 0 && h.type !== 'directory') this.pos += padded(h.size);
      return { ...h, data };
    }
  }
}

// ---------------------------------------------------------------------------
// Executables: parsed like whole files, fetching only what the parsers read

/** A file inside the archive as the parsers see it: the ranges fetched so far, and what they asked for that was missing. */
class FetchedRanges implements ByteSource {
  readonly bytes: SparseBytes;
  misses: [number, number][] = [];
  constructor(readonly size: number) {
    this.bytes = new SparseBytes(size);
  }
  read(offset: number, length: number): Uint8Array | undefined {
    const r = this.bytes.read(offset, length);
    if (!r && offset >= 0 && length >= 0 && offset + length <= this.size) this.misses.push([offset, offset + length]);
    return r;
  }
  ranges(start: number, end: number): { start: number; data: Uint8Array }[] {
    const s = Math.max(0, start);
    const e = Math.min(this.size, end);
    const got = this.bytes.ranges(s, e);
    let at = s;
    for (const r of got) {
      if (r.start > at) this.misses.push([at, r.start]);
      at = r.start + r.data.length;
    }
    if (at < e) this.misses.push([at, e]);
    return got;
  }
}

/**
 * The ELF/PE facts of the file at [base, base + size): the parsers run on the
 * ranges fetched so far, and what they asked for and did not get is fetched
 * for the next run, until a run asks for nothing new — that run read exactly
 * what it would have read from the whole file. A range over 8 MiB is not
 * fetched (the answer degrades to "unknown", as in the streaming scanner).
 */
export function inspectAt(f: FileWindow, base: number, size: number): ExecutableInfo | undefined {
  const src = new FetchedRanges(size);
  src.bytes.add(0, f.view(base, Math.min(size, EXE_HEAD)));
  for (let round = 0; ; round++) {
    src.misses = [];
    const info = inspectExecutable(src);
    const todo = src.misses.filter(([s, e]) => e - s <= MAX_EXE_RANGE && !src.bytes.has(s, e - s));
    if (!todo.length || round >= MAX_ROUNDS) return info;
    for (const [s, e] of todo) if (!src.bytes.has(s, e - s)) src.bytes.add(s, f.view(base + s, e - s));
  }
}

// ---------------------------------------------------------------------------
// Layers

interface PositionedContext {
  signal?: AbortSignal;
  verify?: boolean;
  pace: Pacer;
  /** Called with the absolute position reached (progress). */
  onPosition?: (pos: number) => void;
}

/** The byte range [start, end) of the file as a stream; ending early (truncated file) is an error, as in the streaming reader. */
async function* rangeStream(file: string, start: number, end: number, size: number): AsyncGenerator<Uint8Array> {
  const last = Math.min(end, size);
  if (last > start) {
    const s = fs.createReadStream(file, { start, end: last - 1, highWaterMark: MAX_WINDOW });
    try {
      for await (const c of s) yield c as Buffer;
    } finally {
      s.destroy();
    }
  }
  if (last < end) throw unexpectedEnd();
}

/** sha256 of [start, end) of the file. */
async function hashRange(f: FileWindow, start: number, end: number, pace: Pacer): Promise<string> {
  const h = createHash('sha256');
  for (let at = start; at < end; at += MAX_WINDOW) {
    await pace.tick();
    h.update(f.view(at, Math.min(MAX_WINDOW, end - at)));
  }
  return 'sha256:' + h.digest('hex');
}

/**
 * Reads the layer blob at [start, start + size) of the file (size may run past
 * the end of a truncated file). Plain tars: headers with positioned reads;
 * gzip and zstd: the streaming reader over that byte range.
 */
export async function readLayerAt(key: string, f: FileWindow, start: number, size: number, ctx: PositionedContext): Promise<LayerData> {
  const avail = Math.min(f.size, start + size);
  const head = f.view(start, Math.min(512, Math.max(0, avail - start)));
  const kind = sniff(head);
  if (kind === 'gzip' || kind === 'zstd') {
    return readLayer(key, Readable.from(rangeStream(f.path, start, start + size, f.size)), size, { signal: ctx.signal });
  }
  if (kind !== 'tar' && head.length !== 0) throw new ArchiveError(`layer "${key}" is not a tar, gzip or zstd stream`);
  const layer: LayerData = { key, compression: 'none', blobSize: size, diffId: '', verified: false, size: 0, entries: [], executables: new Map(), texts: new Map(), problems: [] };
  let current = '';
  try {
    if (head.length === 0) {
      // a zero-byte blob: no entries (or nothing of it in a truncated file)
      if (size > 0) throw unexpectedEnd();
    } else {
      const walker = new TarWalker(f, start, start + size);
      for (;;) {
        await ctx.pace.tick();
        const h = walker.next();
        if (!h) break;
        current = h.name;
        ctx.onPosition?.(h.data);
        const name = addLayerEntry(layer, h);
        if (name === undefined) continue;
        if (h.data + h.size > walker.available) throw unexpectedEnd();
        readContentAt(layer, name, h.size, f, h.data);
      }
    }
  } catch (e) {
    if (e instanceof AbortError || ctx.signal?.aborted) throw new AbortError();
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`layer "${key}"${current ? `, entry "${current}"` : ''}: ${describeError(e)}`);
  }
  if (ctx.verify) {
    layer.diffId = await hashRange(f, start, start + size, ctx.pace);
    layer.verified = true;
  }
  return layer;
}

/** What the streaming reader's readContent keeps, read at the file's offset. */
function readContentAt(layer: LayerData, name: string, size: number, f: FileWindow, at: number): void {
  const want = contentWanted(name, size);
  if (want.text) layer.texts.set(name, f.view(at, size).toString('utf8'));
  if (!want.exe || !looksExecutable(f.view(at, 4))) return;
  const info = inspectAt(f, at, size);
  if (info && (info.go || info.goError)) layer.executables.set(name, info);
}

// ---------------------------------------------------------------------------
// Archives

/** Reads an image from a tar file (`docker save`, OCI layout tar) with positioned reads; the streaming reader's answers (see the top). */
export async function readImageTarFile(file: string, fd: number, size: number, opts: ReadOptions): Promise<ImageArchive> {
  const f = new FileWindow(file, fd, size);
  const col: Collected = { jsons: new Map(), layers: new Map(), aliases: new Map(), problems: [] };
  const progress = progressThrottle(opts);
  const pace = new Pacer(opts.signal);
  let current: string | undefined;
  let position = 0;
  const report = (force?: boolean) => progress({ bytesRead: position, totalBytes: size, layersDone: col.layers.size, current }, force);
  const walker = new TarWalker(f, 0, size);
  let jsonTotal = 0;
  let outer = '';
  let lastEnd = 0;
  try {
    for (;;) {
      await pace.tick();
      const header = walker.next();
      if (!header) break;
      outer = header.name;
      position = header.data;
      report();
      lastEnd = header.data + padded(header.size);
      const name = outerFile(col, header.name, header.type, header.linkname);
      if (name === undefined) continue;
      const entrySize = header.size;
      const cut = header.data + entrySize > size;
      const head = f.view(header.data, Math.min(512, entrySize));
      // the streaming reader peeks 512 bytes (or the whole entry) before deciding
      if (cut && head.length < Math.min(512, entrySize)) throw unexpectedEnd();
      const kind = sniff(head);
      if (kind === 'json' || (head.length === 0 && /\.json$/.test(name))) {
        if (cut) throw unexpectedEnd();
        if (entrySize > MAX_JSON || jsonTotal + entrySize > MAX_JSON_TOTAL) {
          col.problems.push(`archive entry "${name}" (${entrySize} bytes of JSON) is too large to be image metadata: skipped`);
          continue;
        }
        col.jsons.set(name, f.copy(header.data, entrySize));
        jsonTotal += entrySize;
      } else if (kind === 'gzip' || kind === 'zstd' || kind === 'tar') {
        current = name;
        report();
        const layer = await readLayerAt(name, f, header.data, entrySize, {
          signal: opts.signal,
          verify: opts.verify,
          pace,
          onPosition: (p) => {
            position = p;
            report();
          },
        });
        col.layers.set(name, layer);
        current = undefined;
        position = Math.min(size, header.data + entrySize);
        report(true);
      } else if (cut) throw unexpectedEnd();
    }
  } catch (e) {
    if (e instanceof AbortError || opts.signal?.aborted) throw new AbortError();
    if (e instanceof ArchiveError) throw new ArchiveError(`${file}: ${e.message}`);
    throw new ArchiveError(`${file}${outer ? `: entry "${outer}"` : ''}: ${describeError(e)}`);
  }
  // tar-stream accepts input that stops at an entry boundary: say so when the end marker is missing
  const tail = size >= 1024 ? f.view(size - 1024, 1024) : undefined;
  const ended = size - lastEnd >= 1024 && !!tail && tail.every((b) => b === 0);
  if (!ended) col.problems.push('the archive does not end with the tar end-of-archive marker: it may be truncated');
  try {
    return assemble(col, opts, size, file, true);
  } catch (e) {
    if (!ended && e instanceof ArchiveError) throw new ArchiveError(`${e.message} (the archive looks truncated: it does not end with the tar end-of-archive marker)`);
    throw e;
  }
}

/** One blob file of an OCI layout directory, read like a layer inside an archive. */
export async function readLayerFile(key: string, full: string, opts: ReadOptions, onPosition?: (pos: number) => void): Promise<LayerData> {
  const fd = fs.openSync(full, 'r');
  try {
    const f = new FileWindow(full, fd, fs.fstatSync(fd).size);
    return await readLayerAt(key, f, 0, f.size, { signal: opts.signal, verify: opts.verify, pace: new Pacer(opts.signal), onPosition });
  } finally {
    fs.closeSync(fd);
  }
}
