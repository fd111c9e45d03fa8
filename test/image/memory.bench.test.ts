// Peak memory while analyzing a 1.5 GB image archive (opt-in: IMAGE_BENCH=1;
// it writes ~3 GB to the temp folder). The archive is generated here: a base
// layer with 20 000 small files and 1.2 GB of large ones, a layer of 200
// copies of real executables (Go binaries when `go` is installed), a layer
// that deletes and rewrites some of it. The analysis runs in a child process
// and reports its peak RSS (process.resourceUsage().maxRSS). No timings are
// asserted; the memory bound is: well below the archive size.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as esbuild from 'esbuild';
import * as tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGoBinaries, goUnavailable } from './gobuild';

const BENCH = process.env.IMAGE_BENCH === '1';
if (!BENCH) console.log('(image memory benchmark not run: set IMAGE_BENCH=1)');

async function writeTar(file: string, entries: AsyncIterable<{ name: string; size: number; fill?: (n: number) => AsyncIterable<Buffer> | Buffer; type?: 'file' | 'directory' }>): Promise<void> {
  const pack = tar.pack();
  const out = fs.createWriteStream(file);
  const done = pipeline(pack as unknown as NodeJS.ReadableStream, out);
  for await (const e of entries) {
    if (e.type === 'directory') {
      await new Promise<void>((res, rej) => pack.entry({ name: e.name, type: 'directory' }, (err) => (err ? rej(err) : res())));
      continue;
    }
    const body = e.fill ? e.fill(e.size) : Buffer.alloc(e.size);
    if (Buffer.isBuffer(body)) {
      await new Promise<void>((res, rej) => pack.entry({ name: e.name, size: e.size }, body, (err) => (err ? rej(err) : res())));
      continue;
    }
    await new Promise<void>((res, rej) => {
      const w = pack.entry({ name: e.name, size: e.size }, (err) => (err ? rej(err) : res()));
      (async () => {
        for await (const c of body) if (!w.write(c)) await new Promise<void>((r) => w.once('drain', () => r()));
        (w as unknown as { end(): void }).end();
      })().catch(rej);
    });
  }
  pack.finalize();
  await done;
}

async function* chunks(n: number): AsyncGenerator<Buffer> {
  const block = Buffer.alloc(1 << 20, 0x5a);
  for (let left = n; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
}

async function* fromFile(file: string): AsyncGenerator<Buffer> {
  for await (const c of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield c as Buffer;
}

describe.runIf(BENCH)('peak memory on a 1.5 GB image', () => {
  const dir = BENCH ? fs.mkdtempSync(path.join(os.tmpdir(), 'ct-image-bench-')) : '';
  afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('stays bounded by headers, not by the image size', async () => {
    const exes: string[] = goUnavailable() ? ['/bin/busybox', '/usr/bin/ls'].filter((f) => fs.existsSync(f)) : Object.values(buildGoBinaries(path.join(dir, 'go'))).filter((f): f is string => typeof f === 'string' && f.includes(path.sep + 'app'));
    const layers = [path.join(dir, 'l0.tar'), path.join(dir, 'l1.tar'), path.join(dir, 'l2.tar')];
    await writeTar(
      layers[0],
      (async function* () {
        for (let i = 0; i < 20_000; i++) yield { name: `usr/share/doc/pkg${i % 500}/file${i}.txt`, size: 100 + (i % 900) };
        for (let i = 0; i < 12; i++) yield { name: `opt/data/blob${i}.bin`, size: 100 * 1024 * 1024, fill: (n: number) => chunks(n) };
      })(),
    );
    await writeTar(
      layers[1],
      (async function* () {
        for (let i = 0; i < 200; i++) {
          const f = exes[i % exes.length];
          yield { name: `usr/local/bin/tool${i}`, size: fs.statSync(f).size, fill: () => fromFile(f) };
        }
      })(),
    );
    await writeTar(
      layers[2],
      (async function* () {
        yield { name: 'opt/data/.wh.blob0.bin', size: 0 };
        yield { name: 'opt/data/blob1.bin', size: 1024 };
      })(),
    );
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '1000' }, rootfs: { type: 'layers', diff_ids: [] }, history: [] }));
    const archive = path.join(dir, 'image.tar');
    await writeTar(
      archive,
      (async function* () {
        for (let i = 0; i < layers.length; i++) yield { name: `l${i}/layer.tar`, size: fs.statSync(layers[i]).size, fill: () => fromFile(layers[i]) };
        yield { name: 'config.json', size: config.length, fill: () => config };
        const m = Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: ['bench:1'], Layers: layers.map((_, i) => `l${i}/layer.tar`) }]));
        yield { name: 'manifest.json', size: m.length, fill: () => m };
      })(),
    );
    for (const l of layers) fs.rmSync(l);

    // the analysis, alone in a child process
    const script = path.join(dir, 'run.js');
    await esbuild.build({
      stdin: {
        contents: `const { readImageArchive } = require(${JSON.stringify(path.resolve(__dirname, '../../server/src/engine/image/archive'))});
const { analyzeArchive } = require(${JSON.stringify(path.resolve(__dirname, '../../server/src/engine/image/analyze'))});
(async () => {
  const r = analyzeArchive(await readImageArchive(process.argv[2]));
  console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, totalSize: r.image.totalSize, files: r.layers.reduce((n, l) => n + l.files, 0), go: r.goBinaries.length, wasted: r.waste.wastedBytes }));
})().catch((e) => { console.error(e); process.exit(2); });`,
        resolveDir: __dirname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      outfile: script,
      logLevel: 'warning',
    });
    const r = spawnSync(process.execPath, [script, archive], { encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    const size = fs.statSync(archive).size;
    console.log(`\nimage memory benchmark: archive ${(size / 1e9).toFixed(2)} GB, ${res.files} files, ${res.go} Go binaries → peak RSS ${(res.maxRssKiB / 1024).toFixed(0)} MiB\n`);
    expect(res.totalSize).toBeGreaterThan(1.2e9);
    expect(res.files).toBe(20_000 + 12 + 200 + 1);
    expect(res.maxRssKiB * 1024).toBeLessThan(size / 4);
  }, 900_000);
});
