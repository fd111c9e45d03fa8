// "Image Layers": the HTML of the panel for one LayerTable (pure; see html.ts).
import * as path from 'node:path';
import type { LayerRow, LayerTable } from '../../../server/src/engine/layers/estimate';
import { formatBytes } from '../../../server/src/engine/layers/format';
import { escapeHtml, page, shortId, widthClass, type RenderOptions } from './html';

export interface LayersViewData {
  /** The table for the followed Dockerfile; undefined: no Dockerfile yet (or not computed). */
  table?: LayerTable;
  /** Shown instead of (or above) the table: "Open a Dockerfile…", "Computing…", an error of the request. */
  notice?: string;
  /** A request is under way (stage change, image pick, retry). */
  busy?: boolean;
}

const SOURCE_TITLES: Record<LayerRow['source'], string> = {
  built: 'measured: the matching row of docker history of the image built from this Dockerfile',
  base: 'the base image',
  context: 'estimated: the build-context files the sources match, after .dockerignore',
  metadata: 'metadata only: no files',
  changed: 'edited since the image was built: last built size (greyed) and the new estimate',
  unknown: 'not known until it is built',
};

const STATE_TITLES: Record<LayerTable['state'], string> = {
  ok: '',
  'no-docker': 'Docker is not installed',
  'daemon-down': 'Docker daemon not reachable',
  'no-image': 'No image built from this Dockerfile yet',
  'image-removed': 'The image was removed',
};

const CSS = `
.head .file { display: block; font-weight: 600; overflow-wrap: anywhere; }
.head label { display: block; margin-top: 4px; }
.head select { display: block; width: 100%; margin-top: 2px; }
.image { margin: 4px 0; }
.rows td.line { color: var(--vscode-editorLineNumber-foreground, #858585); text-align: right; width: 3em; }
.rows td.text { max-width: 0; width: 55%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.rows td.barcell { width: 25%; min-width: 40px; }
.totals { margin: 8px 0; display: grid; grid-template-columns: max-content max-content; gap: 2px 12px; }
.totals .num { text-align: right; font-variant-numeric: tabular-nums; }
.busy { opacity: .6; }
/* a side bar at its default width (~300 px) left 10 characters of the instruction: wrap it there (at most 80 characters) */
@media (max-width: 360px) { .rows .barcell { display: none; } .rows td.text { width: 60%; white-space: normal; overflow-wrap: anywhere; } }
`;

function sizeCell(r: LayerRow): string {
  if (r.source === 'changed') {
    const was = r.builtSize !== undefined ? `<span class="was" title="size when last built">${escapeHtml(formatBytes(r.builtSize))}</span> ` : '';
    const now = r.estimate === null || r.estimate === undefined ? '?' : formatBytes(r.estimate);
    return `${was}${escapeHtml(now)}`;
  }
  return r.size === null ? '<span class="muted">?</span>' : escapeHtml(formatBytes(r.size));
}

function barClass(r: LayerRow): string {
  return r.source === 'base' ? 'bar base' : r.source === 'context' || r.source === 'changed' ? 'bar estimate' : 'bar';
}

function stagePicker(t: LayerTable): string {
  if (t.stages.length <= 1) return '';
  const opts = t.stages
    .map((s) => {
      const label = `${s.index}${s.name ? ` ${s.name}` : ''} — FROM ${s.from}${s.isFinal ? ' (final)' : ''}`;
      return `<option value="${s.index}"${s.index === t.stage ? ' selected' : ''}>${escapeHtml(label)}</option>`;
    })
    .join('');
  return `<label>Stage <select id="stage" data-action="stage" aria-label="Stage">${opts}</select></label>`;
}

function imageHeader(t: LayerTable): string {
  const pick = `<button class="secondary" data-action="pickImage" title="Choose the local image whose sizes are shown">Pick image…</button>`;
  const auto = t.image && (t.image.by === 'request' || t.image.by === 'pinned') ? ` <button class="secondary" data-action="autoImage" title="Match an image automatically again">Automatic</button>` : '';
  if (!t.image) return `<div class="image toolbar"><span class="muted">No matched image.</span> ${pick}${auto}</div>`;
  const i = t.image;
  const by = { config: '.container-tuner.yaml', request: 'picked', pinned: 'picked', auto: `matched ${Math.round(i.score * 100)} %` }[i.by] ?? i.by;
  const size = i.size !== undefined ? `, ${escapeHtml(formatBytes(i.size))}` : '';
  return `<div class="image toolbar"><span>Image <code title="${escapeHtml(i.refs.join(', '))}">${escapeHtml(i.name)}</code>
 <span class="muted mono" title="${escapeHtml(i.id)}">${escapeHtml(shortId(i.id))}</span>
 <span class="muted">created ${escapeHtml(i.created)}${size}, ${escapeHtml(by)}</span></span> ${pick}${auto}</div>`;
}

