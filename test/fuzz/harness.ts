// Runs one generator against the invariants, in one of two modes:
//   npm test          fixed seed, bounded number of runs: the first failure
//                     (shrunk by fast-check) fails the test, with the seed and
//                     path to replay it;
//   npm run fuzz      (FUZZ=1) new seeds round after round for FUZZ_SECONDS
//                     (or FUZZ_RUNS inputs), printing inputs tried and every
//                     failure, and writing each failing input, shrunk, to
//                     fuzz/failures/ where test/fuzz/failures.test.ts replays it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { FuzzDoc } from './generators';
import { checkInvariants, describeViolations, type Violation } from './invariants';

export const FAILURES_DIR = path.resolve(__dirname, '../../fuzz/failures');

export const FUZZ = process.env.FUZZ === '1';
/** The seed of `npm test` (FUZZ_SEED replays another one). */
export const TEST_SEED = 0x5eed;

export interface SavedFailure {
  /**
   * Set by hand when the bug is known and not fixed yet (e.g. in a rule someone
   * else is writing): the replay then expects the violation to persist (it.fails)
   * and warns loudly; once the bug is fixed the replay fails until this is removed.
   */
  open?: string;
  generator: string;
  seed?: number;
  invariant: string;
  rule?: string;
  detail: string;
  doc: FuzzDoc;
}

export interface FuzzStats {
  generator: string;
  tried: number;
  failures: SavedFailure[];
  written: string[];
  seconds: number;
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const signature = (v: { invariant: string; rule?: string }) => `${v.invariant}|${v.rule ?? ''}`;

/** (invariant, rule) pairs of the saved failures marked `open`: known bugs not fixed yet. */
export function openSignatures(): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(FAILURES_DIR)) return out;
  for (const f of fs.readdirSync(FAILURES_DIR)) {
    if (!f.endsWith('.json')) continue;
    const s = JSON.parse(fs.readFileSync(path.join(FAILURES_DIR, f), 'utf8')) as SavedFailure;
    if (s.open) out.set(signature(s), s.open);
  }
  return out;
}

/** Violations that count: those of a known open bug are tolerated (and counted) so one open bug does not hide the others. */
function counted(violations: Violation[], open: Map<string, string>, tolerated: Map<string, number>): Violation[] {
  return violations.filter((v) => {
    if (!open.has(signature(v))) return true;
    tolerated.set(signature(v), (tolerated.get(signature(v)) ?? 0) + 1);
    return false;
  });
}

const property = (arb: fc.Arbitrary<FuzzDoc>, open: Map<string, string>, tolerated: Map<string, number>) =>
  fc.property(arb, (doc) => {
    const violations = counted(checkInvariants(doc).violations, open, tolerated);
    if (violations.length) throw new Error(describeViolations(violations));
  });

function warnTolerated(generator: string, tolerated: Map<string, number>, open: Map<string, string>): void {
  if (!tolerated.size) return;
  console.warn(`[fuzz ${generator}] KNOWN OPEN bugs hit (tolerated, see fuzz/failures/*.json with "open"):\n${[...tolerated].map(([sig, n]) => `  ${sig.replace('|', ' [')}]: ${n} input(s) — ${open.get(sig)}`).join('\n')}`);
}

function docSummary(doc: FuzzDoc): string {
  if (doc.origin) return `${doc.origin.corpus} with mutations ${JSON.stringify(doc.origin.mutations)}${doc.origin.goMod !== undefined ? ` and go.mod ${JSON.stringify(doc.origin.goMod)}` : ''}`;
  return `${doc.path}${doc.files && Object.keys(doc.files).length > 1 ? ` (+ ${Object.keys(doc.files).filter((f) => f !== doc.path).join(', ')})` : ''}\n${JSON.stringify(doc.text)}`;
}

/** Writes a failing input to fuzz/failures/ (named by generator, invariant, rule and a hash of the text). */
export function saveFailure(f: SavedFailure): string {
  fs.mkdirSync(FAILURES_DIR, { recursive: true });
  const hash = createHash('sha1').update(f.doc.kind + '\0' + f.doc.path + '\0' + f.doc.text).digest('hex').slice(0, 10);
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 60);
  const file = path.join(FAILURES_DIR, `${safe(f.generator)}-${safe(f.invariant)}-${safe(f.rule ?? 'engine')}-${hash}.json`);
  // a mutated corpus file is saved as the corpus file's name and the mutations, never its text
  const doc = f.doc.origin ? { kind: f.doc.kind, path: f.doc.path, origin: f.doc.origin, sha1: createHash('sha1').update(f.doc.text).digest('hex') } : f.doc;
  fs.writeFileSync(file, JSON.stringify({ ...f, doc }, null, 2) + '\n');
  return file;
}

