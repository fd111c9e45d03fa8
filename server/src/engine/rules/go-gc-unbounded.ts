import { isScalar, type Scalar } from 'yaml';
import { goAtoi32 } from '../goenv';
import { addEnvVar, trimmedSpan, yamlString } from '../k8s/edit';
import { getPair, type Container, type ManifestModel } from '../k8s/model';
import { toMiB } from '../k8s/quantity';
import { requiresModule } from '../k8s/workload';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';
import {
  envFromMaySet,
  envItemSuppressed,
  envLiteral,
  lastEnv,
  lineageEnvSettings,
  manifestPragmas,
  setEnvValue,
  setOnCommandLine,
  typedNote,
  type EnvSetting,
} from './go-env-syntax';

const AUTOMEMLIMIT = 'github.com/KimMachineGun/automemlimit';

/** The placeholder the fix writes: about 90 % of a 512 MiB container memory limit. */
export const GOMEMLIMIT_PLACEHOLDER = '460MiB';

/** Whether the Go runtime reads this GOGC value as "garbage collector off". */
function gcOff(value: string): boolean {
  if (value === 'off') return true;
  const n = goAtoi32(value);
  return n !== undefined && n < 0;
}

/** 90 % of a memory limit in whole MiB (`1Gi` → `921MiB`), or undefined below 1 MiB. */
function ninetyPercent(bytes: number): string | undefined {
  const v = Math.floor(0.9 * bytes);
  return v >= 2 ** 20 ? toMiB(v) : undefined;
}

/**
 * A container env that sets no GOMEMLIMIT: `{}` when there is no entry,
 * `{ scalar, raw }` when the entry that takes effect is `off` or empty (no
 * scalar when it has no value at all); undefined when a limit is or may be
 * set (a value, `valueFrom`, a placeholder, a malformed value: go-env-syntax's).
 */
function memLimitUnset(model: ManifestModel, c: Container): { scalar?: Scalar; raw?: string } | undefined {
  const e = lastEnv(c, 'GOMEMLIMIT');
  if (!e) return {};
  if (e.valueFrom) return undefined;
  const pair = getPair(e.item, 'value');
  const node = pair?.value;
  if (pair && node !== null && node !== undefined && !isScalar(node)) return undefined; // an alias or a map
  const s = node as Scalar | null | undefined;
  if (!s || s.value === null || s.value === undefined) return { raw: '' }; // `- name: GOMEMLIMIT` alone, or `value:` empty
  const lit = envLiteral(model, e);
  if (!lit || (lit.value !== '' && lit.value !== 'off')) return undefined;
  return { scalar: s, raw: lit.raw };
}

/** `GOGC=off` in the final image or a container's env with no `GOMEMLIMIT`: the heap grows until the OOM killer stops it. */
export const goGcUnbounded: Rule = {
  id: 'go-gc-unbounded',
  defaultSeverity: 'warning',
  summary: '`GOGC=off` without `GOMEMLIMIT`: the heap grows until the container is OOM-killed.',
  checkDockerfile({ model }) {
    const final = model.finalStage;
    if (!final) return [];
    // automemlimit sets GOMEMLIMIT at start (90 % of the cgroup limit)
    if (model.goMod?.requires.has(AUTOMEMLIMIT)) return [];
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
  checkManifest({ model }) {
    const out: RuleFinding[] = [];
    // automemlimit sets GOMEMLIMIT at start (90 % of the cgroup limit)
    if (requiresModule(model, AUTOMEMLIMIT)) return out;
    const pragmas = manifestPragmas(model);
    for (const w of model.workloads) {
      for (const c of w.containers) {
        const gogc = lastEnv(c, 'GOGC');
        if (!gogc) continue;
        const lit = envLiteral(model, gogc);
        if (!lit || !gcOff(lit.value)) continue;
        // the command line, or an envFrom source this file does not show, may set either variable
        if (setOnCommandLine(w, c, 'GOGC') || setOnCommandLine(w, c, 'GOMEMLIMIT') || envFromMaySet(model, w, c, 'GOMEMLIMIT')) continue;
        const mem = memLimitUnset(model, c);
        if (!mem) continue;
        if (envItemSuppressed(model, pragmas, 'go-gc-unbounded', gogc)) continue;
        const limit = c.limits.memory;
        const target = limit && limit.value !== undefined && limit.value > 0 ? ninetyPercent(limit.value) : undefined;
        const fixes: Fix[] = [];
        if (target && limit) {
          let edit: TextEdit | undefined;
          if (mem.raw === undefined) edit = addEnvVar(model, c.node, c.envNode, [['name', 'GOMEMLIMIT'], ['value', yamlString(target)]]);
          else if (mem.scalar) edit = setEnvValue(model, mem.scalar, target);
          const title = `${mem.raw === undefined ? 'Add' : 'Set'} GOMEMLIMIT=${target} (90 % of the ${limit.raw} memory limit)`;
          if (edit) fixes.push({ title, preferred: true, edits: [edit] });
        }
        const noLimit = mem.raw === undefined ? 'no `GOMEMLIMIT` is set' : `\`GOMEMLIMIT: ${mem.raw || '""'}\` sets no limit`;
        const advice = target
          ? `Set \`GOMEMLIMIT\` to about 90 % of the container memory limit, \`${target}\` for \`${limit!.raw}\` (the GC then stays off until the heap nears it)`
          : limit
            ? 'Set `GOMEMLIMIT` to about 90 % of the container memory limit (the GC then stays off until the heap nears it)'
            : 'Set a memory limit on this container and `GOMEMLIMIT` to about 90 % of it (the GC then stays off until the heap nears it)';
        const [a, b] = trimmedSpan(model, lit.scalar);
        out.push({
          message:
            `\`GOGC: ${lit.raw}\` turns the garbage collector off and ${noLimit}: the heap grows until the container is OOM-killed. ` +
            `${advice}, or use \`${AUTOMEMLIMIT}\`. If \`GOMEMLIMIT\` is set elsewhere (the image, an overlay, the program), suppress this finding.` +
            typedNote(lit),
          range: rangeOf(model, a, b),
          fixes,
        });
      }
    }
    return out;
  },
};
