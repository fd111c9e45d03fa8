// Server storms (issue 8): the real language server over stdio takes 1,000
// didChange notifications a second for 10 s, open/close churn, requests for
// unknown documents and out-of-range positions, cancelled requests, generated
// (fuzz) documents and a 50 MB one. It must not crash, must publish the last
// version's diagnostics, must answer every request, no rule may throw, and
// its memory (VmRSS of the process) must come back near where it started.
// Nothing is timed for an assertion: the storm is paced by a timer, and every
// wait is for a state (with a generous deadline that only a hang reaches).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { lint } from '../../server/src/engine/lint';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { dockerfileDoc, manifestDoc } from '../fuzz/generators';

const CLI = path.resolve(__dirname, '../../bin/container-tuner.js');
const DEADLINE_MS = 60_000;
const linux = process.platform === 'linux' && fs.existsSync('/proc/self/status');
if (!linux) console.warn('storm: /proc/<pid>/status is not readable here: the memory checks are SKIPPED');

const GO_DOCKERFILE = [
  'FROM golang:1.22 AS build',
  'WORKDIR /src',
  'COPY . .',
  'RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app',
  'FROM alpine:3.20',
  'RUN apk add ca-certificates',
  'COPY --from=build /out/app /app',
  'ENV GOMEMLIMIT=512Mi',
  'ENTRYPOINT /app',
  '',
].join('\n');

