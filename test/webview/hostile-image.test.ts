// Issue #8 (Security): a real image whose metadata and files carry HTML/JS
// payloads, shown in both webviews exactly as the extension shows it.
//
// 1. Builds, with the real Docker Engine and both builders (classic and
//    BuildKit), an image FROM scratch (static busybox, a Go binary) whose
//    LABEL keys and values, ENV names and values, file and directory names
//    (added, then overwritten by a later layer: wasted paths), RUN command
//    text (history), WORKDIR, USER, ENTRYPOINT, CMD, Go build settings
//    (-ldflags), Dockerfile name and build-context folder carry the payloads
//    below. Image references cannot carry any: Docker allows [a-z0-9._/-] in
//    names and [A-Za-z0-9_.-] in tags.
// 2. Gets the data the extension gets, from the language server (the real
//    `startServer`, over a JSON-RPC connection): `containerTuner/layers` for the
//    open Dockerfile (matched automatically to that image; then a pick of a
//    missing image, which shows the context folder and build command; then a
//    never-built Dockerfile with hostile stages), and
//    `containerTuner/analyzeImage` for the local image and for a `docker save`
//    archive at a hostile path; and the daemon-down table for a hostile
//    DOCKER_HOST (the engine call the server makes).
// 3. Renders them with the extension's own HTML builders (renderLayers,
//    renderReport with the "Open Dockerfile line" labels the extension
//    computes) and loads them in headless Chromium under their CSP.
// 4. Asserts: no payload ran (window.__pwned unset, no dialog, no request, no
//    error), no CSP violation at all, no element or attribute the renderer
//    does not make itself (one <script> and one <style>, both with this
//    render's nonce; no on* / src / style attributes; links https only), no
//    text of the page reordered by an open bidi override, and every data
//    string that carries a payload shows literally in the page's text or
//    attribute values (title, aria-label). "Copy build command", pasted into
//    a shell, runs nothing but the build in that folder.
//
// Skips loudly without Docker, busybox-static or Go (REQUIRE_DOCKER=1: fails)
// and without Chromium (REQUIRE_E2E=1: fails). Removes the images it builds.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from '../../server/src/server';
import type { ImageReport } from '../../server/src/engine/image/analyze';
import type { LayerTable } from '../../server/src/engine/layers/estimate';
import { buildCommandLine, renderLayers } from '../../client/src/webviews/layersHtml';
import { renderReport } from '../../client/src/webviews/reportHtml';
import { findDockerfileLines } from '../../client/src/webviews/dockerfileLines';
import { BUSYBOX, build, buildCli, buildGoBinary, cleanup, dockerUnavailable, goUnavailable, skipLoudly } from '../layers/docker-env';
import { runDocker } from '../../server/src/engine/docker/cli';
import { computeLayerTable, layerModel } from '../../server/src/engine/layers/compute';
import { FsWorkspace } from '../../server/src/engine/workspace';
import { chromiumUnavailable, launchChromium, loadPage, ORIGIN, pwned, reversedText, SHOTS, violationsOf, type Chromium, type Loaded } from './harness';

// ---------------------------------------------------------------------------
// Payloads

/** Control characters: every C0 but NUL (CR, LF and TAB included), DEL, every C1. */
const CONTROLS = String.fromCharCode(...Array.from({ length: 31 }, (_, i) => i + 1), 0x7f, ...Array.from({ length: 32 }, (_, i) => 0x80 + i));

function longPayload(): string {
  const chunk = '<img src=x onerror="window.__pwned=7">&amp;<b>';
  const s = chunk.repeat(Math.ceil(10_000 / chunk.length));
  return s.slice(0, 10_000 - 5) + '<end>';
}

