import { checkGoMemLimit, readGoMemLimit } from '../goenv';
import { replaceScalar } from '../k8s/edit';
import type { Rule, RuleFinding } from '../rule';
import { effectiveEnv, goRuntimeContainer, literalValue, scalarRange } from './k8s-go-maxprocs';
import { ninetyPercent } from './k8s-go-memlimit';

/** A literal GOMEMLIMIT at or near the container's memory limit: the OOM killer acts before the GC does. */
export const k8sGoMemlimitOverLimit: Rule = {
  id: 'k8s-go-memlimit-over-limit',
  defaultSeverity: 'warning',
  summary: 'A literal GOMEMLIMIT at or above the container\'s memory limit (error) or above 95 % of it (warning): the container is OOM-killed before the GC reacts.',
  checkManifest({ model, config }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      for (const c of w.containers) {
        if (!goRuntimeContainer(model, w, c, config, true)) continue;
        const env = effectiveEnv(c, 'GOMEMLIMIT');
        if (!env?.value || env.valueFrom) continue;
        const v = literalValue(model, env.value);
        if (v === undefined) continue;
        const check = checkGoMemLimit(v);
        if (!check.valid || check.effect !== 'used') continue; // malformed values are go-env-syntax's business
        const bytes = readGoMemLimit(v);
        if (typeof bytes !== 'bigint') continue; // off
        const limit = c.limits.memory;
        if (!limit || limit.value === undefined || !(limit.value > 0)) continue;
        const b = Number(bytes);
        const m = limit.value;
        const atOrAbove = b >= m;
        if (!atOrAbove && !(b > 0.95 * m)) continue;
        const target = ninetyPercent(m);
        const advice = target ? ` Set it to about 90 % of the limit: \`${target}\`.` : '';
        out.push({
          message: atOrAbove
            ? `\`GOMEMLIMIT=${v}\` (${b} bytes) is not below this container's memory limit \`${limit.raw}\` (${m} bytes): the soft limit never makes the GC work harder before the kernel OOM-kills the container.${advice}`
            : `\`GOMEMLIMIT=${v}\` is ${((b / m) * 100).toFixed(1)} % of this container's memory limit \`${limit.raw}\`: less than 5 % is left for memory the Go runtime does not count (cgo allocations, memory-backed \`emptyDir\` volumes, kernel memory charged to the container), so the container can still be OOM-killed before the GC reacts.${advice}`,
          range: scalarRange(model, env.value),
          severity: atOrAbove ? 'error' : 'warning',
          fixes: target ? [{ title: `Set GOMEMLIMIT to ${target} (90 % of the ${limit.raw} limit)`, edits: [replaceScalar(model, env.value, target, { asString: true })], preferred: true }] : [],
        });
      }
    }
    return out;
  },
};
