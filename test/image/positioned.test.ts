// The positioned reader (regular files, OCI layout blobs) against the streaming
// reader (stdin, pipes) on the same input: the same archive summary and report,
// the same errors for truncated and corrupt input. Fixtures: the generated
// archives of the other image tests, layers written by GNU tar (GNU long names
// and link names, sparse files, hard links, PAX records and a global header),
// hand-patched headers (a directory with a size, a base-256 size), every cut of
// an archive at a block boundary and many corruptions.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeArchive } from '../../server/src/engine/image/analyze';
import { readImageArchive, type ImageArchive, type ReadOptions } from '../../server/src/engine/image/archive';
import { decodeTarHeader, FileWindow, readLayerAt } from '../../server/src/engine/image/positioned';
import { GO_MODINFO, imageConfig, legacyArchive, makeElf, makePe, ociArchive, ociDir, tarOf, ZSTD_AVAILABLE, type TEntry } from './fixtures';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-image-positioned-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(b: Buffer): string {
  const p = path.join(dir, `a${n++}.tar`);
  fs.writeFileSync(p, b);
  return p;
}

type Outcome = { ok: true; archive: ImageArchive } | { ok: false; error: string; kind: string };

async function outcome(file: string, opts: ReadOptions): Promise<Outcome> {
  try {
    return { ok: true, archive: await readImageArchive(file, opts) };
  } catch (e) {
    return { ok: false, error: (e as Error).message, kind: (e as Error).name };
  }
}

/** Both readers on the file: identical outcomes (the positioned one hashing, so even the digests agree). */
async function expectSame(file: string, opts: ReadOptions = {}): Promise<Outcome> {
  const streamed = await outcome(file, { ...opts, streaming: true });
  const positioned = await outcome(file, { ...opts, verify: true });
  expect(positioned).toEqual(streamed);
  if (streamed.ok && positioned.ok) {
    expect(analyzeArchive(positioned.archive, { input: 'x' })).toEqual(analyzeArchive(streamed.archive, { input: 'x' }));
    // without --verify: the same but for `verified` (and the diff_ids, then the config's: right in these fixtures)
    const fast = await outcome(file, opts);
    expect(fast.ok).toBe(true);
    if (fast.ok) {
      expect(fast.archive.layers.map((l) => l.verified)).toEqual(streamed.archive.layers.map((l) => l.compression !== 'none'));
      const unverify = (a: ImageArchive) => ({ ...a, layers: a.layers.map((l) => ({ ...l, verified: false })) });
      expect(unverify(fast.archive)).toEqual(unverify(streamed.archive));
    }
  }
  return streamed;
}

