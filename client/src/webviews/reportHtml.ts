// "Analyze Image": the HTML of the report for one ImageReport (pure; see html.ts).
// Everything in the report came from an image or an archive: every string is escaped.
import type { CommandReport, ImageReport } from '../../../server/src/engine/image/analyze';
import { formatBytes, formatPercent } from '../../../server/src/engine/image/units';
import { escapeHtml, inlineCode, page, safeHref, shortId, widthClass, type RenderOptions } from './html';

export interface ReportViewOptions extends RenderOptions {
  /** Layers (0-based) whose instruction was found in a Dockerfile of the workspace: the button's label (`Dockerfile:12`). */
  dockerfileLines?: Record<number, string>;
  /** The export buttons (off in a static export). Default on. */
  actions?: boolean;
}

const CSS = `
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 8px 0 12px; }
.card { border: 1px solid var(--vscode-panel-border, rgba(127,127,127,.35)); border-radius: 4px; padding: 6px 10px;
  background: var(--vscode-sideBar-background, transparent); }
.card .v { font-size: 1.4em; font-weight: 600; }
.card .k { color: var(--vscode-descriptionForeground, #999); font-size: .9em; }
.card.bad .v { color: var(--vscode-errorForeground, #f48771); }
.card.warn .v { color: var(--vscode-editorWarning-foreground, #cca700); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
.meta > span:nth-child(odd) { color: var(--vscode-descriptionForeground, #999); }
.findings { list-style: none; padding: 0; margin: 0; }
.findings li { padding: 6px 8px; margin: 4px 0; border-left: 3px solid var(--vscode-editorInfo-foreground, #3794ff);
  background: var(--vscode-textBlockQuote-background, rgba(127,127,127,.1)); }
.findings li.error { border-left-color: var(--vscode-errorForeground, #f48771); }
.findings li.warning { border-left-color: var(--vscode-editorWarning-foreground, #cca700); }
.findings .hint { margin-top: 2px; }
.chart { margin: 6px 0 12px; }
.chart .lrow { display: grid; grid-template-columns: 3em 6em 1fr; gap: 8px; align-items: center; padding: 1px 0; }
.chart .track { position: relative; height: 12px; }
.chart .bar { height: 12px; display: flex; justify-content: flex-end; overflow: hidden; }
.chart .bar .waste { height: 12px; background: var(--vscode-charts-red, #f14c4c); }
.legend { display: flex; gap: 12px; font-size: .9em; }
.legend .sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
.legend .sw.size { background: var(--vscode-charts-blue, #3794ff); }
.legend .sw.waste { background: var(--vscode-charts-red, #f14c4c); }
td.cmd { max-width: 0; width: 50%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
section { margin-bottom: 16px; }
`;

function card(value: string, key: string, cls = ''): string {
  return `<div class="card ${cls}"><div class="v">${escapeHtml(value)}</div><div class="k">${escapeHtml(key)}</div></div>`;
}

function commandText(c: CommandReport | undefined): string {
  if (!c) return '';
  return `<code>${escapeHtml(c.form === 'shell' && c.script !== undefined ? c.script : JSON.stringify(c.argv))}</code> <span class="muted">(${escapeHtml(c.form)} form)</span>`;
}

function openLineButton(opts: ReportViewOptions, layer: number | undefined): string {
  if (layer === undefined) return '';
  const label = opts.dockerfileLines?.[layer];
  if (!label) return '';
  return ` <button class="link" data-action="openLine" data-layer="${layer}" title="Open the Dockerfile line that made layer ${layer + 1}">Open ${escapeHtml(label)}</button>`;
}

function findingsSection(r: ImageReport, opts: ReportViewOptions): string {
  if (!r.findings.length) return `<section><h2>Findings</h2><p class="muted">None.</p></section>`;
  const items = r.findings
    .map((f) => {
      const href = safeHref(f.docs);
      const rule = f.rule ? (href ? ` <a href="${escapeHtml(href)}" data-action="openExternal" data-href="${escapeHtml(href)}">${escapeHtml(f.rule)}</a>` : ` <code>${escapeHtml(f.rule)}</code>`) : '';
      const hint = f.hint ? `<div class="hint"><strong>Fix:</strong> ${inlineCode(f.hint)}</div>` : '';
      const where = f.layer !== undefined ? ` <span class="muted">layer ${f.layer + 1}</span>` : '';
      return `<li class="${escapeHtml(f.severity)}"><span class="badge ${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span>${rule}${where}${openLineButton(opts, f.layer)}<div>${inlineCode(f.message)}</div>${hint}</li>`;
    })
    .join('\n');
  return `<section><h2>Findings (${r.findings.length})</h2><ul class="findings">${items}</ul></section>`;
}