const PAYLOADS = {
  script: '<script>window.__pwned=1</script>',
  img: '<img src=x onerror="window.__pwned=2">',
  attr: '"><svg onload=window.__pwned=3>',
  style: '</style><script>window.__pwned=5</script>',
  js: 'javascript:window.__pwned=6',
  template: "{{constructor.constructor('window.__pwned=4')()}}",
  entity: '&lt;',
  // right-to-left override, isolates and marks
  bidi: 'bidi-\u202Egnp.exe\u202C-\u2067\u05D0\u05D1\u2069-\u200F\u061C-end',
  // a right-to-left override and isolate left open: must not reorder the page's text after it
  bidiOpen: 'rlo-\u202Eevil-\u2067open',
  long: longPayload(),
  control: `ctl-${CONTROLS}-\u001b[31mred\u001b[0m-end`,
} as const;
type PayloadName = keyof typeof PAYLOADS;
const NAMES = Object.keys(PAYLOADS) as PayloadName[];

/** A word for a POSIX shell (busybox sh) that is the payload itself, and whose text in the command line is the payload verbatim. */
function shWord(s: string): string {
  if (!s.includes("'")) return `'${s}'`;
  if (!/["$`\\]/.test(s)) return `"${s}"`;
  throw new Error(`no verbatim shell quoting for ${JSON.stringify(s)}`);
}

/** A Dockerfile word (LABEL, ENV, WORKDIR, USER): Docker's own lexer, same quoting. */
const dfWord = shWord;

/** Files of the build context: payloads as names (a `/` makes directories), the control-character one too. */
function contextFiles(): string[] {
  return [PAYLOADS.script, PAYLOADS.img, PAYLOADS.attr, PAYLOADS.style, PAYLOADS.js, PAYLOADS.template, PAYLOADS.entity, PAYLOADS.bidi, PAYLOADS.control, `long-${'<i>'.repeat(80)}`, PAYLOADS.bidiOpen];
}

function dockerfile(unique: string): string {
  const p = PAYLOADS;
  return [
    '# hostile image for test/webview/hostile-image.test.ts',
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    `LABEL ct.script=${dfWord(p.script)} ct.img=${dfWord(p.img)} ct.template=${dfWord(p.template)} org.opencontainers.image.url=${dfWord(p.js)}`,
    `ENV X</script><script>Y=${dfWord(p.attr)} CT_STYLE=${dfWord(p.style)} CT_ENTITY=${dfWord(p.entity)} CT_BIDI=${dfWord(p.bidi)}`,
    `ENV CT_LONG=${dfWord(p.long)}`,
    `WORKDIR ${dfWord(`/w/${p.img}`)}`,
    'COPY files/ /h/',
    // every file again in a later layer: each hostile path is a wasted path
    `RUN find /h -type f -exec sh -c 'echo x >> "$1"' _ {} \\; && echo ${shWord(p.script)} ${shWord(p.img)} ${shWord(p.template)} ${shWord(p.bidi)} > /dev/null`,
    // a layer of its own (a RUN that changes nothing is an empty layer for the classic builder)
    `RUN echo ${shWord(p.long)} > /long.txt`,
    `COPY app/ /app/`,
    `USER ${dfWord(p.attr)}`,
    `ENTRYPOINT ${JSON.stringify(['/bin/echo', p.style, p.entity, p.template, p.bidi, p.js])}`,
    `CMD echo ${shWord(p.img)} ${shWord(p.attr)} ${shWord(p.bidiOpen)}`,
    `ENV CT_UNIQUE=${unique}`,
    '',
  ].join('\n');
}

/** The control-character payload without what the docker CLI calls white space (refused in label keys). */
const CONTROL_KEY = PAYLOADS.control.replace(/[\t\n\v\f\r \u0085]/g, '');

/** Labels given on the command line (`--label k=v`): any value, newlines and control characters included. */
function cliLabels(): string[] {
  const p = PAYLOADS;
  const out = NAMES.map((n) => `ct.cli.${n}=${p[n]}`);
  // keys: anything but `=` and white space
  for (const k of ['</script><script>window.__pwned++</script>', p.entity, p.bidi, CONTROL_KEY]) out.push(`${k}=key`);
  return out;
}

const GO_BINARY = PAYLOADS.attr;
/** In the build context's path: command substitutions a careless shell quoting would run. */
const SHELL_TRAP = '$(touch pwned1)`touch pwned2`';
const GO_LDFLAGS = `-X 'main.note=${PAYLOADS.img}'`;

/** The Go binary of the image: not stripped (the report then has a finding naming it), with a payload in its build settings. */
function buildHostileGoBinary(out: string): void {
  const main = 'package main\n\nimport "os"\n\nvar note = ""\n\nfunc main() { os.Stdout.WriteString(note + "\\n") }\n';
  buildGoBinary(path.dirname(out), path.basename(out), { ldflags: GO_LDFLAGS, main });
}

// ---------------------------------------------------------------------------
// The language server, in this process, over a real JSON-RPC connection

interface Server {
  conn: MessageConnection;
  close(): Promise<void>;
}

async function startLanguageServer(rootDir: string): Promise<Server> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConn = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(serverConn);
  const conn = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/inlayHint/refresh', () => null);
  conn.onNotification('window/logMessage', () => undefined);
  conn.onNotification('textDocument/publishDiagnostics', () => undefined);
  conn.listen();
  await conn.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(rootDir).href, capabilities: { workspace: { configuration: true } } });
  conn.sendNotification('initialized', {});
  return {
    conn,
    async close() {
      await conn.sendRequest('shutdown').catch(() => undefined);
      conn.dispose();
      serverConn.dispose();
      toServer.end();
      toClient.end();
    },
  };
}

