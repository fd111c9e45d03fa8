// Reading an image from a `docker save` tar or an OCI image layout, never
// extracting to disk. A regular file (and every blob of an OCI directory) is
// read with positioned reads, headers only (positioned.ts); what follows is
// the one-pass reader that stdin and pipes use, and what both share (names,
// per-entry summaries, manifests and indexes, the final assembly).
//
// The archive is a tar of tars. Its entries are read in order, once:
//   - small JSON entries (manifest.json, index.json, configs, OCI manifests and
//     indexes, legacy `<id>/json`) are kept in memory (each ≤ 16 MiB, all
//     together ≤ 64 MiB);
//   - every entry that sniffs as a tar, a gzip or a zstd stream is read as a
//     layer *as it streams by* and summarised (file headers, Go binaries,
//     a few small text files), keyed by its path in the archive;
//   - everything else is skipped.
// Only at the end are manifest.json / index.json read to put the summarised
// layers in order. So a manifest.json written after the layers (Docker writes
// it last in both its legacy and its OCI-layout output) needs no second pass,
// and identical layers, stored once, are read once and referenced twice.
// An OCI layout directory is read the same way, one blob file at a time.
//
// Memory is bounded by the headers, not the image size: per layer the list of
// its entries' headers; per executable at most a few hundred KiB while it
// streams (scan.ts); per small text file 64 KiB; plus the JSON entries. gzip
// layers stream through node:zlib. zstd layers go through fzstd's streaming
// decompressor, which holds the frame's window (the `zstd` CLI and
// containerd use ≤ 8 MiB windows; a frame written with --long may ask for up
// to 128 MiB) plus one compressed block (≤ 128 KiB).
//
// Names with `..` components or absolute paths are reported, not followed.
// Truncated or corrupt input fails with an error naming the archive entry and
// the layer entry being read.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import * as tar from 'tar-stream';
import { readImageTarFile, readLayerFile } from './positioned';
import { ExecutableScanner, looksExecutable, type ExecutableInfo } from './scan';

export type Compression = 'none' | 'gzip' | 'zstd';
export type EntryType = 'file' | 'dir' | 'symlink' | 'link' | 'other';

/** One layer tar entry (header only). */
export interface RawEntry {
  /** As in the layer tar, cleaned: no leading `./` or `/`, no trailing `/`, `.` segments removed. */
  name: string;
  type: EntryType;
  /** Header size (0 for directories and links). */
  size: number;
  mode: number;
  linkname?: string;
}

export interface LayerData {
  /** The layer's path in the archive (`<id>/layer.tar`, `blobs/sha256/<hex>`). */
  key: string;
  compression: Compression;
  /** Bytes of the blob as stored. */
  blobSize: number;
  /** `sha256:` of the uncompressed tar (a diff_id): computed from the content when `verified`, else the config's `rootfs.diff_ids` entry. */
  diffId: string;
  /** The uncompressed tar was hashed (streamed and compressed layers always; plain layers read with positioned reads only with `verify`). */
  verified: boolean;
  /** Sum of the entries' header sizes (dive's layer size). */
  size: number;
  entries: RawEntry[];
  /** Go binaries (ELF/PE with Go build info) by entry name. */
  executables: Map<string, ExecutableInfo>;
  /** Small text files the analysis reads (os-release, Go's VERSION, …) by entry name. */
  texts: Map<string, string>;
  problems: string[];
}

export type ArchiveFormat = 'docker-legacy' | 'oci' | 'oci-dir';

/** The image config JSON (only the fields the analysis reads are typed). */
export interface ImageConfigJson {
  architecture?: string;
  os?: string;
  'os.version'?: string;
  variant?: string;
  created?: string;
  config?: {
    Env?: string[] | null;
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
    Shell?: string[] | null;
    StopSignal?: string;
    Healthcheck?: { Test?: string[] } | null;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string; author?: string }[];
}

export interface ImageArchive {
  format: ArchiveFormat;
  /** The file or directory read. */
  source: string;
  repoTags: string[];
  /** `sha256:` digest of the config blob, when known. */
  configDigest?: string;
  config: ImageConfigJson;
  /** In order, bottom first; the same object twice when a layer repeats. */
  layers: LayerData[];
  problems: string[];
  /** Bytes read from the archive. */
  archiveBytes: number;
}

