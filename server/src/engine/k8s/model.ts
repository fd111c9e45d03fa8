// The engine's view of a YAML file of Kubernetes manifests: every document,
// the workloads among them, their pod specs and containers, with the `yaml`
// package's nodes (exact offsets) kept for ranges and minimal edits.
import * as path from 'node:path';
import { Composer, isAlias, isMap, isScalar, isSeq, parseAllDocuments, Parser, YAMLParseError, type Document, type YAMLError, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { findGoMod, type GoMod } from '../go';
import { LineIndex, detectEol } from '../text';
import type { Pragmas } from '../pragmas';
import type { Finding, Workspace } from '../types';
import { parseQuantity } from './quantity';
import { KeyMemo } from '../memo';

export const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);
/** Kinds whose pods serve traffic for a long time (readiness matters). */
export const SERVING_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

export interface EnvVar {
  name: string;
  /** The `- name: ...` item. */
  item: YAMLMap;
  /** The `value:` scalar, when set literally. */
  value?: Scalar;
  /** The `valueFrom:` map, when set from elsewhere. */
  valueFrom?: YAMLMap;
}

export interface ResourceValue {
  node: Scalar;
  /** Value in cores or bytes; undefined when the quantity is invalid. */
  value: number | undefined;
  raw: string;
}

export interface Container {
  node: YAMLMap;
  init: boolean;
  name?: string;
  image?: Scalar;
  env: EnvVar[];
  envNode?: YAMLSeq;
  resourcesNode?: YAMLMap;
  requests: { cpu?: ResourceValue; memory?: ResourceValue };
  limits: { cpu?: ResourceValue; memory?: ResourceValue };
  requestsNode?: YAMLMap;
  limitsNode?: YAMLMap;
  /** The `containers`/`initContainers` sequence holding this container. */
  seq: YAMLSeq;
}

export interface Workload {
  kind: string;
  name?: string;
  doc: Document;
  /** The workload's top map (a `kind: List` item, or the document itself). */
  root: YAMLMap;
  podSpec: YAMLMap;
  containers: Container[];
}

export interface ManifestModel {
  text: string;
  path: string;
  index: LineIndex;
  eol: string;
  docs: Document[];
  workloads: Workload[];
  /** Helm template (not YAML yet): nothing is reported. */
  helm: boolean;
  goMod?: GoMod;
  /** Spaces per nesting level the file uses (2 by default). */
  indentUnit: number;
  /** Extra indentation of `- ` items under their key (0 for `key:\n- item`). */
  seqIndent: number;
  workspace: Workspace;
  /** The file's pragmas, once lint.ts has read them (rules read them again when linting a model of their own). */
  pragmas?: Pragmas;
}

/** A map's value for `key`, with aliases resolved (never expanded: alias bombs stay cheap). */
export function getNode(doc: Document, map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  for (const pair of map.items as Pair[]) {
    const k = pair.key;
    if ((isScalar(k) ? k.value : k) === key) {
      const v = pair.value as Node | null;
      if (v && isAlias(v)) {
        try {
          return v.resolve(doc) as Node | undefined;
        } catch {
          return undefined;
        }
      }
      return v ?? undefined;
    }
  }
  return undefined;
}

export function getPair(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return (map.items as Pair[]).find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
}

export function getMap(doc: Document, map: unknown, ...keys: string[]): YAMLMap | undefined {
  let cur: unknown = map;
  for (const k of keys) cur = getNode(doc, cur, k);
  return isMap(cur) ? (cur as YAMLMap) : undefined;
}

export function getScalar(doc: Document, map: unknown, key: string): Scalar | undefined {
  const n = getNode(doc, map, key);
  return isScalar(n) ? n : undefined;
}

export function scalarString(s: Scalar | undefined): string | undefined {
  if (!s || s.value === null || s.value === undefined) return undefined;
  return typeof s.value === 'object' ? undefined : String(s.value);
}

// a template action on one line, with no braces inside (`{{ .Values.x | nindent 4 }}`): a `{{` in a
// string and the `}}` closing flow maps further on are not Helm (a fix adding flow maps made a
// manifest look like a template); linear, where `\{\{[\s\S]*?\}\}` rescanned the file from every `{{`
const HELM = /\{\{[^{}\n]*\}\}/;