const GNU_TAR = (() => {
  const r = spawnSync('tar', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /GNU tar/.test(r.stdout);
})();

/** A layer tar written by GNU tar from a tree made here (format gnu or pax). */
function gnuTarLayer(format: 'gnu' | 'pax', extra: string[] = []): Buffer {
  const root = fs.mkdtempSync(path.join(dir, 'tree-'));
  const long = 'very-long-directory-name-'.repeat(5);
  fs.mkdirSync(path.join(root, 'usr', long, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr', long, 'sub', `file-with-a-long-name-${'x'.repeat(60)}.txt`), 'hello\n');
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc', 'os-release'), 'ID=debian\nVERSION_CODENAME=bookworm\n');
  fs.writeFileSync(path.join(root, 'app'), makeElf({ modinfo: GO_MODINFO({ path: 'example.com/gnu' }) }), { mode: 0o755 });
  fs.linkSync(path.join(root, 'app'), path.join(root, 'app-hardlink'));
  fs.symlinkSync(`/usr/${long}/sub/target-${'y'.repeat(120)}`, path.join(root, 'etc', 'long-symlink'));
  // a sparse file: holes, then data, then a hole at the end
  const sparse = fs.openSync(path.join(root, 'sparse.img'), 'w');
  fs.writeSync(sparse, Buffer.alloc(4096, 7), 0, 4096, 1 << 20);
  fs.writeSync(sparse, Buffer.alloc(100, 8), 0, 100, 3 << 20);
  fs.ftruncateSync(sparse, 5 << 20);
  fs.closeSync(sparse);
  fs.writeFileSync(path.join(root, 'etc', '.wh.removed'), '');
  const out = path.join(dir, `layer-${n++}.tar`);
  const r = spawnSync('tar', [`--format=${format}`, '--sparse', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', ...extra, '-C', root, '-cf', out, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return fs.readFileSync(out);
}

/** Rewrites fields of the header block at `at` and fixes its checksum. */
function patchHeader(buf: Buffer, at: number, patch: (h: Buffer) => void): void {
  const h = buf.subarray(at, at + 512);
  patch(h);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
}

/** Offsets of the header blocks of a tar (tar-stream's walk, without long-name handling). */
function headerOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 512 <= buf.length; ) {
    const h = decodeTarHeader(buf.subarray(at, at + 512));
    if (!h) {
      at += 512;
      continue;
    }
    out.push(at);
    at += 512 + (h.type === 'directory' ? 0 : Math.ceil(h.size / 512) * 512);
  }
  return out;
}

const exeLayer = () =>
  tarOf([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/svc', content: makeElf({ modinfo: GO_MODINFO({ path: 'example.com/svc', build: ['-ldflags="-s -w"', 'CGO_ENABLED=0'] }) }), mode: 0o755 },
    { name: 'bin/dyn', content: makeElf({ interp: '/lib64/ld-linux-x86-64.so.2', symtab: true, debug: { '.debug_info': 3000 }, shdrsAtEnd: true }), mode: 0o755 },
    { name: 'bin/old32', content: makeElf({ bits: 32, bigEndian: true, buildinfoSection: false }), mode: 0o755 },
    { name: 'bin/padded', content: makeElf({ textSize: 200_000, rodataPad: 100_000 }), mode: 0o755 },
    { name: 'bin/win.exe', content: makePe({ symtab: true, debug: { '.debug_info': 2000, '.zdebug_line': 700 } }) },
    { name: 'lib/not-go.so', content: Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(100)]) },
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' },
    { name: 'usr/local/go/VERSION', content: 'go1.22.5\ntime 2024-01-01\n' },
    { name: 'tiny', content: 'MZ' },
    { name: 'opt/big.bin', size: 300_000 },
  ]);

async function legacyFixture(): Promise<Buffer> {
  const base = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', content: 'ID=alpine\n' }, { name: 'bin/sh', type: 'symlink', linkname: 'busybox' }, { name: 'bin/busybox', size: 5000, mode: 0o755 }]);
  const exes = await exeLayer();
  const rm = await tarOf([{ name: 'opt/.wh.big.bin', size: 0 }, { name: 'etc/.wh..wh..opq', size: 0 }, { name: 'etc/hosts', content: '127.0.0.1 localhost\n' }]);
  const layers = [base, exes, rm, base];
  return legacyArchive(layers, imageConfig(layers, { entrypoint: ['/bin/svc'] }), { symlinkRepeats: true });
}

describe('the positioned reader gives the streaming reader’s answers', () => {
  it('legacy docker save: repeated layers (symlinked and not), manifest first or last, executables, texts, whiteouts', async () => {
    for (const symlinkRepeats of [false, true]) {
      for (const manifestFirst of [false, true]) {
        const base = await tarOf([{ name: 'a', size: 10 }]);
        const exes = await exeLayer();
        const layers = [base, exes, base];
        const o = await expectSame(write(await legacyArchive(layers, imageConfig(layers), { symlinkRepeats, manifestFirst })));
        expect(o.ok).toBe(true);
      }
    }
    const o = await expectSame(write(await legacyFixture()));
    expect(o.ok && [...o.archive.layers[1].executables.keys()].sort()).toEqual(['bin/dyn', 'bin/old32', 'bin/padded', 'bin/svc', 'bin/win.exe']);
    expect(o.ok && Object.fromEntries(o.archive.layers[1].texts)).toEqual({ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n', 'usr/local/go/VERSION': 'go1.22.5\ntime 2024-01-01\n' });
  });

  it('OCI layout tars: plain, gzip and zstd layers, nested index, platforms; OCI layout directories', async () => {
    const exes = await exeLayer();
    const other = await tarOf([{ name: 'x/y', content: 'z' }]);
    const kinds: ('none' | 'gzip' | 'zstd')[] = ZSTD_AVAILABLE ? ['none', 'gzip', 'zstd'] : ['none', 'gzip'];
    for (const compression of kinds) {
      const layers = [{ tar: exes, compression }, { tar: other, compression: 'none' as const }];
      const cfg = imageConfig([exes, other]);
      await expectSame(write(await ociArchive(layers, cfg, { nestedIndex: true, platform: { os: 'linux', architecture: 'amd64' }, extraManifests: [{ platform: { os: 'linux', architecture: 'arm64' } }] })), { platform: 'linux/amd64' });
      await expectSame(write(await ociArchive(layers, cfg, { withManifestJson: false })));
      const d = path.join(dir, `oci-${n++}`);
      ociDir(d, layers, cfg);
      await expectSame(d);
    }
  });

  it('unsafe names in the archive and in layers, links out of the archive', async () => {
    const evil = await tarOf([
      { name: '/etc/passwd', content: 'x' },
      { name: '../../escape', content: 'x' },
      { name: 'ok/../../up', content: 'x' },
      { name: 'ok/file', content: 'fine' },
      { name: 'ok/hard', type: 'link', linkname: '../../../outside' },
      { name: 'ok/soft', type: 'symlink', linkname: '/etc/shadow' },
    ]);
    const buf = await legacyArchive([evil], imageConfig([evil]), { extra: [{ name: '../outside.json', content: '{}' }, { name: 'link-out', type: 'symlink', linkname: '../../x' }] });
    const o = await expectSame(write(buf));
    expect(o.ok && o.archive.problems.length).toBeGreaterThanOrEqual(5);
  });

  it.runIf(GNU_TAR)('layers written by GNU tar: GNU long names and link names, sparse files, hard links; PAX records and a global header', async () => {
    for (const [format, extra] of [
      ['gnu', []],
      ['pax', []],
      ['pax', ['--pax-option=comment=global-record']],
    ] as const) {
      const layer = gnuTarLayer(format, [...extra]);
      const o = await expectSame(write(await legacyArchive([layer], imageConfig([layer]))));
      expect(o.ok).toBe(true);
      if (!o.ok) continue;
      const names = o.archive.layers[0].entries.map((e) => e.name);
      expect(names.some((x) => x.length > 150 && x.endsWith('.txt'))).toBe(true);
      expect(o.archive.layers[0].entries.find((e) => e.name === 'etc/long-symlink')?.linkname).toMatch(/target-y{120}$/);
      expect(o.archive.layers[0].entries.find((e) => e.name === 'app-hardlink')).toMatchObject({ type: 'link', linkname: 'app' });
      expect([...o.archive.layers[0].executables.keys()]).toEqual(['app']);
      expect(names.filter((x) => x.includes('sparse.img'))).toHaveLength(1);
    }
  });

  it('patched headers: a directory with a size (its data is read as headers, as tar-stream does), a base-256 size', async () => {
    const inner = await tarOf([{ name: 'd/', type: 'directory' }, { name: 'd/f', content: 'abc' }, { name: 'g', content: 'x'.repeat(700) }]);
    const sized = Buffer.from(inner);
    // the directory claims 512 bytes: the next header is still read right after it
    patchHeader(sized, 0, (h) => h.write('00000001000\0', 124, 'latin1'));
    const b256 = Buffer.from(inner);
    const g = headerOffsets(b256)[2];
    patchHeader(b256, g, (h) => {
      h.fill(0, 124, 136);
      h[124] = 0x80;
      h.writeUInt16BE(700, 134);
    });
    for (const layer of [sized, b256]) {
      const o = await expectSame(write(await legacyArchive([layer], imageConfig([layer]))));
      expect(o.ok && o.archive.layers[0].entries.map((e) => [e.name, e.size])).toEqual([
        ['d', 0],
        ['d/f', 3],
        ['g', 700],
      ]);
    }
  });

  it('a long-name or PAX header with a negative or unreadable size is an error (no loop)', async () => {
    const inner = await tarOf([{ name: `dir/${'n'.repeat(150)}`, content: 'abc' }]);
    // tar-stream writes the long name as a PAX header ('x') first
    expect(decodeTarHeader(inner.subarray(0, 512))?.type).toBe('pax-header');
    for (const size of [
      (h: Buffer) => {
        h.fill(0xff, 124, 136); // base-256: -0
        h[135] = 0xfe; // -1
      },
      (h: Buffer) => h.write('zzzzzzzzzzz\0', 124, 'latin1'),
    ]) {
      const bad = Buffer.from(inner);
      patchHeader(bad, 0, size);
      const file = write(await legacyArchive([bad], imageConfig([bad])));
      await expect(readImageArchive(file)).rejects.toThrow(/layer "[0-9a-f]{64}\/layer\.tar": corrupt \(Invalid header\)$/);
    }
  });

  it('every cut of an archive at a block boundary, and inside blocks: the same error (or report)', async () => {
    const buf = await legacyFixture();
    const cuts = new Set<number>();
    for (let at = 0; at <= buf.length; at += 512) cuts.add(at);
    for (let at = 100; at < buf.length; at += 4999) cuts.add(at);
    let errors = 0;
    for (const cut of cuts) {
      const o = await expectSame(write(buf.subarray(0, cut)));
      if (!o.ok) errors++;
    }
    expect(errors).toBeGreaterThan(cuts.size / 2);
    // one inside a layer names the archive entry and the layer entry
    const layerAt = buf.indexOf(Buffer.from('bin/padded'));
    const o = await expectSame(write(buf.subarray(0, layerAt + 512 + 100_000)));
    expect(!o.ok && o.error).toMatch(/layer\.tar", entry "bin\/padded": truncated \(unexpected end of data\)$/);
  });

  it('corrupt bytes in headers and contents: the same error (or report)', async () => {
    const buf = await legacyFixture();
    const offsets = headerOffsets(buf);
    let errors = 0;
    let i = 0;
    for (let at = 0; at < buf.length; at += 1531) {
      const bad = Buffer.from(buf);
      bad[at] ^= 0x5a;
      // and a header field of a nearby archive entry
      const h = offsets[i++ % offsets.length];
      bad[h + 124 + (i % 12)] ^= 0x01;
      const o = await expectSame(write(bad));
      if (!o.ok) errors++;
    }
    expect(errors).toBeGreaterThan(0);
  });
});

describe('the positioned reader reads little', () => {
  it('a 64 MiB layer of large files: its headers, the first bytes of each file, the executable’s parts', async () => {
    const layer = await tarOf([
      { name: 'data/a.bin', size: 32 << 20 },
      { name: 'data/b.bin', size: 32 << 20 },
      { name: 'bin/svc', content: makeElf({ textSize: 4 << 20, modinfo: GO_MODINFO({ path: 'example.com/big' }) }), mode: 0o755 },
    ]);
    const file = path.join(dir, 'big-layer.tar');
    fs.writeFileSync(file, layer);
    const fd = fs.openSync(file, 'r');
    try {
      const f = new FileWindow(file, fd, layer.length);
      let pace = 0;
      const l = await readLayerAt('big', f, 0, layer.length, { pace: { tick: async () => void pace++ } as never });
      expect(l.entries.map((e) => e.name)).toEqual(['data/a.bin', 'data/b.bin', 'bin/svc']);
      expect(l.executables.get('bin/svc')?.go?.path).toBe('example.com/big');
      expect(l.verified).toBe(false);
      expect(f.bytesRead).toBeLessThan(512 * 1024);
      expect(f.reads).toBeLessThan(20);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('pre-1.18 build info (pointer format) is read: the parsers get every range they ask for, unlike the streaming scanner', async () => {
    // as in real binaries, the strings lie far behind the header (past what the streaming scanner keeps)
    const old = makeElf({ format: 'pointer', goVersion: 'go1.16.15', modinfo: GO_MODINFO({ path: 'example.com/old' }), textSize: 100_000, rodataPad: 300_000 });
    const layer = await tarOf([{ name: 'old', content: old, mode: 0o755 }]);
    const file = write(await legacyArchive([layer], imageConfig([layer])));
    const positioned = await readImageArchive(file);
    const streamed = await readImageArchive(file, { streaming: true });
    expect(positioned.layers[0].executables.get('old')?.go).toMatchObject({ goVersion: 'go1.16.15', format: 'pointer', path: 'example.com/old' });
    expect(streamed.layers[0].executables.get('old')?.go).toBeUndefined();
    expect(streamed.layers[0].executables.get('old')?.goError).toBeDefined();
  });
});
