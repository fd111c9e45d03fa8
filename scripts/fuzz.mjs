#!/usr/bin/env node
// npm run fuzz [-- --seconds N] [--runs N] [--seed N] [--only dockerfile|manifest|corpus-mutation]
//
// Runs the property tests of test/fuzz with fresh seeds for as long as asked
// (default 60 s per generator, the generators side by side), printing the
// inputs tried and every failure; each failing input, shrunk, is written to
// fuzz/failures/ and replayed by `npm test` (test/fuzz/failures.test.ts) from
// then on. Exit status 1 when something failed.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    runs: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run fuzz -- [--seconds N] [--runs N] [--seed N] [--only dockerfile|manifest|corpus-mutation]');
  process.exit(0);
}
for (const k of ['seconds', 'runs', 'seed']) {
  if (values[k] !== undefined && !/^\d+$/.test(values[k])) {
    console.error(`fuzz: --${k} takes a whole number (got "${values[k]}")`);
    process.exit(2);
  }
}
const GENERATORS = { dockerfile: 'test/fuzz/dockerfile.test.ts', manifest: 'test/fuzz/manifest.test.ts', 'corpus-mutation': 'test/fuzz/corpus-mutation.test.ts' };
if (values.only && !GENERATORS[values.only]) {
  console.error(`fuzz: --only takes one of ${Object.keys(GENERATORS).join(', ')}`);
  process.exit(2);
}
const env = { ...process.env, FUZZ: '1' };
if (values.seconds) env.FUZZ_SECONDS = values.seconds;
if (values.runs) env.FUZZ_RUNS = values.runs;
if (values.seed) env.FUZZ_SEED = values.seed;
const files = values.only ? [GENERATORS[values.only]] : Object.values(GENERATORS);
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(process.execPath, [vitest, 'run', '-c', 'test/fuzz/vitest.fuzz.config.mts', '--silent=false', ...files], { cwd: root, env, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal; just wait for it
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
