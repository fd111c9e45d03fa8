import { checkGoMaxProcs, goAtoi32 } from '../goenv';
import { replaceScalar } from '../k8s/edit';
import type { Rule, RuleFinding } from '../rule';
import { ceilCores, effectiveEnv, goRuntimeContainer, literalValue, scalarRange } from './k8s-go-maxprocs';

/** A literal GOMAXPROCS above the container's CPU limit: more Ps than the CFS quota lets run. */
export const k8sGoMaxprocsOverLimit: Rule = {
  id: 'k8s-go-maxprocs-over-limit',
  defaultSeverity: 'warning',
  summary: 'A literal GOMAXPROCS above the container\'s CPU limit rounded up: the CFS quota throttles the extra threads.',
  checkManifest({ model, config }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      for (const c of w.containers) {
        if (!goRuntimeContainer(model, w, c, config, true)) continue;
        const env = effectiveEnv(c, 'GOMAXPROCS');
        if (!env?.value || env.valueFrom) continue;
        const v = literalValue(model, env.value);
        if (v === undefined) continue;
        const check = checkGoMaxProcs(v);
        if (!check.valid || check.effect !== 'used') continue; // invalid values are go-env-syntax's business
        const n = goAtoi32(v)!;
        const limit = c.limits.cpu;
        if (!limit || limit.value === undefined || !(limit.value > 0)) continue;
        const max = ceilCores(limit.value);
        if (n <= max) continue;
        out.push({
          message: `\`GOMAXPROCS=${v}\` is above this container's CPU limit (\`${limit.raw}\`, at most ${limit.value} CPU${limit.value === 1 ? '' : 's'} of run time per 100 ms CFS period): ${n} Ps run in parallel, use up the quota early in each period and the container is throttled until the next one (latency spikes). Set it to ${max}, the limit rounded up (what the downward API's \`limits.cpu\` and Go 1.25 use).`,
          range: scalarRange(model, env.value),
          fixes: [{ title: `Set GOMAXPROCS to ${max} (the CPU limit rounded up)`, edits: [replaceScalar(model, env.value, String(max), { asString: true })], preferred: true }],
        });
      }
    }
    return out;
  },
};
