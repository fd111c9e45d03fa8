import { goAtoi32 } from '../goenv';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import { lineageEnvSettings, type EnvSetting } from './go-env-syntax';

/** The placeholder the fix writes: about 90 % of a 512 MiB container memory limit. */
export const GOMEMLIMIT_PLACEHOLDER = '460MiB';

/** Whether the Go runtime reads this GOGC value as "garbage collector off". */
function gcOff(value: string): boolean {
  if (value === 'off') return true;
  const n = goAtoi32(value);
  return n !== undefined && n < 0;
}

/** `GOGC=off` in the final image with no `GOMEMLIMIT`: the heap grows until the OOM killer stops it. */
export const goGcUnbounded: Rule = {
  id: 'go-gc-unbounded',
  defaultSeverity: 'warning',
  summary: '`GOGC=off` without `GOMEMLIMIT`: the heap grows until the container is OOM-killed.',
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final) return [];
    // automemlimit sets GOMEMLIMIT at start (90 % of the cgroup limit)
    if (model.goMod?.requires.has('github.com/KimMachineGun/automemlimit')) return [];
    let gogc: EnvSetting | undefined;
    let memlimit: EnvSetting | undefined;
    for (const s of lineageEnvSettings(model, final)) {
      if (s.name === 'GOGC' && s.keyword === 'ENV') gogc = s;
      if (s.name === 'GOMEMLIMIT') {
        // an ARG GOMEMLIMIT means the build is told a limit: stay silent
        if (s.keyword === 'ARG') return [];
        memlimit = s;
      }
    }
    if (!gogc || gogc.value === undefined || !gcOff(gogc.value)) return [];
    if (memlimit && (memlimit.value === undefined || (memlimit.value !== '' && memlimit.value !== 'off'))) return [];
    const raw = model.text.slice(gogc.start, gogc.end);
    const after = memlimit && memlimit.ins.start > gogc.ins.start ? memlimit.ins : gogc.ins;
    const at = model.index.lineEnd(after.range.end.line);
    const out: RuleFinding[] = [
      {
        message:
          `\`GOGC=${raw}\` turns the garbage collector off and ${memlimit ? `\`GOMEMLIMIT=${memlimit.value}\` sets no limit` : 'no `GOMEMLIMIT` is set'}: ` +
          'the heap grows until the container is OOM-killed. Set `GOMEMLIMIT` to about 90 % of the container memory limit ' +
          '(the GC then stays off until the heap nears it), or use `github.com/KimMachineGun/automemlimit`. ' +
          'If the deployment sets `GOMEMLIMIT`, suppress this finding.',
        range: rangeOf(model, gogc.start, gogc.end),
        fixes: [
          {
            title: `Add ENV GOMEMLIMIT=${GOMEMLIMIT_PLACEHOLDER} (placeholder: ~90% of a 512 MiB limit; set it to ~90% of the container memory limit)`,
            edits: [editAt(model, at, at, `${model.eol}ENV GOMEMLIMIT=${GOMEMLIMIT_PLACEHOLDER}`)],
          },
        ],
      },
    ];
    return out;
  },
};
