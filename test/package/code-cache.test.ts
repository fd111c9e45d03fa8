// dist/client.js and dist/server.js load the real bundles through V8's code cache
// (server/src/codeCache.ts). The cache must never change what runs: a stale,
// corrupt or unwritable cache only costs the compile.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_CACHE_ENV, codeCacheFolder, loadWithCodeCache } from '../../server/src/codeCache';
import { ROOT } from '../e2e/harness/paths';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-codecache-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeModule(dir: string, body: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'dep.js'), 'module.exports = { twice: (x) => 2 * x };\n');
  const file = path.join(dir, 'bundle.js');
  fs.writeFileSync(file, body);
  return file;
}

const BODY = `"use strict";
const dep = require('./dep.js');
const os = require('node:os');
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += dep.twice(i); return s; }
module.exports = { work, file: __filename, dir: __dirname, eol: os.EOL, self: this === exports };
`;

describe('loadWithCodeCache', () => {
  it('loads like require (module, exports, require, __filename, __dirname) with no cache folder', () => {
    const file = writeModule(path.join(tmp, 'plain'), BODY);
    const m = loadWithCodeCache<{ work: (n: number) => number; file: string; dir: string; eol: string; self: boolean }>(file, undefined);
    expect(m.state).toBe('off');
    expect(m.exports.work(4)).toBe(12);
    expect(m.exports.file).toBe(file);
    expect(m.exports.dir).toBe(path.dirname(file));
    expect(m.exports.eol).toBe(os.EOL);
    expect(m.exports.self).toBe(true);
    m.save(); // nothing to write to
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['bundle.js', 'dep.js']);
    // a relative folder is not trusted either
    expect(loadWithCodeCache(file, 'relative/cache').state).toBe('off');
  });

  it('writes the cache once, then V8 uses it', () => {
    const file = writeModule(path.join(tmp, 'cached'), BODY);
    const cache = path.join(tmp, 'cached-cache', 'nested');
    const first = loadWithCodeCache<{ work: (n: number) => number }>(file, cache);
    expect(first.state).toBe('miss');
    expect(first.exports.work(10)).toBe(90);
    first.save();
    const files = fs.readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^bundle\.js\..+\.cache$/);
    const written = fs.statSync(path.join(cache, files[0]));
    expect(written.size).toBeGreaterThan(0);

    const second = loadWithCodeCache<{ work: (n: number) => number }>(file, cache);
    expect(second.state).toBe('hit');
    expect(second.exports.work(10)).toBe(90);
    second.save(); // a hit is not rewritten
    expect(fs.statSync(path.join(cache, files[0])).mtimeMs).toBe(written.mtimeMs);
  });

  it('a changed bundle gets a new cache and the old one goes', () => {
    const file = writeModule(path.join(tmp, 'changed'), BODY);
    const cache = path.join(tmp, 'changed-cache');
    const a = loadWithCodeCache(file, cache);
    a.save();
    const [old] = fs.readdirSync(cache);
    // same length, other code, same modification time: must not run with the old cache
    const { mtimeMs } = fs.statSync(file);
    fs.writeFileSync(file, BODY.replace('s += dep.twice(i)', 's -= dep.twice(i)'));
    fs.utimesSync(file, mtimeMs / 1000, mtimeMs / 1000);
    const b = loadWithCodeCache<{ work: (n: number) => number }>(file, cache);
    expect(b.state).toBe('miss');
    expect(b.exports.work(10)).toBe(-90);
    b.save();
    const now = fs.readdirSync(cache);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(old);
  });

  it('a corrupt cache is refused by V8 and rewritten; the module runs either way', () => {
    const file = writeModule(path.join(tmp, 'corrupt'), BODY.replace('s += dep', 's += dep/*c1*/'));
    const cache = path.join(tmp, 'corrupt-cache');
    loadWithCodeCache(file, cache).save();
    const [name] = fs.readdirSync(cache);
    fs.writeFileSync(path.join(cache, name), Buffer.from('not a V8 code cache at all, just bytes'.repeat(20)));
    // V8 keeps what this process compiled and would not even read the cache for the same source:
    // load the same text from another file (the cache file name depends on the text, not the path)
    const other = path.join(tmp, 'corrupt-copy', 'bundle.js');
    fs.mkdirSync(path.dirname(other), { recursive: true });
    fs.copyFileSync(path.join(path.dirname(file), 'dep.js'), path.join(path.dirname(other), 'dep.js'));
    fs.copyFileSync(file, other);
    const m = loadWithCodeCache<{ work: (n: number) => number }>(other, cache);
    expect(m.state).toBe('rejected');
    expect(m.exports.work(3)).toBe(6);
    m.save();
    expect(fs.readdirSync(cache)).toEqual([name]);
    expect(fs.readFileSync(path.join(cache, name)).toString('latin1')).not.toContain('not a V8 code cache');
  });

  it('an unwritable cache folder costs nothing but the compile', () => {
    const file = writeModule(path.join(tmp, 'unwritable'), BODY);
    const blocker = path.join(tmp, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const m = loadWithCodeCache<{ work: (n: number) => number }>(file, path.join(blocker, 'cache'));
    expect(m.state).toBe('miss');
    expect(() => m.save()).not.toThrow();
    expect(m.exports.work(2)).toBe(2);
  });

  it('errors thrown while loading name the bundle', () => {
    const file = writeModule(path.join(tmp, 'throws'), '"use strict";\nthrow new Error("boom at load");\n');
    let err: Error | undefined;
    try {
      loadWithCodeCache(file, undefined);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toBe('boom at load');
    expect(err?.stack).toContain(file);
  });

  it('codeCacheFolder: only a file: global storage path', () => {
    expect(codeCacheFolder({ globalStorageUri: { scheme: 'file', fsPath: '/home/u/.config/Code/User/globalStorage/ct' } })).toBe(path.join('/home/u/.config/Code/User/globalStorage/ct', 'code-cache'));
    expect(codeCacheFolder({ globalStorageUri: { scheme: 'vscode-remote', fsPath: '/x' } })).toBeUndefined();
    expect(codeCacheFolder({ globalStorageUri: { scheme: 'file', fsPath: 'relative' } })).toBeUndefined();
    expect(codeCacheFolder({})).toBeUndefined();
  });
});