// ---------------------------------------------------------------------------
// What the page must show

/** Every string in `v` with its JSON path. */
function strings(v: unknown, at = '$', out: [string, string][] = []): [string, string][] {
  if (typeof v === 'string') out.push([at, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${at}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${at}.${k}`, out);
  return out;
}

const hasPayload = (s: string) => NAMES.some((n) => s.includes(PAYLOADS[n]));

/**
 * The text `inlineCode` shows for Markdown-ish text: code-span backticks are markup, an unpaired last one is
 * literal, and a code span that leaves bidi controls open is closed at its end (the open RLO, RLI: PDI, PDF).
 */
function inlineCodeText(s: string): string {
  const parts = s.split('`');
  const text = parts.map((p, i) => (i % 2 === 1 && i === parts.length - 1 ? '`' + p : p)).join('');
  return text.split(PAYLOADS.bidiOpen).join(`${PAYLOADS.bidiOpen}\u2069\u202C`);
}

/** The page's text (textContent of the whole document) and every attribute value, joined by NULs. */
async function pageHaystack(l: Loaded): Promise<string> {
  return l.page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { textContent: string }; querySelectorAll(s: string): ArrayLike<{ attributes: ArrayLike<{ value: string }> }> } }).document;
    const parts = [d.documentElement.textContent];
    for (const el of Array.from(d.querySelectorAll('*'))) for (const a of Array.from(el.attributes)) parts.push(a.value);
    return parts.join('\u0000');
  });
}

/** Data strings with a payload that are not on the page, except those the renderer leaves out (`skip`: path patterns). */
async function missingStrings(l: Loaded, data: unknown, skip: RegExp[], markdown: RegExp[] = []): Promise<string[]> {
  const hay = await pageHaystack(l);
  return strings(data)
    .filter(([at, s]) => hasPayload(s) && !skip.some((r) => r.test(at)))
    .filter(([at, s]) => !hay.includes(markdown.some((r) => r.test(at)) ? inlineCodeText(s) : s))
    .map(([at, s]) => `${at} = ${JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s)}`);
}

/** Which payloads occur anywhere in the data. */
const payloadsIn = (data: unknown): PayloadName[] => NAMES.filter((n) => strings(data).some(([, s]) => s.includes(PAYLOADS[n])));

/** Tags and attributes the two renderers make: anything else came from data. */
const TAGS = new Set(['HTML', 'HEAD', 'META', 'TITLE', 'STYLE', 'BODY', 'MAIN', 'SCRIPT', 'H1', 'H2', 'H3', 'DIV', 'SPAN', 'P', 'STRONG', 'CODE', 'PRE', 'BR', 'A', 'BUTTON', 'LABEL', 'SELECT', 'OPTION', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'SECTION', 'UL', 'LI']);
const ATTRS = /^(class|id|title|role|tabindex|lang|charset|http-equiv|content|name|nonce|href|value|selected|aria-[a-z]+|data-[a-z-]+)$/;

