// The language server as a real process over stdio: `textDocument/inlayHint`,
// `containerTuner/layers`, `containerTuner/layersChanged`,
// `containerTuner/watchImages` and the trust notification. Without Docker
// (a docker path that does not exist) always; with the real engine when there
// is one (an image built, then removed while `docker events` is watched).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { InlayHint } from 'vscode-languageserver-protocol';
import type { LayerTable } from '../../server/src/engine/layers/estimate';
import { build, BUSYBOX, cleanup, dockerUnavailable, removeImages, RUN_TAG, skipLoudly } from './docker-env';

const CLI = path.resolve(__dirname, '../../bin/container-tuner.js');

interface Client {
  conn: MessageConnection;
  proc: ChildProcess;
  changed: string[];
  refreshes: number;
  settings: Record<string, unknown>;
  stderr: string[];
  /** Resolves when `containerTuner/layersChanged` has been sent for `uri` more than `after` times. */
  changedFor(uri: string, after: number): Promise<void>;
  close(): Promise<void>;
}

async function startClient(settings: Record<string, unknown>, init: Record<string, unknown> = {}): Promise<Client> {
  const proc = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const waiters: { uri: string; after: number; resolve: () => void }[] = [];
  const c: Client = {
    conn,
    proc,
    changed: [],
    refreshes: 0,
    settings,
    stderr: [],
    changedFor(uri, after) {
      const count = () => c.changed.filter((u) => u === uri).length;
      if (count() > after) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no containerTuner/layersChanged for ${uri} (after ${after}); got ${JSON.stringify(c.changed)}; stderr ${c.stderr.join('')}`)), 20_000);
        waiters.push({ uri, after, resolve: () => { clearTimeout(t); resolve(); } });
      });
    },
    async close() {
      const exited = new Promise((r) => proc.once('exit', r));
      await conn.sendRequest('shutdown');
      conn.sendNotification('exit');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      conn.dispose();
    },
  };
  proc.stderr!.on('data', (d) => c.stderr.push(String(d)));
  conn.onNotification('containerTuner/layersChanged', (p: { uri: string }) => {
    c.changed.push(p.uri);
    const n = c.changed.filter((u) => u === p.uri).length;
    for (const w of [...waiters]) if (w.uri === p.uri && n > w.after) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => c.settings));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/inlayHint/refresh', () => { c.refreshes++; return null; });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onError(() => undefined);
  conn.listen();
  const result = (await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true, inlayHint: { refreshSupport: true } } },
    initializationOptions: init,
  })) as { capabilities: { inlayHintProvider?: unknown } };
  expect(result.capabilities.inlayHintProvider).toBeTruthy();
  conn.sendNotification('initialized', {});
  return c;
}

function hints(c: Client, uri: string, lines = 100): Promise<InlayHint[]> {
  return c.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } } }) as Promise<InlayHint[]>;
}

function layers(c: Client, uri: string, extra: Record<string, unknown> = {}): Promise<LayerTable | null> {
  return c.conn.sendRequest('containerTuner/layers', { uri, ...extra }) as Promise<LayerTable | null>;
}

describe('layer sizes over LSP, without Docker', () => {
  let c: Client;
  let dir: string;
  beforeAll(async () => {
    expect(fs.existsSync(path.resolve(__dirname, '../../dist/cli.js')), 'run `npm run build` first (npm test does)').toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-layers-lsp-'));
    fs.writeFileSync(path.join(dir, 'data.bin'), Buffer.alloc(1_234_567));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x'.repeat(10));
    c = await startClient({ debounceMs: 0, docker: { path: path.join(dir, 'no-such-docker') } });
  });
  afterAll(async () => {
    await c.close();
    expect(c.proc.exitCode).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves inlay hints and the table, follows edits, honours the setting and workspace trust', async () => {
    const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    const text = 'FROM scratch\nCOPY data.bin /data.bin\nRUN touch /x\nENV A=1\n';
    c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    await c.changedFor(uri, 0);
    await waitFor(async () => c.refreshes > 0, 'workspace/inlayHint/refresh');
    const h1 = await hints(c, uri);
    expect(h1.map((h) => [h.position, h.label])).toEqual([
      [{ line: 0, character: 12 }, '+0 B'],
      [{ line: 1, character: 23 }, '+1.23 MB'],
      [{ line: 2, character: 12 }, '+? (not built)'],
    ]);
    expect(String(h1[1].tooltip)).toContain('context (1,234,567 bytes)');

    const t = (await layers(c, uri))!;
    expect(t.state).toBe('no-docker');
    expect(t.message).toContain('no-such-docker');
    expect(t.rows.map((r) => [r.line, r.keyword, r.source, r.size])).toEqual([
      [0, 'FROM', 'base', 0],
      [1, 'COPY', 'context', 1_234_567],
      [2, 'RUN', 'unknown', null],
      [3, 'ENV', 'metadata', 0],
    ]);
    expect(t.totals).toMatchObject({ image: 1_234_567, base: 0, added: 1_234_567, unknownRows: 1 });
    expect(await layers(c, 'file:///nonexistent/Dockerfile')).toBeNull();

    // an edit: the table and the hints follow (lines shift)
    c.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'COPY notes.txt /notes.txt\n' }],
    });
    await c.changedFor(uri, 1);
    const h2 = await hints(c, uri);
    expect(h2.map((h) => [h.position.line, h.label])).toEqual([[0, '+0 B'], [1, '+10 B'], [2, '+1.23 MB'], [3, '+? (not built)']]);
    // only the requested range
    expect((await c.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 99 } } })) as InlayHint[]).toHaveLength(1);

    // the setting turns hints off
    c.settings = { ...c.settings, layers: { inlayHints: false } };
    c.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await waitFor(async () => (await hints(c, uri)).length === 0, 'hints to disappear');
    c.settings = { ...c.settings, layers: { inlayHints: true } };
    c.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await waitFor(async () => (await hints(c, uri)).length === 4, 'hints to come back');

    // untrusted: no docker at all, and it says why
    c.conn.sendNotification('containerTuner/trust', { trusted: false });
    await waitFor(async () => (await layers(c, uri))!.message?.includes('untrusted') === true, 'the untrusted message');
    expect(await c.conn.sendRequest('containerTuner/watchImages', { enabled: true })).toEqual({ watching: false });
    c.conn.sendNotification('containerTuner/trust', { trusted: true });
  });
});

async function waitFor(pred: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const why = await dockerUnavailable();
if (why) skipLoudly('layer sizes over LSP with the real Docker Engine (test/layers/server.test.ts)', why);

describe.skipIf(!!why)('layer sizes over LSP with the real Docker Engine', () => {
  let c: Client;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-layers-lsp-docker-'));
    fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
    c = await startClient({ debounceMs: 0 }, { trusted: true });
  });
  afterAll(async () => {
    await c.conn.sendRequest('containerTuner/watchImages', { enabled: false });
    await c.close();
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('measured sizes; with docker events watched, removing the image and building it again update the table', async () => {
    const text = `FROM scratch\nCOPY busybox /bin/busybox\nENV LAYERS_LSP=${RUN_TAG}\nCMD ["/bin/busybox", "true"]\n`;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), text);
    const tag = `${RUN_TAG}-lsp:v1`;
    const id = await build(dir, tag, 'buildkit');
    const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    const t = (await layers(c, uri))!;
    expect(t.state).toBe('ok');
    expect(t.image).toMatchObject({ id, refs: [tag], by: 'auto', builder: 'buildkit' });
    const size = fs.statSync(BUSYBOX!).size;
    expect(t.rows[1]).toMatchObject({ source: 'built', size });
    const h = await hints(c, uri);
    expect(h.map((x) => x.label)).toEqual(['+0 B', `+${(size / 1e6).toPrecision(3)} MB`]);

    expect(await c.conn.sendRequest('containerTuner/watchImages', { enabled: true })).toEqual({ watching: true });
    const before = c.changed.filter((u) => u === uri).length;
    await removeImages(tag);
    // the `docker events` stream reports it: no polling
    await c.changedFor(uri, before);
    expect((await layers(c, uri))!.state).toBe('image-removed');

    const again = c.changed.filter((u) => u === uri).length;
    const id2 = await build(dir, tag, 'classic');
    await c.changedFor(uri, again);
    const t2 = (await layers(c, uri))!;
    expect(t2.state).toBe('ok');
    expect(t2.image).toMatchObject({ id: id2, builder: 'classic' });

    // the panel's pick: an image named by the user is kept (pinned), '' goes back to automatic
    const picked = (await layers(c, uri, { image: id2 }))!;
    expect(picked.image).toMatchObject({ id: id2, by: 'request' });
    // an edit recomputes with the pinned image
    const n = c.changed.filter((u) => u === uri).length;
    c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: '# pinned\n' + text }] });
    await c.changedFor(uri, n);
    expect((await layers(c, uri))!.image).toMatchObject({ id: id2, by: 'pinned' });
    expect((await layers(c, uri, { image: '' }))!.image).toMatchObject({ id: id2, by: 'auto' });
  }, 120_000);
});
