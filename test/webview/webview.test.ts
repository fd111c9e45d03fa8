// The webviews' HTML ("Image Layers", "Analyze Image"): rendered by the pure
// functions with sample data (plain and hostile) and loaded in headless Chromium
// under its own CSP. Asserts that no injected script runs, that hostile text
// shows literally, that the page script (nonce) runs and keyboard navigation
// works. Screenshots land in test/e2e/screenshots/ (git-ignored).
// Without /usr/bin/chromium the browser part skips loudly (REQUIRE_E2E=1: fails).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { closeBidi, contentSecurityPolicy, escapeHtml, inlineCode, safeHref } from '../../client/src/webviews/html';
import { buildCommandLine, renderLayers, shellWord } from '../../client/src/webviews/layersHtml';
import { renderReport } from '../../client/src/webviews/reportHtml';
import { dockerfileInstructions, findDockerfileLines } from '../../client/src/webviews/dockerfileLines';
import { HOSTILE, IMG, SCRIPT_BREAK, imageReport, layerTable } from './samples';
import { chromiumUnavailable, launchChromium, loadPage, ORIGIN, posted, pwned, reversedText, SHOTS, violationsOf, type Chromium, type Loaded } from './harness';

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  expect(m, 'CSP meta tag').toBeTruthy();
  return m![1].replace(/&#39;/g, "'");
}

describe('webview HTML (static checks)', () => {
  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    expect(escapeHtml(undefined)).toBe('');
    expect(inlineCode('use `<b>` here')).toBe('use <code>&lt;b&gt;</code> here');
    expect(inlineCode('odd ` tick <i>')).toBe('odd &#96; tick &lt;i&gt;');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://x.test/a"b')).toBeUndefined();
    expect(safeHref('https://github.com/x')).toBe('https://github.com/x');
  });

  it('keeps CR (the parser would make it LF) and shows NUL as U+FFFD (the parser would drop it)', () => {
    expect(escapeHtml('a\r\nb\0c')).toBe('a&#13;\nb&#xFFFD;c');
  });

  it('closes the bidi embeddings, overrides and isolates a value leaves open, as UAX #9 pairs them', () => {
    const [LRE, RLO, PDF, RLI, FSI, PDI] = ['\u202A', '\u202E', '\u202C', '\u2067', '\u2068', '\u2069'];
    expect(closeBidi('plain <b>')).toBe('plain <b>');
    expect(closeBidi(`a${RLO}b${PDF}c`)).toBe(`a${RLO}b${PDF}c`);
    expect(closeBidi(`a${RLO}b`)).toBe(`a${RLO}b${PDF}`);
    expect(closeBidi(`${RLO}${RLI}x`)).toBe(`${RLO}${RLI}x${PDI}${PDF}`);
    // a PDF inside an isolate cannot close the embedding outside it; a PDI closes the embeddings inside its isolate
    expect(closeBidi(`${LRE}${FSI}${PDF}x`)).toBe(`${LRE}${FSI}${PDF}x${PDI}${PDF}`);
    expect(closeBidi(`${FSI}${LRE}${RLO}x${PDI}y`)).toBe(`${FSI}${LRE}${RLO}x${PDI}y`);
    // stray terminators are left alone
    expect(closeBidi(`${PDF}${PDI}x`)).toBe(`${PDF}${PDI}x`);
    expect(escapeHtml(`<${RLO}`)).toBe(`&lt;${RLO}${PDF}`);
  });

  for (const [name, render] of [
    ['layers', (hostile: boolean, nonce?: string) => renderLayers({ table: layerTable(hostile) }, { cspSource: ORIGIN, nonce })],
    ['report', (hostile: boolean, nonce?: string) => renderReport(imageReport(hostile), { cspSource: ORIGIN, nonce, dockerfileLines: { 2: 'Dockerfile:10' } })],
  ] as const) {
    it(`${name}: strict CSP with a fresh nonce per render, no inline handlers or styles`, () => {
      const a = render(true);
      const b = render(true);
      const csp = cspOf(a);
      expect(csp).toBe(contentSecurityPolicy(ORIGIN, /'nonce-([^']+)'/.exec(csp)![1]));
      expect(csp).toMatch(/^default-src 'none'; /);
      expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9_-]{16,}'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(cspOf(b)).not.toBe(csp);
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      expect(a.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
      expect(a.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${nonce}">`]);
      // hostile input never becomes markup
      expect(a).not.toContain(IMG);
      expect(a).not.toContain(SCRIPT_BREAK);
      // inside real tags (attribute values blanked: escaping keeps them free of raw quotes), no handler or style attribute
      const tags = a.replace(/"[^"]*"/g, '""');
      expect(tags).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
      expect(tags).not.toMatch(/<[^>]*\sstyle\s*=/i);
      expect(a).not.toContain('javascript:');
    });
  }
});