async function expectInert(l: Loaded): Promise<void> {
  const { page } = l;
  expect(await pwned(page)).toBeUndefined();
  expect(l.dialogs).toEqual([]);
  expect(l.requests).toEqual([]);
  expect(l.errors).toEqual([]);
  // no CSP violation at all: the payloads never even tried (they are text), and the page's own script and style are nonce'd
  expect(await violationsOf(l)).toEqual([]);
  // an override left open in data reorders none of the page's own text
  expect(await reversedText(l)).toEqual([]);
  const dom = await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ tagName: string; attributes: ArrayLike<{ name: string; value: string }>; nonce?: string }>; querySelector(s: string): { content: string } | null } }).document;
    const els = Array.from(d.querySelectorAll('*'));
    const csp = d.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '';
    return {
      tags: [...new Set(els.map((e) => e.tagName))],
      attrs: [...new Set(els.flatMap((e) => Array.from(e.attributes).map((a) => a.name)))],
      hrefs: els.flatMap((e) => Array.from(e.attributes).filter((a) => a.name === 'href').map((a) => a.value)),
      nonced: els.filter((e) => e.tagName === 'SCRIPT' || e.tagName === 'STYLE').map((e) => `${e.tagName}:${e.nonce}`),
      csp,
    };
  });
  expect(dom.tags.filter((t) => !TAGS.has(t))).toEqual([]);
  expect(dom.attrs.filter((a) => !ATTRS.test(a))).toEqual([]);
  expect(dom.hrefs.filter((h) => !/^https:\/\//.test(h))).toEqual([]);
  const nonce = /'nonce-([^']+)'/.exec(dom.csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(dom.nonced.sort()).toEqual([`SCRIPT:${nonce}`, `STYLE:${nonce}`]);
}

// ---------------------------------------------------------------------------

const whyDocker = (await dockerUnavailable()) ?? goUnavailable();
if (whyDocker) skipLoudly('a hostile real image in the webviews (test/webview/hostile-image.test.ts)', whyDocker);
const whyChromium = chromiumUnavailable('a hostile real image in the webviews (test/webview/hostile-image.test.ts)');

