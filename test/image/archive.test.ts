// Reading image archives generated here with tar-stream: Docker's legacy
// `docker save` layout, Docker 25+'s OCI layout (gzip and zstd layers), OCI
// layout directories, repeated layers, unsafe names, truncated and corrupt input.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ArchiveError, cleanName, readImageArchive, readImageTar, type ReadProgress } from '../../server/src/engine/image/archive';
import { gzip, imageConfig, legacyArchive, ociArchive, ociDir, sha256, tarOf, ZSTD_AVAILABLE, zstd } from './fixtures';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-image-archive-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, b: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, b);
  return p;
}

async function layers() {
  const base = await tarOf([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', size: 5000, mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\nPRETTY_NAME="Alpine Linux v3.20"\n' },
  ]);
  const app = await tarOf([{ name: 'app', size: 3000, mode: 0o755 }]);
  const rm = await tarOf([{ name: 'tmp/', type: 'directory' }, { name: 'tmp/.wh.big', size: 0 }]);
  return { base, app, rm };
}

async function expectArchiveError(p: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<string> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ArchiveError);
  const msg = (err as Error).message;
  for (const part of parts) {
    if (typeof part === 'string') expect(msg).toContain(part);
    else expect(msg).toMatch(part);
  }
  return msg;
}

describe('names', () => {
  it('cleans names and flags absolute paths and `..`', () => {
    expect(cleanName('./usr//bin/./go/')).toEqual({ name: 'usr/bin/go' });
    expect(cleanName('/etc/passwd').unsafe).toBe('absolute');
    expect(cleanName('../../etc/passwd').unsafe).toBe('parent');
    expect(cleanName('a/../../b').unsafe).toBe('parent');
    expect(cleanName('a/../b')).toEqual({ name: 'b', unsafe: 'parent' });
    expect(cleanName('C:/Windows').unsafe).toBe('absolute');
  });
});

describe('docker save, legacy layout', () => {
  it('reads layers in manifest order although manifest.json comes last, in one pass', async () => {
    const { base, app } = await layers();
    const config = imageConfig([base, app]);
    const file = write('legacy.tar', await legacyArchive([base, app], config, { tags: ['svc:1'] }));
    const progress: ReadProgress[] = [];
    const a = await readImageArchive(file, { onProgress: (p) => progress.push(p) });
    expect(a.format).toBe('docker-legacy');
    expect(a.repoTags).toEqual(['svc:1']);
    expect(a.configDigest).toBe(sha256(config));
    expect(a.layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(app)]);
    expect(a.layers.map((l) => l.compression)).toEqual(['none', 'none']);
    expect(a.layers[0].entries).toEqual([
      { name: 'bin', type: 'dir', size: 0, mode: 0o755 },
      { name: 'bin/busybox', type: 'file', size: 5000, mode: 0o755 },
      { name: 'bin/sh', type: 'symlink', size: 0, mode: 0o644, linkname: 'busybox' },
      { name: 'etc/os-release', type: 'file', size: 61, mode: 0o644 },
    ]);
    expect(a.layers[0].size).toBe(5061);
    expect(a.layers[0].texts.get('etc/os-release')).toContain('ID=alpine');
    expect(a.problems).toEqual([]);
    expect(a.archiveBytes).toBe(fs.statSync(file).size);
    // progress is reported when a layer is done, ending with all bytes read
    const last = progress[progress.length - 1];
    expect(last.layersDone).toBe(2);
    expect(progress.some((p) => p.bytesRead > 0)).toBe(true);
  });

  it('reads it from a stream as well (manifest.json first or last)', async () => {
    const { base, app } = await layers();
    const buf = await legacyArchive([base, app], imageConfig([base, app]), { manifestFirst: true });
    const a = await readImageTar(Readable.from([buf.subarray(0, 1000), buf.subarray(1000)]));
    expect(a.layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(app)]);
  });

  it('a layer stored once and listed twice is read once (symlinked layer.tar, or the same path)', async () => {
    const { base, app } = await layers();
    for (const symlinkRepeats of [true, false]) {
      const list = [base, app, base, app];
      const a = await readImageArchive(write('dup.tar', await legacyArchive(list, imageConfig(list), { symlinkRepeats })));
      expect(a.layers).toHaveLength(4);
      expect(a.layers[2]).toBe(a.layers[0]);
      expect(a.layers[3]).toBe(a.layers[1]);
      expect(a.problems).toEqual([]);
    }
  });

  it('several images in one archive: the reference picks one', async () => {
    const { base, app } = await layers();
    const c1 = imageConfig([base], { env: ['A=1'] });
    const c2 = imageConfig([base, app], { env: ['B=2'] });
    const b1 = await legacyArchive([base], c1, { tags: ['one:1'] });
    // a second manifest entry pointing at the second config
    const l2 = await legacyArchive([base, app], c2, { tags: ['two:2'] });
    // merge: take every entry of both, with one manifest.json listing both images
    const m1 = JSON.parse(await entryText(b1, 'manifest.json'));
    const m2 = JSON.parse(await entryText(l2, 'manifest.json'));
    const entries = [...(await entriesOf(b1)), ...(await entriesOf(l2))].filter((e) => e.name !== 'manifest.json' && e.name !== 'repositories');
    const merged = await tarOf([...entries, { name: 'manifest.json', content: JSON.stringify([...m1, ...m2]) }]);
    const a = await readImageArchive(write('multi.tar', merged), { ref: 'two:2' });
    expect(a.repoTags).toEqual(['two:2']);
    expect(a.config.config?.Env).toEqual(['B=2']);
    const first = await readImageArchive(write('multi.tar', merged));
    expect(first.repoTags).toEqual(['one:1']);
  });
});

