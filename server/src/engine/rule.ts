// The shape of a rule: one file each under rules/, registered in rules/index.ts.
import type { DockerfileModel } from './dockerfile/model';
import type { ManifestModel } from './k8s/model';
import type { Config } from './config';
import type { Fix, Range, Severity, TextEdit } from './types';
import { DOCS_BASE } from './types';

export interface RuleFinding {
  message: string;
  range: Range;
  /** Overrides the rule's default severity for this finding (config still wins). */
  severity?: Severity;
  fixes?: Fix[];
}

export interface DockerfileContext {
  model: DockerfileModel;
  config: Config;
}

export interface ManifestContext {
  model: ManifestModel;
  config: Config;
}

export interface Rule {
  id: string;
  defaultSeverity: Severity;
  /** One line: what the rule catches. Shown on hover and in SARIF. */
  summary: string;
  /** hadolint codes whose `# hadolint ignore=` pragmas also silence this rule. */
  hadolint?: string[];
  checkDockerfile?(ctx: DockerfileContext): RuleFinding[];
  /** Kubernetes manifests (YAML); called only for files with at least one workload. */
  checkManifest?(ctx: ManifestContext): RuleFinding[];
}

export function docsUrl(id: string): string {
  // findings about the file itself (rule `container-tuner`, e.g. above the size limit)
  if (id === 'container-tuner') return DOCS_BASE.replace(/rules\/$/, 'robustness.md#file-size-limit');
  return `${DOCS_BASE}${id}.md`;
}

/** A text edit between two offsets of a model's text. */
export function editAt(model: { index: { range(s: number, e: number): Range } }, start: number, end: number, newText: string): TextEdit {
  return { range: model.index.range(start, end), newText };
}

/** Range between two document offsets. */
export function rangeOf(model: { index: { range(s: number, e: number): Range } }, start: number, end: number): Range {
  return model.index.range(start, end);
}
