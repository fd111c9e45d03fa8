// The invariants every document must satisfy, whatever its text: checked on
// generated inputs (property tests, `npm run fuzz`) and on every saved failing
// input under fuzz/failures/. Returns the violations as strings (empty = ok),
// so the same code serves vitest and the long-running fuzzer.
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { nodeHeredocs } from '../../server/src/engine/dockerfile/model';
import { buildManifestModel } from '../../server/src/engine/k8s/model';
import { compatiblePreferredEdits, lint, type LintOptions } from '../../server/src/engine/lint';
import { applyEdits } from '../../server/src/engine/text';
import type { Finding, Position, Range, TextEdit } from '../../server/src/engine/types';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import type { FuzzDoc } from './generators';

export interface Violation {
  /** Short, stable name of the broken invariant (used to group failures). */
  invariant: string;
  /** Rule concerned, when one is. */
  rule?: string;
  detail: string;
}

/** Line starts computed independently of the engine's LineIndex (\n, \r\n and lone \r end a line). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) { starts.push(i + 2); i++; }
    else if (c === 10 || c === 13) starts.push(i + 1);
  }
  return starts;
}

function lineLength(text: string, starts: number[], line: number): number {
  let end = line + 1 < starts.length ? starts[line + 1] : text.length;
  if (end > starts[line] && text.charCodeAt(end - 1) === 10) end--;
  if (end > starts[line] && text.charCodeAt(end - 1) === 13) end--;
  return end - starts[line];
}

/** The offset of a position, or a reason it does not lie inside the text. */
function offsetOf(text: string, starts: number[], p: Position): number | string {
  if (!Number.isInteger(p.line) || !Number.isInteger(p.character)) return `non-integer position ${JSON.stringify(p)}`;
  if (p.line < 0 || p.line >= starts.length) return `line ${p.line} outside 0..${starts.length - 1}`;
  const len = lineLength(text, starts, p.line);
  if (p.character < 0 || p.character > len) return `character ${p.character} outside line ${p.line} (length ${len})`;
  const o = starts[p.line] + p.character;
  // a position between the two halves of a surrogate pair splits a character
  const hi = text.charCodeAt(o - 1), lo = text.charCodeAt(o);
  if (o > 0 && hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) return `position ${p.line}:${p.character} splits a surrogate pair`;
  return o;
}

function rangeOffsets(text: string, starts: number[], r: Range): [number, number] | string {
  const s = offsetOf(text, starts, r.start);
  if (typeof s === 'string') return s;
  const e = offsetOf(text, starts, r.end);
  if (typeof e === 'string') return e;
  if (e < s) return `range ends before it starts (${JSON.stringify(r)})`;
  return [s, e];
}

const KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

interface DockerfileShape { unknown: number; stages: number; heredocs: number; escape: string; instructions: number }
function dockerfileShape(text: string): DockerfileShape {
  const ast = DockerfileParser.parse(text);
  const ins = ast.getInstructions();
  return {
    unknown: ins.filter((i) => !KEYWORDS.has(i.getKeyword().toUpperCase())).length,
    stages: ins.filter((i) => i.getKeyword().toUpperCase() === 'FROM').length,
    heredocs: ins.reduce((n, i) => n + nodeHeredocs(i).length, 0),
    escape: ast.getEscapeCharacter(),
    instructions: ins.length,
  };
}

function yamlErrors(text: string): string[] {
  return parseAllDocuments(text, { uniqueKeys: false, strict: false, prettyErrors: false }).flatMap((d) => d.errors.map((e) => e.code)).sort();
}

const eolsOf = (text: string) => ({ crlf: (text.match(/\r\n/g) ?? []).length, lf: (text.match(/(?<!\r)\n/g) ?? []).length, cr: (text.match(/\r(?!\n)/g) ?? []).length });

export interface CheckResult {
  violations: Violation[];
  /** Findings of the first lint, and how many fix passes ran. */
  findings: number;
  passes: number;
}

/**
 * Lints `doc`, checks ranges, then applies preferred fixes pass after pass,
 * checking each pass: edits inside the text and not overlapping, the text
 * outside the edits kept byte for byte, line endings kept, the result still
 * parses, and the fixed findings gone on re-lint. Finally the fixed text must
 * be a fixed point (a further pass changes nothing).
 */
