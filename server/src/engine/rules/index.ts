import type { Rule } from '../rule';
import { apkNoCache } from './apk-no-cache';
import { k8sImagePullLatest } from './k8s-image-pull-latest';

/** Every rule, in the order their findings are reported for the same position. */
export const ALL_RULES: Rule[] = [apkNoCache, k8sImagePullLatest];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
