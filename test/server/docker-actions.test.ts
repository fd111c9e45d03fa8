// "Pin to digest" and the FROM hover through the real language server process:
// with the real Docker Engine (an image pushed to the local registry has a
// RepoDigest), and with fake `docker` scripts for a daemon that is down or
// hangs, and for workspace trust (no docker command before trust is granted).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CodeAction, Diagnostic, Hover, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { repoDigestFor } from '../../server/src/engine/docker/cli';
import { applyEdits } from '../../server/src/engine/text';
import { buildBusyboxImage, cleanup, DAEMON_DOWN_LINE, dockerUnavailable, fakeDocker, push, REGISTRY, registryUp, RUN_ID, skipLoudly, tagImage } from '../docker/support';

const CLI = path.resolve(__dirname, '../../bin/container-tuner.js');
const posix = process.platform !== 'win32';

interface Lsp {
  conn: MessageConnection;
  dir: string;
  open(name: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }>;
  actions(uri: string, line: number, diagnostics?: Diagnostic[], endLine?: number): Promise<CodeAction[]>;
  hover(uri: string, line: number, character: number): Promise<string>;
  close(): Promise<void>;
}

async function startLsp(settings: Record<string, unknown>, initializationOptions?: Record<string, unknown>): Promise<Lsp> {
  expect(fs.existsSync(path.resolve(__dirname, '../../dist/cli.js')), 'run `npm run build` first (npm test does)').toBe(true);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-docker-lsp-'));
  const proc: ChildProcess = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr!.on('data', (d) => stderr.push(String(d)));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const waiting = new Map<string, (p: PublishDiagnosticsParams) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => waiting.get(p.uri)?.(p));
  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ debounceMs: 0, ...settings })));
  conn.onRequest('client/registerCapability', () => null);
  conn.onError(() => undefined);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true } } },
    initializationOptions,
  });
  conn.sendNotification('initialized', {});
  return {
    conn,
    dir,
    open(name, text) {
      const uri = pathToFileURL(path.join(dir, name)).href;
      const got = new Promise<{ uri: string; diagnostics: Diagnostic[] }>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no diagnostics for ${name}; stderr: ${stderr.join('')}`)), 10_000);
        waiting.set(uri, (p) => { clearTimeout(t); resolve({ uri, diagnostics: p.diagnostics }); });
      });
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
      return got;
    },
    async actions(uri, line, diagnostics = [], endLine = line) {
      return (await conn.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line, character: 0 }, end: { line: endLine, character: 0 } },
        context: { diagnostics },
      })) as CodeAction[];
    },
    async hover(uri, line, character) {
      const h = (await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } })) as Hover | null;
      return h ? (h.contents as { value: string }).value : '';
    },
    async close() {
      const exited = new Promise((r) => proc.once('exit', r));
      await conn.sendRequest('shutdown');
      conn.sendNotification('exit');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      conn.dispose();
      if (proc.exitCode === null) proc.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function editsOf(a: CodeAction): TextEdit[] {
  return ((a.edit as WorkspaceEdit).documentChanges![0] as { edits: TextEdit[] }).edits;
}

const isPin = (a: CodeAction) => a.title.startsWith('Pin ');

describe('Pin to digest and the FROM hover with the real Docker Engine', () => {
  let why: string | undefined;
  let lsp: Lsp | undefined;
  const repo = `${REGISTRY}/${RUN_ID}/base`;
  let digest = '';

  beforeAll(async () => {
    why = await dockerUnavailable();
    if (!why && !(await registryUp())) why = `no registry on ${REGISTRY}, so no image has a RepoDigest (apt-get install docker-registry; scripts/ci-docker.sh starts it)`;
    if (why) return;
    await buildBusyboxImage(`${RUN_ID}-base:local`, 'classic');
    for (const tag of ['1', 'latest']) {
      await tagImage(`${RUN_ID}-base:local`, `${repo}:${tag}`);
      digest = await push(`${repo}:${tag}`);
    }
    const r = await repoDigestFor(`${repo}:1`);
    expect(r.ok && r.value?.digest).toBe(digest);
    lsp = await startLsp({});
  }, 300_000);
  afterAll(async () => {
    await lsp?.close();
    if (!why) await cleanup();
  }, 120_000);

  it('offers "Pin to digest" on a tagged FROM and on the unpinned one, alongside the other fixes', async (ctx) => {
    if (why) return skipLoudly('the Pin to digest server test', why), ctx.skip();
    const text = `FROM ${repo}:1 AS a\nRUN ["/bin/busybox", "true"]\nFROM ${repo}\nRUN apk add git\n`;
    const { uri, diagnostics } = await lsp!.open('Dockerfile', text);
    const unpinned = diagnostics.find((d) => d.code === 'base-image-unpinned');
    expect(unpinned?.range.start).toEqual({ line: 2, character: 5 });
    const short = `${digest.slice(0, 'sha256:'.length + 8)}…`;

    const first = await lsp!.actions(uri, 0);
    const pin1 = first.find(isPin);
    expect(pin1?.title).toBe(`Pin ${repo}:1 to ${short} (local image)`);
    expect(pin1?.isPreferred).toBe(false);
    expect(pin1?.kind).toBe('quickfix');
    expect(pin1?.diagnostics ?? []).toEqual([]);
    expect(applyEdits(text, editsOf(pin1!))).toBe(`FROM ${repo}:1@${digest} AS a\nRUN ["/bin/busybox", "true"]\nFROM ${repo}\nRUN apk add git\n`);

    const third = await lsp!.actions(uri, 2, [unpinned!]);
    const pin2 = third.find(isPin);
    expect(pin2?.title).toBe(`Pin ${repo} to ${short} (local image)`);
    expect(pin2?.diagnostics).toEqual([unpinned]);
    expect(applyEdits(text, editsOf(pin2!))).toBe(`FROM ${repo}:1 AS a\nRUN ["/bin/busybox", "true"]\nFROM ${repo}@${digest}\nRUN apk add git\n`);

    // the whole file: both pins and the apk fix
    const all = await lsp!.actions(uri, 0, diagnostics, 4);
    expect(all.filter(isPin)).toHaveLength(2);
    expect(all.map((a) => a.title)).toContain('Add --no-cache');
    // nothing on lines that are not FROMs
    expect((await lsp!.actions(uri, 1)).filter(isPin)).toEqual([]);
  });

  it('the hover of a FROM shows the base facts, the local image and the diagnostic', async (ctx) => {
    if (why) return skipLoudly('the FROM hover server test', why), ctx.skip();
    const text = `FROM ${repo}\nCMD ["/bin/busybox", "true"]\n`;
    const { uri } = await lsp!.open('hover.Dockerfile', text);
    const h = await lsp!.hover(uri, 0, 8);
    expect(h).toContain(`**Base image:** \`${repo}\``);
    expect(h).toContain('**Local image** (Docker):');
    expect(h).toContain(`- Digest: \`${digest}\``);
    expect(h).toMatch(/- Size: [\d.]+ [kM]B \(\d+ bytes, uncompressed\)/);
    expect(h).toContain('**base-image-unpinned**');
    expect(h.indexOf('**Base image:**')).toBeLessThan(h.indexOf('**base-image-unpinned**'));
    // not on the image word: no base facts
    expect(await lsp!.hover(uri, 1, 2)).toBe('');
  });
});