/** Whether the file is a Helm chart template (or has template syntax) and must not be linted as YAML. */
export function isHelmTemplate(text: string, filePath: string, ws: Workspace): boolean {
  if (HELM.test(text)) return true;
  const parts = path.resolve(filePath).split(path.sep);
  const t = parts.lastIndexOf('templates');
  if (t > 0) {
    const chartDir = parts.slice(0, t).join(path.sep) || path.sep;
    if (ws.exists(path.join(chartDir, 'Chart.yaml')) || ws.exists(path.join(chartDir, 'Chart.yml'))) return true;
  }
  return false;
}

/** Lines whose indentation is looked at (a generated file says what it says in its first lines). */
const INDENT_LINES = 5000;

/** What lines say about the indentation style: steps between a key and its first child, sequence styles. */
interface IndentVotes {
  steps: Map<number, number>;
  /** `key:` followed by `- item` at its column, and more indented. */
  flush: number;
  indented: number;
  /** Each vote: line, kind (0 step, 1 flush, 2 indented), step. */
  each: number[];
}

/**
 * The votes of `lines[i]` for i < min(limit, lines.length - 1): a line
 * `key:` (or `- key:`) and the first line below it that is not blank or a
 * comment; none past the last such line.
 */
function indentVotes(lines: string[], limit: number): IndentVotes {
  const v: IndentVotes = { steps: new Map(), flush: 0, indented: 0, each: [] };
  for (let i = 0; i + 1 < lines.length && i < limit; i++) {
    const m = /^( *)(- )?[^\s#-][^:#]*:\s*(#.*)?$/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j])) j++;
    if (j >= lines.length) break;
    const parent = m[1].length + (m[2] ? 2 : 0);
    const next = /^( *)(- )?/.exec(lines[j])!;
    const child = next[1].length;
    if (next[2]) {
      if (child === parent) {
        v.flush++;
        v.each.push(i, 1, 0);
      } else if (child > parent) {
        v.indented++;
        v.each.push(i, 2, 0);
      }
      continue;
    }
    if (child > parent) {
      v.steps.set(child - parent, (v.steps.get(child - parent) ?? 0) + 1);
      v.each.push(i, 0, child - parent);
    }
  }
  return v;
}

function indentationFrom(votes: IndentVotes): { unit: number; seqIndent: number } {
  let unit = 2;
  let best = 0;
  // the most frequent step (the smallest of equals): the same whatever the order
  for (const [d, c] of votes.steps) if (c > best || (c === best && d < unit)) { unit = d; best = c; }
  return { unit, seqIndent: votes.flush > votes.indented ? 0 : unit };
}

function detectIndentation(text: string): { unit: number; seqIndent: number } {
  return indentationFrom(indentVotes(text.split(/\r\n|\n|\r/), INDENT_LINES));
}

/**
 * detectIndentation from the votes of each document chunk, kept with it. A
 * `key:` line whose next statement is the `---` of the next chunk votes for
 * nothing (that line is at column 0 and no `- ` item), so a chunk's votes are
 * its own text's, read with a `---` line after it.
 */
function chunkedIndentation(chunks: DocumentChunk[], index: LineIndex): { unit: number; seqIndent: number } {
  const total: IndentVotes = { steps: new Map(), flush: 0, indented: 0, each: [] };
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k] as ParsedChunk;
    const first = index.positionAt(c.base).line;
    if (first >= INDENT_LINES) break;
    if (!c.indent) {
      const end = k + 1 < chunks.length ? chunks[k + 1].base : index.text.length;
      const lines = index.text.slice(c.base, end).split(/\r\n|\n|\r/);
      if (k + 1 < chunks.length) lines[lines.length - 1] = '---';
      c.indent = indentVotes(lines, Infinity);
    }
    const v = c.indent;
    const last = v.each.length ? v.each[v.each.length - 3] : -1;
    if (first + last < INDENT_LINES) {
      for (const [d, n] of v.steps) total.steps.set(d, (total.steps.get(d) ?? 0) + n);
      total.flush += v.flush;
      total.indented += v.indented;
      continue;
    }
    for (let i = 0; i < v.each.length && first + v.each[i] < INDENT_LINES; i += 3) {
      const [kind, d] = [v.each[i + 1], v.each[i + 2]];
      if (kind === 1) total.flush++;
      else if (kind === 2) total.indented++;
      else total.steps.set(d, (total.steps.get(d) ?? 0) + 1);
    }
  }
  return indentationFrom(total);
}

function resource(doc: Document, map: YAMLMap | undefined, key: string): ResourceValue | undefined {
  const s = getScalar(doc, map, key);
  if (!s || s.value === null) return undefined;
  const raw = String(s.value);
  return { node: s, value: parseQuantity(s.value), raw };
}

