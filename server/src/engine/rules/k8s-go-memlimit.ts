import { deletePairLines, yamlString } from '../k8s/edit';
import { getScalar, scalarString, type Container, type EnvVar, type ManifestModel, type Workload } from '../k8s/model';
import { parseQuantity, toMiB } from '../k8s/quantity';
import { requiresModule } from '../k8s/workload';
import type { Rule, RuleFinding } from '../rule';
import type { Fix } from '../types';
import { addEnvFix, cpuLimitMayComeFromElsewhere, downwardRef, effectiveEnv, goRuntimeContainer, literalValue, scalarRange, setElsewhere } from './k8s-go-maxprocs';

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
        const own = effectiveEnv(c, 'GOMEMLIMIT');
        if (own) {
          // set: only a downward-API value that bounds nothing is this rule's business
          const f = downwardWithoutBound(model, w, c, own);
          if (f) out.push(f);
          continue;
        }
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

/**
 * `GOMEMLIMIT` from `resourceFieldRef: limits.memory` that bounds nothing: with
 * a `divisor` the value is the limit in that unit as a bare number, which Go
 * reads as bytes (`1Gi` with `divisor: 1Mi` → 1024 bytes: the GC runs almost
 * continuously); with no memory limit the downward API yields the node's
 * allocatable memory (domain notes §3).
 */
function downwardWithoutBound(model: ManifestModel, w: Workload, c: Container, env: EnvVar): RuleFinding | undefined {
  const d = downwardRef(w, c, env, 'limits.memory');
  if (!d) return undefined;
  const { ref, resource, target } = d;
  const whose = target === c ? 'this container' : `container \`${target.name}\``;
  const divisor = getScalar(w.doc, ref, 'divisor');
  const unit = divisor ? parseQuantity(scalarString(divisor) ?? divisor.value) : undefined;
  if (divisor && unit !== undefined && unit > 1) {
    const limit = target.limits.memory;
    const example = limit?.value ? `\`${limit.raw}\` → \`${Math.floor(limit.value / unit)}\`` : `\`1Gi\` → \`${Math.floor(2 ** 30 / unit)}\``;
    const remove = deletePairLines(model, ref, 'divisor');
    return {
      message:
        `\`GOMEMLIMIT\` comes from \`limits.memory\` with \`divisor: ${scalarString(divisor)}\`: the downward API then gives the limit in that unit as a bare number (${example}), and Go reads a bare number as bytes, so the soft limit is a few kilobytes and the garbage collector runs almost continuously. ` +
        `Remove the divisor (plain bytes: 100 % of the limit), or set \`GOMEMLIMIT\` to about 90 % of the limit${limit?.value && ninetyPercent(limit.value) ? ` (\`${ninetyPercent(limit.value)}\`)` : ''}.`,
      range: scalarRange(model, divisor),
      severity: 'error',
      fixes: remove ? [{ title: 'Remove the divisor (GOMEMLIMIT in bytes)', edits: [remove], preferred: true }] : [],
    };
  }
  if (target.limits.memory || cpuLimitMayComeFromElsewhere(model, w, 'memory')) return undefined;
  // with no memory request either the resources are set elsewhere (a kustomize overlay)
  if (!target.requests.memory) return undefined;
  const gogc = effectiveEnv(c, 'GOGC');
  const gcOff = gogc?.value !== undefined && literalValue(model, gogc.value) === 'off';
  return {
    message:
      `\`GOMEMLIMIT\` comes from \`limits.memory\`, but ${whose} has no memory limit: the downward API then yields the node's allocatable memory, so the soft limit is the memory of the whole node, shared by every pod on it: the garbage collector paces itself by GOGC alone${gcOff ? ', and with `GOGC=off` nothing bounds the heap until the node runs out of memory' : ''}. ` +
      `Set a memory limit (then \`GOMEMLIMIT\` follows it), or set \`GOMEMLIMIT\` from what the container may use.`,
    range: scalarRange(model, resource),
    severity: 'warning',
    fixes: [],
  };
}
