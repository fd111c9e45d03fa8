// Hand-built image archives and executables for the image-analysis tests,
// generated in the test with tar-stream (no binary fixtures in the repository).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';

// ---------------------------------------------------------------------------
// tars

export interface TEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Uint8Array;
  /** Size of a zero-filled file when no content is given. */
  size?: number;
  linkname?: string;
  mode?: number;
}

export function tarOf(entries: TEntry[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
    (async () => {
      for (const e of entries) {
        const type = e.type ?? 'file';
        const body = type === 'file' ? (e.content !== undefined ? Buffer.from(e.content as Uint8Array | string) : Buffer.alloc(e.size ?? 0)) : undefined;
        await new Promise<void>((res, rej) => {
          const header = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: new Date(0), ...(e.linkname !== undefined ? { linkname: e.linkname } : {}), ...(body ? { size: body.length } : {}) };
          if (body) pack.entry(header, body, (err) => (err ? rej(err) : res()));
          else pack.entry(header, (err) => (err ? rej(err) : res()));
        });
      }
      pack.finalize();
    })().catch(reject);
  });
}

export const sha256 = (b: Uint8Array) => 'sha256:' + createHash('sha256').update(b).digest('hex');
export const gzip = (b: Uint8Array) => zlib.gzipSync(b);

/** zstd through the `zstd` CLI (fzstd only decompresses); undefined when it is not installed. */
export function zstd(b: Uint8Array): Buffer | undefined {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: b, maxBuffer: 1 << 30, timeout: 60_000 });
  return r.status === 0 ? r.stdout : undefined;
}
export const ZSTD_AVAILABLE = spawnSync('zstd', ['--version'], { timeout: 10_000 }).status === 0;

// ---------------------------------------------------------------------------
// image configs and archives