export interface ReadProgress {
  /** Archive bytes read so far, and in all when known. */
  bytesRead: number;
  totalBytes?: number;
  layersDone: number;
  /** The layer entry being read. */
  current?: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  /** Which image of a multi-image archive: a RepoTag or `org.opencontainers.image.ref.name`; default the first. */
  ref?: string;
  /** `os/arch[/variant]` for multi-platform OCI indexes; default this machine's linux/<arch>, else the first. */
  platform?: string;
  /**
   * Hash every uncompressed layer (sha256, compared with the config's
   * `rootfs.diff_ids`). Without it, plain layers in a regular file or an OCI
   * directory are read with positioned reads, headers only, and their digests
   * are the config's (`LayerData.verified` false). Streamed input and
   * compressed layers are always hashed: every byte passes anyway.
   */
  verify?: boolean;
  /** Read a regular file front to back as a stream, like stdin (tests; the positioned reader is the default). */
  streaming?: boolean;
}

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export class AbortError extends Error {
  constructor() {
    super('Image analysis was cancelled');
    this.name = 'AbortError';
  }
}

export const MAX_JSON = 16 * 1024 * 1024;
export const MAX_JSON_TOTAL = 64 * 1024 * 1024;
const MAX_TEXT = 64 * 1024;
const EXEC_MIN = 64;
const TEXT_FILES = /^(?:Files\/)?(?:etc\/os-release|usr\/lib\/os-release|etc\/alpine-release|etc\/debian_version|usr\/local\/go\/VERSION)$/i;

// ---------------------------------------------------------------------------
// Names

/** Whether a name is already clean: no `\\`, no empty, `.` or `..` segment, not absolute (most names in a layer). */
function isCleanName(raw: string): boolean {
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : 0x2f;
    if (c === 0x5c) return false;
    if (c !== 0x2f) continue;
    const len = i - start;
    if (len === 0) return false;
    if (raw.charCodeAt(start) === 0x2e && (len === 1 || (len === 2 && raw.charCodeAt(start + 1) === 0x2e))) return false;
    start = i + 1;
  }
  return !/^[A-Za-z]:\//.test(raw);
}

/** Cleans a tar entry name; `unsafe` when it is absolute or leaves the root. */
export function cleanName(raw: string): { name: string; unsafe?: 'absolute' | 'parent' } {
  if (isCleanName(raw)) return { name: raw };
  let n = raw.replace(/\\/g, '/');
  if (n.startsWith('/')) return { name: n, unsafe: 'absolute' };
  if (/^[A-Za-z]:\//.test(n)) return { name: n, unsafe: 'absolute' };
  const parts: string[] = [];
  for (const seg of n.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) return { name: raw, unsafe: 'parent' };
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  n = parts.join('/');
  // a `..` that stays inside is still suspicious in a layer: report it
  if (raw.split(/[\\/]/).includes('..')) return { name: n, unsafe: 'parent' };
  return { name: n };
}

// ---------------------------------------------------------------------------
// Streams

/** An async iterator with look-ahead: `peek(n)` buffers at least n bytes (or all there is). */
class ChunkReader implements AsyncIterable<Uint8Array> {
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;
  constructor(src: AsyncIterable<Uint8Array>) {
    this.it = src[Symbol.asyncIterator]();
  }
  async peek(n: number): Promise<Uint8Array> {
    while (this.bufferedBytes < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.buffered.push(r.value);
        this.bufferedBytes += r.value.length;
      }
    }
    if (this.buffered.length === 1) return this.buffered[0];
    const all = Buffer.concat(this.buffered);
    this.buffered = all.length ? [all] : [];
    return all;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (this.buffered.length) {
      const c = this.buffered.shift()!;
      this.bufferedBytes -= c.length;
      yield c;
    }
    if (this.done) return;
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  async drain(): Promise<void> {
    this.buffered = [];
    this.bufferedBytes = 0;
    if (this.done) return;
    for (;;) {
      const r = await this.it.next();
      if (r.done) break;
    }
    this.done = true;
  }
}

interface TarEntry {
  header: tar.Header;
  body: AsyncIterable<Uint8Array>;
}

/** The entries of a tar stream, in order; each body must be consumed (or is drained) before the next. */
async function* tarEntries(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const extract = tar.extract();
  let sourceError: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (extract.destroyed) return;
        if (!extract.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              extract.off('drain', done);
              extract.off('close', done);
              resolve();
            };
            extract.on('drain', done);
            extract.on('close', done);
          });
        }
      }
      if (!extract.destroyed) (extract as unknown as { end(): void }).end();
    } catch (e) {
      sourceError = e;
      extract.destroy(e as Error);
    }
  })();
  const it = extract[Symbol.asyncIterator]() as AsyncIterator<{ header: tar.Header }>;
  try {
    for (;;) {
      let r: IteratorResult<{ header: tar.Header }>;
      try {
        r = await it.next();
      } catch (e) {
        throw sourceError ?? e;
      }
      if (r.done) break;
      const entry = r.value;
      // the consumer may stop early (a gzip stream that ends, an error): never
      // return() the entry's own iterator (that destroys the whole extract);
      // whatever it leaves is drained here
      const inner = (entry as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      // tar-stream gives a directory no data, whatever its size field says: a body that would never end
      let finished = entry.header.type === 'directory';
      const body: AsyncIterable<Uint8Array> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            if (finished) return { done: true, value: undefined };
            const n = await inner.next();
            if (n.done) finished = true;
            return n;
          },
          return: async () => ({ done: true, value: undefined }),
        }),
      };
      yield { header: entry.header, body };
      while (!finished) if ((await inner.next()).done) finished = true;
    }
    await feeding;
    if (sourceError) throw sourceError;
  } finally {
    if (!extract.destroyed) extract.destroy();
    await feeding.catch(() => undefined);
  }
}

