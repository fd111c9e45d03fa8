import type { Rule } from '../rule';
import { apkNoCache } from './apk-no-cache';

/** Every rule, in the order their findings are reported for the same position. */
export const ALL_RULES: Rule[] = [apkNoCache];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