describe.runIf(posix)('Pin to digest without a usable Docker (fake docker scripts)', () => {
  let bin: string;
  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-docker-lsp-bin-'));
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

  const text = 'FROM alpine:3.20\nRUN apk add git\nFROM alpine\n';

  it('daemon down: no pin action, the other actions and the hover still come', async () => {
    const calls = path.join(bin, 'down.calls');
    const down = fakeDocker(bin, `echo "$@" >> '${calls}'\necho '${DAEMON_DOWN_LINE}' >&2\nexit 1`, 'docker-down');
    const lsp = await startLsp({ docker: { path: down } });
    try {
      const { uri, diagnostics } = await lsp.open('Dockerfile', text);
      const actions = await lsp.actions(uri, 0, diagnostics, 3);
      expect(actions.filter(isPin)).toEqual([]);
      expect(actions.map((a) => a.title)).toContain('Add --no-cache');
      // Docker was asked (the setting reached the server), once per reference
      expect(fs.readFileSync(calls, 'utf8').trim().split('\n').sort()).toEqual(['image inspect -- alpine', 'image inspect -- alpine:3.20']);
      const h = await lsp.hover(uri, 0, 6);
      expect(h).toContain('**Base image:** `alpine:3.20`');
      expect(h).not.toContain('Local image');
      // the failure is cached: asking again runs nothing new
      await lsp.actions(uri, 0, diagnostics, 3);
      expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      await lsp.close();
    }
  });

  it('a hanging docker: the actions come back without the pin once docker.timeoutMs passes', async () => {
    const hang = fakeDocker(bin, 'exec sleep 1000', 'docker-hang');
    const lsp = await startLsp({ docker: { path: hang, timeoutMs: 300 } });
    try {
      const { uri, diagnostics } = await lsp.open('Dockerfile', text);
      const actions = await lsp.actions(uri, 0, diagnostics, 3);
      expect(actions.filter(isPin)).toEqual([]);
      expect(actions.map((a) => a.title)).toContain('Add --no-cache');
    } finally {
      await lsp.close();
    }
  });

  it('untrusted workspace: no docker command runs until trust is granted; .container-tuner.yaml cannot name docker', async () => {
    const calls = path.join(bin, 'trust.calls');
    const evil = path.join(bin, 'evil.ran');
    const digest = 'sha256:' + '1'.repeat(64);
    const json = JSON.stringify([{ Id: 'sha256:' + 'a'.repeat(64), RepoTags: ['alpine:3.20'], RepoDigests: [`alpine@${digest}`], Size: 7_800_000, Os: 'linux', Architecture: 'amd64', Created: '' }]);
    const good = fakeDocker(bin, `echo "$@" >> '${calls}'\ncat <<'EOF'\n${json}\nEOF`, 'docker-good');
    const evilDocker = fakeDocker(bin, `touch '${evil}'\nexit 1`, 'docker-evil');
    const lsp = await startLsp({ docker: { path: good } }, { trusted: false });
    try {
      fs.writeFileSync(path.join(lsp.dir, '.container-tuner.yaml'), `docker:\n  path: ${evilDocker}\n"docker.path": ${evilDocker}\n`);
      const { uri, diagnostics } = await lsp.open('Dockerfile', text);
      expect((await lsp.actions(uri, 0, diagnostics, 3)).filter(isPin)).toEqual([]);
      expect(await lsp.hover(uri, 0, 6)).not.toContain('Local image');
      expect(fs.existsSync(calls)).toBe(false);

      lsp.conn.sendNotification('containerTuner/trust', { trusted: true });
      const pins = (await lsp.actions(uri, 0, diagnostics, 3)).filter(isPin);
      expect(pins.map((a) => a.title)).toEqual(['Pin alpine:3.20 to sha256:11111111… (local image)', 'Pin alpine to sha256:11111111… (local image)']);
      expect(applyEdits(text, editsOf(pins[0]))).toBe(`FROM alpine:3.20@${digest}\nRUN apk add git\nFROM alpine\n`);
      expect(applyEdits(text, editsOf(pins[1]))).toBe(`FROM alpine:3.20\nRUN apk add git\nFROM alpine@${digest}\n`);
      expect(await lsp.hover(uri, 2, 6)).toContain(`- Digest: \`${digest}\``);
      expect(fs.existsSync(calls)).toBe(true);
      expect(fs.existsSync(evil)).toBe(false);
    } finally {
      await lsp.close();
    }
  });
});
