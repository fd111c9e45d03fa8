import type { DockerfileModel, InstructionInfo, Stage } from '../dockerfile/model';
import { stageLineage } from '../dockerfile/model';
import { checkGoGC, checkGoMaxProcs, checkGoMemLimit, type GoEnvCheck } from '../goenv';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';

/** One NAME=value of an ENV or ARG instruction. */
export interface EnvSetting {
  ins: InstructionInfo;
  keyword: 'ENV' | 'ARG';
  name: string;
  /** An ARG with no default (`ARG NAME`): nothing is known about its value. */
  hasValue: boolean;
  /**
   * The value the variable gets, or undefined when the Dockerfile alone does not
   * tell (an expansion, an escape, partial quoting, an ARG without default).
   */
  value: string | undefined;
  /** Document offsets of the value as written, quotes included. */
  start: number;
  end: number;
  /** Document offsets of the value inside its enclosing quotes (= start/end when unquoted). */
  innerStart: number;
  innerEnd: number;
}

/** The literal value of an ENV/ARG value as written, or undefined when it is not a plain literal. */
function literal(raw: string, escape: string): { value: string; quote: number } | undefined {
  if (raw.includes(escape)) return undefined; // escapes, continuation lines
  let m = /^"([^"]*)"$/s.exec(raw);
  if (m) return m[1].includes('$') ? undefined : { value: m[1], quote: 1 };
  m = /^'([^']*)'$/s.exec(raw);
  if (m) return { value: m[1], quote: 1 }; // no substitution inside single quotes
  if (/["'$]/.test(raw)) return undefined;
  return { value: raw, quote: 0 };
}

/** Every NAME=value of the given ENV/ARG instructions (default: the whole file, global ARGs included). */
export function envSettings(model: DockerfileModel, instructions: InstructionInfo[] = model.instructions): EnvSetting[] {
  const out: EnvSetting[] = [];
  for (const ins of instructions) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG') continue;
    const props: any[] = (ins.node as any).getProperties?.() ?? [];
    for (const p of props) {
      const name: string = p.getName();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      const vr = p.getValueRange();
      if (!vr) {
        if (ins.keyword === 'ARG') {
          const nr = p.getNameRange();
          const e = model.index.offsetAt(nr.end);
          out.push({ ins, keyword: 'ARG', name, hasValue: false, value: undefined, start: e, end: e, innerStart: e, innerEnd: e });
        }
        continue;
      }
      const start = model.index.offsetAt(vr.start);
      const end = model.index.offsetAt(vr.end);
      const lit = literal(model.text.slice(start, end), model.escape);
      out.push({
        ins,
        keyword: ins.keyword,
        name,
        hasValue: true,
        value: lit?.value,
        start,
        end,
        innerStart: start + (lit?.quote ?? 0),
        innerEnd: end - (lit?.quote ?? 0),
      });
    }
  }
  return out;
}

/** ENV/ARG settings of a stage and its ancestors, in the order they apply (root stage first). */
export function lineageEnvSettings(model: DockerfileModel, stage: Stage): EnvSetting[] {
  return stageLineage(stage)
    .reverse()
    .flatMap((s) => envSettings(model, s.instructions));
}

const CHECKS: Record<string, (v: string) => GoEnvCheck> = {
  GOMEMLIMIT: checkGoMemLimit,
  GOMAXPROCS: checkGoMaxProcs,
  GOGC: checkGoGC,
};

/** GOMEMLIMIT/GOMAXPROCS/GOGC values the Go runtime rejects (crash) or silently ignores. */
export const goEnvSyntax: Rule = {
  id: 'go-env-syntax',
  defaultSeverity: 'error',
  summary: '`GOMEMLIMIT`, `GOMAXPROCS` or `GOGC` set to a value the Go runtime rejects (crash at start) or silently ignores.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const s of envSettings(model)) {
      const check = CHECKS[s.name];
      if (!check || s.value === undefined) continue;
      const r = check(s.value);
      if (r.valid) continue;
      const raw = model.text.slice(s.start, s.end);
      const shown = raw.length > 40 ? raw.slice(0, 37) + '...' : raw;
      const what = `\`${s.keyword} ${s.name}=${shown}\``;
      const message =
        r.effect === 'crash'
          ? `${what}: every Go program started with this value aborts with \`malformed GOMEMLIMIT\` (a crash loop). ${r.reason}`
          : `${what}: ${r.reason}`;
      const fixes: Fix[] = [];
      const fix = (value: string, preferred: boolean, note = ''): Fix => ({
        title: `Change ${s.name} to ${value}${note}`,
        preferred: preferred || undefined,
        edits: [editAt(model, s.innerStart, s.innerEnd, value)],
      });
      if (r.rewrite !== undefined) fixes.push(fix(r.rewrite, !!r.preferred));
      for (const a of r.alternatives ?? []) fixes.push(fix(a, false));
      out.push({
        severity: r.effect === 'crash' ? undefined : 'warning',
        message,
        range: rangeOf(model, s.start, s.end),
        fixes,
      });
    }
    return out;
  },
};
