// `npm run bench [-- --quick] [-- --only=latency,coldStart,throughput,analyze,layers,fix [--merge]]`: every benchmark,
// then bench/RESULTS.md and bench/results.json. `npm run bench` builds first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { disposeEngine, machine, ROOT, tmpdir } from './lib.mjs';
import { latencyBench } from './latency.mjs';
import { coldStartBench } from './coldstart.mjs';
import { throughputBench } from './throughput.mjs';
import { analyzeBench } from './analyze.mjs';
import { layersBench } from './layers.mjs';
import { fixBench } from './fix.mjs';
import { renderMarkdown } from './report.mjs';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice(7).split(',')) : null;
const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? path.join(ROOT, 'bench');

const BENCHES = [
  ['latency', latencyBench],
  ['coldStart', coldStartBench],
  ['throughput', throughputBench],
  ['analyze', analyzeBench],
  ['layers', layersBench],
  ['fix', fixBench],
];

// --merge (with --only): keep the other benchmarks' figures from the existing results.json
const previous = process.argv.includes('--merge') && fs.existsSync(path.join(out, 'results.json')) ? JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) : null;
const results = { machine: machine(), quick, benchmarks: { ...(previous?.benchmarks ?? {}) } };
if (previous) results.merged = { from: previous.machine?.date, rerun: [...(only ?? [])] };
const tmp = tmpdir('run');
let failed = false;
try {
  for (const [name, fn] of BENCHES) {
    if (only && !only.has(name)) continue;
    const t0 = Date.now();
    process.stderr.write(`bench: ${name}…\n`);
    try {
      const sub = path.join(tmp, name);
      fs.mkdirSync(sub, { recursive: true });
      results.benchmarks[name] = await fn({ quick, tmp: sub });
      fs.rmSync(sub, { recursive: true, force: true });
    } catch (e) {
      failed = true;
      results.benchmarks[name] = { error: String(e?.stack ?? e) };
      process.stderr.write(`bench: ${name} failed: ${e?.stack ?? e}\n`);
    }
    process.stderr.write(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
  disposeEngine();
}
results.finished = new Date().toISOString();
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(out, 'RESULTS.md'), renderMarkdown(results));
process.stderr.write(`bench: wrote ${path.join(out, 'RESULTS.md')} and results.json\n`);
process.exitCode = failed ? 1 : 0;