describe('OCI layout (Docker 25+ docker save, other tools)', () => {
  it('gzip layers with manifest.json', async () => {
    const { base, app } = await layers();
    const config = imageConfig([base, app]);
    const a = await readImageArchive(write('oci.tar', await ociArchive([{ tar: base, compression: 'gzip' }, { tar: app, compression: 'gzip' }], config, { tag: 'svc:oci' })));
    expect(a.format).toBe('oci');
    expect(a.repoTags).toEqual(['svc:oci']);
    expect(a.layers.map((l) => l.compression)).toEqual(['gzip', 'gzip']);
    expect(a.layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(app)]);
    expect(a.layers[0].blobSize).toBe(gzip(base).length);
    expect(a.problems).toEqual([]);
  });

  it('index.json only, a nested index, the platform picked', async () => {
    const { base, app } = await layers();
    const config = imageConfig([base, app]);
    const buf = await ociArchive([{ tar: base }, { tar: app, compression: 'gzip' }], config, {
      withManifestJson: false,
      nestedIndex: true,
      platform: { os: 'linux', architecture: 'amd64' },
      extraManifests: [{ platform: { os: 'linux', architecture: 'arm64' } }],
    });
    const file = write('oci-index.tar', buf);
    const a = await readImageArchive(file, { platform: 'linux/amd64' });
    expect(a.format).toBe('oci');
    expect(a.repoTags).toEqual(['docker.io/library/fixture:latest']);
    expect(a.layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(app)]);
    await expectArchiveError(readImageArchive(file, { platform: 'linux/arm64' }), 'image config', 'not in the archive');
    await expectArchiveError(readImageArchive(file, { platform: 'windows/amd64' }), 'no image for platform windows/amd64', 'linux/arm64, linux/amd64');
  });

  it('zstd layers', async (ctx) => {
    if (!ZSTD_AVAILABLE) {
      console.warn('\n*** SKIPPED: zstd layer fixture — no `zstd` CLI to compress with (fzstd only decompresses); apt-get install zstd\n');
      ctx.skip();
      return;
    }
    const { base, app } = await layers();
    const big = await tarOf([{ name: 'data/blob', content: Buffer.alloc(3 * 1024 * 1024, 7) }, ...Array.from({ length: 50 }, (_, i) => ({ name: `data/f${i}`, content: `file ${i}\n`.repeat(100) }))]);
    const config = imageConfig([base, app, big]);
    const a = await readImageArchive(write('zstd.tar', await ociArchive([{ tar: base, compression: 'zstd' }, { tar: app, compression: 'gzip' }, { tar: big, compression: 'zstd' }], config)));
    expect(a.layers.map((l) => l.compression)).toEqual(['zstd', 'gzip', 'zstd']);
    expect(a.layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(app), sha256(big)]);
    expect(a.layers[2].entries).toHaveLength(51);
    expect(a.layers[2].size).toBe(3 * 1024 * 1024 + 50 * 700 + 40 * 100);
    expect(a.problems).toEqual([]);
  });

  it('an OCI layout directory', async () => {
    const { base, app } = await layers();
    const d = path.join(dir, 'oci-dir');
    ociDir(d, [{ tar: base, compression: 'gzip' }, { tar: app }], imageConfig([base, app]));
    const a = await readImageArchive(d);
    expect(a.format).toBe('oci-dir');
    expect(a.layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(app)]);
    fs.rmSync(path.join(d, 'blobs', 'sha256', sha256(app).slice(7)));
    await expectArchiveError(readImageArchive(d), `layer blob "blobs/sha256/${sha256(app).slice(7)}" is missing`);
    await expectArchiveError(readImageArchive(dir), 'not an OCI image layout (no index.json)');
  });
});

