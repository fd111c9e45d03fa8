// 6. Fix throughput: fixAll (what `--fix` runs per file) over the corpus,
// Dockerfiles and manifests, in this process; then each fixed text is linted
// again: "clean" = no finding left of a rule that was fixed in that file.
import * as fs from 'node:fs';
import { DOCKERFILES, engine, MANIFESTS, ms, now, stats } from './lib.mjs';

export async function fixBench({ quick }) {
  const e = await engine();
  const files = [...DOCKERFILES(), ...MANIFESTS()];
  const texts = files.map((f) => ({ f, text: fs.readFileSync(f, 'utf8') }));
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
  const passes = quick ? 3 : 10;
  const ws = new e.FsWorkspace();
  const once = () => texts.map(({ f, text }) => e.fixAll({ text, path: f }, ws, { config: e.configFor(ws, f, e.DEFAULT_CONFIG) }));
  once(); // warm-up
  const xs = [];
  let results;
  for (let i = 0; i < passes; i++) {
    const t0 = now();
    results = once();
    xs.push(ms(t0));
  }
  let changed = 0;
  let clean = 0;
  let fixes = 0;
  const notClean = [];
  results.forEach((r, i) => {
    if (!r.fixed.length) return;
    changed++;
    fixes += r.fixed.length;
    const rules = new Set(r.fixed.map((x) => x.rule));
    const left = e.lint({ text: r.text, path: texts[i].f }, ws, { config: e.configFor(ws, texts[i].f, e.DEFAULT_CONFIG) }).findings.filter((x) => rules.has(x.rule));
    if (!left.length) clean++;
    else notClean.push({ file: texts[i].f.split('/').pop(), left: left.map((x) => `${x.rule} line ${x.range.start.line + 1}${x.fixes.some((p) => p.preferred) ? ' (has a preferred fix)' : ' (no preferred fix)'}`) });
  });
  const s = stats(xs);
  return { files: files.length, bytes, passes, passMs: s, filesPerSec: files.length / (s.median / 1000), filesChanged: changed, fixesApplied: fixes, reLintClean: clean, notClean, maxPasses: Math.max(...results.map((r) => r.passes)) };
}
