// 4. Analyze Image: generated `docker save` archives (legacy layout) of 256 MB
// and 1 GB: our analysis (analyzeTarget, in a child process: wall time and
// peak RSS from process.resourceUsage().maxRSS) vs `tar -tvf` of the same
// archive and `cat archive > /dev/null` (reading it once). The archives are
// in the page cache for every run (written just before; 23 GB of RAM here).
// (Moved here from test/image/memory.bench.test.ts: benchmarks never run in `npm test`.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { engine, require, run, stats } from './lib.mjs';

const tar = require('tar-stream');

async function writeTar(file, entries) {
  const pack = tar.pack();
  const done = pipeline(pack, fs.createWriteStream(file));
  for await (const e of entries) {
    const body = e.fill ? e.fill(e.size) : Buffer.alloc(e.size);
    if (Buffer.isBuffer(body)) {
      await new Promise((res, rej) => pack.entry({ name: e.name, size: e.size }, body, (err) => (err ? rej(err) : res())));
      continue;
    }
    await new Promise((res, rej) => {
      const w = pack.entry({ name: e.name, size: e.size }, (err) => (err ? rej(err) : res()));
      (async () => {
        for await (const c of body) if (!w.write(c)) await new Promise((r) => w.once('drain', r));
        w.end();
      })().catch(rej);
    });
  }
  pack.finalize();
  await done;
}

async function* zeros(n) {
  const block = Buffer.alloc(1 << 20, 0x5a);
  for (let left = n; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
}
async function* fromFile(file) {
  for await (const c of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield c;
}

/**
 * A `docker save` archive of about `target` bytes: layer 0 with 20,000 small
 * files and large blobs filling the size, layer 1 with 10 copies of a real Go
 * executable (runc when present), layer 2 deleting a blob (whiteout) and
 * rewriting another. The same file counts at every size: only the bytes grow.
 */
export async function makeArchive(dir, target) {
  const exe = ['/usr/sbin/runc', '/usr/bin/runc', process.execPath].find((f) => fs.existsSync(f));
  const exeSize = fs.statSync(exe).size;
  const small = 20_000;
  const smallBytes = Array.from({ length: small }, (_, i) => 100 + (i % 900)).reduce((a, b) => a + b, 0);
  const blobs = 8;
  const exes = 10;
  const blobSize = Math.max(1 << 20, Math.floor((target - smallBytes - exes * exeSize) / blobs));
  const layers = [path.join(dir, 'l0.tar'), path.join(dir, 'l1.tar'), path.join(dir, 'l2.tar')];
  await writeTar(layers[0], (async function* () {
    for (let i = 0; i < small; i++) yield { name: `usr/share/doc/pkg${i % 500}/file${i}.txt`, size: 100 + (i % 900) };
    for (let i = 0; i < blobs; i++) yield { name: `opt/data/blob${i}.bin`, size: blobSize, fill: zeros };
  })());
  await writeTar(layers[1], (async function* () {
    for (let i = 0; i < exes; i++) yield { name: `usr/local/bin/tool${i}`, size: exeSize, fill: () => fromFile(exe) };
  })());
  await writeTar(layers[2], (async function* () {
    yield { name: 'opt/data/.wh.blob0.bin', size: 0 };
    yield { name: 'opt/data/blob1.bin', size: 1024 };
  })());
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '1000' }, rootfs: { type: 'layers', diff_ids: [] }, history: [] }));
  const archive = path.join(dir, `image-${Math.round(target / 2 ** 20)}MiB.tar`);
  await writeTar(archive, (async function* () {
    for (let i = 0; i < layers.length; i++) yield { name: `l${i}/layer.tar`, size: fs.statSync(layers[i]).size, fill: () => fromFile(layers[i]) };
    yield { name: 'config.json', size: config.length, fill: () => config };
    const m = Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: ['bench:1'], Layers: layers.map((_, i) => `l${i}/layer.tar`) }]));
    yield { name: 'manifest.json', size: m.length, fill: () => m };
  })());
  for (const l of layers) fs.rmSync(l);
  return { archive, bytes: fs.statSync(archive).size, files: small + blobs + exes + 2, executable: exe };
}

