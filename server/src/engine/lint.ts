// The engine's entry point: text + path + workspace + config -> findings.
import * as path from 'node:path';
import { buildDockerfileModel, type DockerfileModel } from './dockerfile/model';
import type { DockerfileParseCache } from './dockerfile/incremental';
import { isMap } from 'yaml';
import { buildManifestModel, getScalar, scalarString, WORKLOAD_KINDS, type DocumentChunk, type ManifestModel, type ManifestParseCache, type Workload } from './k8s/model';
import type { Config } from './config';
import { contextFor, DEFAULT_CONFIG } from './config';
import { isSuppressed, parsePragmas } from './pragmas';
import type { Rule, RuleFinding } from './rule';
import { ALL_RULES } from './rules';
import { applyEdits, comparePositions } from './text';
import type { DocumentKind, Finding, Range, TextEdit, Workspace } from './types';
import { LintWorkspace } from './workspace';

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
  /**
   * The previous parse of this manifest (the language server keeps one per open
   * document): only the YAML documents whose text changed are parsed again.
   */
  manifestCache?: ManifestParseCache;
  /** The previous parse of this Dockerfile (kept per open document): a keystroke in one instruction parses that one again. */
  dockerfileCache?: DockerfileParseCache;
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
  const cache = opts.manifestCache;
  const manifest = buildManifestModel(input.text, input.path, cache ? cache.workspace(workspace) : workspace, cache);
  if (cache) cache.relintedChunks = cache.reusedChunks = undefined;
  if (manifest.helm || !manifest.workloads.length) return { kind: 'yaml', findings: [], manifest };
  const pragmas = parsePragmas(input.text);
  manifest.pragmas = pragmas;
  const chunks = cache?.chunkList;
  const findings =
    (cache && chunks && lintChunks(cache, chunks, manifest, input.text, rules, config, opts)) || lintWorkloads(manifest, manifest.workloads, rules, config, opts);
  return { kind: 'yaml', findings, manifest };
}

