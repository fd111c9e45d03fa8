// Minimal text edits on YAML manifests: insert keys into block or flow maps,
// append items to block or flow sequences, replace a scalar keeping its
// quoting. Indentation follows the node being edited and the file's style;
// nothing outside the inserted or replaced text changes.
import { isMap, isScalar, isSeq, Scalar, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { TextEdit } from '../types';
import type { ManifestModel } from './model';

/** A key and its value: a scalar text (already YAML) or nested entries. */
export type Entry = [string, string | Entry[]];

export function edit(model: ManifestModel, start: number, end: number, newText: string): TextEdit {
  return { range: model.index.range(start, end), newText };
}

/** Offsets of a node's text, trailing blanks and line breaks excluded. */
export function trimmedSpan(model: ManifestModel, node: Node): [number, number] {
  const [s, e] = [node.range![0], node.range![1]];
  let end = e;
  while (end > s && /\s/.test(model.text[end - 1])) end--;
  return [s, end];
}

export function columnOf(model: ManifestModel, offset: number): number {
  return model.index.positionAt(offset).character;
}

/** Offset of the end of the line holding `offset` (before its line break). */
function lineEndAt(model: ManifestModel, offset: number): number {
  return model.index.lineEnd(model.index.positionAt(offset).line);
}

const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

/** A scalar as YAML text: plain when it reads back as the same string, double-quoted otherwise. */
export function yamlString(v: string): string {
  const plainOk = /^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(v) && !RESERVED.test(v);
  return plainOk ? v : JSON.stringify(v);
}

function renderFlow(entries: Entry[]): string {
  return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : `{${renderFlow(v)}}`}`).join(', ');
}

function renderBlock(entries: Entry[], col: number, unit: number, eol: string): string {
  let out = '';
  for (const [k, v] of entries) {
    if (typeof v === 'string') out += eol + ' '.repeat(col) + `${k}: ${v}`;
    else out += eol + ' '.repeat(col) + `${k}:` + renderBlock(v, col + unit, unit, eol);
  }
  return out;
}

/** Column of a block map's keys. */
function mapColumn(model: ManifestModel, map: YAMLMap): number {
  const first = map.items[0]?.key as Node | undefined;
  return columnOf(model, first?.range ? first.range[0] : map.range![0]);
}

/** Inserts entries at the end of a map, block or flow. */
export function insertIntoMap(model: ManifestModel, map: YAMLMap, entries: Entry[]): TextEdit {
  if (map.flow) {
    const [, end] = trimmedSpan(model, map);
    const close = model.text.lastIndexOf('}', end - 1);
    let before = close;
    while (before > map.range![0] + 1 && /\s/.test(model.text[before - 1])) before--;
    const empty = map.items.length === 0;
    const hasTrailingComma = model.text[before - 1] === ',';
    const text = (empty || hasTrailingComma ? '' : ', ') + renderFlow(entries);
    return edit(model, before, before, (hasTrailingComma ? ' ' : '') + text);
  }
  const col = mapColumn(model, map);
  const [, end] = trimmedSpan(model, map);
  const at = lineEndAt(model, end);
  return edit(model, at, at, renderBlock(entries, col, model.indentUnit, model.eol));
}

/**
 * Entries to put under `key` of `map`, where `key` may not exist yet: returns
 * the edit that adds `key` with `entries`, or adds them into the existing map.
 */
export function ensureMapEntries(model: ManifestModel, map: YAMLMap, key: string, existing: YAMLMap | undefined, entries: Entry[]): TextEdit {
  if (existing) return insertIntoMap(model, existing, entries);
  return insertIntoMap(model, map, [[key, entries]]);
}

/** Appends a map item to a sequence (block `- k: v` lines, or `{k: v}` in a flow sequence). */
export function appendToSeq(model: ManifestModel, seq: YAMLSeq, item: Entry[]): TextEdit {
  if (seq.flow) {
    const [, end] = trimmedSpan(model, seq);
    const close = model.text.lastIndexOf(']', end - 1);
    let before = close;
    while (before > seq.range![0] + 1 && /\s/.test(model.text[before - 1])) before--;
    const empty = seq.items.length === 0;
    return edit(model, before, before, (empty ? '' : ', ') + `{${renderFlow(item)}}`);
  }
  // column of the dash: the first item's start minus "- "
  const first = seq.items[0] as Node | undefined;
  const dashCol = first?.range ? dashColumn(model, first.range[0]) : columnOf(model, seq.range![0]);
  const [, end] = trimmedSpan(model, seq);
  const at = lineEndAt(model, end);
  return edit(model, at, at, renderSeqItem(item, dashCol, model.indentUnit, model.eol));
}

function dashColumn(model: ManifestModel, itemStart: number): number {
  let i = itemStart - 1;
  while (i >= 0 && model.text[i] === ' ') i--;
  if (model.text[i] === '-') return columnOf(model, i);
  return columnOf(model, itemStart);
}

function renderSeqItem(item: Entry[], dashCol: number, unit: number, eol: string): string {
  const [firstKey, firstValue] = item[0];
  let out = eol + ' '.repeat(dashCol) + '- ';
  if (typeof firstValue === 'string') out += `${firstKey}: ${firstValue}`;
  else out += `${firstKey}:` + renderBlock(firstValue, dashCol + 2 + unit, unit, eol);
  out += renderBlock(item.slice(1), dashCol + 2, unit, eol);
  return out;
}

/** Adds an env var to a container: appended to `env`, or a new `env:` list in the container's style. */
export function addEnvVar(model: ManifestModel, container: YAMLMap, envSeq: YAMLSeq | undefined, item: Entry[]): TextEdit {
  if (envSeq) return appendToSeq(model, envSeq, item);
  if (container.flow) return insertIntoMap(model, container, [['env', `[{${renderFlow(item)}}]`]]);
  const col = mapColumn(model, container);
  const [, end] = trimmedSpan(model, container);
  const at = lineEndAt(model, end);
  return edit(model, at, at, model.eol + ' '.repeat(col) + 'env:' + renderSeqItem(item, col + model.seqIndent, model.indentUnit, model.eol));
}

/** Replaces a scalar's value, keeping its quoting style (plain values get quotes when they need them). */
export function replaceScalar(model: ManifestModel, s: Scalar, value: string, opts: { asString?: boolean } = {}): TextEdit {
  const [start, end] = [s.range![0], s.range![1]];
  let text: string;
  if (s.type === Scalar.QUOTE_DOUBLE) text = JSON.stringify(value);
  else if (s.type === Scalar.QUOTE_SINGLE) text = `'${value.replace(/'/g, "''")}'`;
  else text = opts.asString ? yamlString(value) : value;
  return edit(model, start, end, text);
}