function readContainer(doc: Document, node: YAMLMap, init: boolean, seq: YAMLSeq): Container {
  const envNode = getNode(doc, node, 'env');
  const env: EnvVar[] = [];
  if (isSeq(envNode)) {
    for (const item of envNode.items) {
      if (!isMap(item)) continue;
      const name = scalarString(getScalar(doc, item, 'name'));
      if (!name) continue;
      const value = getScalar(doc, item, 'value');
      const valueFrom = getMap(doc, item, 'valueFrom');
      env.push({ name, item: item as YAMLMap, value, valueFrom });
    }
  }
  const resourcesNode = getMap(doc, node, 'resources');
  const requestsNode = getMap(doc, resourcesNode, 'requests');
  const limitsNode = getMap(doc, resourcesNode, 'limits');
  return {
    node,
    init,
    name: scalarString(getScalar(doc, node, 'name')),
    image: getScalar(doc, node, 'image'),
    env,
    envNode: isSeq(envNode) ? (envNode as YAMLSeq) : undefined,
    resourcesNode,
    requestsNode,
    limitsNode,
    requests: { cpu: resource(doc, requestsNode, 'cpu'), memory: resource(doc, requestsNode, 'memory') },
    limits: { cpu: resource(doc, limitsNode, 'cpu'), memory: resource(doc, limitsNode, 'memory') },
    seq,
  };
}

function readWorkload(doc: Document, root: YAMLMap): Workload | undefined {
  const kind = scalarString(getScalar(doc, root, 'kind'));
  const apiVersion = scalarString(getScalar(doc, root, 'apiVersion'));
  if (!kind || !apiVersion || !WORKLOAD_KINDS.has(kind)) return undefined;
  const podSpec =
    kind === 'Pod' ? getMap(doc, root, 'spec') : kind === 'CronJob' ? getMap(doc, root, 'spec', 'jobTemplate', 'spec', 'template', 'spec') : getMap(doc, root, 'spec', 'template', 'spec');
  if (!podSpec) return undefined;
  const containers: Container[] = [];
  for (const [key, init] of [['initContainers', true], ['containers', false]] as const) {
    const seq = getNode(doc, podSpec, key);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) if (isMap(item)) containers.push(readContainer(doc, item as YAMLMap, init, seq as YAMLSeq));
  }
  return { kind, name: scalarString(getScalar(doc, getMap(doc, root, 'metadata'), 'name')), doc, root, podSpec, containers };
}

/** The workloads of a document: itself, or the items of a `kind: List`. */
function readWorkloads(doc: Document): Workload[] {
  const out: Workload[] = [];
  const root = doc.contents;
  if (!isMap(root)) return out;
  const kind = scalarString(getScalar(doc, root, 'kind'));
  if (kind === 'List' || (kind && kind.endsWith('List') && getNode(doc, root, 'items'))) {
    const items = getNode(doc, root, 'items');
    if (isSeq(items)) for (const it of items.items) if (isMap(it)) { const w = readWorkload(doc, it as YAMLMap); if (w) out.push(w); }
    return out;
  }
  const w = readWorkload(doc, root as YAMLMap);
  if (w) out.push(w);
  return out;
}

const KIND_WORD = /Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Job/;

/**
 * Whether a text may hold a workload at all: a `kind` scalar equal to a
 * workload kind needs the kind's name in the text, unless it is spelled with
 * escapes (`"\x50od"`, a `\` line continuation in double quotes): no name and
 * no backslash, no workload. A big YAML file of something else (OpenAPI, CI)
 * is then not parsed at all (50 MB took minutes and gigabytes).
 */
function mayHoldWorkload(text: string): boolean {
  return KIND_WORD.test(text) || text.includes('\\');
}

/** Documents beyond this size are skipped (a generated dump is not hand-edited YAML). */
const MAX_DOCS = 5000;

const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false, strict: false } as const;

/** Every document of a stream as the `yaml` package composes them ([] when it throws). */
function parseStream(text: string): Document[] {
  try {
    const docs = parseAllDocuments(text, PARSE_OPTIONS) as Document[];
    return Array.isArray(docs) ? docs : [];
  } catch {
    return [];
  }
}

