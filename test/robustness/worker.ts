// Runs hostile cases in a child process (bundled by hostile.test.ts with
// esbuild), one JSON line per event on stdout:
//   {"start": name}                 before a case (so a hang names its case)
//   {"done": name, ...result}       after it
// Usage: node worker.cjs cases <name>...  |  node worker.cjs regex <n> <slot>...  |  node worker.cjs scale <reps> [name...]
import { buildDockerfileModel } from '../../server/src/engine/dockerfile/model';
import { buildManifestModel } from '../../server/src/engine/k8s/model';
import { fixAll, lint } from '../../server/src/engine/lint';
import { ALL_RULES } from '../../server/src/engine/rules';
import { DEFAULT_CONFIG } from '../../server/src/engine/config';
import { comparePositions, LineIndex } from '../../server/src/engine/text';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ADVERSARIAL, CASES, INSTRUCTION_SLOTS, MANIFEST_SLOTS, SCALING } from './cases';

export interface CaseResult {
  ok: boolean;
  ms: number;
  bytes: number;
  findings: number;
  rules: string[];
  fixPasses?: number;
  problems: string[];
}

const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const now = () => Number(process.hrtime.bigint() / 1000n) / 1000;

function runCase(name: string): CaseResult {
  const c = CASES.find((x) => x.name === name);
  if (!c) return { ok: false, ms: 0, bytes: 0, findings: 0, rules: [], problems: [`no case named ${name}`] };
  const input = c.build();
  const file = input.kind === 'dockerfile' ? '/hostile/Dockerfile' : '/hostile/deploy.yaml';
  const ws = new MemoryWorkspace({ [file]: input.text, '/hostile/go.mod': 'module example.com/x\n\ngo 1.22\n' });
  const problems: string[] = [];
  const t0 = now();
  const res = lint({ text: input.text, path: file }, ws, {
    maxFileSize: input.maxFileSize,
    onRuleError: (rule, e) => problems.push(`rule ${rule} threw: ${(e as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? e}`),
  });
  let fixPasses: number | undefined;
  if (input.fix) {
    const f = fixAll({ text: input.text, path: file }, ws, { maxFileSize: input.maxFileSize, onRuleError: (rule, e) => problems.push(`fixAll: rule ${rule} threw: ${(e as Error)?.message ?? e}`) });
    fixPasses = f.passes;
  }
  const ms = now() - t0;
  // ranges inside the document
  const idx = new LineIndex(input.text);
  for (const f of res.findings.slice(0, 100_000)) {
    const r = f.range;
    if (comparePositions(r.start, r.end) > 0 || r.end.line >= idx.lineCount || r.end.character > idx.lineText(r.end.line).length) {
      problems.push(`${f.rule}: range ${JSON.stringify(r)} outside the document`);
      break;
    }
  }
  const rules = [...new Set(res.findings.map((f) => f.rule))].sort();
  return { ok: problems.length === 0, ms, bytes: Buffer.byteLength(input.text), findings: res.findings.length, rules, fixPasses, problems };
}

/**
 * Every rule on one adversarial string in one slot, at size n: the model is
 * built once and each rule timed on its own (the report names the slowest).
 */
function runRegex(n: number, slotNames: string[]): void {
  for (const [slot, make] of [...INSTRUCTION_SLOTS.map(([s, m]) => [`dockerfile/${s}`, m] as const), ...MANIFEST_SLOTS.map(([s, m]) => [`manifest/${s}`, m] as const)]) {
    if (slotNames.length && !slotNames.includes(slot)) continue;
    for (const [advName, adv] of ADVERSARIAL) {
      const name = `${slot} × ${advName}`;
      out({ start: name });
      const text = make(adv(n));
      const manifest = slot.startsWith('manifest/');
      const file = manifest ? '/hostile/deploy.yaml' : '/hostile/Dockerfile';
      const ws = new MemoryWorkspace({ [file]: text, '/hostile/go.mod': 'module example.com/x\n\ngo 1.22\n' });
      const times: Record<string, number> = {};
      const errors: string[] = [];
      let t = now();
      const dm = manifest ? undefined : buildDockerfileModel(text, file, ws);
      const mm = manifest ? buildManifestModel(text, file, ws) : undefined;
      times['(model)'] = now() - t;
      for (const rule of ALL_RULES) {
        t = now();
        try {
          if (dm) rule.checkDockerfile?.({ model: dm, config: DEFAULT_CONFIG });
          else if (mm && mm.workloads.length) rule.checkManifest?.({ model: mm, config: DEFAULT_CONFIG });
        } catch (e) {
          errors.push(`${rule.id}: ${(e as Error)?.message ?? e}`);
        }
        times[rule.id] = now() - t;
      }
      t = now();
      lint({ text, path: file }, ws, { maxFileSize: 0 });
      times['(lint)'] = now() - t;
      out({ done: name, times, errors });
    }
  }
}

/**
 * Lint time of each SCALING input at n and 4n (the least of `reps` runs each,
 * the sizes interleaved: what other work on the machine adds is left out).
 */
function runScale(reps: number, names: string[]): void {
  for (const c of SCALING) {
    if (names.length && !names.includes(c.name)) continue;
    out({ start: c.name });
    const file = '/hostile/Dockerfile';
    const texts = [c.make(c.n), c.make(4 * c.n)];
    const best = [Infinity, Infinity];
    const findings = [0, 0];
    for (let r = 0; r < reps; r++) {
      texts.forEach((text, k) => {
        const ws = new MemoryWorkspace({ [file]: text, '/hostile/go.mod': 'module example.com/x\n\ngo 1.22\n' });
        const t = now();
        findings[k] = lint({ text, path: file }, ws, { maxFileSize: 0 }).findings.length;
        best[k] = Math.min(best[k], now() - t);
      });
    }
    out({ done: c.name, small: best[0], large: best[1], findings });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'cases') {
  for (const name of args) {
    out({ start: name });
    let r: CaseResult;
    try {
      r = runCase(name);
    } catch (e) {
      r = { ok: false, ms: 0, bytes: 0, findings: 0, rules: [], problems: [`threw: ${(e as Error)?.stack ?? e}`] };
    }
    out({ done: name, ...r });
  }
} else if (mode === 'regex') {
  runRegex(Number(args[0]), args.slice(1));
} else if (mode === 'scale') {
  runScale(Number(args[0]), args.slice(1));
} else {
  process.stderr.write('usage: worker cases <name>... | worker regex <n> [slot...] | worker scale <reps> [name...]\n');
  process.exitCode = 2;
}