function gunzip(src: AsyncIterable<Uint8Array>): Readable {
  const gz = zlib.createGunzip({ chunkSize: 256 * 1024 });
  // errors on either side destroy both; iterating `gz` then rejects
  pipeline(Readable.from(src), gz, () => undefined);
  return gz;
}

async function* unzstd(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const d = new Decompress((chunk) => {
    if (chunk.length) out.push(Uint8Array.from(chunk));
  });
  for await (const c of src) {
    d.push(c);
    while (out.length) yield out.shift()!;
  }
  d.push(new Uint8Array(0), true);
  while (out.length) yield out.shift()!;
}

export function sniff(b: Uint8Array): 'gzip' | 'zstd' | 'tar' | 'json' | 'other' {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
  // a tar before JSON: a tar whose first name starts with "{" is still a tar
  if (b.length >= 512) {
    if (b.subarray(0, 512).every((x) => x === 0)) return 'tar'; // an empty layer: two zero blocks
    if (Buffer.from(b.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
    // old v7 tars: the header checksum
    const stored = parseInt(Buffer.from(b.subarray(148, 156)).toString('latin1').replace(/[\0 ]+$/g, '').trim(), 8);
    let sum = 0;
    for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 0x20 : b[k];
    if (Number.isFinite(stored) && stored === sum) return 'tar';
  }
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (i < b.length && (b[i] === 0x7b || b[i] === 0x5b)) return 'json';
  return 'other';
}

export function entryType(t: string | null | undefined): EntryType {
  switch (t) {
    case 'file':
    case 'contiguous-file':
    case undefined:
    case null:
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    default:
      return 'other';
  }
}

export function describeError(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  if (/Unexpected end of data|unexpected end of file|unexpected EOF/i.test(m)) return 'truncated (unexpected end of data)';
  if (/incorrect header check|invalid (block type|distance|code|stored block)|invalid tar header|Invalid header|checksum/i.test(m)) return `corrupt (${m})`;
  return m;
}

// ---------------------------------------------------------------------------
// One layer

export interface LayerContext {
  signal?: AbortSignal;
  /** Called with the layer entry being read. */
  onEntry?: (name: string) => void;
}

/** Reads one layer blob (plain, gzip or zstd tar) into its summary. */
export async function readLayer(key: string, body: AsyncIterable<Uint8Array>, blobSize: number, ctx: LayerContext = {}): Promise<LayerData> {
  const reader = body instanceof ChunkReader ? body : new ChunkReader(body);
  const head = await reader.peek(512);
  const kind = sniff(head);
  if (kind !== 'gzip' && kind !== 'zstd' && kind !== 'tar' && !(head.length === 0)) {
    throw new ArchiveError(`layer "${key}" is not a tar, gzip or zstd stream`);
  }
  const compression: Compression = kind === 'gzip' ? 'gzip' : kind === 'zstd' ? 'zstd' : 'none';
  const layer: LayerData = { key, compression, blobSize, diffId: '', verified: true, size: 0, entries: [], executables: new Map(), texts: new Map(), problems: [] };
  const hash = createHash('sha256');
  let gz: Readable | undefined;
  const plain: AsyncIterable<Uint8Array> = compression === 'gzip' ? (gz = gunzip(reader)) : compression === 'zstd' ? unzstd(reader) : reader;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const c of plain) {
      if (ctx.signal?.aborted) throw new AbortError();
      hash.update(c);
      yield c;
    }
  }
  let current = '';
  try {
    if (head.length === 0) {
      // a zero-byte blob: no entries (not even the end-of-archive blocks)
    } else {
      for await (const { header, body: content } of tarEntries(hashed())) {
        current = header.name;
        ctx.onEntry?.(header.name);
        const name = addLayerEntry(layer, header);
        if (name !== undefined) await readContent(layer, name, header.size ?? 0, content);
      }
    }
  } catch (e) {
    if (e instanceof AbortError || ctx.signal?.aborted) throw new AbortError();
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`layer "${key}"${current ? `, entry "${current}"` : ''}: ${describeError(e)}`);
  } finally {
    gz?.destroy();
  }
  layer.diffId = 'sha256:' + hash.digest('hex');
  return layer;
}