function chartSection(r: ImageReport): string {
  if (!r.layers.length) return '';
  const max = Math.max(0, ...r.layers.map((l) => l.size));
  const rows = r.layers
    .map((l) => {
      const waste = l.hiddenBytes > 0 && l.size > 0 ? ` · ${formatBytes(l.hiddenBytes)} wasted` : '';
      const label = `Layer ${l.index + 1}: ${formatBytes(l.size)}${waste}${l.instruction ? ` — ${l.instruction}` : ''}`;
      return `<div class="lrow" title="${escapeHtml(label)}"><span class="muted">#${l.index + 1}</span><span class="num">${escapeHtml(formatBytes(l.size))}</span>
<div class="track"><div class="bar ${widthClass(l.size, max)}"><div class="waste ${widthClass(l.hiddenBytes, l.size)}"></div></div></div></div>`;
    })
    .join('\n');
  return `<div class="legend"><span><span class="sw size"></span>size</span><span><span class="sw waste"></span>deleted or replaced later</span></div>
<div class="chart" role="img" aria-label="Layer sizes">${rows}</div>`;
}

function layersTable(r: ImageReport, opts: ReportViewOptions): string {
  const body = r.layers
    .map((l) => {
      const biggest = l.biggestFiles.slice(0, 5).map((f) => `${f.path} (${formatBytes(f.size)})`).join('\n');
      const same = l.sameAs !== undefined ? `<span class="muted">(same blob as layer ${l.sameAs + 1})</span> ` : '';
      const action = opts.dockerfileLines?.[l.index] ? ` data-action="openLine" data-layer="${l.index}"` : '';
      return `<tr class="row" tabindex="0"${action} title="${escapeHtml(`${l.createdBy ?? ''}\n\nBiggest files:\n${biggest}`)}">
<td class="num">${l.index + 1}</td><td class="num">${escapeHtml(formatBytes(l.size))}</td><td class="num">${l.files}</td>
<td class="num">${l.hiddenBytes ? escapeHtml(formatBytes(l.hiddenBytes)) : ''}</td>
<td class="cmd mono">${same}${l.instruction ? escapeHtml(l.instruction) : '<span class="muted">(no history)</span>'}</td><td>${openLineButton(opts, l.index)}</td></tr>`;
    })
    .join('\n');
  return `<table aria-label="Layers"><thead><tr><th class="num">#</th><th class="num">Size</th><th class="num">Files</th><th class="num">Hidden later</th><th>Created by</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
}

function wasteSection(r: ImageReport): string {
  const w = r.waste;
  if (!w.wastedPaths.length) return `<section><h2>Wasted paths</h2><p class="muted">No file is deleted or replaced by a later layer.</p></section>`;
  const body = w.wastedPaths
    .map((p) => `<tr class="row" tabindex="0"><td class="mono">${escapeHtml(p.path)}</td><td class="num">${escapeHtml(formatBytes(p.size))}</td><td class="num">${p.files}</td>
<td class="num">${p.addedIn + 1}</td><td class="num">${p.removedIn + 1}</td><td>${escapeHtml(p.how)}</td></tr>`)
    .join('\n');
  return `<section><h2>Wasted paths</h2><table aria-label="Wasted paths"><thead><tr><th>Path</th><th class="num">Size</th><th class="num">Files</th><th class="num">Added in</th><th class="num">Removed in</th><th>How</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

function goSection(r: ImageReport): string {
  const bins = r.goBinaries.filter((b) => !b.toolchain);
  const toolchain = r.goBinaries.filter((b) => b.toolchain);
  if (!bins.length && !toolchain.length) return `<section><h2>Go binaries</h2><p class="muted">No Go binary found.</p></section>`;
  const body = bins
    .map((b) => {
      const mod = b.mainModule ? `${b.mainModule.path}@${b.mainModule.version}` : b.mainPackage ?? '';
      const stripped = b.stripped === undefined ? '?' : b.stripped ? 'yes' : `no (${formatBytes(b.debugBytes + b.symtabBytes)} symbols/DWARF)`;
      const link = b.interpreter !== undefined
        ? `dynamic: <code>${escapeHtml(b.interpreter)}</code>${b.interpreterFound ? '' : ' <span class="badge error">missing</span>'}`
        : 'static';
      const settings = [
        b.cgo !== undefined ? `CGO_ENABLED=${b.cgo ? 1 : 0}` : '',
        b.ldflags !== undefined ? `-ldflags=${b.ldflags}` : '',
        b.trimpath ? '-trimpath' : '',
        b.goos && b.goarch ? `${b.goos}/${b.goarch}` : '',
        b.vcsRevision ? `vcs ${b.vcsRevision.slice(0, 12)}${b.vcsModified ? '+dirty' : ''}` : '',
      ].filter(Boolean);
      return `<tr class="row" tabindex="0"><td class="mono">${escapeHtml(b.path)}</td><td class="num">${escapeHtml(formatBytes(b.size))}</td>
<td>${escapeHtml(b.goVersion ?? b.goError ?? '')}</td><td class="mono">${escapeHtml(mod)}</td><td>${escapeHtml(stripped)}</td><td>${link}</td>
<td class="mono">${settings.map((s) => escapeHtml(s)).join('<br>')}</td></tr>`;
    })
    .join('\n');
  const tc = new Map<string, string[]>();
  for (const b of toolchain) tc.set(b.toolchain!, [...(tc.get(b.toolchain!) ?? []), b.goVersion ?? '?']);
  const tcText = [...tc].map(([dir, v]) => `<p>Also ${v.length} binaries of the Go toolchain in <code>${escapeHtml(dir)}</code> (${escapeHtml([...new Set(v)].join(', '))}).</p>`).join('');
  const table = bins.length
    ? `<table aria-label="Go binaries"><thead><tr><th>Path</th><th class="num">Size</th><th>Go</th><th>Module</th><th>Stripped</th><th>Linking</th><th>Build settings</th></tr></thead><tbody>${body}</tbody></table>`
    : '';
  return `<section><h2>Go binaries (${bins.length})</h2>${table}${tcText}</section>`;
}

function configSection(r: ImageReport): string {
  const c = r.image.config;
  const rows: [string, string][] = [
    ['User', c.user ? `<code>${escapeHtml(c.user)}</code>` : '<span class="muted">(root)</span>'],
    ['Entrypoint', commandText(c.entrypoint)],
    ['Cmd', commandText(c.cmd)],
    ['Workdir', c.workdir ? `<code>${escapeHtml(c.workdir)}</code>` : ''],
    ['Exposed ports', escapeHtml(c.exposedPorts.join(', '))],
    ['Env', c.env.map((e) => `<code>${escapeHtml(`${e.name}=${e.value}`)}</code>`).join('<br>')],
    ['Labels', Object.entries(c.labels).map(([k, v]) => `<code>${escapeHtml(`${k}=${v}`)}</code>`).join('<br>')],
  ];
  return `<section><h2>Config</h2><div class="meta">${rows.map(([k, v]) => `<span>${k}</span><span>${v || '<span class="muted">—</span>'}</span>`).join('')}</div></section>`;
}

/** The "Analyze Image" report page. */
export function renderReport(r: ImageReport, opts: ReportViewOptions): string {
  const i = r.image;
  const w = r.waste;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  const platform = `${i.os}/${i.architecture}${i.variant ? '/' + i.variant : ''}${i.osVersion ? ` (${i.osVersion})` : ''}`;
  const actions = opts.actions === false ? '' : `<div class="toolbar"><button data-action="exportMarkdown">Export Markdown</button><button class="secondary" data-action="exportJson">Export JSON</button></div>`;
  const meta: [string, string][] = [
    ['Image', `<code title="${escapeHtml(i.id ?? '')}">${escapeHtml(shortId(i.id) || '—')}</code>`],
    ['Tags', i.repoTags.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ') || '<span class="muted">none</span>'],
    ['Platform', escapeHtml(platform)],
    ['Created', escapeHtml(i.created ?? '')],
    ['Base image (guess)', i.baseImage ? `<code>${escapeHtml(i.baseImage.name)}</code> <span class="muted">${escapeHtml(i.baseImage.reason)}</span>` : '<span class="muted">unknown</span>'],
    ['Source', `${escapeHtml(r.source.kind)}, ${escapeHtml(r.source.format)}${r.source.archiveBytes ? `, ${escapeHtml(formatBytes(r.source.archiveBytes))} archive` : ''}`],
  ];
  const effCls = w.efficiency < 0.9 ? 'bad' : w.efficiency < 0.95 ? 'warn' : '';
  const cards = [
    card(formatBytes(i.totalSize), `total size, ${i.layerCount} layers`),
    card(formatBytes(i.finalSize), `visible in ${i.finalFiles} files`),
    card(formatPercent(w.efficiency), 'efficiency (dive)', effCls),
    card(formatBytes(w.wastedBytes), `wasted${w.userWastedPercent !== null ? ` (${formatPercent(w.userWastedPercent)} of ${formatBytes(w.userSize)} above layer 1)` : ''}`, w.wastedBytes > 0 ? 'warn' : ''),
    card(String(r.goBinaries.filter((b) => !b.toolchain).length), 'Go binaries'),
    card(String(r.findings.length), `findings: ${counts.error} errors, ${counts.warning} warnings, ${counts.info} info`, counts.error ? 'bad' : counts.warning ? 'warn' : ''),
  ].join('');
  const problems = r.problems.length
    ? `<section><h2>Problems while reading</h2><ul>${r.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></section>`
    : '';
  const body = `<main>
<h1>Image report: <code>${escapeHtml(i.input)}</code></h1>
${actions}
<div class="meta">${meta.map(([k, v]) => `<span>${k}</span><span>${v}</span>`).join('')}</div>
<div class="cards">${cards}</div>
${findingsSection(r, opts)}
<section><h2>Layers (${r.layers.length})</h2>${chartSection(r)}${layersTable(r, opts)}</section>
${wasteSection(r)}
${goSection(r)}
${configSection(r)}
${problems}
</main>`;
  return page({ title: `Image report: ${i.input}`, css: CSS, body }, opts);
}