/**
 * Where the documents of a stream start: 0, then every line that starts with
 * `---` followed by a blank, a line break or the end. The `yaml` lexer ends
 * whatever it was reading at such a line (plain, quoted and block scalars,
 * flow collections) and starts a new document with fresh state, so the text
 * between two of these parses the same alone as in the stream, offsets aside.
 * Undefined when that does not hold: a `...` end marker or a line starting with
 * `%` (directives, whose state can carry over to the next documents), or a lone
 * CR (a line break for the line index, not for the lexer).
 */
export function documentStarts(text: string): number[] | undefined {
  const starts = [0];
  const blank = (i: number) => {
    const c = text.charCodeAt(i);
    return Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13;
  };
  // at a line start: 1 = `---` (a new document), -1 = something that forbids splitting, 0 = anything else
  const marker = (i: number) => {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */) return -1;
    if ((c === 45 /* - */ || c === 46) /* . */ && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c && blank(i + 3)) return c === 45 ? 1 : -1;
    return 0;
  };
  const first = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (marker(first) < 0) return undefined;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    const m = marker(i + 1);
    if (m < 0) return undefined;
    if (m > 0) starts.push(i + 1);
  }
  if (text.includes('\r')) {
    for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) return undefined;
  }
  return starts;
}

interface ParsedChunk {
  /** Offset of the chunk in the text its documents' ranges are relative to now. */
  base: number;
  docs: Document[];
  /** The range arrays of its documents and nodes (what moves with it). */
  ranges?: [number, number, number][];
  /** Each document's own errors (its `errors` may also hold the next chunk's `leading` ones). */
  own: YAMLError[][];
  /** Errors the stream gives to the document before this chunk's (see parseChunk). */
  leading: YAMLError[];
  /** Parsing it threw. */
  failed: boolean;
  /**
   * Its parse alone differs from its parse in the stream: a quoted scalar with
   * no closing quote in the chunk (the lexer looks for the quote in the whole
   * rest of the stream, and reads to its end when there is none).
   */
  unsplittable: boolean;
  /** The findings of its workloads, kept by lint.ts with what they depend on outside the chunk. */
  memo?: ChunkFindings;
  /** What its lines say about the file's indentation style (detectIndentation). */
  indent?: IndentVotes;
}

/** Findings of one chunk's workloads: valid while `key` (what they depend on outside the chunk) is the same. */
export interface ChunkFindings {
  key: string;
  /** Line the chunk started on when they were computed (their ranges are shifted by the difference). */
  line: number;
  findings: Finding[];
}

/** One document chunk of the last parse: where it starts, its documents, its findings slot. */
export interface DocumentChunk {
  readonly base: number;
  readonly docs: Document[];
  memo?: ChunkFindings;
}

/** A chunk that another one follows is parsed followed by this: how the lexer ends a document at the next `---`. */
const NEXT_DOC = '---\n';

/**
 * Per-document parse results of one file's previous version (the language
 * server keeps one per open document): when the text changes, only the
 * documents whose text changed are parsed again; the others are reused, their
 * offsets shifted. The result is the same as parsing the whole text (the
 * property test in test/engine/manifest-incremental.test.ts checks it).
 * The documents of a previous model are reused, and moved: a model built with
 * a cache is valid until the next one built with the same cache.
 */
export class ManifestParseCache {
  /** Chunk text (prefixed `L` for the last chunk of its stream, `N` for the others) -> its parses. */
  private chunks = new Map<string, ParsedChunk[]>();
  /** Chunks (documents) parsed by the last call; the others were reused. */
  parsedChunks = 0;
  /** Chunks whose rules lint.ts ran again on the last lint (undefined: it linted the whole model). */
  relintedChunks: number | undefined;
  /** Chunks whose findings it reused. */
  reusedChunks: number | undefined;
  /** The chunks of the last parse in order, or undefined when it had to parse the text whole. */
  chunkList: DocumentChunk[] | undefined;
  /** The workloads of a document (they hold its nodes, not offsets: valid however far it moves). */
  readonly workloads = new KeyMemo<Document, Workload[]>();
  /** Workspace answers the cached findings were computed with (see `workspace`). */
  private reads = new Map<string, string>();