/** Findings of some of a manifest's workloads (all, or one document's), pragmas applied. */
function lintWorkloads(manifest: ManifestModel, workloads: Workload[], rules: Rule[], config: Config, opts: LintOptions): Finding[] {
  const pragmas = manifest.pragmas!;
  const model = workloads === manifest.workloads ? manifest : { ...manifest, workloads };
  // a pragma before a container or key covers everything inside it
  const extents: [number, number][] = [];
  const lineOf = (o: number) => manifest.index.positionAt(o).line;
  for (const w of workloads) {
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
  // only extents that start on a line with a pragma can suppress (most files have none): for each, the
  // lines it covers below its first one point back to it. Extents nest (workload > container > key or
  // env item) and the pragma lines of one start are merged: a few entries per line, where looking
  // through every extent for every finding was quadratic (100,000 pragmas)
  const furthest = new Map<number, number>();
  for (const [s, e] of extents) if (pragmas.lines.has(s) && e > (furthest.get(s) ?? s)) furthest.set(s, e);
  const coveredBy = new Map<number, number[]>();
  for (const [s, e] of furthest) {
    for (let l = s + 1; l <= e; l++) {
      const list = coveredBy.get(l);
      if (list) list.push(s);
      else coveredBy.set(l, [s]);
    }
  }
  const suppressedAt = (rule: Rule, line: number) => {
    if (isSuppressed(pragmas, rule.id, rule.hadolint, line)) return true;
    for (const s of coveredBy.get(line) ?? []) if (isSuppressed(pragmas, rule.id, rule.hadolint, s)) return true;
    return false;
  };
  return runRules(
    rules,
    config,
    opts,
    (rule) => rule.checkManifest?.({ model, config }),
    (rule, f) => suppressedAt(rule, f.range.start.line),
  );
}

/**
 * The findings of a manifest document by document, reusing those of the
 * documents whose text did not change since the last lint with the same cache
 * (a keystroke re-runs the rules on one document of a hundred). A document's
 * findings depend on its own text and, outside it, only on: the configuration
 * and rules, the path, the file's line breaks and indentation style, the
 * workspace files the rules read (the cache's workspace view drops every memo
 * when one changes), file-wide pragmas, a pragma on the line of its `---`
 * (one above it applies to that line), and the documents that are not a
 * workload (ConfigMaps, Secrets, LimitRanges, Services and Lists the rules
 * look up): all of these make the key of its memo. Rules look across
 * documents only at such objects, never at other workloads.
 * Undefined (lint the whole model instead) when a rule throws, or when
 * documents beyond the model's limit exist.
 */
function lintChunks(
  cache: ManifestParseCache,
  chunks: DocumentChunk[],
  manifest: ManifestModel,
  text: string,
  rules: Rule[],
  config: Config,
  opts: LintOptions,
): Finding[] | undefined {
  const chunkOf = new Map<unknown, number>();
  let docs = 0;
  chunks.forEach((c, i) => {
    for (const d of c.docs) chunkOf.set(d, i);
    docs += c.docs.length;
  });
  if (docs !== manifest.docs.length) return undefined;
  const byChunk: Workload[][] = chunks.map(() => []);
  for (const w of manifest.workloads) byChunk[chunkOf.get(w.doc)!].push(w);
  const chunkText = (i: number) => text.slice(chunks[i].base, i + 1 < chunks.length ? chunks[i + 1].base : text.length);
  const others: string[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const [doc, more] = chunks[i].docs;
    // a document with errors is no object at all; one of a workload kind is seen by no other workload's rules
    // (even half-typed, before it has a pod spec)
    const single = !doc || (!more && (doc.errors.length > 0 || !isMap(doc.contents) || WORKLOAD_KINDS.has(scalarString(getScalar(doc, doc.contents, 'kind')) ?? '')));
    if (!single) others.push(chunkText(i));
  }
  const pragmas = manifest.pragmas!;
  const shared = JSON.stringify([config, rules.map((r) => r.id), manifest.path, manifest.eol, manifest.indentUnit, manifest.seqIndent, [...pragmas.file].sort(), others]);
  let failed = false;
  const local: LintOptions = { ...opts, onRuleError: () => (failed = true) };
  const out: Finding[] = [];
  let relinted = 0;
  let reused = 0;
  for (let i = 0; i < chunks.length; i++) {
    if (!byChunk[i].length) continue;
    const c = chunks[i];
    const line = manifest.index.positionAt(c.base).line;
    const key = shared + '\0' + [...(pragmas.lines.get(line) ?? [])].sort().join(',');
    let memo = c.memo;
    if (memo?.key === key) {
      reused++;
      if (memo.line !== line) memo = c.memo = { key, line, findings: shiftFindings(memo.findings, line - memo.line) };
    } else {
      relinted++;
      const found = lintWorkloads(manifest, byChunk[i], rules, config, local);
      if (failed) return undefined; // the whole-model run reports it (and drops that rule's findings everywhere)
      memo = { key, line, findings: found };
      // edits of other files are not positions in this text: not shifted, not kept
      c.memo = found.some((f) => f.fixes.some((x) => x.fileEdits?.length)) ? undefined : memo;
    }
    for (const f of memo.findings) out.push(f);
  }
  cache.relintedChunks = relinted;
  cache.reusedChunks = reused;
  return out;
}

/** Findings moved down `lines` lines (a chunk's, when the text above it gained or lost lines). */
function shiftFindings(findings: Finding[], lines: number): Finding[] {
  const move = (r: Range): Range => ({ start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } });
  return findings.map((f) => ({
    ...f,
    range: move(f.range),
    fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, range: move(e.range) })) })),
  }));
}

export function lintDockerfile(input: LintInput, workspace: Workspace, opts: LintOptions = {}): LintResult {
  const config = opts.config ?? DEFAULT_CONFIG;
  const rules = opts.rules ?? ALL_RULES;
  const text = input.text;
  // rules ask for the same files again and again: each read or stat once per lint
  const model = buildDockerfileModel(text, input.path, LintWorkspace.of(workspace), { contextDir: contextFor(config, input.path), parseCache: opts.dockerfileCache });
  const pragmas = parsePragmas(text);
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