/** Deletes a whole pair (`key: value` lines of a block map), line break included. */
export function deletePairLines(model: ManifestModel, map: YAMLMap, key: string): TextEdit | undefined {
  if (map.flow) return undefined;
  const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  if (!pair || !isScalar(pair.key)) return undefined;
  const keyStart = (pair.key as Node).range![0];
  const valueNode = pair.value as Node | null;
  const lineStartOffset = model.index.lineStarts[model.index.positionAt(keyStart).line];
  if (model.text.slice(lineStartOffset, keyStart).trim() !== '') return undefined; // first key of a `- ` item
  let end = valueNode?.range ? trimmedSpan(model, valueNode)[1] : keyStart;
  end = lineEndAt(model, end);
  const nextLine = model.index.positionAt(end).line + 1;
  const endWithBreak = nextLine < model.index.lineCount ? model.index.lineStarts[nextLine] : end;
  return edit(model, lineStartOffset, endWithBreak, '');
}

export { isMap, isSeq };

/** Inserts entries right after the pair `afterKey` of a block map (at its column), or at the end of a flow map. */
export function insertAfterPair(model: ManifestModel, map: YAMLMap, afterKey: string, entries: Entry[]): TextEdit {
  const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === afterKey);
  if (map.flow || !pair || !isScalar(pair.key)) return insertIntoMap(model, map, entries);
  const keyStart = (pair.key as Node).range![0];
  const col = columnOf(model, keyStart);
  const valueNode = pair.value as Node | null;
  const end = valueNode?.range ? trimmedSpan(model, valueNode)[1] : keyStart;
  const at = lineEndAt(model, end);
  return edit(model, at, at, renderBlock(entries, col, model.indentUnit, model.eol));
}