/**
 * In test mode: `runs` inputs from the fixed seed; throws on the first
 * failure. In fuzz mode: rounds of fresh seeds until the time or run budget
 * is spent; never throws for a failure, returns them all.
 */
export function runFuzz(generator: string, arb: fc.Arbitrary<FuzzDoc>, runs: number): FuzzStats {
  const started = Date.now();
  const stats: FuzzStats = { generator, tried: 0, failures: [], written: [], seconds: 0 };
  const open = openSignatures();
  const tolerated = new Map<string, number>();
  if (!FUZZ) {
    const seed = envNumber('FUZZ_SEED') ?? TEST_SEED;
    const out = fc.check(property(arb, open, tolerated), { seed, numRuns: envNumber('FUZZ_RUNS') ?? runs });
    stats.tried = out.numRuns;
    stats.seconds = (Date.now() - started) / 1000;
    warnTolerated(generator, tolerated, open);
    if (out.failed) {
      const doc = out.counterexample?.[0];
      const violations = doc ? counted(checkInvariants(doc).violations, open, new Map()) : [];
      throw new Error(
        `${generator}: invariant broken after ${out.numRuns} inputs (seed ${out.seed}, path "${out.counterexamplePath}"; replay with FUZZ_SEED=${out.seed}).\n` +
          `${describeViolations(violations) || String(out.errorInstance)}\ninput (shrunk): ${doc ? docSummary(doc) : '?'}\n` +
          `Save it as a regression case with: npm run fuzz -- --seed ${out.seed} --only ${generator}`,
      );
    }
    return stats;
  }

  const seconds = envNumber('FUZZ_SECONDS') ?? (envNumber('FUZZ_RUNS') !== undefined ? Infinity : 60);
  const maxRuns = envNumber('FUZZ_RUNS') ?? Infinity;
  const deadline = started + seconds * 1000;
  let seed = envNumber('FUZZ_SEED') ?? (Date.now() ^ (process.pid << 8)) >>> 0;
  const perSignature = new Map<string, number>();
  let lastReport = started;
  console.log(`[fuzz ${generator}] start: seed ${seed}, ${Number.isFinite(maxRuns) ? `${maxRuns} inputs` : `${seconds} s`}`);
  while (Date.now() < deadline && stats.tried < maxRuns) {
    const numRuns = Math.min(500, maxRuns - stats.tried);
    const out = fc.check(property(arb, open, tolerated), { seed, numRuns, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false });
    stats.tried += out.numRuns;
    if (out.failed && out.counterexample) {
      const doc = out.counterexample[0];
      const violations: Violation[] = counted(checkInvariants(doc).violations, open, new Map());
      const v = violations[0] ?? { invariant: 'unknown', detail: String(out.errorInstance) };
      const sig = signature(v);
      const failure: SavedFailure = { generator, seed, invariant: v.invariant, rule: v.rule, detail: describeViolations(violations), doc };
      stats.failures.push(failure);
      console.log(`[fuzz ${generator}] FAILURE (seed ${seed}): ${failure.detail}\n  input: ${docSummary(doc)}`);
      const n = perSignature.get(sig) ?? 0;
      perSignature.set(sig, n + 1);
      if (n < 3) {
        const file = saveFailure(failure);
        stats.written.push(file);
        console.log(`[fuzz ${generator}] written to ${path.relative(process.cwd(), file)}`);
      }
    }
    seed = (seed + 1) >>> 0;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(`[fuzz ${generator}] ${stats.tried} inputs tried, ${stats.failures.length} failures`);
    }
  }
  stats.seconds = (Date.now() - started) / 1000;
  warnTolerated(generator, tolerated, open);
  console.log(`[fuzz ${generator}] done: ${stats.tried} inputs tried in ${stats.seconds.toFixed(0)} s, ${stats.failures.length} failures${stats.written.length ? `, written: ${stats.written.map((f) => path.relative(process.cwd(), f)).join(', ')}` : ''}`);
  return stats;
}