  /**
   * The documents of `text`, as parseAllDocuments returns them ([] when it
   * throws), or their first `maxDocs` + 1 at least: the chunks after those
   * are not read (nor their parse errors, which cannot reach the first ones).
   */
  parse(text: string, maxDocs = Infinity): Document[] {
    const starts = documentStarts(text);
    this.parsedChunks = 0;
    this.chunkList = undefined;
    if (!starts) {
      this.chunks.clear();
      this.parsedChunks = 1;
      return parseStream(text);
    }
    const list: ParsedChunk[] = [];
    const next = new Map<string, ParsedChunk[]>();
    const docs: Document[] = [];
    let failed = false;
    let whole = false;
    for (let k = 0; k < starts.length; k++) {
      const base = starts[k];
      const last = k + 1 === starts.length;
      const chunkText = text.slice(base, last ? text.length : starts[k + 1]);
      const key = (last ? 'L' : 'N') + chunkText;
      let chunk = this.chunks.get(key)?.pop();
      if (chunk) {
        if (chunk.base !== base) shiftChunk(chunk, base - chunk.base);
        chunk.base = base;
      } else {
        this.parsedChunks++;
        chunk = parseChunk(chunkText, base, last, k === 0);
      }
      const same = next.get(key);
      if (same) same.push(chunk);
      else next.set(key, [chunk]);
      list.push(chunk);
      failed ||= chunk.failed;
      whole ||= chunk.unsplittable;
      chunk.docs.forEach((d, j) => (d.errors = chunk!.own[j]));
      if (chunk.leading.length) {
        const before = docs[docs.length - 1];
        if (before) before.errors = [...before.errors, ...chunk.leading];
        else chunk.docs[0].errors = [...chunk.leading, ...chunk.own[0]];
      }
      for (const d of chunk.docs) docs.push(d);
      if (docs.length > maxDocs) break;
    }
    // equal chunks are popped from the end: keep them in document order for the next call
    for (const same of next.values()) if (same.length > 1) same.reverse();
    this.chunks = next;
    if (whole) {
      // (the chunks stay cached: each is right on its own, only not their concatenation)
      this.parsedChunks = starts.length;
      return parseStream(text);
    }
    this.chunkList = list;
    return failed ? [] : docs;
  }

  /**
   * A view of `ws` for one lint that answers each question once and remembers
   * the answers, so that the next lint can tell whether anything the cached
   * findings were computed from changed on disk or in another editor buffer
   * (go.mod, kustomization.yaml, Chart.yaml): if so, every memo is dropped.
   */
  workspace(ws: Workspace): Workspace {
    const lint = new Map<string, string>();
    // the answers of the last lints, asked again (they are few: go.mod and the files around the manifest)
    for (const [key, was] of this.reads) {
      const now = ask(ws, key);
      lint.set(key, now);
      if (now !== was) {
        this.reads.clear();
        for (const same of this.chunks.values()) for (const c of same) c.memo = undefined;
        break;
      }
    }
    const answer = (key: string): string => {
      let v = lint.get(key);
      if (v === undefined) lint.set(key, (v = ask(ws, key)));
      this.reads.set(key, v);
      return v;
    };
    return {
      readFile: (p) => {
        const v = answer('r' + p);
        return v === '' ? undefined : v.slice(1);
      },
      exists: (p) => answer('e' + p) === '1',
      isDirectory: (p) => answer('d' + p) === '1',
      listDir: (p) => {
        const v = answer('l' + p);
        return v ? v.split('\0') : [];
      },
    };
  }
}

/** A workspace question (`r`ead, `e`xists, is `d`irectory, `l`ist + path) and its answer as a string. */
function ask(ws: Workspace, key: string): string {
  const p = key.slice(1);
  switch (key[0]) {
    case 'r': {
      const t = ws.readFile(p);
      return t === undefined ? '' : '=' + t;
    }
    case 'e':
      return ws.exists(p) ? '1' : '0';
    case 'd':
      return ws.isDirectory(p) ? '1' : '0';
    default:
      return ws.listDir(p).join('\0');
  }
}

/**
 * One chunk's documents, at its offset in the stream (`base`) and composed
 * the way the whole stream composes them. A chunk another one follows is parsed with a `---` line after
 * it (the lexer ends an unclosed flow collection there, with an error in that
 * document), and that line's empty document dropped. The parser reports some
 * errors (a token it cannot place) as stream tokens before the document they
 * occur in is complete: in a stream the composer files those under the document
 * before (if any), so they are kept apart here (`leading`).
 */
