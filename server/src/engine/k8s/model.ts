// The engine's view of a YAML file of Kubernetes manifests: every document,
// the workloads among them, their pod specs and containers, with the `yaml`
// package's nodes (exact offsets) kept for ranges and minimal edits.
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { findGoMod, type GoMod } from '../go';
import { LineIndex, detectEol } from '../text';
import type { Workspace } from '../types';
import { parseQuantity } from './quantity';

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

function detectIndentation(text: string): { unit: number; seqIndent: number } {
  const lines = text.split(/\r\n|\n|\r/);
  const counts = new Map<number, number>();
  let seqIndented = 0;
  let seqFlush = 0;
  for (let i = 0; i + 1 < lines.length && i < 5000; i++) {
    const m = /^( *)(- )?[^\s#-][^:#]*:\s*(#.*)?$/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j])) j++;
    if (j >= lines.length) break;
    const parent = m[1].length + (m[2] ? 2 : 0);
    const next = /^( *)(- )?/.exec(lines[j])!;
    const child = next[1].length;
    if (next[2]) {
      if (child === parent) seqFlush++;
      else if (child > parent) seqIndented++;
      continue;
    }
    if (child > parent) counts.set(child - parent, (counts.get(child - parent) ?? 0) + 1);
  }
  let unit = 2;
  let best = 0;
  for (const [d, c] of counts) if (c > best || (c === best && d < unit)) { unit = d; best = c; }
  return { unit, seqIndent: seqFlush > seqIndented ? 0 : unit };
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

/** Documents beyond this size are skipped (a generated dump is not hand-edited YAML). */
const MAX_DOCS = 5000;

export function buildManifestModel(text: string, filePath: string, workspace: Workspace): ManifestModel {
  const { unit, seqIndent } = detectIndentation(text);
  const model: ManifestModel = {
    text,
    path: filePath,
    index: new LineIndex(text),
    eol: detectEol(text),
    docs: [],
    workloads: [],
    helm: isHelmTemplate(text, filePath, workspace),
    indentUnit: unit,
    seqIndent,
    workspace,
  };
  if (model.helm) return model;
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: false }) as Document[];
    if (!Array.isArray(docs)) docs = [];
  } catch {
    docs = [];
  }
  model.docs = docs.slice(0, MAX_DOCS);
  for (const doc of model.docs) {
    if (doc.errors.length) continue; // half-typed or not YAML: say nothing (the YAML extension reports syntax)
    const root = doc.contents;
    if (!isMap(root)) continue;
    const kind = scalarString(getScalar(doc, root, 'kind'));
    if (kind === 'List' || (kind && kind.endsWith('List') && getNode(doc, root, 'items'))) {
      const items = getNode(doc, root, 'items');
      if (isSeq(items)) for (const it of items.items) if (isMap(it)) { const w = readWorkload(doc, it as YAMLMap); if (w) model.workloads.push(w); }
      continue;
    }
    const w = readWorkload(doc, root as YAMLMap);
    if (w) model.workloads.push(w);
  }
  if (model.workloads.length) model.goMod = findGoMod(workspace, path.dirname(path.resolve(filePath)));
  return model;
}

/** Offsets [start, end) of a node's own text (without trailing comments/newlines). */
export function nodeSpan(node: Node): [number, number] {
  const r = node.range!;
  return [r[0], r[1]];
}
