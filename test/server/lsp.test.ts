// The language server as a real process over stdio, driven by a JSON-RPC client.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CodeAction, Hover, PublishDiagnosticsParams, WorkspaceEdit, TextEdit } from 'vscode-languageserver-protocol';
import { applyEdits } from '../../server/src/engine/text';

const CLI = path.resolve(__dirname, '../../bin/container-tuner.js');

describe('language server over stdio', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  let dir: string;
  const diagnostics: PublishDiagnosticsParams[] = [];
  const waiters: { pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const stderr: string[] = [];

  function waitFor(pred: (p: PublishDiagnosticsParams) => boolean, what: string): Promise<PublishDiagnosticsParams> {
    const hit = diagnostics.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(diagnostics.map((d) => [d.uri, d.version, d.diagnostics.length]))}; stderr: ${stderr.join('')}`)), 10_000);
      waiters.push({ pred, resolve: (p) => { clearTimeout(t); resolve(p); } });
    });
  }

  beforeAll(async () => {
    expect(fs.existsSync(path.resolve(__dirname, '../../dist/cli.js')), 'run `npm run build` first (npm test does)').toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-lsp-'));
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/svc\n\ngo 1.22\n');
    proc = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d) => stderr.push(String(d)));
    conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      diagnostics.push(p);
      for (const w of [...waiters]) if (w.pred(p)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(p); }
    });
    conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ debounceMs: 0 })));
    conn.onRequest('client/registerCapability', () => null);
    conn.onError(() => undefined);
    conn.listen();
    const init = await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    expect((init as any).capabilities.codeActionProvider.codeActionKinds).toContain('source.fixAll.containerTuner');
    conn.sendNotification('initialized', {});
  });

  afterAll(async () => {
    const exited = new Promise((r) => proc.once('exit', r));
    await conn.sendRequest('shutdown');
    conn.sendNotification('exit');
    // the server exits on its own after `exit`
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    expect(proc.exitCode).toBe(0);
    conn.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes diagnostics, serves quick-fixes, hover and fix-all, and follows edits', async () => {
    const file = path.join(dir, 'Dockerfile');
    const uri = pathToFileURL(file).href;
    let text = 'FROM alpine:3.20\nRUN apk add ca-certificates\nCMD ["/app"]\n';
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    const first = await waitFor((p) => p.uri === uri && p.version === 1, 'diagnostics for version 1');
    const d = first.diagnostics.find((x) => x.code === 'apk-no-cache');
    expect(d).toBeTruthy();
    expect(d!.source).toBe('container-tuner');
    expect(d!.range.start).toEqual({ line: 1, character: 4 });
    expect(d!.codeDescription?.href).toMatch(/docs\/rules\/apk-no-cache\.md$/);

    const hover = (await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 6 } })) as Hover;
    expect(JSON.stringify(hover.contents)).toContain('apk-no-cache');

    const actions = (await conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: d!.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title === 'Add --no-cache');
    expect(fix?.isPreferred).toBe(true);
    const change = (fix!.edit as WorkspaceEdit).documentChanges![0] as { textDocument: { version: number }; edits: TextEdit[] };
    expect(change.textDocument.version).toBe(1);
    text = applyEdits(text, change.edits);
    expect(text).toBe('FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n' + 'CMD ["/app"]\n');

    // incremental change: apply the fix the way an editor would
    conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: change.edits.map((e) => ({ range: e.range, text: e.newText })),
    });
    const second = await waitFor((p) => p.uri === uri && p.version === 2, 'diagnostics for version 2');
    expect(second.diagnostics.filter((x) => x.code === 'apk-no-cache')).toEqual([]);

    // break it twice more, then fix all at once
    conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ text: 'FROM alpine:3.20\nRUN apk add git\nRUN apk add make\n' }],
    });
    const third = await waitFor((p) => p.uri === uri && p.version === 3, 'diagnostics for version 3');
    expect(third.diagnostics.filter((x) => x.code === 'apk-no-cache')).toHaveLength(2);
    const all = (await conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.containerTuner'] },
    })) as CodeAction[];
    expect(all).toHaveLength(1);
    const edits = ((all[0].edit as WorkspaceEdit).documentChanges![0] as { edits: TextEdit[] }).edits;
    expect(applyEdits('FROM alpine:3.20\nRUN apk add git\nRUN apk add make\n', edits)).toBe('FROM alpine:3.20\nRUN apk add --no-cache git\nRUN apk add --no-cache make\n');

    // closing clears the diagnostics
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await waitFor((p) => p.uri === uri && p.diagnostics.length === 0 && p.version === undefined, 'cleared diagnostics');
  });

  it('with no debounce, a burst of changes that arrives at once is linted once, for its last version', async () => {
    const file = path.join(dir, 'burst', 'Dockerfile');
    const uri = pathToFileURL(file).href;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: 'FROM alpine:3.20\n' } });
    await waitFor((p) => p.uri === uri && p.version === 1, 'diagnostics for version 1');
    // twenty typed characters in one write (what a client sends after a paste of keystrokes or a slow frame)
    let frames = '';
    for (let v = 2; v <= 21; v++) {
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 1, character: v - 2 }, end: { line: 1, character: v - 2 } }, text: 'RUN apk add git'.padEnd(20)[v - 2] }] } });
      frames += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    }
    proc.stdin!.write(frames);
    const last = await waitFor((p) => p.uri === uri && p.version === 21, 'diagnostics for version 21');
    expect(last.diagnostics.map((x) => x.code)).toContain('apk-no-cache');
    await new Promise((r) => setTimeout(r, 200));
    const published = diagnostics.filter((p) => p.uri === uri && p.version! > 1).map((p) => p.version);
    // one lint when the server read the burst in one chunk (a split read may add one per chunk)
    expect(published.length, `versions published: ${published}`).toBeLessThanOrEqual(3);
    expect(published[published.length - 1]).toBe(21);
  });

  it('lints files named like Dockerfiles even with another language id, and ignores other files', async () => {
    const uri = pathToFileURL(path.join(dir, 'api.Dockerfile')).href;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'plaintext', version: 1, text: 'FROM alpine\nRUN apk add git\n' } });
    const p = await waitFor((x) => x.uri === uri, 'diagnostics for api.Dockerfile');
    expect(p.diagnostics.map((x) => x.code)).toContain('apk-no-cache');
    const other = pathToFileURL(path.join(dir, 'notes.txt')).href;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri: other, languageId: 'plaintext', version: 1, text: 'RUN apk add git\n' } });
    const q = await waitFor((x) => x.uri === other, 'diagnostics for notes.txt');
    expect(q.diagnostics).toEqual([]);
  });

  it('lints Kubernetes manifests: diagnostics, quick-fix edits that keep comments, silence for other YAML', async () => {
    const uri = pathToFileURL(path.join(dir, 'deploy.yaml')).href;
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: api # the service',
      '        image: ghcr.io/acme/api:1.2.3',
      '        resources:',
      '          requests: {cpu: 250m, memory: 256Mi}',
      '          limits:',
      '            cpu: "1"',
      '            memory: 1Gi',
      '',
    ].join('\n');
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const p = await waitFor((x) => x.uri === uri && x.version === 1, 'diagnostics for deploy.yaml');
    const codes = p.diagnostics.map((d) => d.code);
    // go.mod next to it (go 1.22): a Go workload with a CPU and a memory limit
    expect(codes).toEqual(expect.arrayContaining(['k8s-go-maxprocs', 'k8s-go-memlimit']));
    const mem = p.diagnostics.find((d) => d.code === 'k8s-go-memlimit')!;
    expect(mem.range.start.line).toBe(14);
    const actions = (await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: mem.range, context: { diagnostics: [mem], only: ['quickfix'] } })) as CodeAction[];
    const preferred = actions.find((a) => a.isPreferred)!;
    const edits = ((preferred.edit as WorkspaceEdit).documentChanges![0] as { edits: TextEdit[] }).edits;
    const fixed = applyEdits(text, edits);
    expect(fixed).toContain('      - name: api # the service\n');
    expect(fixed, fixed).toContain('        env:\n        - name: GOMEMLIMIT\n          value: "921MiB"');
    // other YAML: no diagnostics at all, not even parse errors
    const other = pathToFileURL(path.join(dir, 'ci.yaml')).href;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri: other, languageId: 'yaml', version: 1, text: 'on: [push\njobs: {' } });
    const q = await waitFor((x) => x.uri === other, 'diagnostics for ci.yaml');
    expect(q.diagnostics).toEqual([]);
  });

  it('re-lints an open manifest when the kustomization.yaml next to it changes in an editor buffer', async () => {
    const sub = path.join(dir, 'kz');
    fs.mkdirSync(sub, { recursive: true });
    const uri = pathToFileURL(path.join(sub, 'app.yaml')).href;
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: ghcr.io/acme/c\n';
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const before = await waitFor((x) => x.uri === uri && x.version === 1, 'diagnostics for kz/app.yaml');
    expect(before.diagnostics.map((d) => d.code)).toContain('k8s-image-pull-latest');
    // not saved: the server reads the buffer, and re-lints the other open documents
    const kz = pathToFileURL(path.join(sub, 'kustomization.yaml')).href;
    const from = diagnostics.length;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri: kz, languageId: 'yaml', version: 1, text: 'resources:\n- app.yaml\nimages:\n- name: ghcr.io/acme/c\n  newTag: v1.0.0\n' } });
    const after = await waitFor((x) => x.uri === uri && diagnostics.indexOf(x) >= from, 'diagnostics for kz/app.yaml after the kustomization opened');
    expect(after.diagnostics.map((d) => d.code)).not.toContain('k8s-image-pull-latest');
  });

  it('answers requests for unknown documents without failing', async () => {
    const uri = pathToFileURL(path.join(dir, 'nope', 'Dockerfile')).href;
    expect(await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } })).toEqual([]);
    expect(await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 99, character: 99 } })).toBeNull();
  });
});
