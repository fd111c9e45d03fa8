// The engine's entry point: text + path + workspace + config -> findings.
import * as path from 'node:path';
import { buildDockerfileModel, type DockerfileModel } from './dockerfile/model';
import { buildManifestModel, type ManifestModel } from './k8s/model';
import type { Config } from './config';
import { contextFor, DEFAULT_CONFIG } from './config';
import { isSuppressed, parsePragmas } from './pragmas';
import type { Rule, RuleFinding } from './rule';
import { ALL_RULES } from './rules';
import { applyEdits, comparePositions, editsOverlap } from './text';
import type { DocumentKind, Finding, TextEdit, Workspace } from './types';

export interface LintInput {
  text: string;
  /** Absolute or relative file path (the workspace is read around it). */
  path: string;
  /** Editor language id when known ('dockerfile', 'yaml'). */
  languageId?: string;
}

export interface LintOptions {
  config?: Config;
  rules?: Rule[];
  /** Called when a rule throws; the other rules still run. */
  onRuleError?: (rule: string, error: unknown) => void;
  /**
   * Files larger than this many bytes (UTF-8) are not linted: one info finding
   * of rule `container-tuner` says so (`containerTuner.maxFileSize`, CLI
   * `--max-file-size`). Default DEFAULT_MAX_FILE_SIZE; 0 means no limit.
   */
  maxFileSize?: number;
}

/** 2 MB: ten times the largest hand-written Dockerfile or manifest seen in the wild. */
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024;
/** The rule id of findings about the file itself rather than its content (e.g. too large to lint). */
export const ENGINE_RULE_ID = 'container-tuner';

const WORKLOAD_HINT = /^[ \t-]*kind:[ \t]*["']?(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Job|CronJob|List)\b/m;

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`;
}

/**
 * The one finding for a document above the size limit, or undefined when it
 * is within it. YAML that shows no workload kind stays silent (big OpenAPI or
 * CI files are not ours to comment on).
 */
export function sizeLimitFinding(text: string, kind: DocumentKind, maxFileSize = DEFAULT_MAX_FILE_SIZE): Finding | undefined {
  if (!(maxFileSize > 0) || text.length * 3 <= maxFileSize) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxFileSize) return undefined;
  if (kind === 'yaml' && !WORKLOAD_HINT.test(text)) return undefined;
  return {
    rule: ENGINE_RULE_ID,
    severity: 'info',
    message: `Not linted: this file is ${formatBytes(bytes)}, above the ${formatBytes(maxFileSize)} limit (setting \`containerTuner.maxFileSize\`, CLI \`--max-file-size\`; 0 lifts the limit).`,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    fixes: [],
  };
}

export interface LintResult {
  kind: DocumentKind | undefined;
  findings: Finding[];
  model?: DockerfileModel;
  manifest?: ManifestModel;
}

const DOCKERFILE_NAME = /^(dockerfile|containerfile)$|\.(dockerfile|containerfile)$|^(dockerfile|containerfile)[.-]/i;

/** Which kind of document a path (and optional language id) is, or undefined for files we do not lint. */
export function documentKind(filePath: string, languageId?: string): DocumentKind | undefined {
  if (languageId === 'dockerfile') return 'dockerfile';
  if (languageId === 'yaml') return 'yaml';
  const base = path.basename(filePath);
  if (DOCKERFILE_NAME.test(base)) return 'dockerfile';
  if (/\.ya?ml$/i.test(base)) return 'yaml';
  return undefined;
}

export function lint(input: LintInput, workspace: Workspace, opts: LintOptions = {}): LintResult {
  const kind = documentKind(input.path, input.languageId);
  const tooLarge = kind && sizeLimitFinding(input.text, kind, opts.maxFileSize);
  if (tooLarge) return { kind, findings: [tooLarge] };
  if (kind === 'dockerfile') return lintDockerfile(input, workspace, opts);
  if (kind === 'yaml') return lintManifest(input, workspace, opts);
  return { kind, findings: [] };
}

/** Runs enabled rules, applies severities from configuration and drops suppressed findings. */
function runRules(
  rules: Rule[],
  config: Config,
  opts: LintOptions,
  check: (rule: Rule) => RuleFinding[] | undefined,
  suppressed: (rule: Rule, f: RuleFinding) => boolean,
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.id];
    if (setting === 'off') continue;
    let found: RuleFinding[] | undefined;
    try {
      found = check(rule);
    } catch (e) {
      opts.onRuleError?.(rule.id, e);
      continue;
    }
    for (const f of found ?? []) {
      if (suppressed(rule, f)) continue;
      findings.push({ rule: rule.id, severity: setting ?? f.severity ?? rule.defaultSeverity, message: f.message, range: f.range, fixes: f.fixes ?? [] });
    }
  }
  findings.sort((a, b) => comparePositions(a.range.start, b.range.start) || a.rule.localeCompare(b.rule));
  return findings;
}

