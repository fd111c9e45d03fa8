import type { Rule } from '../rule';
import { addLocalFile } from './add-local-file';
import { apkNoCache } from './apk-no-cache';
import { aptListsCleanup } from './apt-lists-cleanup';
import { baseImageUnpinned } from './base-image-unpinned';
import { dockerignoreMissing } from './dockerignore-missing';
import { execFormCmd } from './exec-form-cmd';
import { goBuildCacheMount } from './go-build-cache-mount';
import { goCrossCompile } from './go-cross-compile';
import { goEnvSyntax } from './go-env-syntax';
import { goGcUnbounded } from './go-gc-unbounded';
import { goMaxprocs } from './go-maxprocs';
import { goModCacheOrder } from './go-mod-cache-order';
import { goSingleStage } from './go-single-stage';
import { goStaticBinary } from './go-static-binary';
import { goStripSymbols } from './go-strip-symbols';
import { goToolchainMismatch } from './go-toolchain-mismatch';
import { goTrimpath } from './go-trimpath';
import { k8sGoMaxprocs } from './k8s-go-maxprocs';
import { k8sGoMaxprocsOverLimit } from './k8s-go-maxprocs-over-limit';
import { k8sGoMemlimit } from './k8s-go-memlimit';
import { k8sGoMemlimitOverLimit } from './k8s-go-memlimit-over-limit';
import { k8sImagePullLatest } from './k8s-image-pull-latest';
import { k8sProbeInitialDelay } from './k8s-probe-initial-delay';
import { k8sReadinessProbeMissing } from './k8s-readiness-probe-missing';
import { k8sResourcesMissing } from './k8s-resources-missing';
import { k8sSpotGracePeriod } from './k8s-spot-grace-period';
import { layerDeleteLater } from './layer-delete-later';
import { runtimeUserRoot } from './runtime-user-root';
import { scratchCaCertificates } from './scratch-ca-certificates';
import { upxStartup } from './upx-startup';
import { windowsNanoserverPowershell } from './windows-nanoserver-powershell';
import { windowsServercoreRuntime } from './windows-servercore-runtime';
import { windowsVersionMixed } from './windows-version-mixed';

/** Every rule. Findings at the same position are reported in id order. */
export const ALL_RULES: Rule[] = [
  addLocalFile,
  apkNoCache,
  aptListsCleanup,
  baseImageUnpinned,
  dockerignoreMissing,
  execFormCmd,
  goBuildCacheMount,
  goCrossCompile,
  goEnvSyntax,
  goGcUnbounded,
  goMaxprocs,
  goModCacheOrder,
  goSingleStage,
  goStaticBinary,
  goStripSymbols,
  goToolchainMismatch,
  goTrimpath,
  k8sGoMaxprocs,
  k8sGoMaxprocsOverLimit,
  k8sGoMemlimit,
  k8sGoMemlimitOverLimit,
  k8sImagePullLatest,
  k8sProbeInitialDelay,
  k8sReadinessProbeMissing,
  k8sResourcesMissing,
  k8sSpotGracePeriod,
  layerDeleteLater,
  runtimeUserRoot,
  scratchCaCertificates,
  upxStartup,
  windowsNanoserverPowershell,
  windowsServercoreRuntime,
  windowsVersionMixed,
];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