function stateBanner(t: LayerTable): string {
  if (t.state === 'ok') return '';
  const cls = t.state === 'daemon-down' ? 'banner error' : t.state === 'image-removed' ? 'banner warning' : 'banner';
  const parts = [`<strong>${escapeHtml(STATE_TITLES[t.state] ?? t.state)}</strong>`];
  if (t.message) parts.push(t.state === 'daemon-down' ? `<pre class="mono">${escapeHtml(t.message)}</pre>` : `<div>${escapeHtml(t.message)}</div>`);
  if (t.state === 'no-image' || t.state === 'image-removed') {
    parts.push(`<div>Build one (in <code>${escapeHtml(t.contextDir)}</code>):</div><pre class="mono">${escapeHtml(t.buildCommand)}</pre>`);
    parts.push(`<div class="toolbar"><button class="secondary" data-action="copyBuild">Copy build command</button> <button class="secondary" data-action="pickImage">Pick image…</button></div>`);
  }
  if (t.state === 'daemon-down') parts.push(`<div class="toolbar"><button data-action="retry">Retry</button></div>`);
  if (t.state === 'no-docker') parts.push(`<div class="muted">Set <code>containerTuner.docker.path</code> if Docker (or podman, nerdctl) is installed elsewhere.</div>`);
  return `<div class="${cls}" role="status" data-state="${escapeHtml(t.state)}">${parts.join('\n')}</div>`;
}

function rowsTable(t: LayerTable): string {
  const max = Math.max(0, ...t.rows.map((r) => Math.max(r.size ?? 0, r.builtSize ?? 0)));
  const body = t.rows
    .map((r) => {
      const title = [r.text, SOURCE_TITLES[r.source], r.note, r.history ? `history: ${r.history.createdBy}` : undefined].filter(Boolean).join('\n');
      const label = `Line ${r.line + 1}: ${r.text}, ${r.size === null ? 'size unknown' : formatBytes(r.size)}, ${r.source}`;
      return `<tr class="row" tabindex="0" role="button" data-action="reveal" data-line="${r.line}" aria-label="${escapeHtml(label)}" title="${escapeHtml(title)}">
<td class="line">${r.line + 1}</td><td class="text mono">${escapeHtml(r.text)}</td><td class="num">${sizeCell(r)}</td>
<td class="barcell"><div class="${barClass(r)} ${widthClass(r.size ?? r.builtSize, max)}"></div></td>
<td><span class="badge ${r.source}">${r.source}</span></td></tr>`;
    })
    .join('\n');
  return `<table class="rows" aria-label="Layers"><thead><tr><th class="num">Line</th><th>Instruction</th><th class="num">Size</th><th class="barcell"><span class="sr-only">Bar</span></th><th>Source</th></tr></thead>
<tbody>${body}</tbody></table>`;
}

function totals(t: LayerTable): string {
  const tt = t.totals;
  const lower = tt.unknownRows ? ` <span class="muted">+ ${tt.unknownRows} unknown</span>` : '';
  const rows = [
    ['Image', `${escapeHtml(formatBytes(tt.image))}${lower}`],
    ['From the base', escapeHtml(formatBytes(tt.base))],
    ['Added by this Dockerfile', escapeHtml(formatBytes(tt.added))],
  ];
  if (tt.measured !== undefined) rows.push(['As built (docker image inspect)', escapeHtml(formatBytes(tt.measured))]);
  if (t.removed.length) rows.push([`Built rows no line matches (${t.removed.length})`, escapeHtml(formatBytes(tt.removed))]);
  return `<div class="totals" aria-label="Totals">${rows.map(([k, v]) => `<span>${k}</span><span class="num">${v}</span>`).join('')}</div>`;
}

/** A word for a POSIX shell: as it is when plain, else single-quoted (nothing inside is expanded). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * What "Copy build command" puts on the clipboard: cd into the build context, then the server's build command
 * (already quoted). The folder is single-quoted: a cloned repository's folder named `$(…)` or `` `…` `` runs
 * nothing when the line is pasted into a terminal.
 */
export function buildCommandLine(t: Pick<LayerTable, 'contextDir' | 'buildCommand'>): string {
  return `cd ${shellWord(t.contextDir)} && ${t.buildCommand}`;
}

/** The "Image Layers" page. */
export function renderLayers(data: LayersViewData, opts: RenderOptions): string {
  const t = data.table;
  const parts: string[] = [];
  if (data.notice) parts.push(`<div class="banner" role="status">${escapeHtml(data.notice)}</div>`);
  if (t) {
    parts.push(`<div class="head"><span class="file" title="${escapeHtml(t.file)}">${escapeHtml(path.basename(t.file))}</span>${stagePicker(t)}</div>`);
    parts.push(imageHeader(t));
    parts.push(stateBanner(t));
    parts.push(rowsTable(t));
    parts.push(totals(t));
  } else if (!data.notice) {
    parts.push(`<div class="banner" role="status">Open a Dockerfile to see how many bytes each instruction adds to the image.</div>`);
  }
  const body = `<main${data.busy ? ' class="busy" aria-busy="true"' : ''}>${parts.join('\n')}</main>`;
  return page({ title: 'Image Layers', css: CSS, body }, opts);
}
