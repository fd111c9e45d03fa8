// "No rule regex may be super-linear" (issue 8), two ways:
//  1. every rule runs on ~30 adversarial strings (long runs of spaces,
//     backslashes, quotes, `${`, `$(`, ...) inside every kind of instruction
//     and manifest field, in a child process with a kill timeout per input:
//     a catastrophic (exponential) pattern fails the test by never finishing.
//     Each input runs at two sizes and the report prints the rules whose time
//     grows fastest (x4 the input, x16 the time = quadratic): for reading,
//     never asserted (timing assertions are flaky);
//  2. a scan of the engine's regex literals for nested quantifiers (`(a+)+`,
//     `(\s*x)*`) and overlapping adjacent ones (`[0-9]*\.?[0-9]*`): a
//     heuristic report, not a failing test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep, type Event } from './child';
import { SCALING } from './cases';

const INPUT_KILL_MS = 60_000;
const SMALL = 2_500;
const LARGE = 10_000;

interface Done { done: string; times: Record<string, number>; errors: string[] }

describe('every rule on adversarial strings in every slot', () => {
  let small: { events: Event[]; hung?: string; crashed?: string };
  let large: { events: Event[]; hung?: string; crashed?: string };

  it('no input hangs, no rule throws', async () => {
    small = await runSweep('regex', SMALL, [], INPUT_KILL_MS);
    large = await runSweep('regex', LARGE, [], INPUT_KILL_MS);
    for (const r of [small, large]) {
      expect(r.hung, `killed after ${INPUT_KILL_MS / 1000} s on this input`).toBeUndefined();
      expect(r.crashed).toBeUndefined();
      const errors = r.events.filter((e) => e.done && (e as unknown as Done).errors.length).map((e) => `${e.done}: ${(e as unknown as Done).errors.join('; ')}`);
      expect(errors).toEqual([]);
    }
    const inputs = large.events.filter((e) => e.done).length;
    expect(inputs).toBeGreaterThan(500);

    // report: the slowest (rule, input) pairs at the larger size, and how they scale
    const bySmall = new Map(small.events.filter((e) => e.done).map((e) => [e.done!, (e as unknown as Done).times]));
    const rows: { what: string; ms: number; ratio: number }[] = [];
    let total = 0;
    for (const e of large.events) {
      if (!e.done) continue;
      const d = e as unknown as Done;
      for (const [rule, ms] of Object.entries(d.times)) {
        total += rule === '(lint)' ? ms : 0;
        const before = bySmall.get(d.done)?.[rule] ?? 0;
        rows.push({ what: `${rule} on ${d.done}`, ms, ratio: before > 0.05 ? ms / before : NaN });
      }
    }
    rows.sort((a, b) => b.ms - a.ms);
    console.log(
      `adversarial sweep: ${inputs} inputs x ${LARGE.toLocaleString('en')} chars, every rule; lint total ${Math.round(total)} ms. Slowest (time at ${LARGE} chars, x${LARGE / SMALL} input -> xN time):\n` +
        rows.slice(0, 12).map((r) => `  ${r.ms.toFixed(1).padStart(8)} ms  x${Number.isNaN(r.ratio) ? '?' : r.ratio.toFixed(1)}  ${r.what}`).join('\n'),
    );
  }, 10 * 60_000);
});

// ---------------------------------------------------------------- growth bound

// The inputs that once grew fastest (cases.ts SCALING), each linted at n and 4n
// in a child: linear is x4, quadratic x16. The bound is a ratio, generous for a
// shared machine (the least of several runs each), never a time.
const GROWTH_BOUND = 10;

describe('lint time grows linearly on the inputs that once grew fastest', () => {
  it(`x4 the input, less than x${GROWTH_BOUND} the time`, async () => {
    const r = await runSweep('scale', 5, [], INPUT_KILL_MS);
    expect(r.hung, `killed after ${INPUT_KILL_MS / 1000} s on this input`).toBeUndefined();
    expect(r.crashed).toBeUndefined();
    const done = r.events.filter((e) => e.done) as unknown as { done: string; small: number; large: number; findings: number[] }[];
    expect(done.map((d) => d.done)).toEqual(SCALING.map((c) => c.name));
    console.log(`growth (x4 input): \n${done.map((d) => `  ${d.small.toFixed(1).padStart(8)} ms -> ${d.large.toFixed(1).padStart(8)} ms  x${(d.large / d.small).toFixed(1)}  ${d.done}`).join('\n')}`);
    for (const d of done) {
      // below a millisecond the ratio is timer noise; the large input must still be fast then
      const ratio = d.large / Math.max(d.small, 1);
      expect(ratio, `${d.done}: ${d.small.toFixed(1)} ms at n, ${d.large.toFixed(1)} ms at 4n`).toBeLessThan(GROWTH_BOUND);
    }
  }, 5 * 60_000);
});

// ---------------------------------------------------------------- static scan