export function lintManifest(input: LintInput, workspace: Workspace, opts: LintOptions = {}): LintResult {
  const config = opts.config ?? DEFAULT_CONFIG;
  const rules = opts.rules ?? ALL_RULES;
  const manifest = buildManifestModel(input.text, input.path, workspace);
  if (manifest.helm || !manifest.workloads.length) return { kind: 'yaml', findings: [], manifest };
  const pragmas = parsePragmas(input.text.split(/\r\n|\n|\r/));
  // a pragma before a container or key covers everything inside it
  const extents: [number, number][] = [];
  const lineOf = (o: number) => manifest.index.positionAt(o).line;
  for (const w of manifest.workloads) {
    extents.push([lineOf(w.root.range![0]), lineOf(w.root.range![1])]);
    for (const c of w.containers) {
      extents.push([lineOf(c.node.range![0]), lineOf(Math.max(c.node.range![0], c.node.range![1] - 1))]);
      // env items too: a pragma above `- name: GOGC` covers its value line
      for (const e of c.env) extents.push([lineOf(e.item.range![0]), lineOf(Math.max(e.item.range![0], e.item.range![1] - 1))]);
      for (const p of c.node.items) {
        const k = p.key as { range?: [number, number, number] } | null;
        const v = p.value as { range?: [number, number, number] } | null;
        if (k?.range) extents.push([lineOf(k.range[0]), lineOf(Math.max(k.range[0], (v?.range ?? k.range)[1] - 1))]);
      }
    }
  }
  const suppressedAt = (rule: Rule, line: number) => {
    if (isSuppressed(pragmas, rule.id, rule.hadolint, line)) return true;
    for (const [s, e] of extents) if (s <= line && line <= e && s !== line && isSuppressed(pragmas, rule.id, rule.hadolint, s)) return true;
    return false;
  };
  const findings = runRules(
    rules,
    config,
    opts,
    (rule) => rule.checkManifest?.({ model: manifest, config }),
    (rule, f) => suppressedAt(rule, f.range.start.line),
  );
  return { kind: 'yaml', findings, manifest };
}

export function lintDockerfile(input: LintInput, workspace: Workspace, opts: LintOptions = {}): LintResult {
  const config = opts.config ?? DEFAULT_CONFIG;
  const rules = opts.rules ?? ALL_RULES;
  const text = input.text;
  const model = buildDockerfileModel(text, input.path, workspace, { contextDir: contextFor(config, input.path) });
  const lines = text.split(/\r\n|\n|\r/);
  const pragmas = parsePragmas(lines);
  // statement start line for any line inside an instruction
  const statementLine = (line: number): number | undefined => {
    for (const ins of model.instructions) if (ins.range.start.line <= line && line <= ins.range.end.line) return ins.range.start.line;
    return undefined;
  };
  const findings = runRules(
    rules,
    config,
    opts,
    (rule) => rule.checkDockerfile?.({ model, config }),
    (rule, f) => isSuppressed(pragmas, rule.id, rule.hadolint, statementLine(f.range.start.line)),
  );
  return { kind: 'dockerfile', findings, model };
}

/** The preferred fixes of `findings` that can be applied together (no overlapping edits), in order. */
export function compatiblePreferredEdits(findings: Finding[]): { edits: TextEdit[]; applied: Finding[] } {
  const edits: TextEdit[] = [];
  const applied: Finding[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.preferred);
    if (!fix) continue;
    if (editsOverlap(edits, fix.edits)) continue;
    edits.push(...fix.edits);
    applied.push(f);
  }
  return { edits, applied };
}

export interface FixAllResult {
  text: string;
  /** Findings fixed, across passes. */
  fixed: Finding[];
  passes: number;
}

/**
 * Applies every preferred fix, re-linting between passes so that fixes whose
 * edits overlapped get their turn; stops when nothing changes (at most 10 passes).
 */
export function fixAll(input: LintInput, workspace: Workspace, opts: LintOptions = {}): FixAllResult {
  let text = input.text;
  const fixed: Finding[] = [];
  let passes = 0;
  for (; passes < 10; passes++) {
    const { findings } = lint({ ...input, text }, workspace, opts);
    const { edits, applied } = compatiblePreferredEdits(findings);
    if (!edits.length) break;
    const next = applyEdits(text, edits);
    if (next === text) break;
    fixed.push(...applied);
    text = next;
  }
  return { text, fixed, passes };
}
