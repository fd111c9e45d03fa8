import { yamlString } from '../k8s/edit';
import { toMiB } from '../k8s/quantity';
import { requiresModule } from '../k8s/workload';
import type { Rule, RuleFinding } from '../rule';
import type { Fix } from '../types';
import { addEnvFix, effectiveEnv, goRuntimeContainer, literalValue, scalarRange, setElsewhere } from './k8s-go-maxprocs';

/** 90 % of a memory limit as a GOMEMLIMIT value in whole MiB (`1Gi` → `921MiB`); undefined below 1 MiB. */
export function ninetyPercent(bytes: number): string | undefined {
  const v = Math.floor(0.9 * bytes);
  return v >= 2 ** 20 ? toMiB(v) : undefined;
}

/** A Go container with a memory limit and no GOMEMLIMIT: the GC ignores the limit until the OOM killer acts. */
export const k8sGoMemlimit: Rule = {
  id: 'k8s-go-memlimit',
  defaultSeverity: 'warning',
  summary: 'A Go container with a memory limit but no GOMEMLIMIT: the garbage collector does not know the limit and the container gets OOM-killed.',
  checkManifest({ model, config }) {
    const out: RuleFinding[] = [];
    if (requiresModule(model, 'github.com/KimMachineGun/automemlimit')) return out;
    for (const w of model.workloads) {
      for (const c of w.containers) {
        if (!goRuntimeContainer(model, w, c, config)) continue;
        const limit = c.limits.memory;
        if (!limit || limit.value === undefined || !(limit.value > 0)) continue;
        if (effectiveEnv(c, 'GOMEMLIMIT') || setElsewhere(model, w, c, 'GOMEMLIMIT')) continue;
        const value = ninetyPercent(limit.value);
        const gogc = effectiveEnv(c, 'GOGC');
        const gcOff = gogc?.value !== undefined && literalValue(model, gogc.value) === 'off';
        const fixes: Fix[] = [];
        if (value) {
          const f = addEnvFix(model, w, c, `Set GOMEMLIMIT=${value} (90 % of the ${limit.raw} limit)`, [['name', 'GOMEMLIMIT'], ['value', yamlString(value)]], true);
          if (f) fixes.push(f);
        }
        const alt = addEnvFix(
          model,
          w,
          c,
          'Set GOMEMLIMIT from the downward API (limits.memory: 100 % of the limit)',
          [['name', 'GOMEMLIMIT'], ['valueFrom', [['resourceFieldRef', [['resource', 'limits.memory']]]]]],
          false,
        );
        if (alt) fixes.push(alt);
        out.push({
          message:
            (gcOff
              ? `This Go container has \`GOGC=off\` and a memory limit of \`${limit.raw}\` but no \`GOMEMLIMIT\`: with the GC off and no soft limit the heap grows until the kernel OOM-kills the container.`
              : `This Go container has a memory limit of \`${limit.raw}\` but no \`GOMEMLIMIT\`: the garbage collector paces itself by GOGC alone (the heap may grow to about twice the live data) and knows nothing of the limit, so a spike gets the container OOM-killed instead of making the GC work harder.`) +
            ` Set \`GOMEMLIMIT\` (Go 1.19+) to about 90 % of the limit${value ? `: \`${value}\`` : ''}.`,
          range: scalarRange(model, limit.node),
          fixes,
        });
      }
    }
    return out;
  },
};