/** A layer tar header as tar-stream decodes it (long names and PAX records applied). */
export interface LayerHeader {
  name: string;
  type?: string | null;
  size?: number | null;
  mode?: number | null;
  linkname?: string | null;
}

/**
 * Records one layer entry's header in the summary (both readers: streaming
 * and positioned); returns the cleaned name when its content is to be looked
 * at (a file with bytes), else undefined.
 */
export function addLayerEntry(layer: LayerData, header: LayerHeader): string | undefined {
  const type = entryType(header.type);
  const clean = cleanName(header.name);
  if (clean.unsafe) {
    layer.problems.push(`entry "${header.name}" ${clean.unsafe === 'absolute' ? 'has an absolute path' : 'climbs out with ".."'}: not followed`);
    return undefined;
  }
  if (!clean.name) return undefined; // the root directory itself
  const size = header.size ?? 0;
  const entry: RawEntry = { name: clean.name, type, size: type === 'file' ? size : 0, mode: header.mode ?? 0 };
  // dive counts header sizes; only files carry content in Docker layers
  layer.size += type === 'file' ? size : 0;
  if (type === 'symlink' || type === 'link') {
    entry.linkname = header.linkname ?? '';
    if (type === 'link') {
      const target = cleanName(entry.linkname);
      if (target.unsafe) {
        layer.problems.push(`hard link "${header.name}" → "${entry.linkname}" points outside the layer: not followed`);
        return undefined;
      }
      entry.linkname = target.name;
    }
  }
  layer.entries.push(entry);
  return type !== 'file' || size === 0 ? undefined : clean.name;
}

/** Whether a file's content is looked at, and how: a text file kept whole, the first bytes sniffed for ELF/PE. */
export function contentWanted(name: string, size: number): { text: boolean; exe: boolean } {
  const text = size <= MAX_TEXT && TEXT_FILES.test(name);
  // the streaming reader decides on the first 4 bytes; files under EXEC_MIN are only sniffed when read as text
  return { text, exe: size >= 4 && (size >= EXEC_MIN || text) };
}

/** Reads a file's content only as far as needed: executables through a scanner, a few small text files whole. */
async function readContent(layer: LayerData, name: string, size: number, content: AsyncIterable<Uint8Array>): Promise<void> {
  const wantText = size <= MAX_TEXT && TEXT_FILES.test(name);
  let scanner: ExecutableScanner | undefined;
  let decided = size < EXEC_MIN && !wantText;
  const text: Uint8Array[] = [];
  let first: Uint8Array | undefined;
  for await (const c of content) {
    if (wantText) text.push(c);
    if (decided) {
      scanner?.write(c);
      continue;
    }
    first = first ? Buffer.concat([first, c]) : c;
    if (first.length < 4) continue;
    decided = true;
    if (looksExecutable(first)) {
      scanner = new ExecutableScanner(size);
      scanner.write(first);
    }
    first = undefined;
  }
  if (wantText) layer.texts.set(name, Buffer.concat(text).toString('utf8'));
  if (scanner) {
    const info = scanner.finish();
    if (info && (info.go || info.goError)) layer.executables.set(name, info);
  }
}