const CHILD = `
const e = require(process.argv[2]);
const t0 = process.hrtime.bigint();
e.analyzeTarget(process.argv[3]).then((r) => {
  const t1 = process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ analyzeMs: Number(t1 - t0) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, totalSize: r.image.totalSize, files: r.layers.reduce((n, l) => n + l.files, 0), go: r.goBinaries.length, wasted: r.waste.wastedBytes }));
}).catch((err) => { console.error(err); process.exit(2); });
`;

export async function analyzeBench({ quick, tmp }) {
  const runs = quick ? 2 : 5;
  const e = await engine();
  const child = path.join(tmp, 'analyze-child.js');
  fs.writeFileSync(child, CHILD);
  const free = fs.statfsSync(tmp);
  const freeBytes = free.bavail * free.bsize;
  const sizes = [256 * 2 ** 20, 1024 * 2 ** 20];
  // each archive and its layers need about twice its size while it is written
  const scaled = freeBytes < 3 * sizes[1] ? `only ${(freeBytes / 1e9).toFixed(1)} GB free: archives scaled down` : null;
  if (scaled) sizes.splice(0, 2, 64 * 2 ** 20, Math.floor(freeBytes / 4));
  const out = { runs, scaled, sizes: [] };
  for (const target of sizes) {
    const a = await makeArchive(tmp, target);
    try {
      const one = async () => {
        const r = await run(process.execPath, [child, e.file, a.archive], { timeoutMs: 600_000 });
        if (r.code !== 0) throw new Error(`analysis failed: ${r.stderr}`);
        return { ...JSON.parse(r.stdout), wallMs: r.wallMs };
      };
      await one(); // warm-up
      const ours = [];
      for (let i = 0; i < runs; i++) ours.push(await one());
      const tarMs = [];
      const catMs = [];
      const tarNoSeekMs = [];
      // the floor of "ours (process)": a Node process that only loads the same engine bundle
      const nodeFloorMs = [];
      for (let i = 0; i < runs + 1; i++) {
        const fl = await run(process.execPath, ['-e', `require(${JSON.stringify(e.file)})`], { timeoutMs: 60_000, discardStdout: true });
        if (i > 0) nodeFloorMs.push(fl.wallMs);
      }
      for (let i = 0; i < runs + 1; i++) {
        const t = await run('tar', ['-tvf', a.archive], { timeoutMs: 600_000, discardStdout: true });
        const c = await run('cat', [a.archive], { timeoutMs: 600_000, discardStdout: true });
        // GNU tar seeks over member data when listing a regular file; --no-seek makes it read every byte
        const n = await run('tar', ['--no-seek', '-tvf', a.archive], { timeoutMs: 600_000, discardStdout: true });
        if (i > 0) { tarMs.push(t.wallMs); catMs.push(c.wallMs); tarNoSeekMs.push(n.wallMs); }
      }
      const last = ours[ours.length - 1];
      out.sizes.push({
        archiveBytes: a.bytes,
        files: a.files,
        found: { files: last.files, goBinaries: last.go, wastedBytes: last.wasted, totalSize: last.totalSize },
        oursWallMs: stats(ours.map((o) => o.wallMs)),
        oursAnalyzeMs: stats(ours.map((o) => o.analyzeMs)),
        peakRssMiB: stats(ours.map((o) => o.maxRssKiB / 1024)),
        tarTvfMs: stats(tarMs),
        catMs: stats(catMs),
        tarNoSeekMs: stats(tarNoSeekMs),
        nodeFloorMs: stats(nodeFloorMs),
      });
    } finally {
      fs.rmSync(a.archive, { force: true });
    }
  }
  return out;
}
