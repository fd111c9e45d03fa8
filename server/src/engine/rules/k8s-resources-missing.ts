import * as path from 'node:path';
import { isAlias, isMap, isScalar, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Config } from '../config';
import { columnOf, edit, insertIntoMap, trimmedSpan, type Entry } from '../k8s/edit';
import { getPair, getScalar, type Container, type ManifestModel, type Workload } from '../k8s/model';
import { parseQuantity } from '../k8s/quantity';
import { rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Range, TextEdit } from '../types';
import { KeyMemo } from '../memo';
import { kustomizationNextTo } from '../k8s/tooling';
import { goRuntimeContainer } from './k8s-go-maxprocs';

/** The container's `name` value, or its first key when it has no name: where container-wide findings point. */
export function containerAnchor(model: ManifestModel, c: Container, doc: Document): Range {
  const name = getScalar(doc, c.node, 'name');
  const node = (name?.range ? name : (c.node.items[0]?.key as Node | undefined)) ?? c.node;
  const [s, e] = node.range ? trimmedSpan(model, node) : [c.node.range![0], c.node.range![0]];
  return rangeOf(model, s, e);
}

/** Whether the kustomization next to the manifest applies it as a patch (it then holds only the changed fields). */
function isKustomizePatch(model: ManifestModel): boolean {
  const k = kustomizationNextTo(model);
  return !!k && k.patches.includes(path.resolve(model.path));
}

/**
 * A workload that is only part of the final object: a kustomize patch, or an
 * overlay that leaves the image to the tooling (a container without `image`).
 * Rules about something missing stay silent on it: the base may have it.
 */
export function isPartialWorkload(model: ManifestModel, w: Workload): boolean {
  // once per workload: rules ask for each of its containers (10,000 containers were quadratic)
  let imageless = imagelessWorkloads.get(w);
  if (imageless === undefined) imagelessWorkloads.set(w, (imageless = w.containers.some((c) => !getPair(c.node, 'image'))));
  if (imageless) return true;
  return isKustomizePatch(model);
}
const imagelessWorkloads = new KeyMemo<Workload, boolean>();

function renderBlock(entries: Entry[], col: number, unit: number, eol: string): string {
  let out = '';
  for (const [k, v] of entries) {
    if (typeof v === 'string') out += eol + ' '.repeat(col) + `${k}: ${v}`;
    else out += eol + ' '.repeat(col) + `${k}:` + renderBlock(v, col + unit, unit, eol);
  }
  return out;
}