describe('robustness', () => {
  it('truncated in the middle of a layer: the error names the archive entry and the layer entry', async () => {
    const { base } = await layers();
    const big = await tarOf([{ name: 'a', size: 10 }, { name: 'usr/lib/huge.so', size: 200_000 }]);
    const buf = await legacyArchive([base, big], imageConfig([base, big]));
    const at = buf.indexOf(Buffer.from('usr/lib/huge.so')) + 100_000;
    const file = write('trunc.tar', buf.subarray(0, at));
    await expectArchiveError(readImageArchive(file), /layer\.tar/, 'entry "usr/lib/huge.so"', 'truncated');
  });

  it('truncated between entries: the layers named in manifest.json are missing', async () => {
    const { base, app } = await layers();
    const buf = await legacyArchive([base, app], imageConfig([base, app]), { manifestFirst: true });
    const second = buf.lastIndexOf(Buffer.from('/VERSION'));
    // cut right at a 512-byte header boundary before the second layer's entries
    const cut = Math.floor(second / 512) * 512 - 512;
    await expectArchiveError(readImageArchive(write('trunc2.tar', buf.subarray(0, cut))), 'is not in the archive', 'looks truncated');
  });

  it('a corrupt gzip layer', async () => {
    const { base, app } = await layers();
    const g = gzip(app);
    const bad = Buffer.from(g);
    bad.fill(0x55, 20, 60);
    const cfg = imageConfig([base, app]);
    const buf = await tarOf([
      { name: 'blobs/sha256/aaaa', content: base },
      { name: 'blobs/sha256/bbbb', content: bad },
      { name: 'blobs/sha256/cccc', content: cfg },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'blobs/sha256/cccc', Layers: ['blobs/sha256/aaaa', 'blobs/sha256/bbbb'] }]) },
    ]);
    await expectArchiveError(readImageArchive(write('corrupt.tar', buf)), 'layer "blobs/sha256/bbbb"', /corrupt|invalid|incorrect/);
  });

  it('a zero-filled tail or garbage is not an image', async () => {
    await expectArchiveError(readImageArchive(write('zeros.tar', Buffer.alloc(4096))), 'no manifest.json or index.json');
    await expectArchiveError(readImageArchive(write('garbage.tar', Buffer.from('hello world, not a tar'.repeat(100)))), /truncated|corrupt|Invalid/);
    await expectArchiveError(readImageArchive(path.join(dir, 'missing.tar')), 'no such file or directory');
  });

  it('entries with `..` or absolute paths are reported and not followed', async () => {
    const { base } = await layers();
    const evil = await tarOf([
      { name: '../../etc/cron.d/evil', content: 'x' },
      { name: '/etc/passwd', content: 'root::0:0' },
      { name: 'ok/file', content: 'fine' },
      { name: 'ok/hard', type: 'link', linkname: '../../../outside' },
    ]);
    const buf = await legacyArchive([base, evil], imageConfig([base, evil]), { extra: [{ name: '../escape.json', content: '{}' }] });
    const a = await readImageArchive(write('evil.tar', buf));
    expect(a.layers[1].entries.map((e) => e.name)).toEqual(['ok/file']);
    expect(a.problems).toEqual([
      'archive entry "../escape.json" climbs out with "..": not followed',
      expect.stringMatching(/^layer ".*\/layer\.tar": entry "\.\.\/\.\.\/etc\/cron\.d\/evil" climbs out with "\.\.": not followed$/),
      expect.stringMatching(/entry "\/etc\/passwd" has an absolute path: not followed$/),
      expect.stringMatching(/hard link "ok\/hard" → "\.\.\/\.\.\/\.\.\/outside" points outside the layer: not followed$/),
    ]);
  });

  it('a layer that does not match its diff_id is reported when layers are hashed (--verify, or a stream)', async () => {
    const { base, app } = await layers();
    const config = imageConfig([base, base]);
    const file = write('mismatch.tar', await legacyArchive([base, app], config));
    for (const a of [await readImageArchive(file, { verify: true }), await readImageTar(fs.createReadStream(file))]) {
      expect(a.problems).toEqual([expect.stringContaining('layer 2 (') as unknown as string]);
      expect(a.problems[0]).toContain('does not match its digest in the config');
      expect(a.layers.map((l) => [l.diffId, l.verified])).toEqual([[sha256(base), true], [sha256(app), true]]);
    }
    // positioned reads without --verify hash nothing: the digests are the config's, and say so
    const fast = await readImageArchive(file);
    expect(fast.problems).toEqual([]);
    expect(fast.layers.map((l) => [l.diffId, l.verified])).toEqual([[sha256(base), false], [sha256(base), false]]);
  });

  it('unhashed plain OCI blobs: a blob named by another digest than its diff_id is reported (free), its content is not checked', async () => {
    const { base, app } = await layers();
    const file = write('oci-mismatch.tar', await ociArchive([{ tar: base }, { tar: app }], imageConfig([base, base])));
    const fast = await readImageArchive(file);
    expect(fast.problems).toEqual([expect.stringMatching(/^layer 2 \("blobs\/sha256\/[0-9a-f]{64}"\) is stored under another digest than its digest in the config \(sha256:[0-9a-f]{64}\): corrupt or modified \(content not hashed; --verify hashes it\)$/)]);
    const verified = await readImageArchive(file, { verify: true });
    expect(verified.problems).toEqual([expect.stringContaining('does not match its digest in the config')]);
  });

  it('a plain layer whose first file name starts with "{" is still a layer, not JSON', async () => {
    const odd = await tarOf([{ name: '{weird}.json', content: '{}' }, { name: 'x', size: 3 }]);
    const a = await readImageArchive(write('brace.tar', await ociArchive([{ tar: odd }], imageConfig([odd]))));
    expect(a.layers[0].entries.map((e) => e.name)).toEqual(['{weird}.json', 'x']);
  });

  it('an image without history, and an empty layer (two zero blocks)', async () => {
    const empty = Buffer.alloc(1024);
    const { app } = await layers();
    const a = await readImageArchive(write('nohist.tar', await legacyArchive([empty, app], imageConfig([empty, app], { history: null }))));
    expect(a.config.history).toBeUndefined();
    expect(a.layers[0].entries).toEqual([]);
    expect(a.layers[0].diffId).toBe(sha256(empty));
  });

  it('cancellation', async () => {
    const { base, app } = await layers();
    const file = write('cancel.tar', await legacyArchive([base, app], imageConfig([base, app])));
    const ac = new AbortController();
    ac.abort();
    await expect(readImageArchive(file, { signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    const ac2 = new AbortController();
    const p = readImageArchive(file, { signal: ac2.signal, onProgress: () => ac2.abort() });
    await expect(p).rejects.toBeInstanceOf(AbortError);
  });
});

// helpers: read a fixture tar back
async function entriesOf(buf: Buffer): Promise<{ name: string; type: 'file' | 'directory' | 'symlink'; content?: Buffer; linkname?: string }[]> {
  const tar = await import('tar-stream');
  const ex = tar.extract();
  const out: { name: string; type: 'file' | 'directory' | 'symlink'; content?: Buffer; linkname?: string }[] = [];
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      const t = e.header.type as 'file' | 'directory' | 'symlink';
      out.push({ name: e.header.name, type: t, ...(t === 'file' ? { content: Buffer.concat(parts) } : {}), ...(e.header.linkname ? { linkname: e.header.linkname } : {}) });
    }
  })();
  ex.end(buf);
  await done;
  return out;
}

async function entryText(buf: Buffer, name: string): Promise<string> {
  return (await entriesOf(buf)).find((e) => e.name === name)!.content!.toString();
}