// ---------------------------------------------------------------------------
// Archives

export interface Collected {
  jsons: Map<string, Buffer>;
  layers: Map<string, LayerData>;
  /** Archive symlinks (legacy layer.tar links to an identical layer). */
  aliases: Map<string, string>;
  problems: string[];
}

/**
 * An entry of the outer archive (docker save, OCI layout): its safe name when it is a regular file
 * to read; undefined for everything else — unsafe names and links leaving the archive are reported
 * in `col.problems` (never followed), links inside it recorded in `col.aliases`. Shared by both readers.
 */
export function outerFile(col: Collected, rawName: string, rawType: string | null | undefined, linkname: string | null | undefined): string | undefined {
  const clean = cleanName(rawName);
  if (clean.unsafe) {
    col.problems.push(`archive entry "${rawName}" ${clean.unsafe === 'absolute' ? 'has an absolute path' : 'climbs out with ".."'}: not followed`);
    return undefined;
  }
  const name = clean.name;
  const type = entryType(rawType);
  if (type === 'symlink' || type === 'link') {
    const target = type === 'symlink' ? cleanName(path.posix.join(path.posix.dirname(name), linkname ?? '')) : cleanName(linkname ?? '');
    if (target.unsafe && target.name.startsWith('..')) col.problems.push(`archive link "${rawName}" → "${linkname}" points outside the archive: not followed`);
    else col.aliases.set(name, target.name);
    return undefined;
  }
  return type === 'file' ? name : undefined;
}

export function progressThrottle(opts: ReadOptions): (p: ReadProgress, force?: boolean) => void {
  let last = 0;
  return (p, force) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    opts.onProgress(p);
  };
}

async function* counted(src: AsyncIterable<Uint8Array>, state: { bytes: number; last?: Uint8Array }, opts: ReadOptions, report: () => void): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    if (opts.signal?.aborted) throw new AbortError();
    state.bytes += c.length;
    // the last 1 KiB: a complete tar ends with two zero blocks
    state.last = c.length >= 1024 ? c.subarray(c.length - 1024) : Buffer.concat([state.last ?? new Uint8Array(0), c]).subarray(-1024);
    report();
    yield c;
  }
}

/** Reads an image from a tar stream (a `docker save` output or an OCI layout tar), in one pass. */
export async function readImageTar(source: AsyncIterable<Uint8Array>, opts: ReadOptions & { name?: string; totalBytes?: number } = {}): Promise<ImageArchive> {
  const state: { bytes: number; last?: Uint8Array } = { bytes: 0 };
  const col: Collected = { jsons: new Map(), layers: new Map(), aliases: new Map(), problems: [] };
  const progress = progressThrottle(opts);
  let current: string | undefined;
  const report = () => progress({ bytesRead: state.bytes, totalBytes: opts.totalBytes, layersDone: col.layers.size, current });
  let jsonTotal = 0;
  let outer = '';
  let lastEnd = 0;
  try {
    if (opts.signal?.aborted) throw new AbortError();
    for await (const { header, body } of tarEntries(counted(source, state, opts, report))) {
      outer = header.name;
      // where this entry's data ends (tar-stream records where it starts)
      const at = (header as { byteOffset?: number }).byteOffset;
      if (typeof at === 'number') lastEnd = at + Math.ceil((header.size ?? 0) / 512) * 512;
      const name = outerFile(col, header.name, header.type, header.linkname);
      if (name === undefined) continue;
      const size = header.size ?? 0;
      const reader = new ChunkReader(body);
      const head = await reader.peek(512);
      const kind = sniff(head);
      if (kind === 'json' || (head.length === 0 && /\.json$/.test(name))) {
        if (size > MAX_JSON || jsonTotal + size > MAX_JSON_TOTAL) {
          col.problems.push(`archive entry "${name}" (${size} bytes of JSON) is too large to be image metadata: skipped`);
          await reader.drain();
          continue;
        }
        const parts: Uint8Array[] = [];
        for await (const c of reader) parts.push(c);
        col.jsons.set(name, Buffer.concat(parts));
        jsonTotal += size;
      } else if (kind === 'gzip' || kind === 'zstd' || kind === 'tar') {
        current = name;
        report();
        const layer = await readLayer(name, reader, size, { signal: opts.signal });
        col.layers.set(name, layer);
        current = undefined;
        progress({ bytesRead: state.bytes, totalBytes: opts.totalBytes, layersDone: col.layers.size }, true);
      } else {
        await reader.drain();
      }
    }
  } catch (e) {
    if (e instanceof AbortError || opts.signal?.aborted) throw new AbortError();
    if (e instanceof ArchiveError) throw new ArchiveError(`${opts.name ?? 'archive'}: ${e.message}`);
    throw new ArchiveError(`${opts.name ?? 'archive'}${outer ? `: entry "${outer}"` : ''}: ${describeError(e)}`);
  }
  // tar-stream accepts input that stops at an entry boundary: say so when the end marker is missing
  const ended = state.bytes - lastEnd >= 1024 && !!state.last && state.last.length >= 1024 && state.last.every((b) => b === 0);
  if (!ended) col.problems.push('the archive does not end with the tar end-of-archive marker: it may be truncated');
  try {
    return assemble(col, opts, state.bytes, opts.name ?? 'archive', true);
  } catch (e) {
    if (!ended && e instanceof ArchiveError) throw new ArchiveError(`${e.message} (the archive looks truncated: it does not end with the tar end-of-archive marker)`);
    throw e;
  }
}