function renderFlow(entries: Entry[]): string {
  return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : `{${renderFlow(v)}}`}`).join(', ');
}

/** Offsets of a pair's key text. */
function keySpan(pair: Pair): [number, number] | undefined {
  const k = pair.key as Node | null;
  return k?.range ? [k.range[0], k.range[1]] : undefined;
}

/**
 * Gives `key` of `parent` (whose pair exists with a null value: `key:` or `key: ~`)
 * the block or flow map `entries`. Undefined when it cannot be done minimally.
 */
function fillNull(model: ManifestModel, parent: YAMLMap, pair: Pair, entries: Entry[]): TextEdit[] | undefined {
  const v = pair.value as Node | null;
  const ks = keySpan(pair);
  if (!ks) return undefined;
  const colon = model.text.indexOf(':', ks[1]);
  if (colon < 0) return undefined;
  const valueText = v?.range ? model.text.slice(v.range[0], v.range[1]) : '';
  if (parent.flow) {
    // `{requests: ~}` -> `{requests: {cpu: 100m}}`; an empty value in a flow map is left alone
    if (!v?.range || !valueText.trim()) return undefined;
    return [edit(model, v.range[0], v.range[1], `{${renderFlow(entries)}}`)];
  }
  const lineEnd = model.index.lineEnd(model.index.positionAt(ks[0]).line);
  const block = renderBlock(entries, columnOf(model, ks[0]) + model.indentUnit, model.indentUnit, model.eol);
  const out: TextEdit[] = [];
  if (v?.range && valueText.trim()) {
    // `key: ~` / `key: null`: drop the explicit null (and the blank before it), keep any comment
    if (model.index.positionAt(v.range[1]).line !== model.index.positionAt(ks[0]).line) return undefined;
    out.push(edit(model, colon + 1, v.range[1], ''));
  }
  out.push(edit(model, lineEnd, lineEnd, block));
  return out;
}

/** Edits that put `entries` under `key` of `parent`: into the existing map, into a null value, or as a new key. */
function entriesUnder(model: ManifestModel, parent: YAMLMap, key: string, entries: Entry[]): { child?: TextEdit[]; parentEntry?: Entry } | undefined {
  const pair = getPair(parent, key);
  if (!pair) return { parentEntry: [key, entries] };
  const v = pair.value as Node | null;
  if (v && isAlias(v)) return undefined; // shared with other containers through an anchor
  if (isMap(v)) {
    if (v.anchor) return undefined;
    for (const [k] of entries) if (getPair(v, k)) return undefined; // `memory:` with no value: do not add a second key
    return { child: [insertIntoMap(model, v as YAMLMap, entries)] };
  }
  if (!v || (isScalar(v) && (v.value === null || v.value === undefined))) {
    const e = fillNull(model, parent, pair, entries);
    return e ? { child: e } : undefined;
  }
  return undefined;
}

/** Orders edits by offset and joins insertions at the same offset (child maps first, as listed). */
function mergeEdits(model: ManifestModel, edits: TextEdit[]): TextEdit[] {
  const spans = edits.map((e, i) => ({ s: model.index.offsetAt(e.range.start), e: model.index.offsetAt(e.range.end), t: e.newText, i }));
  spans.sort((a, b) => a.s - b.s || a.e - b.e || a.i - b.i);
  const out: { s: number; e: number; t: string }[] = [];
  for (const x of spans) {
    const last = out[out.length - 1];
    if (last && last.s === last.e && x.s === x.e && last.s === x.s) last.t += x.t;
    else out.push({ s: x.s, e: x.e, t: x.t });
  }
  return out.map((x) => edit(model, x.s, x.e, x.t));
}

interface Missing {
  requestsCpu: boolean;
  requestsMemory: boolean;
  limitsMemory: boolean;
}

/** A configured quantity as YAML text, or undefined when it is not a quantity. */
function quantityText(v: string): string | undefined {
  return parseQuantity(v) === undefined ? undefined : v;
}

function buildFix(model: ManifestModel, c: Container, missing: Missing, config: Config): { title: string; edits: TextEdit[] } | undefined {
  const d = config.resourceDefaults;
  const reqCpu = quantityText(d.requestsCpu);
  const reqMem = quantityText(d.requestsMemory);
  let limMem = quantityText(d.limitsMemory);
  if (!reqCpu || !reqMem || !limMem) return undefined;
  // a limit below the request is rejected by the API server
  const request = missing.requestsMemory ? reqMem : c.requests.memory?.raw;
  const requestBytes = request !== undefined ? parseQuantity(request) : undefined;
  if (requestBytes !== undefined && requestBytes > parseQuantity(limMem)!) limMem = String(request);
  const requests: Entry[] = [];
  if (missing.requestsCpu) requests.push(['cpu', reqCpu]);
  if (missing.requestsMemory) requests.push(['memory', reqMem]);
  const limits: Entry[] = missing.limitsMemory ? [['memory', limMem]] : [];
  const title = `Add ${[...requests.map(([k, v]) => `requests.${k}: ${v}`), ...limits.map(([k, v]) => `limits.${k}: ${v}`)].join(', ')} (defaults from configuration: adjust them)`;
  const groups: [string, Entry[]][] = [];
  if (requests.length) groups.push(['requests', requests]);
  if (limits.length) groups.push(['limits', limits]);

  const resPair = getPair(c.node, 'resources');
  if (!resPair) return { title, edits: [insertIntoMap(model, c.node, [['resources', groups]])] };
  const res = resPair.value as Node | null;
  if (res && isAlias(res)) return undefined;
  if (!res || (isScalar(res) && (res.value === null || res.value === undefined))) {
    const e = fillNull(model, c.node, resPair, groups);
    return e ? { title, edits: mergeEdits(model, e) } : undefined;
  }
  if (!isMap(res) || res.anchor) return undefined;
  const child: TextEdit[] = [];
  const parentEntries: Entry[] = [];
  for (const [key, entries] of groups) {
    const r = entriesUnder(model, res as YAMLMap, key, entries as Entry[]);
    if (!r) return undefined;
    if (r.child) child.push(...r.child);
    if (r.parentEntry) parentEntries.push(r.parentEntry);
  }
  // insertions into `requests:`/`limits:` come before the new keys of `resources:` at the same place
  const edits = [...child];
  if (parentEntries.length) edits.push(insertIntoMap(model, res as YAMLMap, parentEntries));
  return { title, edits: mergeEdits(model, edits) };
}

/** A regular container without CPU/memory requests or a memory limit. */
export const k8sResourcesMissing: Rule = {
  id: 'k8s-resources-missing',
  defaultSeverity: 'warning',
  summary: 'A container without requests.cpu, requests.memory or limits.memory: blind scheduling, first evicted, no bound on memory.',
  checkManifest({ model, config }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      if (isPartialWorkload(model, w)) continue;
      for (const c of w.containers) {
        if (c.init) continue; // init containers' requests are maxed with the app's; they run before it
        const resources = getPair(c.node, 'resources')?.value as Node | null | undefined;
        // something other than a map or nothing (a template placeholder, a list): not ours to judge
        if (resources && !isMap(resources) && !isAlias(resources) && !(isScalar(resources) && resources.value === null)) continue;
        if (resources && isAlias(resources) && !c.resourcesNode) continue;
        const missing: Missing = {
          // Kubernetes copies a limit into a missing request
          requestsCpu: !c.requests.cpu && !c.limits.cpu,
          requestsMemory: !c.requests.memory && !c.limits.memory,
          limitsMemory: !c.limits.memory,
        };
        const names = [missing.requestsCpu && 'requests.cpu', missing.requestsMemory && 'requests.memory', missing.limitsMemory && 'limits.memory'].filter(Boolean) as string[];
        if (!names.length) continue;
        const who = c.name ? `Container \`${c.name}\`` : 'This container';
        const why: string[] = [];
        if (!c.requests.cpu && !c.requests.memory && !c.limits.cpu && !c.limits.memory)
          why.push('with no requests or limits the pod is BestEffort: the scheduler places it as if it needed nothing, and it is the first evicted under node pressure');
        else {
          if (missing.requestsCpu) why.push('without a CPU request the scheduler counts it as needing no CPU, and on a busy node it gets the smallest CPU share');
          if (missing.requestsMemory) why.push('without a memory request the scheduler may place it on a node with no room for it');
        }
        if (missing.limitsMemory)
          why.push(
            "without a memory limit one leak can take the node's memory" +
              // (the GOMEMLIMIT part only for a container that looks like a Go service: not nginx, redis, busybox…)
              (goRuntimeContainer(model, w, c, config) ? ', and a Go service cannot size GOMEMLIMIT (about 90 % of the limit) to stay clear of the OOM killer' : ''),
          );
        const fix = buildFix(model, c, missing, config);
        out.push({
          message: `${who} sets no ${names.map((n) => `\`${n}\``).join(', ')}: ${why.join('; ')}.`,
          range: containerAnchor(model, c, w.doc),
          fixes: fix ? [{ title: fix.title, edits: fix.edits }] : [],
        });
      }
    }
    return out;
  },
};
