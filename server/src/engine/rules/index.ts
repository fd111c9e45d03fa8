import type { Rule } from '../rule';
import { apkNoCache } from './apk-no-cache';
import { aptListsCleanup } from './apt-lists-cleanup';
import { baseImageUnpinned } from './base-image-unpinned';
import { execFormCmd } from './exec-form-cmd';
import { goEnvSyntax } from './go-env-syntax';
import { goGcUnbounded } from './go-gc-unbounded';
import { goMaxprocs } from './go-maxprocs';
import { goModCacheOrder } from './go-mod-cache-order';
import { goSingleStage } from './go-single-stage';
import { goStaticBinary } from './go-static-binary';
import { goStripSymbols } from './go-strip-symbols';
import { k8sGoMaxprocs } from './k8s-go-maxprocs';
import { k8sGoMaxprocsOverLimit } from './k8s-go-maxprocs-over-limit';
import { k8sGoMemlimit } from './k8s-go-memlimit';
import { k8sGoMemlimitOverLimit } from './k8s-go-memlimit-over-limit';
import { k8sImagePullLatest } from './k8s-image-pull-latest';
import { k8sProbeInitialDelay } from './k8s-probe-initial-delay';
import { k8sReadinessProbeMissing } from './k8s-readiness-probe-missing';
import { k8sResourcesMissing } from './k8s-resources-missing';
import { k8sSpotGracePeriod } from './k8s-spot-grace-period';
import { windowsServercoreRuntime } from './windows-servercore-runtime';

/** Every rule. Findings at the same position are reported in id order. */
export const ALL_RULES: Rule[] = [
  apkNoCache,
  aptListsCleanup,
  baseImageUnpinned,
  execFormCmd,
  goEnvSyntax,
  goGcUnbounded,
  goMaxprocs,
  goModCacheOrder,
  goSingleStage,
  goStaticBinary,
  goStripSymbols,
  k8sGoMaxprocs,
  k8sGoMaxprocsOverLimit,
  k8sGoMemlimit,
  k8sGoMemlimitOverLimit,
  k8sImagePullLatest,
  k8sProbeInitialDelay,
  k8sReadinessProbeMissing,
  k8sResourcesMissing,
  k8sSpotGracePeriod,
  windowsServercoreRuntime,
];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
