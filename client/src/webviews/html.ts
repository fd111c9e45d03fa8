// Shared HTML for the Container Tuner webviews ("Image Layers", "Analyze Image").
// Pure: no `vscode` import, so the pages can be rendered and tested in a plain
// browser (test/webview/).
//
// Security model:
// - A strict Content-Security-Policy per render: nothing loads but styles and
//   images from the webview's own resource root, and only the inline <style>
//   and <script> carrying this render's fresh nonce run. No 'unsafe-inline'.
// - Every string that came from an image, an archive or a file (history,
//   labels, env, paths, messages) goes through `escapeHtml`; the page script is
//   a constant (no data is ever interpolated into it): it reads what it needs
//   from escaped data-* attributes.
import { randomBytes } from 'node:crypto';

export interface RenderOptions {
  /** `webview.cspSource` (in tests any origin-like string, e.g. `https://webview.test`). */
  cspSource: string;
  /** Fixed nonce (tests); default: a fresh random one per render. */
  nonce?: string;
}

/** A fresh nonce: 128 random bits, base64 without padding characters that need escaping. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

// CR as a reference: the HTML parser turns a raw CR (and CRLF) into LF, so a file name or label with one would not show as it is.
// NUL cannot reach the DOM at all (dropped from text, U+FFFD in attributes): shown as U+FFFD everywhere.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '\r': '&#13;', '\0': '&#xFFFD;' };

/**
 * Escapes text for HTML element content and quoted attribute values: the DOM gets the exact string (NUL shown
 * as U+FFFD), followed by the bidi terminators it leaves missing (closeBidi).
 */