function parseChunk(chunkText: string, base: number, last: boolean, first: boolean): ParsedChunk {
  const docs: Document[] = [];
  const leading: YAMLParseError[] = [];
  let failed = false;
  let unsplittable = false;
  try {
    const composer = new Composer(PARSE_OPTIONS);
    const parser = new Parser();
    parser.offset = base; // the tokens' offsets, and so the nodes', are the stream's
    let composed = false;
    for (const token of parser.parse(last ? chunkText : chunkText + NEXT_DOC)) {
      if (token.type === 'document') composed = true;
      else if (token.type === 'error' && !composed && !first) {
        const source = token.source;
        const message = source ? `${token.message}: ${JSON.stringify(source)}` : token.message;
        leading.push(new YAMLParseError([token.offset, token.offset + (typeof source === 'string' ? source.length : 1)], 'UNEXPECTED_TOKEN', message));
        continue;
      }
      for (const d of composer.next(token)) docs.push(d as Document);
    }
    for (const d of composer.end()) docs.push(d as Document);
  } catch {
    failed = true;
  }
  unsplittable = docs.some((d) => d.errors.some((e) => e.code === 'MISSING_CHAR' && /quote/.test(e.message)));
  if (!last && !failed) {
    const end = docs.pop();
    // the `---` after it must be a document of its own, clean (else it took something of the chunk's)
    if (end?.range?.[0] !== base + chunkText.length || end.errors.length || end.warnings.length) unsplittable = true;
  }
  if (leading.length && !docs.length) unsplittable = true;
  return { base, docs, own: docs.map((d) => d.errors), leading, failed, unsplittable };
}

type Ranged = { range?: [number, number, number] | null; items?: unknown[]; key?: unknown; value?: unknown };

/** Every range array of a chunk's documents and their nodes (each belongs to one node: moved in place). */
function rangesOf(docs: Document[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const doc of docs) {
    if (doc.range) out.push(doc.range as [number, number, number]);
    // iterative: 10,000-deep nesting must not overflow the stack
    const stack: unknown[] = [doc.contents];
    while (stack.length) {
      const n = stack.pop() as Ranged | null;
      if (!n || typeof n !== 'object') continue;
      if (n.range) out.push(n.range);
      if (n.items) for (const it of n.items) stack.push(it);
      else if ('key' in n) stack.push(n.key, n.value); // a Pair (no range of its own)
    }
  }
  return out;
}

/** Moves every offset of a chunk's documents by `delta`: nodes, documents, errors and warnings. */
function shiftChunk(chunk: ParsedChunk, delta: number): void {
  chunk.ranges ??= rangesOf(chunk.docs);
  for (const r of chunk.ranges) {
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
  for (const e of chunk.leading) e.pos = [e.pos[0] + delta, e.pos[1] + delta];
  chunk.docs.forEach((doc, j) => {
    for (const e of chunk.own[j]) e.pos = [e.pos[0] + delta, e.pos[1] + delta];
    for (const e of doc.warnings) e.pos = [e.pos[0] + delta, e.pos[1] + delta];
  });
}

export function buildManifestModel(text: string, filePath: string, workspace: Workspace, cache?: ManifestParseCache): ManifestModel {
  const model: ManifestModel = {
    text,
    path: filePath,
    index: new LineIndex(text),
    eol: detectEol(text),
    docs: [],
    workloads: [],
    helm: isHelmTemplate(text, filePath, workspace),
    indentUnit: 2,
    seqIndent: 2,
    workspace,
  };
  // (without a cache, a throwaway one: the document chunks after the first MAX_DOCS are not parsed)
  if (model.helm || !mayHoldWorkload(text)) return model;
  const docs = (cache ?? new ManifestParseCache()).parse(text, MAX_DOCS);
  model.docs = docs.length > MAX_DOCS ? docs.slice(0, MAX_DOCS) : docs;
  for (const doc of model.docs) {
    if (doc.errors.length) continue; // half-typed or not YAML: say nothing (the YAML extension reports syntax)
    let found = cache?.workloads.get(doc);
    if (!found) {
      found = readWorkloads(doc);
      cache?.workloads.set(doc, found);
    }
    for (const w of found) model.workloads.push(w);
  }
  if (!model.workloads.length) return model; // nothing to fix: the indentation style does not matter
  const { unit, seqIndent } = cache?.chunkList ? chunkedIndentation(cache.chunkList, model.index) : detectIndentation(text);
  model.indentUnit = unit;
  model.seqIndent = seqIndent;
  model.goMod = findGoMod(workspace, path.dirname(path.resolve(filePath)));
  return model;
}

/** Offsets [start, end) of a node's own text (without trailing comments/newlines). */
export function nodeSpan(node: Node): [number, number] {
  const r = node.range!;
  return [r[0], r[1]];
}