export function checkInvariants(doc: FuzzDoc, opts: Pick<LintOptions, 'config' | 'rules'> = {}): CheckResult {
  const violations: Violation[] = [];
  const ws = new MemoryWorkspace({ ...(doc.files ?? {}), [doc.path]: doc.text });
  const languageId = doc.kind;
  const lintText = (text: string): Finding[] | undefined => {
    const errors: { rule: string; e: unknown }[] = [];
    let findings: Finding[];
    try {
      findings = lint({ text, path: doc.path, languageId }, ws, { ...opts, onRuleError: (rule, e) => errors.push({ rule, e }) }).findings;
    } catch (e) {
      violations.push({ invariant: 'lint-throws', detail: (e as Error)?.stack ?? String(e) });
      return undefined;
    }
    for (const { rule, e } of errors) violations.push({ invariant: 'rule-throws', rule, detail: (e as Error)?.stack ?? String(e) });
    return findings;
  };

  const first = lintText(doc.text);
  if (!first) return { violations, findings: 0, passes: 0 };
  checkRanges(doc.text, first, violations);
  if (violations.length) return { violations, findings: first.length, passes: 0 };

  let text = doc.text;
  let findings = first;
  let passes = 0;
  const shapeBefore = doc.kind === 'dockerfile' ? dockerfileShape(doc.text) : undefined;
  const yamlBefore = doc.kind === 'yaml' ? yamlErrors(doc.text) : undefined;
  const workloadsBefore = doc.kind === 'yaml' ? buildManifestModel(doc.text, doc.path, ws).workloads.length : 0;
  const eolBefore = eolsOf(doc.text);
  for (; passes < 10; passes++) {
    const { edits, applied } = compatiblePreferredEdits(findings);
    if (!edits.length) break;
    const next = checkedApply(text, edits, applied, violations);
    if (next === undefined) break;
    if (next === text) {
      violations.push({ invariant: 'fix-no-op', rule: applied[0]?.rule, detail: `preferred fixes of ${applied.map((f) => f.rule).join(', ')} change nothing` });
      break;
    }
    // line endings: a document with one kind of line break keeps it
    const eolAfter = eolsOf(next);
    const kinds = (e: typeof eolBefore) => (e.crlf ? 1 : 0) + (e.lf ? 1 : 0) + (e.cr ? 1 : 0);
    if (kinds(eolBefore) === 1 && kinds(eolAfter) > 1) violations.push({ invariant: 'fix-mixes-eol', rule: applied.map((f) => f.rule).join(','), detail: `line endings before ${JSON.stringify(eolBefore)}, after ${JSON.stringify(eolAfter)}` });
    // still parses
    if (shapeBefore) {
      const after = dockerfileShape(next);
      const problems: string[] = [];
      if (after.unknown > shapeBefore.unknown) problems.push(`unknown instructions ${shapeBefore.unknown} -> ${after.unknown}`);
      if (after.stages < shapeBefore.stages) problems.push(`stages ${shapeBefore.stages} -> ${after.stages}`);
      if (after.heredocs < shapeBefore.heredocs) problems.push(`heredocs ${shapeBefore.heredocs} -> ${after.heredocs}`);
      if (after.escape !== shapeBefore.escape) problems.push(`escape ${shapeBefore.escape} -> ${after.escape}`);
      if (problems.length) violations.push({ invariant: 'fix-breaks-dockerfile', rule: applied.map((f) => f.rule).join(','), detail: problems.join('; ') });
    }
    if (yamlBefore) {
      const after = yamlErrors(next);
      const left = [...yamlBefore];
      const added = after.filter((c) => { const i = left.indexOf(c); if (i < 0) return true; left.splice(i, 1); return false; });
      if (added.length) violations.push({ invariant: 'fix-breaks-yaml', rule: applied.map((f) => f.rule).join(','), detail: `new YAML errors: ${added.join(', ')}` });
      const w = buildManifestModel(next, doc.path, new MemoryWorkspace({ ...(doc.files ?? {}), [doc.path]: next })).workloads.length;
      if (w !== workloadsBefore) violations.push({ invariant: 'fix-loses-workloads', rule: applied.map((f) => f.rule).join(','), detail: `workloads ${workloadsBefore} -> ${w}` });
    }
    const again = lintText(next);
    if (!again) break;
    checkRanges(next, again, violations);
    // the fixed findings are gone: no finding of the same rule and message where the fixed one was
    // (a finding whose fix solves part of it may stay for the rest, with a new message: the
    // fixed-point check below still catches a fix that keeps offering itself)
    const nextStarts = lineStarts(next);
    const oldStarts = lineStarts(text);
    const spans = editSpans(text, oldStarts, edits);
    for (const f of applied) {
      const o = offsetOf(text, oldStarts, f.range.start);
      if (typeof o === 'string' || !spans) continue;
      const candidates = mapOffset(o, spans);
      const stale = again.find((g) => g.rule === f.rule && g.message === f.message && candidates.includes(offsetOf(next, nextStarts, g.range.start) as number));
      if (stale) violations.push({ invariant: 'fix-does-not-fix', rule: f.rule, detail: `"${f.message}" at ${f.range.start.line + 1}:${f.range.start.character + 1} is reported again after its fix: "${stale.message}"` });
    }
    if (violations.length) break;
    text = next;
    findings = again;
  }
  if (!violations.length && passes >= 10) violations.push({ invariant: 'fix-does-not-converge', detail: 'preferred fixes still change the text after 10 passes' });
  return { violations, findings: first.length, passes };
}