export interface Hist {
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

export function imageConfig(layers: Buffer[], opts: { history?: Hist[] | null; os?: string; arch?: string; osVersion?: string; env?: string[]; cmd?: string[]; entrypoint?: string[]; user?: string; labels?: Record<string, string>; ports?: string[] } = {}): Buffer {
  const history = opts.history === null ? undefined : (opts.history ?? layers.map((_, i) => ({ created_by: `/bin/sh -c #(nop) COPY file:${i} in / ` })));
  return Buffer.from(
    JSON.stringify({
      architecture: opts.arch ?? 'amd64',
      os: opts.os ?? 'linux',
      ...(opts.osVersion ? { 'os.version': opts.osVersion } : {}),
      created: '2024-01-01T00:00:00Z',
      config: {
        Env: opts.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ...(opts.cmd ? { Cmd: opts.cmd } : {}),
        ...(opts.entrypoint ? { Entrypoint: opts.entrypoint } : {}),
        ...(opts.user !== undefined ? { User: opts.user } : {}),
        ...(opts.labels ? { Labels: opts.labels } : {}),
        ...(opts.ports ? { ExposedPorts: Object.fromEntries(opts.ports.map((p) => [p, {}])) } : {}),
      },
      rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
      ...(history ? { history } : {}),
    }),
  );
}

/**
 * A `docker save` archive as engines before 25 write it: `<id>/layer.tar`,
 * `<config>.json`, then `manifest.json` and `repositories` LAST (as Docker does).
 * A layer listed twice is stored once (the second as a symlink when `symlinkRepeats`).
 */
export async function legacyArchive(layers: Buffer[], config: Buffer, opts: { tags?: string[]; symlinkRepeats?: boolean; extra?: TEntry[]; manifestFirst?: boolean } = {}): Promise<Buffer> {
  const entries: TEntry[] = [];
  const paths: string[] = [];
  const seen = new Map<string, string>();
  layers.forEach((l, i) => {
    const id = createHash('sha256').update(`${i}`).update(l).digest('hex');
    const p = `${id}/layer.tar`;
    const digest = sha256(l);
    if (seen.has(digest)) {
      if (opts.symlinkRepeats) {
        entries.push({ name: `${id}/`, type: 'directory' });
        entries.push({ name: p, type: 'symlink', linkname: `../${seen.get(digest)!}` });
        paths.push(p);
      } else paths.push(seen.get(digest)!);
      return;
    }
    seen.set(digest, p);
    entries.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/VERSION`, content: '1.0' }, { name: `${id}/json`, content: '{}' }, { name: p, content: l });
    paths.push(p);
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  entries.push({ name: configName, content: config });
  const manifest: TEntry = { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: opts.tags ?? ['fixture:latest'], Layers: paths }]) };
  const all = opts.manifestFirst ? [manifest, ...entries] : [...entries, manifest, { name: 'repositories', content: '{}' }];
  return tarOf([...all, ...(opts.extra ?? [])]);
}

export interface OciLayer {
  /** The uncompressed layer tar. */
  tar: Buffer;
  compression?: 'none' | 'gzip' | 'zstd';
}

function ociLayout(layers: OciLayer[], config: Buffer, opts: { tag?: string; platform?: { os: string; architecture: string }; nestedIndex?: boolean; extraManifests?: { platform: { os: string; architecture: string } }[] }) {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    const d = sha256(b);
    blobs.set(d, b);
    return d;
  };
  const descs = layers.map((l) => {
    const blob = l.compression === 'gzip' ? gzip(l.tar) : l.compression === 'zstd' ? zstd(l.tar)! : l.tar;
    const mediaType = l.compression === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : l.compression === 'zstd' ? 'application/vnd.oci.image.layer.v1.tar+zstd' : 'application/vnd.oci.image.layer.v1.tar';
    return { mediaType, digest: add(blob), size: blob.length };
  });
  const configDigest = add(config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: descs }));
  const manifestDigest = add(manifest);
  const mdesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, ...(opts.platform ? { platform: opts.platform } : {}), annotations: { 'org.opencontainers.image.ref.name': opts.tag ?? 'fixture:latest' } };
  // decoys: other platforms whose manifests point at a config that is not there
  const decoys = (opts.extraManifests ?? []).map((m) => {
    const b = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:' + '0'.repeat(64) }, layers: [] }));
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: add(b), size: b.length, platform: m.platform };
  });
  let index: Buffer;
  if (opts.nestedIndex) {
    const inner = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [...decoys, mdesc] }));
    const innerDigest = add(inner);
    index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: innerDigest, size: inner.length, annotations: { 'io.containerd.image.name': `docker.io/library/${opts.tag ?? 'fixture:latest'}` } }] }));
  } else index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [...decoys, mdesc] }));
  return { blobs, index, manifestJson: [{ Config: `blobs/sha256/${configDigest.slice(7)}`, RepoTags: [opts.tag ?? 'fixture:latest'], Layers: descs.map((d) => `blobs/sha256/${d.digest.slice(7)}`) }] };
}

/** An OCI layout tar as Docker 25+ `docker save` writes it (blobs first, then index.json, manifest.json, oci-layout). */
export async function ociArchive(layers: OciLayer[], config: Buffer, opts: { tag?: string; withManifestJson?: boolean; nestedIndex?: boolean; platform?: { os: string; architecture: string }; extraManifests?: { platform: { os: string; architecture: string } }[] } = {}): Promise<Buffer> {
  const l = ociLayout(layers, config, opts);
  const entries: TEntry[] = [{ name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' }];
  for (const [d, b] of l.blobs) entries.push({ name: `blobs/sha256/${d.slice(7)}`, content: b });
  entries.push({ name: 'index.json', content: l.index });
  if (opts.withManifestJson !== false) entries.push({ name: 'manifest.json', content: JSON.stringify(l.manifestJson) });
  entries.push({ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' });
  return tarOf(entries);
}

/** The same layout as a directory. */
export function ociDir(dir: string, layers: OciLayer[], config: Buffer, opts: { tag?: string; nestedIndex?: boolean } = {}): void {
  const l = ociLayout(layers, config, opts);
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [d, b] of l.blobs) fs.writeFileSync(path.join(dir, 'blobs', 'sha256', d.slice(7)), b);
  fs.writeFileSync(path.join(dir, 'index.json'), l.index);
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
}

// ---------------------------------------------------------------------------
// executables

const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

export interface ExeSpec {
  goVersion?: string;
  /** Module info lines (each ending with \n), without the sentinels. */
  modinfo?: string;
  format?: 'inline' | 'pointer';
  interp?: string;
  symtab?: boolean;
  /** Debug sections: name → size. */
  debug?: Record<string, number>;
  /** Name the section `.go.buildinfo` (else only the writable segment finds it). */
  buildinfoSection?: boolean;
  /** Section headers (and .shstrtab) at the end of the file, as gcc writes them. */
  shdrsAtEnd?: boolean;
  bits?: 32 | 64;
  bigEndian?: boolean;
  /** Bytes of code to pad the text segment with. */
  textSize?: number;
  /** Zero bytes after the strings in .rodata (puts the strings far before the build info header). */
  rodataPad?: number;
}

class W {
  buf: Buffer;
  constructor(
    size: number,
    readonly le: boolean,
  ) {
    this.buf = Buffer.alloc(size);
  }
  u8(o: number, v: number) {
    this.buf.writeUInt8(v, o);
  }
  u16(o: number, v: number) {
    if (this.le) this.buf.writeUInt16LE(v, o);
    else this.buf.writeUInt16BE(v, o);
  }
  u32(o: number, v: number) {
    if (this.le) this.buf.writeUInt32LE(v >>> 0, o);
    else this.buf.writeUInt32BE(v >>> 0, o);
  }
  u64(o: number, v: number) {
    if (this.le) this.buf.writeBigUInt64LE(BigInt(v), o);
    else this.buf.writeBigUInt64BE(BigInt(v), o);
  }
  ptr(o: number, v: number, bits: 32 | 64) {
    if (bits === 64) this.u64(o, v);
    else this.u32(o, v);
  }
  put(o: number, b: Uint8Array) {
    Buffer.from(b).copy(this.buf, o);
  }
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** A small but well-formed ELF executable carrying Go build info. */
export function makeElf(spec: ExeSpec = {}): Buffer {
  const bits = spec.bits ?? 64;
  const le = !spec.bigEndian;
  const base = 0x400000;
  const ehsize = bits === 64 ? 64 : 52;
  const phentsize = bits === 64 ? 56 : 32;
  const shentsize = bits === 64 ? 64 : 40;
  const goVersion = spec.goVersion ?? 'go1.22.5';
  const modinfo = Buffer.concat([INFO_START, Buffer.from(spec.modinfo ?? 'path\texample.com/svc\nmod\texample.com/svc\t(devel)\t\nbuild\tCGO_ENABLED=0\nbuild\tGOOS=linux\n'), INFO_END]);
  const format = spec.format ?? 'inline';

  // layout
  const phnum = spec.interp !== undefined ? 4 : 3;
  const phoff = ehsize;
  let off = align(phoff + phnum * phentsize, 16);
  const interpOff = off;
  const interpBytes = spec.interp !== undefined ? Buffer.from(spec.interp + '\0') : Buffer.alloc(0);
  off += interpBytes.length;
  const textOff = align(off, 0x1000);
  const textSize = spec.textSize ?? 0x100;
  const rodataOff = align(textOff + textSize, 0x1000);
  // rodata: the pointer format's strings, then (Go-style) .shstrtab
  const rodataStrings = Buffer.concat([Buffer.from(goVersion), modinfo, Buffer.alloc(spec.rodataPad ?? 0)]);
  const names = ['', '.text', '.rodata', '.shstrtab', ...(spec.buildinfoSection !== false ? ['.go.buildinfo'] : []), '.data', ...Object.keys(spec.debug ?? {}), ...(spec.symtab ? ['.symtab', '.strtab'] : [])];
  const nameOff = new Map<string, number>();
  const shstr: Buffer[] = [Buffer.from([0])];
  let shstrLen = 1;
  for (const n of names.slice(1)) {
    nameOff.set(n, shstrLen);
    shstr.push(Buffer.from(n + '\0'));
    shstrLen += n.length + 1;
  }
  const shstrtab = Buffer.concat(shstr);
  const shstrOffIn = spec.shdrsAtEnd ? -1 : align(rodataOff + rodataStrings.length, 16);
  const rodataEnd = spec.shdrsAtEnd ? rodataOff + rodataStrings.length : shstrOffIn + shstrtab.length;
  const dataOff = align(rodataEnd, 0x1000);
  // .go.buildinfo: header + inline strings, or header + 2 pointers to string headers placed in .data
  const ptrSize = bits / 8;
  let buildinfo: Buffer;
  const strHeadersOff = dataOff + 0x100;
  if (format === 'inline') {
    const hdr = Buffer.alloc(32);
    MAGIC.copy(hdr, 0);
    hdr[14] = ptrSize;
    hdr[15] = 2 | (le ? 0 : 1);
    buildinfo = Buffer.concat([hdr, uvarint(goVersion.length), Buffer.from(goVersion), uvarint(modinfo.length), modinfo]);
  } else {
    const w = new W(32, le);
    w.put(0, MAGIC);
    w.u8(14, ptrSize);
    w.u8(15, le ? 0 : 1);
    w.ptr(16, base + strHeadersOff, bits);
    w.ptr(16 + ptrSize, base + strHeadersOff + 2 * ptrSize, bits);
    buildinfo = w.buf;
  }
  const dataSize = 0x200 + buildinfo.length;
  let tail = align(dataOff + dataSize, 16);
  const debugOffs: Record<string, number> = {};
  for (const [n, size] of Object.entries(spec.debug ?? {})) {
    debugOffs[n] = tail;
    tail += size;
  }
  const symtabOff = tail;
  const symtabSize = spec.symtab ? 24 * 4 : 0;
  tail += symtabSize;
  const strtabOff = tail;
  const strtabSize = spec.symtab ? 64 : 0;
  tail += strtabSize;
  const shstrOff = spec.shdrsAtEnd ? tail : shstrOffIn;
  if (spec.shdrsAtEnd) tail += shstrtab.length;
  const shnum = names.length;
  const shoff = spec.shdrsAtEnd ? align(tail, 8) : align(interpOff + interpBytes.length, 8);
  // with section headers early, they must fit before .text
  if (!spec.shdrsAtEnd && shoff + shnum * shentsize > textOff) throw new Error('too many sections for the early header layout');
  const size = spec.shdrsAtEnd ? shoff + shnum * shentsize : tail;

  const w = new W(size, le);
  // ELF header
  w.put(0, Buffer.from([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, le ? 1 : 2, 1, 0]));
  w.u16(16, 2); // ET_EXEC
  w.u16(18, bits === 64 ? 62 : 3);
  w.u32(20, 1);
  if (bits === 64) {
    w.u64(24, base + textOff);
    w.u64(32, phoff);
    w.u64(40, shoff);
    w.u16(52, ehsize);
    w.u16(54, phentsize);
    w.u16(56, phnum);
    w.u16(58, shentsize);
    w.u16(60, shnum);
    w.u16(62, 3);
  } else {
    w.u32(24, base + textOff);
    w.u32(28, phoff);
    w.u32(32, shoff);
    w.u16(40, ehsize);
    w.u16(42, phentsize);
    w.u16(44, phnum);
    w.u16(46, shentsize);
    w.u16(48, shnum);
    w.u16(50, 3);
  }
  // program headers
  let ph = phoff;
  const phdr = (type: number, flags: number, offset: number, filesz: number) => {
    if (bits === 64) {
      w.u32(ph, type);
      w.u32(ph + 4, flags);
      w.u64(ph + 8, offset);
      w.u64(ph + 16, base + offset);
      w.u64(ph + 24, base + offset);
      w.u64(ph + 32, filesz);
      w.u64(ph + 40, filesz);
      w.u64(ph + 48, 0x1000);
    } else {
      w.u32(ph, type);
      w.u32(ph + 4, offset);
      w.u32(ph + 8, base + offset);
      w.u32(ph + 12, base + offset);
      w.u32(ph + 16, filesz);
      w.u32(ph + 20, filesz);
      w.u32(ph + 24, flags);
      w.u32(ph + 28, 0x1000);
    }
    ph += phentsize;
  };
  if (spec.interp !== undefined) phdr(3, 4, interpOff, interpBytes.length);
  phdr(1, 5, 0, textOff + textSize);
  phdr(1, 4, rodataOff, rodataEnd - rodataOff);
  phdr(1, 6, dataOff, dataSize);
  w.put(interpOff, interpBytes);
  w.buf.fill(0x90, textOff, textOff + textSize);
  w.put(rodataOff, rodataStrings);
  w.put(shstrOff, shstrtab);
  w.put(dataOff, buildinfo);
  if (format === 'pointer') {
    // string headers {data, len} for the version and the module info, in .data
    w.ptr(strHeadersOff, base + rodataOff, bits);
    w.ptr(strHeadersOff + ptrSize, goVersion.length, bits);
    w.ptr(strHeadersOff + 2 * ptrSize, base + rodataOff + goVersion.length, bits);
    w.ptr(strHeadersOff + 3 * ptrSize, modinfo.length, bits);
  }
  for (const [n, o] of Object.entries(debugOffs)) w.buf.fill(0xdb, o, o + spec.debug![n]);
  // section headers
  let sh = shoff + shentsize;
  const shdr = (name: string, type: number, flags: number, addr: number, offset: number, sz: number, link = 0) => {
    if (bits === 64) {
      w.u32(sh, nameOff.get(name)!);
      w.u32(sh + 4, type);
      w.u64(sh + 8, flags);
      w.u64(sh + 16, addr);
      w.u64(sh + 24, offset);
      w.u64(sh + 32, sz);
      w.u32(sh + 40, link);
    } else {
      w.u32(sh, nameOff.get(name)!);
      w.u32(sh + 4, type);
      w.u32(sh + 8, flags);
      w.u32(sh + 12, addr);
      w.u32(sh + 16, offset);
      w.u32(sh + 20, sz);
      w.u32(sh + 24, link);
    }
    sh += shentsize;
  };
  shdr('.text', 1, 6, base + textOff, textOff, textSize);
  shdr('.rodata', 1, 2, base + rodataOff, rodataOff, rodataStrings.length);
  shdr('.shstrtab', 3, 0, 0, shstrOff, shstrtab.length);
  if (spec.buildinfoSection !== false) shdr('.go.buildinfo', 1, 3, base + dataOff, dataOff, buildinfo.length);
  shdr('.data', 1, 3, base + dataOff + 0x100, dataOff + 0x100, dataSize - 0x100);
  for (const [n, o] of Object.entries(debugOffs)) shdr(n, 1, 0, 0, o, spec.debug![n]);
  if (spec.symtab) {
    const strtabIndex = names.indexOf('.strtab');
    shdr('.symtab', 2, 0, 0, symtabOff, symtabSize, strtabIndex);
    shdr('.strtab', 3, 0, 0, strtabOff, strtabSize);
  }
  return w.buf;
}

/** A small PE32+ (or PE32) executable with Go build info in `.data`. */
export function makePe(spec: ExeSpec & { symbols?: number } = {}): Buffer {
  const bits = spec.bits ?? 64;
  const goVersion = spec.goVersion ?? 'go1.22.5';
  const modinfo = Buffer.concat([INFO_START, Buffer.from(spec.modinfo ?? 'path\texample.com/win\nmod\texample.com/win\t(devel)\t\nbuild\tGOOS=windows\n'), INFO_END]);
  const hdr = Buffer.alloc(32);
  MAGIC.copy(hdr, 0);
  hdr[14] = bits / 8;
  hdr[15] = 2;
  const buildinfo = Buffer.concat([hdr, uvarint(goVersion.length), Buffer.from(goVersion), uvarint(modinfo.length), modinfo]);
  const optSize = bits === 64 ? 240 : 224;
  const debug = Object.entries(spec.debug ?? {});
  const sections: { name: string; chars: number; size: number; fill?: number; content?: Buffer }[] = [
    { name: '.text', chars: 0x60000020, size: 0x200, fill: 0xcc },
    { name: '.rdata', chars: 0x40000040, size: 0x200 },
    { name: '.data', chars: 0xc0000040, size: align(buildinfo.length, 0x200), content: buildinfo },
    ...debug.map(([name, size]) => ({ name, chars: 0x42000040, size: align(size, 0x200), fill: 0xdb })),
  ];
  // long names go to the COFF string table
  const strings: Buffer[] = [];
  let strLen = 4;
  const shortName = (n: string) => {
    if (n.length <= 8) return n;
    const at = strLen;
    strings.push(Buffer.from(n + '\0'));
    strLen += n.length + 1;
    return `/${at}`;
  };
  const names = sections.map((s) => shortName(s.name));
  const sectionTable = 0x80 + 24 + optSize;
  let raw = align(sectionTable + sections.length * 40, 0x200);
  const rawOffsets = sections.map((s) => {
    const o = raw;
    raw += s.size;
    return o;
  });
  const nsyms = spec.symtab ? (spec.symbols ?? 4) : 0;
  const symOff = spec.symtab || strings.length ? raw : 0;
  const strTable = Buffer.concat([Buffer.alloc(4), ...strings]);
  strTable.writeUInt32LE(strTable.length, 0);
  const size = symOff ? symOff + nsyms * 18 + strTable.length : raw;
  const w = new W(size, true);
  w.put(0, Buffer.from('MZ'));
  w.u32(0x3c, 0x80);
  w.put(0x80, Buffer.from('PE\0\0'));
  const coff = 0x84;
  w.u16(coff, bits === 64 ? 0x8664 : 0x14c);
  w.u16(coff + 2, sections.length);
  w.u32(coff + 8, symOff);
  w.u32(coff + 12, nsyms);
  w.u16(coff + 16, optSize);
  w.u16(coff + 18, 0x22);
  const opt = coff + 20;
  w.u16(opt, bits === 64 ? 0x20b : 0x10b);
  if (bits === 64) w.u64(opt + 24, 0x400000);
  else w.u32(opt + 28, 0x400000);
  sections.forEach((s, i) => {
    const o = sectionTable + i * 40;
    w.put(o, Buffer.from(names[i].padEnd(8, '\0').slice(0, 8), 'latin1'));
    w.u32(o + 8, s.content?.length ?? s.size);
    w.u32(o + 12, 0x1000 * (i + 1));
    w.u32(o + 16, s.size);
    w.u32(o + 20, rawOffsets[i]);
    w.u32(o + 36, s.chars);
    if (s.content) w.put(rawOffsets[i], s.content);
    else if (s.fill) w.buf.fill(s.fill, rawOffsets[i], rawOffsets[i] + s.size);
  });
  if (symOff) w.put(symOff + nsyms * 18, strTable);
  return w.buf;
}

export const GO_MODINFO = (p: { path: string; mod?: string; deps?: string[]; build?: string[] }) =>
  [`path\t${p.path}`, `mod\t${p.mod ?? p.path}\t(devel)\t`, ...(p.deps ?? []), ...(p.build ?? []).map((b) => `build\t${b}`)].join('\n') + '\n';