const RUN = `ct-webview-hostile-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;

describe.skipIf(!!whyDocker || !!whyChromium)('a hostile real image in the webviews', () => {
  let root: string;
  let chromium: Chromium;
  let browser: Browser;
  let server: Server;
  let goBinary: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-webview-hostile-'));
    goBinary = path.join(root, 'go-binary');
    buildHostileGoBinary(goBinary);
    chromium = await launchChromium();
    browser = chromium.browser;
    server = await startLanguageServer(root);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await chromium?.close();
    await cleanup();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  for (const builder of ['classic', 'buildkit'] as const) {
    it(`${builder}: the Image Layers panel and the Analyze Image report show every payload as text and run none`, async () => {
      // the build context: a folder whose own path is hostile, a hostile Dockerfile name
      const dir = path.join(root, builder, PAYLOADS.attr, PAYLOADS.template, SHELL_TRAP);
      const files = path.join(dir, 'files');
      fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
      fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
      fs.copyFileSync(goBinary, path.join(dir, 'app', GO_BINARY));
      contextFiles().forEach((name, i) => {
        const f = path.join(files, name);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        // the open override biggest (3 MB): the largest wasted path, named mid-sentence in the wasted-bytes finding
        fs.writeFileSync(f, Buffer.alloc(name === PAYLOADS.bidiOpen ? 3_000_000 : 2000 + i * 100, 0x41 + i));
      });
      const dockerfileName = `Dockerfile.${PAYLOADS.img}`;
      const file = path.join(dir, dockerfileName);
      const text = dockerfile(`${RUN}-${builder}`);
      fs.writeFileSync(file, text);
      const tag = `${RUN}-${builder}:hostile`;
      const labels = cliLabels().flatMap((l) => ['--label', l]);
      const id = await build(dir, tag, builder, ['-f', file, ...labels]);

      // the data the extension gets from the server
      const uri = pathToFileURL(file).href;
      server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
      const table = (await server.conn.sendRequest('containerTuner/layers', { uri })) as LayerTable;
      expect(table.state, table.message).toBe('ok');
      expect(table.image?.id).toBe(id);
      expect(table.image?.builder).toBe(builder);
      const missing = (await server.conn.sendRequest('containerTuner/layers', { uri, image: `${RUN}-missing:none` })) as LayerTable;
      expect(missing.state).toBe('no-image');
      // "Copy build command", pasted into a shell (docker stubbed): runs in that folder, and nothing else runs
      const pasted = spawnSync('sh', ['-c', `docker() { pwd; printf '%s\\n' "$@"; }\n${buildCommandLine(missing)}`], { cwd: root, encoding: 'utf8' });
      expect(pasted.stderr).toBe('');
      expect(pasted.stdout).toBe(`${dir}\nbuild\n-f\n${dockerfileName}\n-t\n${missing.buildCommand.split(' -t ')[1].split(' ')[0]}\n.\n`);
      expect(fs.readdirSync(root).filter((f) => f.startsWith('pwned'))).toEqual([]);
      const local = (await server.conn.sendRequest('containerTuner/analyzeImage', { target: tag, kind: 'image' })) as ImageReport;
      const archive = path.join(root, builder, PAYLOADS.img, `${PAYLOADS.bidi}.tar`);
      fs.mkdirSync(path.dirname(archive), { recursive: true });
      const saved = await runDocker(['save', '-o', archive, tag], { timeoutMs: 120_000, dockerPath: buildCli() });
      expect(saved.ok, saved.ok ? '' : saved.message).toBe(true);
      const fromArchive = (await server.conn.sendRequest('containerTuner/analyzeImage', { target: archive, kind: 'path' })) as ImageReport;
      server.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
      // a Docker daemon that cannot be reached at a hostile DOCKER_HOST: its error is shown (the same engine call the server makes)
      const dockerHost = `unix://${path.join(root, PAYLOADS.img, 'docker.sock')}`;
      const down = (await computeLayerTable(layerModel(text, file, new FsWorkspace()), { docker: { env: { ...process.env, DOCKER_HOST: dockerHost } } })).table;
      expect(down.state).toBe('daemon-down');
      expect(down.message).toContain(dockerHost);
      // a cloned repository's Dockerfile is untrusted too: hostile stages (ARG-driven FROM), never built
      const stagesFile = path.join(dir, `Dockerfile.${PAYLOADS.template}`);
      const stagesText = [`ARG BASE=${dfWord(PAYLOADS.img)}`, 'FROM ${BASE} AS build', `RUN echo ${shWord(PAYLOADS.script)}`, `FROM ${PAYLOADS.entity}${PAYLOADS.js}`, `COPY --from=build ${dfWord(`/${PAYLOADS.attr}`)} /x`, ''].join('\n');
      fs.writeFileSync(stagesFile, stagesText);
      const stagesUri = pathToFileURL(stagesFile).href;
      server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: stagesUri, languageId: 'dockerfile', version: 1, text: stagesText } });
      const stages = (await server.conn.sendRequest('containerTuner/layers', { uri: stagesUri, stage: 0 })) as LayerTable;
      server.conn.sendNotification('textDocument/didClose', { textDocument: { uri: stagesUri } });
      expect(stages.stages.map((s) => s.from)).toEqual([PAYLOADS.img, `${PAYLOADS.entity}${PAYLOADS.js}`]);

      // the real image carries every payload, in every place the test puts it
      expect(payloadsIn(local)).toEqual(NAMES);
      expect(payloadsIn(fromArchive)).toEqual(NAMES);
      const cfg = local.image.config;
      expect(cfg.user).toBe(PAYLOADS.attr);
      expect(cfg.workdir).toBe(`/w/${PAYLOADS.img}`);
      expect(cfg.labels['ct.cli.control']).toBe(PAYLOADS.control);
      expect(cfg.labels['ct.cli.long']).toHaveLength(10_000);
      expect(cfg.labels[PAYLOADS.bidi]).toBe('key');
      expect(cfg.env).toContainEqual({ name: 'X</script><script>Y', value: PAYLOADS.attr });
      expect(cfg.entrypoint?.argv).toEqual(['/bin/echo', PAYLOADS.style, PAYLOADS.entity, PAYLOADS.template, PAYLOADS.bidi, PAYLOADS.js]);
      expect(cfg.cmd?.script).toBe(`echo ${shWord(PAYLOADS.img)} ${shWord(PAYLOADS.attr)} ${shWord(PAYLOADS.bidiOpen)}`);
      // the largest wasted file (the open override) is named in the middle of a finding's sentence
      expect(local.findings.find((f) => f.id === 'wasted-bytes')?.message).toContain(`/h/${PAYLOADS.bidiOpen}\``);
      const wasted = local.waste.wastedPaths.map((w) => w.path);
      for (const name of contextFiles()) expect(wasted).toContain(`/h/${name}`);
      const bin = local.goBinaries.find((b) => b.path === `/app/${GO_BINARY}`);
      expect(bin?.ldflags).toBe(GO_LDFLAGS);
      expect(local.layers.filter((l) => l.instruction?.includes(PAYLOADS.long))).toHaveLength(1);
      expect(fromArchive.image.input).toBe(archive);
      expect(payloadsIn(table)).toEqual(expect.arrayContaining(['script', 'img', 'attr', 'template', 'bidi', 'long']));
      expect(path.basename(table.file)).toBe(dockerfileName);

      const shot = (name: string) => path.join(SHOTS, `webview-hostile-${builder}-${name}.png`);

      // Image Layers, as LayersViewProvider.render() does it
      for (const [name, t, skip] of [
        // the context folder and the build command are shown only when nothing was built; built rows no line
        // matches (the classic builder's `--label` rows) only as a count and a byte total
        ['layers', table, [/^\$\.(contextDir|buildCommand)$/, /^\$\.removed\[/]],
        ['layers-no-image', missing, []],
        // the daemon's error and Retry; how to build is beside the point there
        ['layers-daemon-down', down, [/^\$\.(contextDir|buildCommand)$/]],
        ['layers-stages', stages, []],
      ] as const) {
        const l = await loadPage(browser, renderLayers({ table: t, notice: undefined, busy: false }, { cspSource: ORIGIN }), 700);
        await expectInert(l);
        expect(await missingStrings(l, t, [...skip])).toEqual([]);
        await l.page.screenshot({ path: shot(name), fullPage: true });
        await l.page.close();
      }

      // Analyze Image, as showReport() does it (with the "Open Dockerfile line" labels)
      for (const [name, report] of [
        ['report', local],
        ['report-archive', fromArchive],
      ] as const) {
        const hits = findDockerfileLines(report.layers.map((l) => l.instruction), [{ id: uri, label: path.relative(root, file), text }]);
        // at least the RUN layers (classic COPY history says `COPY file:<sha> in /h/`, which no line matches)
        const longRun = report.layers.findIndex((l) => l.instruction?.includes(PAYLOADS.long));
        expect(hits[longRun]?.line).toBe(text.split('\n').findIndex((t) => t.startsWith('RUN echo') && t.includes(PAYLOADS.long)));
        const labels: Record<number, string> = {};
        for (const [k, v] of Object.entries(hits)) labels[Number(k)] = v.label;
        const l = await loadPage(browser, renderReport(report, { cspSource: ORIGIN, dockerfileLines: labels }), 1100);
        await expectInert(l);
        const gone = await missingStrings(
          l,
          report,
          // the image's history list is not a section of its own: the entries that made layers are shown with them, labels and env in Config
          [/^\$\.history\[/],
          [/^\$\.findings\[\d+\]\.(message|hint)$/],
        );
        expect(gone).toEqual([]);
        // the labels of the "Open Dockerfile line" buttons name the hostile Dockerfile
        const buttons = await l.page.locator('button[data-action="openLine"]').allTextContents();
        expect(buttons.length).toBeGreaterThan(0);
        for (const b of buttons) expect(b).toContain(`Open ${path.relative(root, file)}:`);
        await l.page.screenshot({ path: shot(name), fullPage: true });
        await l.page.close();
      }
    }, 600_000);
  }
});