/** Starts `node dist/server.js --stdio`, opens a Dockerfile, returns its first diagnostics, shuts down. */
async function serverDiagnostics(env: NodeJS.ProcessEnv, dir: string): Promise<unknown[]> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = Buffer.alloc(0);
  const waiters = new Map<number | string, (m: any) => void>();
  const exited = new Promise((r) => proc.on('exit', r));
  const send = (msg: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
    proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  };
  proc.stdout.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const sep = buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const len = Number(/Content-Length: *(\d+)/i.exec(buf.subarray(0, sep).toString())![1]);
      if (buf.length < sep + 4 + len) return;
      const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString());
      buf = buf.subarray(sep + 4 + len);
      if (msg.id !== undefined && msg.method) send({ id: msg.id, result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => null) : null });
      else if (msg.id !== undefined) waiters.get(msg.id)?.(msg);
      else if (msg.method === 'textDocument/publishDiagnostics') waiters.get('diag')?.(msg.params);
    }
  });
  const request = (id: number, method: string, params: unknown) => new Promise<any>((resolve) => {
    waiters.set(id, resolve);
    send({ id, method, params });
  });
  try {
    await request(1, 'initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
    send({ method: 'initialized', params: {} });
    const diag = new Promise<any>((resolve) => waiters.set('diag', resolve));
    const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text: fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8') } } });
    const d = await diag;
    await request(2, 'shutdown', null);
    send({ method: 'exit', params: null });
    await exited;
    return d.diagnostics.map((x: { code: unknown; range: unknown }) => [x.code, x.range]);
  } finally {
    proc.kill();
  }
}

describe('dist/server.js with a code cache folder (as the VS Code client starts it)', () => {
  it('writes the cache when it exits, uses it the next time, and lints the same', async () => {
    expect(fs.existsSync(path.join(ROOT, 'dist', 'server-main.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = path.join(tmp, 'svc');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/svc\n\ngo 1.22\n');
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD /app\n');
    const cache = path.join(tmp, 'server-cache');
    const plain = await serverDiagnostics({ ...process.env, [CODE_CACHE_ENV]: '' }, dir);
    expect(plain.length).toBeGreaterThan(0);
    expect(fs.existsSync(cache)).toBe(false);

    const first = await serverDiagnostics({ ...process.env, [CODE_CACHE_ENV]: cache }, dir);
    const files = fs.readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^server-main\.js\..+\.cache$/);
    const mtime = fs.statSync(path.join(cache, files[0])).mtimeMs;

    const second = await serverDiagnostics({ ...process.env, [CODE_CACHE_ENV]: cache }, dir);
    // used, not rewritten
    expect(fs.readdirSync(cache)).toEqual(files);
    expect(fs.statSync(path.join(cache, files[0])).mtimeMs).toBe(mtime);
    expect(first).toEqual(plain);
    expect(second).toEqual(plain);
  }, 60_000);
});
