// Shared helpers: timing, statistics, machine facts, the bundled engine, a
// minimal LSP client over stdio, child processes with argument arrays and timeouts.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');
export const require = createRequire(import.meta.url);

export const now = () => process.hrtime.bigint();
export const ms = (t0, t1 = now()) => Number(t1 - t0) / 1e6;

/** min / median / p95 / max / mean of a sample (nearest-rank percentiles). */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (!n) return { n: 0 };
  const q = (p) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, min: s[0], median, p95: q(0.95), max: s[n - 1], mean: s.reduce((a, b) => a + b, 0) / n };
}

/**
 * CPU time (ms) a process has used so far: its main thread and its other threads (V8's
 * compiler and GC helpers, libuv's pool), from /proc; undefined where there is no /proc.
 */
export function threadCpu(pid) {
  try {
    const tick = 1000 / 100; // USER_HZ: 100 on Linux
    let main = 0;
    let others = 0;
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
      const stat = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = (Number(f[11]) + Number(f[12])) * tick; // utime + stime
      if (Number(t) === pid) main += used;
      else others += used;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}

export function machine() {
  const cpus = os.cpus();
  let docker = null;
  try {
    const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) docker = r.stdout.trim();
  } catch { /* no docker */ }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    docker,
    date: new Date().toISOString(),
  };
}

let engineCache;
/** The engine bundled from bench/engine.ts into a temp folder (esbuild). */
export async function engine() {
  if (engineCache) return engineCache;
  const esbuild = require('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bench-engine-'));
  const outfile = path.join(dir, 'engine.js');
  await esbuild.build({ entryPoints: [path.join(ROOT, 'bench', 'engine.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'warning' });
  engineCache = { ...require(outfile), file: outfile, dir };
  return engineCache;
}
export function disposeEngine() {
  if (engineCache) fs.rmSync(engineCache.dir, { recursive: true, force: true });
}

export function tmpdir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ct-bench-${prefix}-`));
}

/** spawn with an argument array and a timeout; resolves { code, stdout, stderr, wallMs }. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', opts.discardStdout ? 'ignore' : 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}… timed out after ${opts.timeoutMs ?? 600_000} ms`));
    }, opts.timeoutMs ?? 600_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: ms(t0) });
    });
  });
}

/**
 * A minimal LSP client over stdio (Content-Length framing written here, so
 * both servers see exactly the same client). Every incoming message is
 * stamped with process.hrtime.bigint() when its frame is complete.
 */
export class LspClient {
  constructor(cmd, args, { onRequest = () => null, cwd = ROOT, env = process.env } = {}) {
    this.t0 = now();
    this.proc = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', () => {});
    this.proc.stdin.on('error', () => {});
    this.nextId = 1;
    this.pending = new Map();
    this.waiters = [];
    this.diagnostics = []; // { at, params }
    this.onRequest = onRequest;
    let buf = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => {
      const at = now();
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) break;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, sep).toString('ascii'));
        const len = Number(m[1]);
        if (buf.length < sep + 4 + len) break;
        const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString('utf8'));
        buf = buf.subarray(sep + 4 + len);
        this.handle(msg, at);
      }
    });
    this.exited = new Promise((r) => this.proc.on('exit', r));
  }
  send(msg) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }
  handle(msg, at) {
    if (msg.id !== undefined && msg.method) {
      Promise.resolve(this.onRequest(msg.method, msg.params)).then((result) => this.send({ id: msg.id, result: result ?? null }));
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (p) msg.error ? p.reject(new Error(msg.error.message)) : p.resolve(msg.result);
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics') {
      const d = { at, params: msg.params, seq: this.diagnostics.length };
      this.diagnostics.push(d);
      for (const w of [...this.waiters]) if (w.pred(d)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(d); }
    }
  }
  request(method, params) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
  notify(method, params) {
    this.send({ method, params });
  }
  /** The first publishDiagnostics from index `from` on that satisfies pred (already arrived or arriving). */
  waitDiagnostics(pred, from = 0, timeoutMs = 30_000) {
    for (let i = from; i < this.diagnostics.length; i++) if (pred(this.diagnostics[i])) return Promise.resolve(this.diagnostics[i]);
    return new Promise((resolve, reject) => {
      const w = { pred: (d) => d.seq >= from && pred(d), resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) { this.waiters.splice(i, 1); reject(new Error(`no publishDiagnostics within ${timeoutMs} ms`)); }
      }, timeoutMs).unref();
    });
  }
  async initialize(rootUri, initializationOptions) {
    const r = await this.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'bench' }] : null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { versionSupport: true } },
      },
      initializationOptions,
    });
    this.notify('initialized', {});
    return r;
  }
  async close() {
    try {
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2500))]);
      clearTimeout(t);
    } finally {
      if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    }
  }
}

export const OUR_SERVER = () => [process.execPath, [path.join(ROOT, 'bin', 'container-tuner.js'), 'lsp', '--stdio']];
export const PEER_SERVER = () => [process.execPath, [path.join(ROOT, 'node_modules', 'dockerfile-language-server-nodejs', 'bin', 'docker-langserver'), '--stdio']];

/** Workspace/configuration answers: ours gets `settings` for containerTuner, everything else null (defaults). */
export function configAnswer(settings) {
  return (method, params) => {
    if (method === 'workspace/configuration') return params.items.map((it) => (it.section === 'containerTuner' ? settings : null));
    return null;
  };
}

export const DOCKERFILES = () => fs.readdirSync(path.join(CORPUS, 'dockerfiles')).sort().map((f) => path.join(CORPUS, 'dockerfiles', f));
export const MANIFESTS = () => fs.readdirSync(path.join(CORPUS, 'k8s')).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(CORPUS, 'k8s', f));