function checkRanges(text: string, findings: Finding[], violations: Violation[]): void {
  const starts = lineStarts(text);
  for (const f of findings) {
    const r = rangeOffsets(text, starts, f.range);
    if (typeof r === 'string') violations.push({ invariant: 'range-outside', rule: f.rule, detail: `finding "${f.message}": ${r}` });
    for (const fix of f.fixes) {
      for (const e of fix.edits) {
        const er = rangeOffsets(text, starts, e.range);
        if (typeof er === 'string') violations.push({ invariant: 'edit-outside', rule: f.rule, detail: `fix "${fix.title}": ${er}` });
      }
      if (fix.preferred && fix.fileEdits?.length) violations.push({ invariant: 'preferred-file-edit', rule: f.rule, detail: `fix "${fix.title}" edits other files but is preferred` });
    }
  }
}

interface Span { start: number; end: number; text: string }

function editSpans(text: string, starts: number[], edits: TextEdit[]): Span[] | undefined {
  const spans: Span[] = [];
  for (const e of edits) {
    const r = rangeOffsets(text, starts, e.range);
    if (typeof r === 'string') return undefined;
    spans.push({ start: r[0], end: r[1], text: e.newText });
  }
  return spans.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Where an offset of the old text can be in the new one (before or after an insertion at it). */
function mapOffset(o: number, spans: Span[]): number[] {
  let delta = 0;
  for (const s of spans) {
    if (s.end < o || (s.end === o && s.start < o)) { delta += s.text.length - (s.end - s.start); continue; }
    if (s.start <= o) return s.start === o && s.end === o ? [o + delta, o + delta + s.text.length] : [s.start + delta];
    break;
  }
  return [o + delta];
}

/** applyEdits, checked against an independent splice: edits inside the text, no overlap, and every byte outside the edits kept. */
function checkedApply(text: string, edits: TextEdit[], applied: Finding[], violations: Violation[]): string | undefined {
  const rules = applied.map((f) => f.rule).join(',');
  const starts = lineStarts(text);
  const spans = editSpans(text, starts, edits);
  if (!spans) {
    violations.push({ invariant: 'edit-outside', rule: rules, detail: 'a preferred edit lies outside the document' });
    return undefined;
  }
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) {
      violations.push({ invariant: 'edits-overlap', rule: rules, detail: `edits [${spans[i - 1].start},${spans[i - 1].end}) and [${spans[i].start},${spans[i].end}) overlap` });
      return undefined;
    }
  }
  const out = applyEdits(text, edits);
  // byte for byte: before the first edit, between edits, after the last
  let pos = 0;
  let at = 0;
  for (const s of spans) {
    const keep = text.slice(pos, s.start);
    if (out.slice(at, at + keep.length) !== keep) {
      violations.push({ invariant: 'text-changed-outside-edits', rule: rules, detail: `text before offset ${s.start} differs` });
      return undefined;
    }
    at += keep.length;
    if (out.slice(at, at + s.text.length) !== s.text) {
      violations.push({ invariant: 'text-changed-outside-edits', rule: rules, detail: `edit at ${s.start} not applied as written` });
      return undefined;
    }
    at += s.text.length;
    pos = s.end;
  }
  if (out.slice(at) !== text.slice(pos)) {
    violations.push({ invariant: 'text-changed-outside-edits', rule: rules, detail: `text after the last edit differs` });
    return undefined;
  }
  return out;
}

/** One line per violation, for messages. */
export function describeViolations(v: Violation[]): string {
  return v.map((x) => `${x.invariant}${x.rule ? ` [${x.rule}]` : ''}: ${x.detail.split('\n').slice(0, 6).join('\n    ')}`).join('\n');
}