/** Resident memory of a process in bytes (Linux). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Polls `pred` until it holds or the deadline passes (a wait on a state, not a sleep). */
async function until(pred: () => boolean, what: string, ms = DEADLINE_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('language server storms', () => {
  let proc: ChildProcess;
  let conn: MessageConnection;
  let dir: string;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const last = new Map<string, PublishDiagnosticsParams>();
  let published = 0;
  const errors: string[] = [];
  const stderr: string[] = [];
  let baseline = 0;
  let baselineHeap = 0;
  let openedVersion = 0;

  const alive = () => {
    expect(exited, `the server exited: ${JSON.stringify(exited)}; stderr: ${stderr.join('').slice(-2000)}`).toBeUndefined();
  };
  const uriOf = (name: string) => pathToFileURL(path.join(dir, name)).href;

  /** The server's live heap after a full collection, compiled code excluded (heap-probe.cjs answers SIGUSR2 on stderr). */
  async function liveHeap(): Promise<number> {
    const from = stderr.length;
    proc.kill('SIGUSR2');
    let value = NaN;
    await until(() => {
      const m = /heap-probe: (\d+)/.exec(stderr.slice(from).join(''));
      if (m) value = Number(m[1]);
      return !!m;
    }, 'the heap probe');
    return value;
  }

  beforeAll(async () => {
    expect(fs.existsSync(path.resolve(__dirname, '../../dist/cli.js')), 'run `npm run build` first (npm test does)').toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-storm-'));
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/svc\n\ngo 1.22\n');
    proc = spawn(process.execPath, ['--expose-gc', '-r', path.join(__dirname, 'heap-probe.cjs'), CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.on('exit', (code, signal) => { exited = { code, signal }; });
    proc.stderr!.on('data', (d) => stderr.push(String(d)));
    conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      last.set(p.uri, p);
      published++;
    });
    // rule errors and failed lints are logged as errors: none may happen
    conn.onNotification('window/logMessage', (p: { type: number; message: string }) => { if (p.type === 1) errors.push(p.message); });
    // no debounce: every change may lint (the harshest case); no docker (untrusted)
    conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ debounceMs: 0 })));
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('workspace/inlayHint/refresh', () => null);
    conn.onNotification(() => undefined);
    conn.onError(() => undefined);
    conn.listen();
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      initializationOptions: { trusted: false },
      capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    conn.sendNotification('initialized', {});
    // warm up (every code path once: a small storm and a small churn), then the baseline: what
    // the storms may not add to is the memory of a server that has already done this work once
    const uri = uriOf('warm/Dockerfile');
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: GO_DOCKERFILE } });
    for (let v = 2; v <= 500; v++) conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: GO_DOCKERFILE + `# ${v}\n` }] });
    await until(() => last.get(uri)?.version === 500, 'the warm-up diagnostics');
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    for (let i = 0; i < 200; i++) {
      const u = uriOf(`warm/${i}/${i % 3 ? 'Dockerfile' : 'deploy.yaml'}`);
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: i % 3 ? 'dockerfile' : 'yaml', version: 1, text: i % 3 ? GO_DOCKERFILE : 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    image: x\n' } });
      conn.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
    }
    await until(() => last.get(uri)?.version === undefined && last.get(uri)?.diagnostics.length === 0, 'cleared diagnostics');
    await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    if (linux) baseline = rss(proc.pid!);
    baselineHeap = await liveHeap();
  }, 120_000);

  afterAll(async () => {
    if (!exited) {
      const done = new Promise((r) => proc.once('exit', r));
      await conn.sendRequest('shutdown').catch(() => undefined);
      conn.sendNotification('exit');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited) proc.kill('SIGKILL');
    }
    conn.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('1,000 didChange a second for 10 s: no crash, the last version is what gets published', async () => {
    const uri = uriOf('storm/Dockerfile');
    let text = GO_DOCKERFILE;
    let version = 1;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version, text } });
    const started = Date.now();
    let sent = 0;
    // 10 changes every 10 ms: type a character at the end of line 5, every 20th change undo the line
    for (let tick = 0; tick < 1000; tick++) {
      for (let k = 0; k < 10; k++) {
        version++;
        const lines = text.split('\n');
        const line = 5;
        let change: { range: unknown; text: string };
        if (version % 20 === 0) {
          change = { range: { start: { line, character: 0 }, end: { line, character: lines[line].length } }, text: 'RUN apk add ca-certificates' };
          lines[line] = 'RUN apk add ca-certificates';
        } else {
          const ch = ' abcdefgh\\"$'[version % 12];
          change = { range: { start: { line, character: lines[line].length }, end: { line, character: lines[line].length } }, text: ch };
          lines[line] += ch;
        }
        text = lines.join('\n');
        conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
        sent++;
      }
      // pace the storm (1,000 a second); not a wait for a result
      const due = started + (tick + 1) * 10;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if (tick % 100 === 0) alive();
    }
    const seconds = (Date.now() - started) / 1000;
    await until(() => last.get(uri)?.version === version, `diagnostics for version ${version}`);
    alive();
    // what the engine says of the final text, in-process
    const expected = lint({ text, path: path.join(dir, 'storm/Dockerfile'), languageId: 'dockerfile' }, new MemoryWorkspace({ [path.join(dir, 'storm/Dockerfile')]: text, [path.join(dir, 'go.mod')]: 'module example.com/svc\n\ngo 1.22\n' })).findings;
    expect(last.get(uri)!.diagnostics.map((d) => `${d.code}:${d.range.start.line}`).sort()).toEqual(expected.map((f) => `${f.rule}:${f.range.start.line}`).sort());
    console.log(`storm: ${sent} didChange in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s); ${published} publishDiagnostics so far`);
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    openedVersion = version;
    expect(openedVersion).toBe(10_001);
  }, 120_000);

  /** Opens, changes and closes `n` documents (up to 25 open at once); resolves when every one has cleared diagnostics. */
  async function churn(prefix: string, n: number): Promise<string[]> {
    const uris: string[] = [];
    for (let i = 0; i < n; i++) {
      const yaml = i % 3 === 0;
      const uri = uriOf(`${prefix}/${i}/${yaml ? 'deploy.yaml' : 'Dockerfile'}`);
      uris.push(uri);
      const text = yaml
        ? `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers:\n  - name: c\n    image: ghcr.io/acme/app:${i}\n    resources: {limits: {memory: 1Gi, cpu: "1"}}\n`
        : `FROM golang:1.${20 + (i % 6)}\nRUN apk add git${i}\nRUN go build -o /app .\nCMD /app\n`;
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: yaml ? 'yaml' : 'dockerfile', version: 1, text } });
      conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text + '# edited\n' }] });
      // keep up to 25 open; close the oldest
      if (i >= 25) conn.sendNotification('textDocument/didClose', { textDocument: { uri: uris[i - 25] } });
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    for (const uri of uris.slice(-25)) conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    // a request after all of them: answered once the server has read everything before it
    expect(await conn.sendRequest('textDocument/hover', { textDocument: { uri: uris[0] }, position: { line: 0, character: 0 } })).toBeNull();
    await until(() => uris.every((u) => last.get(u)?.diagnostics.length === 0 && last.get(u)?.version === undefined), `every ${prefix} document cleared`);
    alive();
    return uris;
  }

  it('open/close churn: 2,000 documents opened, changed and closed; each ends with cleared diagnostics', async () => {
    expect(await churn('churn', 2000)).toHaveLength(2000);
  }, 120_000);

  it('requests for unknown documents, out-of-range positions and malformed params are answered, not fatal', async () => {
    const unknown = uriOf('nowhere/Dockerfile');
    const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    expect(await conn.sendRequest('textDocument/hover', { textDocument: { uri: unknown }, position: { line: 0, character: 0 } })).toBeNull();
    expect(await conn.sendRequest('textDocument/codeAction', { textDocument: { uri: unknown }, range: zero, context: { diagnostics: [] } })).toEqual([]);
    const uri = uriOf('range/Dockerfile');
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: GO_DOCKERFILE } });
    await until(() => last.get(uri)?.version === 1, 'diagnostics for the range document');
    const far = { line: 1_000_000, character: 1_000_000 };
    const answers = await Promise.allSettled([
      conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: far }),
      conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: -1, character: -5 } }),
      conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 3, character: 0 }, end: far }, context: { diagnostics: [] } }),
      conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: far, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll.containerTuner'] } }),
      conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: far } }),
      conn.sendRequest('textDocument/inlayHint', { textDocument: { uri: unknown }, range: zero }),
      conn.sendRequest('containerTuner/layers', { uri: unknown }),
      // malformed: no position, no range, no text document at all
      conn.sendRequest('textDocument/hover', { textDocument: { uri } }),
      conn.sendRequest('textDocument/codeAction', { textDocument: { uri } }),
      conn.sendRequest('textDocument/hover', {}),
      conn.sendRequest('textDocument/noSuchMethod', { x: 1 }),
    ]);
    // each one answered (a result or an error response), and the server is still there
    expect(answers).toHaveLength(11);
    alive();
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 6 } });
    expect(JSON.stringify(hover)).toContain('apk-no-cache');
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }, 120_000);

  it('cancelled requests ($/cancelRequest): each settles, the server goes on answering', async () => {
    const uri = uriOf('cancel/Dockerfile');
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text: GO_DOCKERFILE } });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const source = new CancellationTokenSource();
      const method = i % 3 === 0 ? 'textDocument/hover' : 'textDocument/codeAction';
      const params = i % 3 === 0
        ? { textDocument: { uri }, position: { line: i % 9, character: 4 } }
        : { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, context: { diagnostics: [], only: i % 3 === 1 ? ['quickfix'] : ['source.fixAll.containerTuner'] } };
      pending.push(conn.sendRequest(method, params, source.token));
      if (i % 2 === 0) source.cancel(); // right away
      else setImmediate(() => source.cancel()); // a little later, maybe after the answer
      if (i % 10 === 0) conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 + i }, contentChanges: [{ text: GO_DOCKERFILE + `# ${i}\n` }] });
    }
    const settled = await Promise.allSettled(pending);
    const unexpected = settled.filter((s) => s.status === 'rejected' && !/cancel/i.test(String((s as PromiseRejectedResult).reason?.message ?? s)));
    expect(unexpected.map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
    alive();
    const actions = await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 5, character: 0 }, end: { line: 5, character: 10 } }, context: { diagnostics: [] } });
    expect(JSON.stringify(actions)).toContain('--no-cache');
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }, 120_000);

  it('generated documents (the fuzz generators): every request answered, diagnostics for each', async () => {
    const docs = [...fc.sample(dockerfileDoc, { seed: 8, numRuns: 60 }), ...fc.sample(manifestDoc, { seed: 8, numRuns: 40 })];
    const uris: string[] = [];
    const requests: Promise<unknown>[] = [];
    docs.forEach((d, i) => {
      const uri = uriOf(`gen/${i}/${path.basename(d.path)}`);
      uris.push(uri);
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: d.kind, version: 1, text: d.text } });
      const lines = d.text.split(/\r\n|\n|\r/).length;
      for (let k = 0; k < 3; k++) {
        const position = { line: (i * 7 + k * 13) % (lines + 2), character: (i + k * 5) % 40 };
        requests.push(conn.sendRequest('textDocument/hover', { textDocument: { uri }, position }));
        requests.push(conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: position }, context: { diagnostics: [] } }));
      }
      requests.push(conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll.containerTuner'] } }));
    });
    const settled = await Promise.allSettled(requests);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
    await until(() => uris.every((u) => last.get(u)?.version === 1), 'diagnostics for every generated document');
    for (const uri of uris) conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await until(() => uris.every((u) => last.get(u)?.version === undefined), 'every generated document closed');
    alive();
  }, 120_000);

  it.skipIf(!linux)('memory comes back near the baseline (live heap within 4 MB of it; VmRSS < 2 x baseline + 50 MB)', async () => {
    const bound = 2 * baseline + 50 * 1024 * 1024;
    // a full collection first (V8 gives pages back to the system only after one)
    const heap = await liveHeap();
    let now = rss(proc.pid!);
    // the heap shrinks when V8 collects: wait for it (the state), up to the deadline
    await until(() => (now = rss(proc.pid!)) < bound, `VmRSS below ${Math.round(bound / 1048576)} MB (now ${Math.round(rss(proc.pid!) / 1048576)} MB)`, 30_000).catch(() => undefined);
    console.log(`storm: server VmRSS baseline ${Math.round(baseline / 1048576)} MB, after the storms ${Math.round(now / 1048576)} MB (bound ${Math.round(bound / 1048576)} MB); live heap after a full GC ${(baselineHeap / 1048576).toFixed(1)} MB -> ${(heap / 1048576).toFixed(1)} MB`);
    expect(now).toBeLessThan(bound);
    // what the server holds once everything is closed: near what it held before the storms
    expect(heap - baselineHeap).toBeLessThan(4 * 1024 * 1024);
  }, 60_000);

  // V8 keeps the heap it grew to, so a bound on RSS alone would miss a slow leak: the live heap
  // after a forced full collection must not grow with the number of documents opened and closed
  it('no memory kept per document: after 4,000 more documents the live heap (after a full GC) is where it was', async () => {
    await churn('leak-a', 500);
    const before = await liveHeap();
    await churn('leak-b', 2000);
    await churn('leak-c', 2000);
    const after = await liveHeap();
    console.log(`storm: live heap after a full GC ${(before / 1048576).toFixed(1)} MB, after 4,000 more documents ${(after / 1048576).toFixed(1)} MB`);
    // 1 KB kept per closed document would be 4 MB
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
    alive();
  }, 240_000);

  it('a 50 MB document: one info diagnostic, requests answered, nothing else read', async () => {
    const uri = uriOf('huge/Dockerfile');
    const text = 'FROM golang:1.22\n' + 'RUN apk add git && go build -o /app ./...\n'.repeat(Math.ceil((50 * 1024 * 1024) / 41));
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } });
    await until(() => last.get(uri)?.version === 1, 'diagnostics for the 50 MB document');
    const d = last.get(uri)!.diagnostics;
    expect(d.map((x) => [x.code, x.severity])).toEqual([['container-tuner', 3]]);
    expect(d[0].message).toMatch(/Not linted: this file is 5\d\.\d MB, above the 2\.0 MB limit/);
    expect(await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }, context: { diagnostics: [] } })).toEqual([]);
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    expect(JSON.stringify(hover)).toContain('container-tuner');
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await until(() => last.get(uri)?.version === undefined, 'the 50 MB document closed');
    alive();
    expect(errors, 'errors the server logged (a rule threw, or a lint failed)').toEqual([]);
  }, 120_000);
});