/** Reads an image archive file (`docker save` tar, OCI layout tar) or an OCI layout directory. */
export async function readImageArchive(file: string, opts: ReadOptions = {}): Promise<ImageArchive> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new ArchiveError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  if (st.isDirectory()) return readOciDir(file, opts);
  if (st.isFile() && !opts.streaming) {
    // a regular file: headers with positioned reads, contents only where needed (positioned.ts)
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new ArchiveError(`${file}: ${(e as Error).message}`);
    }
    try {
      const archive = await readImageTarFile(file, fd, fs.fstatSync(fd).size, opts);
      archive.source = file;
      return archive;
    } finally {
      fs.closeSync(fd);
    }
  }
  // stdin, a pipe, a device: one pass, front to back
  const stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  try {
    const archive = await readImageTar(stream, { ...opts, name: file, totalBytes: st.size });
    archive.source = file;
    return archive;
  } finally {
    stream.destroy();
  }
}

/** An OCI image layout directory: index.json, blobs/<alg>/<hex>, maybe Docker's manifest.json. */
async function readOciDir(dir: string, opts: ReadOptions): Promise<ImageArchive> {
  const col: Collected = { jsons: new Map(), layers: new Map(), aliases: new Map(), problems: [] };
  const readJson = (rel: string): Buffer | undefined => {
    const clean = cleanName(rel);
    if (clean.unsafe) {
      col.problems.push(`"${rel}" ${clean.unsafe === 'absolute' ? 'is an absolute path' : 'climbs out with ".."'}: not followed`);
      return undefined;
    }
    const full = path.join(dir, clean.name);
    try {
      const st = fs.statSync(full);
      if (!st.isFile() || st.size > MAX_JSON) return undefined;
      const b = fs.readFileSync(full);
      col.jsons.set(clean.name, b);
      return b;
    } catch {
      return undefined;
    }
  };
  for (const f of ['index.json', 'manifest.json', 'oci-layout']) readJson(f);
  if (!col.jsons.has('index.json') && !col.jsons.has('manifest.json')) throw new ArchiveError(`${dir}: not an OCI image layout (no index.json)`);
  // the plan needs manifests and configs: read the JSON blobs it names
  const plan = planImage(col, opts, dir, (rel) => readJson(rel));
  const state = { bytes: 0 };
  const progress = progressThrottle(opts);
  const seen = new Set<string>();
  const total = plan.layerKeys.reduce((n, k) => {
    if (seen.has(k)) return n;
    seen.add(k);
    try {
      return n + fs.statSync(path.join(dir, k)).size;
    } catch {
      return n;
    }
  }, 0);
  for (const key of plan.layerKeys) {
    if (col.layers.has(key)) continue;
    const full = path.join(dir, key);
    let size: number;
    try {
      size = fs.statSync(full).size;
    } catch {
      throw new ArchiveError(`${dir}: layer blob "${key}" is missing`);
    }
    const report = () => progress({ bytesRead: state.bytes, totalBytes: total, layersDone: col.layers.size, current: key });
    const stream = opts.streaming ? fs.createReadStream(full, { highWaterMark: 1024 * 1024 }) : undefined;
    try {
      if (stream) col.layers.set(key, await readLayer(key, counted(stream, state, opts, report), size, { signal: opts.signal }));
      else {
        const before = state.bytes;
        col.layers.set(key, await readLayerFile(key, full, opts, (pos) => ((state.bytes = before + pos), report())));
        state.bytes = before + size;
      }
    } catch (e) {
      if (e instanceof AbortError || opts.signal?.aborted) throw new AbortError();
      throw new ArchiveError(`${dir}: ${e instanceof ArchiveError ? e.message : describeError(e)}`);
    } finally {
      stream?.destroy();
    }
    progress({ bytesRead: state.bytes, totalBytes: total, layersDone: col.layers.size }, true);
  }
  const archive = assemble(col, opts, state.bytes, dir, false, plan);
  archive.format = 'oci-dir';
  return archive;
}

