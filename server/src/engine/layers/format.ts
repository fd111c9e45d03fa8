// Human forms of layer sizes: decimal units like Docker (1 kB = 1,000 B,
// 1 MB = 1,000,000 B; `docker history`/`docker images` print the same units),
// three significant digits. Used by the inlay hints, the CLI's text table and
// the panel.
import type { LayerRow, LayerTable } from './estimate';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `190 B`, `307 kB`, `1.98 MB`, `12.4 MB`, `885 MB`, `1.2 GB` (decimal, like Docker). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const neg = n < 0;
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  let shown = u === 0 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
  // 999.6 kB rounds to 1000 kB: show 1 MB
  if (u > 0 && Number(shown) >= 1000 && u < UNITS.length - 1) {
    shown = String(Number((v / 1000).toPrecision(3)));
    u++;
  }
  return `${neg ? '-' : ''}${shown} ${UNITS[u]}`;
}

export const HINT_KEYWORDS = new Set(['FROM', 'COPY', 'ADD', 'RUN']);

export interface LayerHint {
  /** 0-based position at the end of the instruction's last line. */
  line: number;
  character: number;
  label: string;
  tooltip: string;
}

const SOURCE_TEXT: Record<LayerRow['source'], string> = {
  built: 'measured: the matching row of `docker history` of the image built from this Dockerfile',
  base: 'the base image',
  context: 'estimated: the build-context files the sources match, after .dockerignore',
  metadata: 'metadata only: no files',
  changed: 'edited since the image was built',
  unknown: 'not known until it is built',
};

/** The label of a row's hint: `+12.4 MB`, `+? (not built)`, `+4.47 MB (edited, was 4.2 MB)`. */
export function hintLabel(r: LayerRow): string {
  if (r.size === null) return r.keyword === 'RUN' ? '+? (not built)' : '+?';
  const size = `+${formatBytes(r.size)}`;
  if (r.source === 'changed') {
    if (r.estimate === null || r.estimate === undefined) return `${size} (edited)`;
    return r.builtSize !== undefined && r.builtSize !== r.estimate ? `${size} (edited, was ${formatBytes(r.builtSize)})` : `${size} (edited)`;
  }
  return size;
}

/** Inlay hints for FROM/COPY/ADD/RUN rows: at the end of the instruction's last line. */
export function layerHints(rows: LayerRow[]): LayerHint[] {
  const out: LayerHint[] = [];
  for (const r of rows) {
    if (!HINT_KEYWORDS.has(r.keyword)) continue;
    const why = [SOURCE_TEXT[r.source], r.note].filter(Boolean).join(' — ');
    const bytes = r.size === null ? '' : ` (${r.size.toLocaleString('en-US')} bytes)`;
    out.push({ line: r.endLine, character: r.endCharacter, label: hintLabel(r), tooltip: `${r.source}${bytes}: ${why}` });
  }
  return out;
}

function pad(s: string, n: number, right = false): string {
  if (s.length >= n) return s;
  return right ? ' '.repeat(n - s.length) + s : s + ' '.repeat(n - s.length);
}

/** The table as text (the CLI's default format). */
export function formatLayerTable(t: LayerTable, shownPath = t.file): string {
  const lines: string[] = [];
  const stage = t.stages[t.stage];
  const stageName = stage ? (stage.name ? `stage ${stage.index} "${stage.name}"` : `stage ${stage.index}`) : 'no stage';
  lines.push(`${shownPath} — ${stageName} of ${t.stages.length}${stage?.isFinal ? ' (final)' : ''}`);
  if (t.image) {
    const id = t.image.id.replace(/^sha256:/, '').slice(0, 12);
    lines.push(`image: ${t.image.refs.join(', ') || '(untagged)'} ${id}, created ${t.image.created}, ${t.image.builder} builder, match ${Math.round(t.image.score * 100)}% (${t.image.by})`);
  }
  if (t.state !== 'ok') lines.push(`${t.state}: ${t.message ?? ''}`);
  if (t.state === 'no-image' || t.state === 'image-removed') lines.push(`build it: (cd ${t.contextDir} && ${t.buildCommand})`);
  lines.push('');
  const rows = t.rows.map((r) => {
    let size = r.size === null ? '?' : formatBytes(r.size);
    if (r.source === 'changed' && r.builtSize !== undefined) size += ` (was ${formatBytes(r.builtSize)})`;
    return { line: String(r.line + 1), text: r.text, size, source: r.source, note: r.note ?? '' };
  });
  const wLine = Math.max(4, ...rows.map((r) => r.line.length));
  const wText = Math.min(60, Math.max(11, ...rows.map((r) => r.text.length)));
  const wSize = Math.max(4, ...rows.map((r) => r.size.length));
  lines.push(`${pad('LINE', wLine, true)}  ${pad('INSTRUCTION', wText)}  ${pad('SIZE', wSize, true)}  SOURCE`);
  for (const r of rows) {
    const text = r.text.length > wText ? r.text.slice(0, wText - 1) + '…' : r.text;
    lines.push(`${pad(r.line, wLine, true)}  ${pad(text, wText)}  ${pad(r.size, wSize, true)}  ${r.source}${r.note ? `  (${r.note})` : ''}`);
  }
  lines.push('');
  const tt = t.totals;
  const partial = tt.unknownRows ? ` + ${tt.unknownRows} unknown` : '';
  lines.push(`total ${formatBytes(tt.image)}${partial}: base ${formatBytes(tt.base)}, added by this Dockerfile ${formatBytes(tt.added)}`);
  if (tt.measured !== undefined) lines.push(`image as built: ${formatBytes(tt.measured)} (docker image inspect)`);
  if (t.removed.length) lines.push(`rows of the built image no line matches any more: ${t.removed.length}, ${formatBytes(tt.removed)}`);
  return lines.join('\n') + '\n';
}
