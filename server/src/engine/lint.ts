// The engine's entry point: text + path + workspace + config -> findings.
import * as path from 'node:path';
import { buildDockerfileModel, type DockerfileModel } from './dockerfile/model';
import type { Config } from './config';
import { DEFAULT_CONFIG } from './config';
import { isSuppressed, parsePragmas } from './pragmas';
import type { Rule } from './rule';
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
}

export interface LintResult {
  kind: DocumentKind | undefined;
  findings: Finding[];
  model?: DockerfileModel;
}

const DOCKERFILE_NAME = /^(dockerfile|containerfile)$|\.(dockerfile|containerfile)$|^(dockerfile|containerfile)[.-]/i;

/** Which kind of document a path (and optional language id) is, or undefined for files we do not lint. */
export function documentKind(filePath: string, languageId?: string): DocumentKind | undefined {
  if (languageId === 'dockerfile') return 'dockerfile';
  if (languageId === 'yaml') return 'yaml';
  const base = path.basename(filePath);
  if (DOCKERFILE_NAME.test(base)) return 'dockerfile';
  return undefined;
}

export function lint(input: LintInput, workspace: Workspace, opts: LintOptions = {}): LintResult {
  const kind = documentKind(input.path, input.languageId);
  if (kind !== 'dockerfile') return { kind, findings: [] };
  return lintDockerfile(input, workspace, opts);
}

export function lintDockerfile(input: LintInput, workspace: Workspace, opts: LintOptions = {}): LintResult {
  const config = opts.config ?? DEFAULT_CONFIG;
  const rules = opts.rules ?? ALL_RULES;
  const text = input.text;
  const model = buildDockerfileModel(text, input.path, workspace);
  const lines = text.split(/\r\n|\n|\r/);
  const pragmas = parsePragmas(lines);
  // statement start line for any line inside an instruction
  const statementLine = (line: number): number | undefined => {
    for (const ins of model.instructions) if (ins.range.start.line <= line && line <= ins.range.end.line) return ins.range.start.line;
    return undefined;
  };
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.id];
    if (setting === 'off' || !rule.checkDockerfile) continue;
    let found;
    try {
      found = rule.checkDockerfile({ model, config });
    } catch (e) {
      opts.onRuleError?.(rule.id, e);
      continue;
    }
    for (const f of found) {
      if (isSuppressed(pragmas, rule.id, rule.hadolint, statementLine(f.range.start.line))) continue;
      findings.push({
        rule: rule.id,
        severity: setting ?? f.severity ?? rule.defaultSeverity,
        message: f.message,
        range: f.range,
        fixes: f.fixes ?? [],
      });
    }
  }
  findings.sort((a, b) => comparePositions(a.range.start, b.range.start) || a.rule.localeCompare(b.rule));
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