interface Plan {
  format: ArchiveFormat;
  configKey: string;
  configDigest?: string;
  layerKeys: string[];
  repoTags: string[];
}

function parseJson(b: Buffer, what: string): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new ArchiveError(`${what} is not valid JSON (${(e as Error).message})`);
  }
}

function blobKey(digest: unknown): string | undefined {
  if (typeof digest !== 'string') return undefined;
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest);
  return m ? `blobs/${m[1]}/${m[2]}` : undefined;
}

function hostPlatform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
  return `linux/${arch}`;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

/** Decides which config and layers make the image, from manifest.json or index.json. */
function planImage(col: Collected, opts: ReadOptions, where: string, load: (rel: string) => Buffer | undefined = (rel) => col.jsons.get(rel)): Plan {
  const isOci = col.jsons.has('index.json') || col.jsons.has('oci-layout');
  const resolve = (p: string) => {
    let n = cleanName(p).name;
    for (let i = 0; i < 8 && col.aliases.has(n); i++) n = col.aliases.get(n)!;
    return n;
  };
  const manifestJson = col.jsons.get('manifest.json');
  if (manifestJson) {
    const list = parseJson(manifestJson, `${where}: manifest.json`);
    if (!Array.isArray(list) || !list.length) throw new ArchiveError(`${where}: manifest.json lists no image`);
    type Item = { Config?: string; RepoTags?: string[] | null; Layers?: string[] };
    const items = list as Item[];
    let item = items[0];
    if (opts.ref) item = items.find((i) => (i.RepoTags ?? []).some((t) => t === opts.ref || t === `${opts.ref}:latest` || t === `docker.io/${opts.ref}` || t === `docker.io/library/${opts.ref}`)) ?? item;
    if (typeof item?.Config !== 'string' || !Array.isArray(item.Layers)) throw new ArchiveError(`${where}: manifest.json has no Config or Layers`);
    const configKey = resolve(item.Config);
    if (!load(configKey)) throw new ArchiveError(`${where}: the image config "${item.Config}" named in manifest.json is not in the archive`);
    const hex = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(configKey)?.[1];
    return { format: isOci ? 'oci' : 'docker-legacy', configKey, configDigest: hex ? `sha256:${hex}` : undefined, layerKeys: item.Layers.map(resolve), repoTags: (item.RepoTags ?? []).filter((t) => typeof t === 'string') };
  }
  const indexJson = col.jsons.get('index.json');
  if (!indexJson) throw new ArchiveError(`${where}: not an image archive (no manifest.json or index.json)`);
  const wanted = (opts.platform ?? hostPlatform()).split('/');
  const pick = (descs: Descriptor[], top: boolean): Descriptor | undefined => {
    const images = descs.filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && d.platform?.os !== 'unknown');
    if (top && opts.ref) {
      const named = images.filter((d) => [d.annotations?.['org.opencontainers.image.ref.name'], d.annotations?.['io.containerd.image.name']].some((n) => n && (n === opts.ref || n.endsWith(`/${opts.ref}`) || n.endsWith(`:${opts.ref}`))));
      if (named.length) return named[0];
    }
    const withPlatform = images.filter((d) => d.platform);
    if (withPlatform.length) {
      const exact = withPlatform.find((d) => d.platform!.os === wanted[0] && d.platform!.architecture === wanted[1] && (!wanted[2] || d.platform!.variant === wanted[2]));
      if (exact) return exact;
      if (opts.platform) throw new ArchiveError(`${where}: no image for platform ${opts.platform} (has ${withPlatform.map((d) => [d.platform!.os, d.platform!.architecture, d.platform!.variant].filter(Boolean).join('/')).join(', ')})`);
    }
    return images[0] ?? descs[0];
  };
  let doc = parseJson(indexJson, `${where}: index.json`) as { manifests?: Descriptor[]; mediaType?: string; config?: Descriptor; layers?: Descriptor[] };
  let name: string | undefined;
  for (let depth = 0; depth < 4; depth++) {
    if (doc.config && Array.isArray(doc.layers)) {
      const configKey = blobKey(doc.config.digest);
      if (!configKey || !load(configKey)) throw new ArchiveError(`${where}: the image config ${doc.config.digest ?? '(no digest)'} is not in the archive`);
      const layerKeys = doc.layers.map((l) => {
        const k = blobKey(l.digest);
        if (!k) throw new ArchiveError(`${where}: a layer descriptor has no valid digest`);
        return k;
      });
      return { format: 'oci', configKey, configDigest: doc.config.digest, layerKeys, repoTags: name ? [name] : [] };
    }
    const manifests = Array.isArray(doc.manifests) ? doc.manifests : [];
    if (!manifests.length) break;
    const d = pick(manifests, depth === 0);
    if (!d) break;
    if (depth === 0) name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    const key = blobKey(d.digest);
    const blob = key ? load(key) : undefined;
    if (!blob) throw new ArchiveError(`${where}: manifest ${d.digest ?? '(no digest)'} named in index.json is not in the archive`);
    doc = parseJson(blob, `${where}: ${key}`) as typeof doc;
  }
  throw new ArchiveError(`${where}: index.json leads to no image manifest`);
}

