// The engine's entry point: text + path + workspace + config -> findings.
import * as path from 'node:path';
import { buildDockerfileModel, type DockerfileModel } from './dockerfile/model';
import { buildManifestModel, type ManifestModel } from './k8s/model';
import type { Config } from './config';
import { contextFor, DEFAULT_CONFIG } from './config';
import { isSuppressed, parsePragmas } from './pragmas';
import type { Rule, RuleFinding } from './rule';
import { ALL_RULES } from './rules';
import { applyEdits, comparePositions } from './text';
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

/** Whether a text is above the size limit (in UTF-8 bytes; 0 or a negative limit: never). */
export function exceedsSizeLimit(text: string, maxFileSize = DEFAULT_MAX_FILE_SIZE): boolean {
  if (!(maxFileSize > 0) || text.length * 3 <= maxFileSize) return false;
  return text.length > maxFileSize || Buffer.byteLength(text, 'utf8') > maxFileSize;
}

/**
 * The one finding for a document above the size limit, or undefined when it
 * is within it, or when it is YAML that shows no workload kind (big OpenAPI
 * or CI files are not ours to comment on: skipped silently).
 */
export function sizeLimitFinding(text: string, kind: DocumentKind, maxFileSize = DEFAULT_MAX_FILE_SIZE): Finding | undefined {
  if (!exceedsSizeLimit(text, maxFileSize)) return undefined;
  if (kind === 'yaml' && !WORKLOAD_HINT.test(text)) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
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
  if (kind && exceedsSizeLimit(input.text, opts.maxFileSize)) {
    const finding = sizeLimitFinding(input.text, kind, opts.maxFileSize);
    return { kind, findings: finding ? [finding] : [] };
  }
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
  // only extents that start on a line with a pragma can suppress (most files have none: no scan per finding)
  const pragmaExtents = extents.filter(([s]) => pragmas.lines.has(s));
  const suppressedAt = (rule: Rule, line: number) => {
    if (isSuppressed(pragmas, rule.id, rule.hadolint, line)) return true;
    for (const [s, e] of pragmaExtents) if (s <= line && line <= e && s !== line && isSuppressed(pragmas, rule.id, rule.hadolint, s)) return true;
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
  // (binary search over the instructions, in document order: 100,000 findings stay linear)
  const statementLine = (line: number): number | undefined => {
    const list = model.instructions;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid].range.start.line <= line) lo = mid;
      else hi = mid - 1;
    }
    const ins = list[lo];
    return ins && ins.range.start.line <= line && line <= ins.range.end.line ? ins.range.start.line : undefined;
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
  // the accepted edits as sorted, disjoint spans (touching ones merged): one binary search per
  // edit instead of comparing with every accepted edit (100,000 fixes were quadratic)
  const starts: number[] = [];
  const ends: number[] = [];
  const key = (p: { line: number; character: number }) => p.line * 1e9 + p.character;
  const lastAtOrBefore = (k: number) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  };
  // same rule as editsOverlap: spans that touch (or insertions at the same point) overlap
  const overlaps = (s: number, e: number) => {
    const i = lastAtOrBefore(e);
    return i >= 0 && ends[i] >= s;
  };
  const add = (s: number, e: number) => {
    let i = lastAtOrBefore(e);
    while (i >= 0 && ends[i] >= s) {
      s = Math.min(s, starts[i]);
      e = Math.max(e, ends[i]);
      starts.splice(i, 1);
      ends.splice(i, 1);
      i--;
    }
    starts.splice(i + 1, 0, s);
    ends.splice(i + 1, 0, e);
  };
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.preferred);
    if (!fix) continue;
    if (fix.edits.some((x) => overlaps(key(x.range.start), key(x.range.end)))) continue;
    for (const x of fix.edits) add(key(x.range.start), key(x.range.end));
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
    for (const f of applied) fixed.push(f); // (no spread: 100,000+ arguments overflow the stack)
    text = next;
  }
  return { text, fixed, passes };
}