/** Regex literals of a TypeScript source (heuristic: a `/` where an expression may start). */
export function regexLiterals(src: string): { pattern: string; line: number }[] {
  const out: { pattern: string; line: number }[] = [];
  const re = /(^|[=(,:;!&|?{}[\]]|\breturn|\btest)\s*\/((?![*/])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+)\/[dgimsuyv]*/gm;
  for (let m; (m = re.exec(src)); ) out.push({ pattern: m[2], line: src.slice(0, m.index).split('\n').length });
  return out;
}

/** Why a pattern may backtrack super-linearly, or undefined: a quantified group whose body has an unbounded quantifier. */
export function nestedQuantifier(pattern: string): string | undefined {
  // strip escapes and classes to single atoms
  const flat = pattern.replace(/\\./g, 'e').replace(/\[(?:\\.|[^\]\\])*\]/g, 'c');
  const stack: { start: number; unbounded: boolean }[] = [];
  for (let i = 0; i < flat.length; i++) {
    const ch = flat[i];
    if (ch === '(') stack.push({ start: i, unbounded: false });
    else if (ch === ')') {
      const g = stack.pop();
      if (!g) continue;
      const q = flat.slice(i + 1, i + 8);
      const outer = /^(\*|\+|\{\d+,\})/.test(q);
      if (outer && g.unbounded) return `quantified group with an unbounded quantifier inside: ${flat.slice(g.start, i + 1 + (/^\{\d+,\}/.exec(q)?.[0].length ?? 1))}`;
      if (g.unbounded && stack.length) stack[stack.length - 1].unbounded = true;
      if (outer && stack.length) stack[stack.length - 1].unbounded = true;
    } else if ((ch === '*' || ch === '+' || (ch === '{' && /^\{\d+,\}/.test(flat.slice(i)))) && stack.length) stack[stack.length - 1].unbounded = true;
  }
  return undefined;
}

/**
 * Why a pattern may backtrack quadratically, or undefined: the same atom under
 * two unbounded quantifiers with only optional atoms between (`[0-9]*\.?[0-9]*`,
 * `\s*\s+`): on a failing match every split of the run is tried.
 */
export function adjacentOverlap(pattern: string): string | undefined {
  const toks: { atom: string; q: string }[] = [];
  const re = /(\\.|\[(?:\\.|[^\]\\])*\]|\((?:\?[:=!]|\?<[=!]?[A-Za-z]*>?)?|\)|\||[^\\[()|])([*+?]|\{\d*,?\d*\})?\??/g;
  for (let m; (m = re.exec(pattern)); ) toks.push({ atom: m[1], q: m[2] ?? '' });
  const unbounded = (q: string) => q === '*' || q === '+' || /^\{\d*,\}$/.test(q);
  const optional = (q: string) => q === '?' || q === '*' || /^\{0,/.test(q);
  for (let i = 0; i < toks.length; i++) {
    if (!unbounded(toks[i].q) || toks[i].atom.startsWith('(') || toks[i].atom === ')') continue;
    for (let j = i + 1; j < toks.length; j++) {
      const t = toks[j];
      if (t.atom === toks[i].atom && unbounded(t.q)) return `${toks[i].atom}${toks[i].q} … ${t.atom}${t.q} can split one run in many ways`;
      if (!optional(t.q) || t.atom === '(' || t.atom === ')' || t.atom === '|') break;
    }
  }
  return undefined;
}

describe('regex scan of the engine sources (heuristic report)', () => {
  it('finds the regex literals and reports nested quantifiers', () => {
    const root = path.resolve(__dirname, '../../server/src/engine');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.ts')) files.push(path.join(d, e.name));
      }
    };
    walk(root);
    let count = 0;
    const flagged: string[] = [];
    for (const f of files) {
      for (const r of regexLiterals(fs.readFileSync(f, 'utf8'))) {
        count++;
        const why = nestedQuantifier(r.pattern) ?? adjacentOverlap(r.pattern);
        if (why) flagged.push(`  ${path.relative(root, f)}:${r.line}  /${r.pattern}/  (${why})`);
      }
    }
    // the scanner itself: it must see the classic shapes
    expect(nestedQuantifier('(a+)+$')).toBeTruthy();
    expect(nestedQuantifier('^(\\s*,\\s*\\w+)*$')).toBeTruthy();
    expect(nestedQuantifier('^(?:a|b)*$')).toBeUndefined();
    expect(nestedQuantifier('[(+)]*')).toBeUndefined();
    expect(adjacentOverlap('^([0-9]*\\.?[0-9]*)([A-Za-z]*)$')).toBeTruthy();
    expect(adjacentOverlap('^([0-9]*(?:\\.[0-9]*)?)([A-Za-z]*)$')).toBeUndefined();
    expect(adjacentOverlap('\\s*\\s+x')).toBeTruthy();
    expect(count).toBeGreaterThan(100);
    console.log(`regex scan: ${count} regex literals in ${files.length} engine files; ${flagged.length} flagged (a quantified group holding an unbounded quantifier, or one atom under two unbounded quantifiers with only optional atoms between; each is safe only when the ambiguous part cannot meet a long run the match then fails on):\n${flagged.join('\n') || '  (none)'}`);
  });
});