export function assemble(col: Collected, opts: ReadOptions, bytes: number, where: string, streamed: boolean, plan?: Plan): ImageArchive {
  plan ??= planImage(col, opts, where);
  const configBuf = col.jsons.get(plan.configKey);
  if (!configBuf) throw new ArchiveError(`${where}: the image config "${plan.configKey}" is not in the archive`);
  const config = parseJson(configBuf, `${where}: image config`) as ImageConfigJson;
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new ArchiveError(`${where}: the image config is not a JSON object`);
  const layers = plan.layerKeys.map((k) => {
    const l = col.layers.get(k);
    if (!l) throw new ArchiveError(`${where}: layer "${k}" is listed in the manifest but ${streamed ? 'was not found in the archive (truncated?)' : 'could not be read'}`);
    return l;
  });
  const problems = [...col.problems];
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length && diffIds.length !== layers.length) problems.push(`the config lists ${diffIds.length} layer digests (rootfs.diff_ids) but the manifest ${layers.length} layers`);
  layers.forEach((l, i) => {
    if (!l.verified) {
      // not hashed (positioned reads): the digest is the config's; a plain blob named by its
      // digest (OCI layout) must still be named by its diff_id, which costs nothing to check
      if (!l.diffId && diffIds[i]) l.diffId = diffIds[i];
      const named = l.compression === 'none' ? /(?:^|\/)sha256\/([0-9a-f]{64})$/.exec(l.key)?.[1] : undefined;
      if (named && diffIds[i] && diffIds[i] !== `sha256:${named}` && l.entries.length + l.size > 0) {
        problems.push(`layer ${i + 1} ("${l.key}") is stored under another digest than its digest in the config (${diffIds[i]}): corrupt or modified (content not hashed; --verify hashes it)`);
      }
      return;
    }
    if (diffIds[i] && l.diffId && diffIds[i] !== l.diffId && l.entries.length + l.size > 0) {
      problems.push(`layer ${i + 1} ("${l.key}") does not match its digest in the config (${diffIds[i]}, content is ${l.diffId}): corrupt or modified`);
    }
  });
  for (const l of new Set(layers)) problems.push(...l.problems.map((p) => `layer "${l.key}": ${p}`));
  return { format: plan.format, source: where, repoTags: plan.repoTags, configDigest: plan.configDigest, config, layers, problems, archiveBytes: bytes };
}
