// Editor settings reach the engine: severities, rules turned off, and the
// repository's .container-tuner.yaml on top of them.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

const CLI = path.resolve(__dirname, '../../bin/container-tuner.js');

async function diagnosticsWith(settings: Record<string, unknown>, files: Record<string, string>, open: string): Promise<PublishDiagnosticsParams> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-settings-'));
  for (const [k, v] of Object.entries(files)) fs.writeFileSync(path.join(dir, k), v);
  const proc = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  conn.onError(() => undefined);
  const uri = pathToFileURL(path.join(dir, open)).href;
  const got = new Promise<PublishDiagnosticsParams>((resolve) =>
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => p.uri === uri && resolve(p)),
  );
  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ debounceMs: 0, ...settings })));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: { workspace: { configuration: true } } });
  conn.sendNotification('initialized', {});
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: files[open] } });
  const result = await got;
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  await new Promise((r) => proc.once('exit', r));
  conn.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

const DF = 'FROM alpine:3.20\nRUN apk add git\nCMD ["/app"]\n';

describe('settings', () => {
  it('applies severities and turns rules off', async () => {
    const on = await diagnosticsWith({ rules: { 'apk-no-cache': 'error' } }, { Dockerfile: DF }, 'Dockerfile');
    expect(on.diagnostics.find((d) => d.code === 'apk-no-cache')?.severity).toBe(1);
    const off = await diagnosticsWith({ rules: { 'apk-no-cache': 'off' } }, { Dockerfile: DF }, 'Dockerfile');
    expect(off.diagnostics.map((d) => d.code)).not.toContain('apk-no-cache');
  });
  it('lets the repository file override editor settings', async () => {
    const r = await diagnosticsWith({ rules: { 'apk-no-cache': 'error' } }, { Dockerfile: DF, '.container-tuner.yaml': 'rules:\n  apk-no-cache: info\n' }, 'Dockerfile');
    expect(r.diagnostics.find((d) => d.code === 'apk-no-cache')?.severity).toBe(3);
  });
  it('turns everything off with enable: false', async () => {
    const r = await diagnosticsWith({ enable: false }, { Dockerfile: DF }, 'Dockerfile');
    expect(r.diagnostics).toEqual([]);
  });
});