export function escapeHtml(value: unknown): string {
  const s = value === undefined || value === null ? '' : String(value);
  return closeBidi(s).replace(/[&<>"'`\r\0]/g, (c) => ESCAPES[c]);
}

const PDF = '\u202C';
const PDI = '\u2069';

/**
 * `s` followed by the terminators of the bidi embeddings and overrides (U+202A–U+202E, closed by PDF) and
 * isolates (U+2066–U+2068, closed by PDI) it leaves open, in the order UAX #9 pairs them. Without them an
 * override in a file name (`x\u202E`) reorders the page's text after it, even out of a `unicode-bidi: isolate`
 * element (an open isolate in the data swallows the element's own closing PDI).
 */
export function closeBidi(s: string): string {
  if (!/[\u202A-\u202E\u2066-\u2069]/.test(s)) return s;
  const open: string[] = [];
  for (const c of s) {
    if (c === PDF) {
      // a PDF closes an embedding opened inside the current isolate only
      if (open[open.length - 1] === PDF) open.pop();
    } else if (c === PDI) {
      // a PDI closes the innermost open isolate and every embedding opened inside it
      const i = open.lastIndexOf(PDI);
      if (i >= 0) open.length = i;
    } else if (c >= '\u202A' && c <= '\u202E') open.push(PDF);
    else if (c >= '\u2066' && c <= '\u2068') open.push(PDI);
  }
  return s + open.reverse().join('');
}

/** Text with Markdown code spans (`x`) as <code>, everything escaped. */
export function inlineCode(text: string | undefined): string {
  const parts = (text ?? '').split('`');
  // an odd number of backticks: the last one is literal
  return parts
    .map((p, i) => {
      if (i % 2 === 1 && i < parts.length - 1) return `<code>${escapeHtml(p)}</code>`;
      return (i % 2 === 1 ? '&#96;' : '') + escapeHtml(p);
    })
    .join('');
}

/** Only https links (rule docs) become links; anything else is shown as text. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url || !/^https:\/\/[^\s"'<>`]+$/.test(url)) return undefined;
  return url;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** Base styles: VS Code theme colours only (`--vscode-*` variables), with fallbacks for a plain browser. */
export const BASE_CSS = `
:root { color-scheme: light dark; }
body { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: var(--vscode-font-size, 13px);
  color: var(--vscode-foreground, #ccc); background: var(--vscode-editor-background, var(--vscode-sideBar-background, #1e1e1e));
  margin: 0; padding: 8px 12px; line-height: 1.4; }
h1, h2, h3 { font-weight: 600; margin: 12px 0 6px; }
h1 { font-size: 1.35em; } h2 { font-size: 1.15em; } h3 { font-size: 1em; }
code, .mono { font-family: var(--vscode-editor-font-family, ui-monospace, monospace); font-size: var(--vscode-editor-font-size, 12px); }
code { background: var(--vscode-textCodeBlock-background, rgba(127,127,127,.15)); padding: 0 3px; border-radius: 3px; word-break: break-all; }
a { color: var(--vscode-textLink-foreground, #3794ff); }
a:hover { color: var(--vscode-textLink-activeForeground, #3794ff); }
button { font: inherit; color: var(--vscode-button-foreground, #fff); background: var(--vscode-button-background, #0e639c);
  border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 3px 10px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground, #1177bb); }
button.secondary { color: var(--vscode-button-secondaryForeground, #fff); background: var(--vscode-button-secondaryBackground, #3a3d41); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground, #45494e); }
button.link { background: none; border: none; padding: 0; color: var(--vscode-textLink-foreground, #3794ff); text-decoration: underline; }
select { max-width: 100%; font: inherit; color: var(--vscode-dropdown-foreground, #ccc); background: var(--vscode-dropdown-background, #3c3c3c);
  border: 1px solid var(--vscode-dropdown-border, #3c3c3c); padding: 2px 4px; }
:focus-visible { outline: 1px solid var(--vscode-focusBorder, #007fd4); outline-offset: -1px; }
.muted { color: var(--vscode-descriptionForeground, #999); }
.banner { border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, #3794ff); background: var(--vscode-textBlockQuote-background, rgba(127,127,127,.1));
  padding: 6px 10px; margin: 8px 0; }
.banner.error { border-left-color: var(--vscode-errorForeground, #f48771); }
.banner.warning { border-left-color: var(--vscode-editorWarning-foreground, #cca700); }
.banner pre { white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: 600; color: var(--vscode-descriptionForeground, #999); border-bottom: 1px solid var(--vscode-panel-border, rgba(127,127,127,.35)); padding: 3px 6px; }
td { padding: 3px 6px; vertical-align: top; border-bottom: 1px solid var(--vscode-panel-border, rgba(127,127,127,.15)); }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.row { cursor: pointer; }
tr.row:hover, tr.row:focus { background: var(--vscode-list-hoverBackground, rgba(127,127,127,.15)); }
tr.row:focus { outline: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder, #007fd4)); outline-offset: -1px; }
.bar { height: 8px; background: var(--vscode-charts-blue, #3794ff); border-radius: 1px; }
.bar.waste { background: var(--vscode-charts-red, #f14c4c); }
.bar.base { background: var(--vscode-charts-purple, #b180d7); }
.bar.estimate { background: var(--vscode-charts-yellow, #cca700); }
.badge { display: inline-block; font-size: .85em; padding: 0 6px; border-radius: 8px; white-space: nowrap;
  color: var(--vscode-badge-foreground, #fff); background: var(--vscode-badge-background, #4d4d4d); }
.badge.built { background: var(--vscode-charts-blue, #3794ff); color: var(--vscode-editor-background, #000); }
.badge.base { background: var(--vscode-charts-purple, #b180d7); color: var(--vscode-editor-background, #000); }
.badge.context { background: var(--vscode-charts-yellow, #cca700); color: var(--vscode-editor-background, #000); }
.badge.metadata { background: transparent; color: var(--vscode-descriptionForeground, #999); border: 1px solid var(--vscode-descriptionForeground, #999); }
.badge.changed { background: var(--vscode-charts-orange, #d18616); color: var(--vscode-editor-background, #000); }
.badge.unknown { background: transparent; color: var(--vscode-errorForeground, #f48771); border: 1px dashed var(--vscode-errorForeground, #f48771); }
.badge.error { background: var(--vscode-errorForeground, #f48771); color: var(--vscode-editor-background, #000); }
.badge.warning { background: var(--vscode-editorWarning-foreground, #cca700); color: var(--vscode-editor-background, #000); }
.badge.info { background: var(--vscode-editorInfo-foreground, #3794ff); color: var(--vscode-editor-background, #000); }
.was { color: var(--vscode-disabledForeground, #888); text-decoration: line-through; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
/* data (paths, labels, commands) sits in code or span elements: bidi-isolated, so a right-to-left override in a
   file name cannot reorder the text around it ("(shell form)", the rest of a finding) */
code, span, .mono { unicode-bidi: isolate; }
`;

/**
 * The page script (constant: no data inside). Talks to the extension with
 * `postMessage({ type, ...dataset })`:
 * - any element with `data-action` posts `{ type: action, ...its data-* }` on click, and on Enter/Space when it is a row;
 * - rows (`.row`, focusable) move focus with ArrowUp/ArrowDown/Home/End;
 * - `select[data-action]` posts on change with `value`.
 * Outside VS Code (tests) `acquireVsCodeApi` is missing: messages go to `window.__posted`.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
  function post(msg) { if (api) api.postMessage(msg); else (window.__posted = window.__posted || []).push(msg); }
  function data(el) { var o = {}; for (var k in el.dataset) { if (k !== 'action') o[k] = el.dataset[k]; } return o; }
  function activate(el) { var m = data(el); m.type = el.dataset.action; post(m); }
  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-action]') : null;
    if (!el || el.tagName === 'SELECT') return;
    if (el.tagName === 'A') e.preventDefault();
    activate(el);
  });
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el && el.tagName === 'SELECT' && el.dataset.action) { var m = data(el); m.type = el.dataset.action; m.value = el.value; post(m); }
  });
  document.addEventListener('keydown', function (e) {
    var el = document.activeElement;
    if (!el || !el.classList || !el.classList.contains('row')) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll('.row'));
    var i = rows.indexOf(el);
    var to = -1;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); if (el.dataset.action) activate(el); return; }
    if (e.key === 'ArrowDown') to = Math.min(rows.length - 1, i + 1);
    else if (e.key === 'ArrowUp') to = Math.max(0, i - 1);
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = rows.length - 1;
    if (to >= 0) { e.preventDefault(); rows[to].focus(); }
  });
  if (api) {
    var st = api.getState() || {};
    if (typeof st.scrollY === 'number') window.scrollTo(0, st.scrollY);
    var t = 0;
    window.addEventListener('scroll', function () { clearTimeout(t); t = setTimeout(function () { api.setState({ scrollY: window.scrollY }); }, 100); });
  }
  post({ type: 'ready' });
})();`;

export interface PageParts {
  title: string;
  /** Extra CSS (constant text, no data). */
  css?: string;
  /** The body, already escaped. */
  body: string;
}

/** A complete page: CSP meta tag with a fresh nonce, base styles, body, the page script. */
export function page(parts: PageParts, opts: RenderOptions): string {
  const nonce = opts.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(opts.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(parts.title)}</title>
<style nonce="${nonce}">${BASE_CSS}${WIDTH_CSS}${parts.css ?? ''}</style>
</head>
<body>
${parts.body}
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>`;
}

/** The part of an image id people read: 12 hex digits. */
export function shortId(id: string | undefined): string {
  return (id ?? '').replace(/^sha256:/, '').slice(0, 12);
}

/** Width of a bar in whole percent of `max` (at least 1 for non-zero values). */
export function barPercent(value: number | null | undefined, max: number): number {
  if (!value || value <= 0 || !(max > 0)) return 0;
  return Math.max(1, Math.min(100, Math.round((value / max) * 100)));
}

/**
 * The class that gives a bar its width: `w0` … `w100`. Bars are sized with
 * classes because the CSP blocks inline `style` attributes (no 'unsafe-inline').
 */
export function widthClass(value: number | null | undefined, max: number): string {
  return `w${barPercent(value, max)}`;
}

const WIDTH_CSS = Array.from({ length: 101 }, (_, i) => `.w${i}{width:${i}%}`).join('');
