// 3. CLI throughput: the corpus's Dockerfiles replicated to >= 2,000 files.
//   - ours, the CLI in one process (`container-tuner lint DIR --format json`), wall time;
//   - dockerfilelint, its CLI in one process on the same files (`-j`), wall time;
//   - library calls in this process on the same files (read + lint): our
//     lint() vs dockerfile-utils validate() (which runs fewer, syntax-level checks).
// Our manifests are measured the same way (corpus manifests replicated), ours alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOCKERFILES, engine, MANIFESTS, ms, now, require, ROOT, run, stats } from './lib.mjs';

function replicate(dir, files, min) {
  const copies = Math.ceil(min / files.length);
  const out = [];
  for (let c = 0; c < copies; c++) {
    const d = path.join(dir, `copy${String(c).padStart(3, '0')}`);
    fs.mkdirSync(d, { recursive: true });
    for (const f of files) {
      const to = path.join(d, path.basename(f));
      fs.copyFileSync(f, to);
      out.push(to);
    }
  }
  return out;
}

const bytesOf = (files) => files.reduce((n, f) => n + fs.statSync(f).size, 0);
const rate = (files, bytes, msTotal) => ({ filesPerSec: files / (msTotal / 1000), mbPerSec: bytes / 1e6 / (msTotal / 1000), usPerFile: (msTotal * 1000) / files });

export async function throughputBench({ quick, tmp }) {
  const runs = quick ? 2 : 5;
  const dfDir = path.join(tmp, 'dockerfiles');
  const mfDir = path.join(tmp, 'manifests');
  const dfs = replicate(dfDir, DOCKERFILES(), 2000);
  const mfs = replicate(mfDir, MANIFESTS(), 2000);
  const dfBytes = bytesOf(dfs);
  const mfBytes = bytesOf(mfs);
  const cli = path.join(ROOT, 'bin', 'container-tuner.js');
  const res = { runs, dockerfiles: { files: dfs.length, bytes: dfBytes, corpusFiles: DOCKERFILES().length }, manifests: { files: mfs.length, bytes: mfBytes, corpusFiles: MANIFESTS().length } };

  async function timeProcess(cmd, args, files, bytes, check) {
    await run(cmd, args, { timeoutMs: 600_000, discardStdout: true }); // warm-up
    const xs = [];
    let last;
    for (let i = 0; i < runs; i++) {
      last = await run(cmd, args, { timeoutMs: 600_000 });
      xs.push(last.wallMs);
    }
    const s = stats(xs);
    return { wallMs: s, ...rate(files, bytes, s.median), check: check(last) };
  }
  const findingsIn = (r) => { try { const j = JSON.parse(r.stdout); return { files: j.length, findings: j.reduce((n, x) => n + (x.findings?.length ?? x.messages?.length ?? x.issues?.length ?? 0), 0) }; } catch { return { unparsed: r.stdout.length, code: r.code }; } };
  res.dockerfiles.oursCli = await timeProcess(process.execPath, [cli, 'lint', dfDir, '--format', 'json', '--fail-on', 'none'], dfs.length, dfBytes, findingsIn);
  const dfl = path.join(ROOT, 'node_modules', 'dockerfilelint', 'bin', 'dockerfilelint');
  res.dockerfiles.dockerfilelintCli = await timeProcess(process.execPath, [dfl, '-j', ...dfs], dfs.length, dfBytes, (r) => {
    try { const j = JSON.parse(r.stdout); return { files: j.files?.length, findings: (j.files ?? []).reduce((n, f) => n + (f.issues?.length ?? 0), 0) }; } catch { return { unparsed: r.stdout.length, code: r.code }; }
  });
  res.manifests.oursCli = await timeProcess(process.execPath, [cli, 'lint', mfDir, '--format', 'json', '--fail-on', 'none'], mfs.length, mfBytes, findingsIn);

  // library calls, same files, this process: read + lint, one pass = one sample
  const e = await engine();
  const utils = require('dockerfile-utils');
  const passes = quick ? 3 : 7;
  /** Passes of each function over the files, the functions taking turns (a drift of the machine's load hits them alike). */
  async function timeLibs(fns, files, bytes) {
    for (const fn of fns) fn(files); // warm-up pass
    const xs = fns.map(() => []);
    const counts = fns.map(() => 0);
    for (let i = 0; i < passes; i++) {
      // the order within a round alternates too
      const order = i % 2 ? [...fns.keys()].reverse() : [...fns.keys()];
      for (const k of order) {
        const t0 = now();
        counts[k] = fns[k](files);
        xs[k].push(ms(t0));
      }
    }
    return fns.map((_, k) => {
      const s = stats(xs[k]);
      return { passMs: s, ...rate(files.length, bytes, s.median), findings: counts[k] };
    });
  }
  const oursLib = (files) => {
    const ws = new e.FsWorkspace();
    let n = 0;
    for (const f of files) n += e.lint({ text: fs.readFileSync(f, 'utf8'), path: f }, ws, { config: e.configFor(ws, f, e.DEFAULT_CONFIG) }).findings.length;
    return n;
  };
  // what the CLI does (server/src/cli/main.ts): one CachedFsWorkspace for the run, each stat, read and listing once
  const oursLibCached = (files) => {
    const ws = new e.CachedFsWorkspace();
    let n = 0;
    for (const f of files) n += e.lint({ text: fs.readFileSync(f, 'utf8'), path: f }, ws, { config: e.configFor(ws, f, e.DEFAULT_CONFIG) }).findings.length;
    return n;
  };
  const utilsLib = (files) => {
    let n = 0;
    for (const f of files) n += utils.validate(fs.readFileSync(f, 'utf8')).length;
    return n;
  };
  [res.dockerfiles.oursLib, res.dockerfiles.dockerfileUtilsLib, res.dockerfiles.oursLibCached] = await timeLibs([oursLib, utilsLib, oursLibCached], dfs, dfBytes);
  [res.manifests.oursLibCached] = await timeLibs([oursLibCached], mfs, mfBytes);
  return res;
}