describe('Copy build command', () => {
  it('quotes the context folder for the shell: a folder named $(…) or `…` runs nothing when pasted', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-copy-build-'));
    try {
      const dir = path.join(root, "$(touch pwned1) `touch pwned2` it's \"x\" \\ $HOME ${PATH} !x");
      fs.mkdirSync(dir);
      expect(shellWord('/plain/dir_1.2')).toBe('/plain/dir_1.2');
      const line = buildCommandLine({ contextDir: dir, buildCommand: "docker build -f 'Dockerfile.x y' -t svc:dev ." });
      // the copied line in a real shell, with `docker` standing in for the engine: it runs in that folder with those arguments
      const r = spawnSync('sh', ['-c', `docker() { pwd; printf '%s\\n' "$@"; }\n${line}`], { cwd: root, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${dir}\nbuild\n-f\nDockerfile.x y\n-t\nsvc:dev\n.\n`);
      expect(fs.readdirSync(root)).toEqual([path.basename(dir)]);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Open Dockerfile line (matching)', () => {
  const dockerfile = [
    'FROM golang:1.24 AS build',
    'RUN --mount=type=cache,target=/root/.cache/go-build \\',
    '    go build -o /out/svc .',
    'FROM gcr.io/distroless/static-debian12',
    'COPY --from=build /out/svc /app/svc',
    'RUN <<EOF',
    'rm /tmp/x',
    'EOF',
    'USER 65532',
  ].join('\n');
  it('reads logical instructions (continuations, heredocs)', () => {
    expect(dockerfileInstructions(dockerfile).map((i) => i.line)).toEqual([0, 1, 3, 4, 5, 8]);
  });
  it('finds layers by their instruction, with and without the flags BuildKit drops', () => {
    const hits = findDockerfileLines(['bazel build', 'COPY --from=build /out/svc /app/svc', 'RUN go build -o /out/svc .', undefined, 'USER 65532'], [
      { id: 'other', label: 'other/Dockerfile', text: 'FROM alpine\nUSER 65532\n' },
      { id: 'main', label: 'Dockerfile', text: dockerfile },
    ]);
    expect(hits).toEqual({
      1: { id: 'main', line: 4, label: 'Dockerfile:5' },
      2: { id: 'main', line: 1, label: 'Dockerfile:2' },
      4: { id: 'main', line: 8, label: 'Dockerfile:9' },
    });
  });
});

const haveChromium = !chromiumUnavailable('webview browser tests');

describe.skipIf(!haveChromium)('webview HTML in headless Chromium', () => {
  let chromium: Chromium;
  let browser: Browser;

  beforeAll(async () => {
    chromium = await launchChromium();
    browser = chromium.browser;
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
  });

  const load = (html: string, width = 900): Promise<Loaded> => loadPage(browser, html, width);

  async function expectInert(l: Loaded): Promise<void> {
    expect(await pwned(l.page)).toBeUndefined();
    expect(l.dialogs).toEqual([]);
    expect(l.errors).toEqual([]);
    // escaped markup creates no <img> at all (so it requests nothing either)
    expect(await l.page.locator('img').count()).toBe(0);
    expect(l.requests).toEqual([]);
    // only the one nonce'd script: no other script element made it into the DOM
    expect(await l.page.locator('script').count()).toBe(1);
    // no element carries an event handler attribute
    const handlers = await l.page.locator('*').evaluateAll((els) => (els as unknown as { attributes: ArrayLike<{ name: string }> }[]).flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => a.name)));
    expect(handlers).toEqual([]);
  }

  it('Image Layers: renders, stays inert with hostile history/labels, keyboard works (screenshot)', async () => {
    const l = await load(renderLayers({ table: layerTable(true) }, { cspSource: ORIGIN }), 700);
    const { page } = l;
    await expectInert(l);
    const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(IMG);
    expect(text).toContain(SCRIPT_BREAK);
    expect(text).toContain('svc:dev');
    expect(await page.locator('tr.row').count()).toBe(9);
    expect(await page.locator('.badge.changed').count()).toBe(1);
    expect(await page.locator('.was').innerText()).toBe('8.2 kB');
    expect(await page.locator('select#stage option').count()).toBe(2);
    // styles applied under the CSP (nonce'd <style>): bars have widths, badges colours
    const w = await page.locator('tr.row').nth(2).locator('.bar').evaluate((e) => e.getBoundingClientRect().width);
    expect(w).toBeGreaterThan(20);
    // keyboard: focus a row, ArrowDown, Enter -> reveal that line
    await page.locator('tr.row').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('button', { hasText: 'Pick image…' }).click();
    await page.selectOption('select#stage', '0');
    const msgs = await posted(page);
    expect(msgs).toContainEqual({ type: 'reveal', line: '9' });
    expect(msgs).toContainEqual({ type: 'pickImage' });
    expect(msgs).toContainEqual({ type: 'stage', value: '0' });
    await page.screenshot({ path: path.join(SHOTS, 'webview-layers.png'), fullPage: true });
    expect(await violationsOf(l)).toEqual([]);
    await page.close();
  });

  it('Image Layers: the states explain themselves (daemon down: error + Retry; no image: build command)', async () => {
    const down = { ...layerTable(), state: 'daemon-down' as const, message: `Cannot connect to the Docker daemon at unix:///var/run/docker.sock. ${IMG}`, image: undefined };
    // the width of a side bar
    let l = await load(renderLayers({ table: down }, { cspSource: ORIGIN }), 320);
    await expectInert(l);
    expect(await l.page.locator('[data-state="daemon-down"]').innerText()).toContain('Cannot connect to the Docker daemon');
    await l.page.locator('button', { hasText: 'Retry' }).click();
    expect(await posted(l.page)).toContainEqual({ type: 'retry' });
    await l.page.screenshot({ path: path.join(SHOTS, 'webview-layers-daemon-down.png'), fullPage: true });
    await l.page.close();
    const none = { ...layerTable(), state: 'no-image' as const, message: 'No local image matches this Dockerfile yet: showing estimates.', image: undefined };
    l = await load(renderLayers({ table: none }, { cspSource: ORIGIN }), 700);
    expect(await l.page.locator('[data-state="no-image"] pre').innerText()).toBe('docker build -t svc:dev -f Dockerfile .');
    await l.page.close();
    l = await load(renderLayers({}, { cspSource: ORIGIN }), 700);
    expect(await l.page.locator('body').innerText()).toContain('Open a Dockerfile');
    await l.page.close();
  });

  it('Analyze Image report: renders, stays inert with hostile labels/env/paths, actions post messages (screenshot)', async () => {
    const l = await load(renderReport(imageReport(true), { cspSource: ORIGIN, dockerfileLines: { 2: 'Dockerfile:10' } }), 1100);
    const { page } = l;
    await expectInert(l);
    const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(IMG);
    expect(text).toContain(SCRIPT_BREAK);
    expect(text).toContain(HOSTILE.replace(/\s+/g, ' '));
    expect(await page.locator('.card').count()).toBe(6);
    expect(await page.locator('.findings li').count()).toBe(4);
    // only https docs become links (the javascript: one is text)
    const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.every((h) => h?.startsWith('https://'))).toBe(true);
    expect(hrefs.length).toBe(2);
    // the chart: layer 2's bar is mostly waste
    const [outer, inner] = await Promise.all([
      page.locator('.chart .lrow').nth(1).locator('.bar').evaluate((e) => e.getBoundingClientRect().width),
      page.locator('.chart .lrow').nth(1).locator('.waste').evaluate((e) => e.getBoundingClientRect().width),
    ]);
    expect(outer).toBeGreaterThan(100);
    expect(inner / outer).toBeGreaterThan(0.9);
    await page.locator('button', { hasText: 'Export Markdown' }).click();
    await page.locator('button', { hasText: 'Export JSON' }).click();
    await page.locator('button', { hasText: 'Open Dockerfile:10' }).first().click();
    await page.locator('a', { hasText: 'go-static-binary' }).click();
    const msgs = await posted(page);
    expect(msgs).toContainEqual({ type: 'exportMarkdown' });
    expect(msgs).toContainEqual({ type: 'exportJson' });
    expect(msgs).toContainEqual({ type: 'openLine', layer: '2' });
    expect(msgs).toContainEqual({ type: 'openExternal', href: 'https://github.com/container-tuner/container-tuner/blob/main/docs/rules/go-static-binary.md' });
    expect(page.url()).toBe(`${ORIGIN}/index.html`);
    await page.screenshot({ path: path.join(SHOTS, 'webview-report.png'), fullPage: true });
    expect(await violationsOf(l)).toEqual([]);
    await page.close();
  });

  it('every character shows as it is (CR, controls, C1), NUL as U+FFFD; an open bidi override reorders nothing after it', async () => {
    // U+0001..U+00FF, CRLF and a lone CR, NUL; then a right-to-left override and isolate left open
    const all = String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1)) + 'a\r\nb\rc\0d';
    const open = 'svc\u202Eevil\u2067x';
    const r = imageReport(false);
    r.image.config.labels = { all };
    r.image.config.entrypoint = { form: 'shell', argv: ['/bin/sh', '-c', `run ${open}`], script: `run ${open}` };
    r.layers[2].createdBy = all;
    r.goBinaries[0].path = `/app/${open}`;
    r.findings[0].message = `\`/app/${open}\` is dynamically linked to \`/lib64/ld-linux-x86-64.so.2\`, which the image does not have.`;
    const l = await load(renderReport(r, { cspSource: ORIGIN }), 1100);
    await expectInert(l);
    const shown = all.replace('\0', '\uFFFD');
    expect(await l.page.locator('main').evaluate((e) => e.textContent)).toContain(`all=${shown}`);
    expect(await l.page.locator('tr.row[title]').nth(2).getAttribute('title')).toContain(shown);
    // the words after the hostile path and command keep their order ("(shell form)", not ")mrof llehs(")
    expect(await reversedText(l)).toEqual([]);
    expect(await l.page.locator('.findings li').first().innerText()).toContain('is dynamically linked to');
    await l.page.close();
  });

  it('Analyze Image report: the plain sample (screenshot)', async () => {
    const l = await load(renderReport(imageReport(false), { cspSource: ORIGIN, dockerfileLines: { 2: 'Dockerfile:10' } }), 1100);
    await expectInert(l);
    await l.page.screenshot({ path: path.join(SHOTS, 'webview-report-plain.png'), fullPage: true });
    await l.page.close();
  });
});
