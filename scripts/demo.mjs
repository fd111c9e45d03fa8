#!/usr/bin/env node
// `npm run demo`: the fixes proved on a real Go service (issue 11).
//   1. the engine, the local Go toolchain image (debootstrap when missing)
//   2. lint examples/demo-service in a temporary copy, `--fix` until stable, the diff
//   3. build before and after with both builders; a local registry on 127.0.0.1
//   4. measure: size, layers, push, cold start (pull into an empty second daemon,
//      then run → first 200), warm start, rebuild after a one-line edit
//   5. prove the after image right: /healthz, SIGTERM, GOMAXPROCS/GOMEMLIMIT under
//      the manifest's limits
//   6. docs/impact.md and demo/results.json
// Every command is spawned with an argument array and a timeout; every loop is
// bounded; all measured traffic stays on 127.0.0.1 (only building the toolchain
// image, when it is missing, downloads Debian packages). Everything the run creates
// (containers, images, the registry, the second daemon, temporary folders) is
// removed at the end, also on Ctrl+C.
//
// Usage: node scripts/demo.mjs [--quick] [--runs N] [--out DIR] [--keep] [--toolchain-only TAG]
//   --quick   one run of each measurement; writes to a temporary folder (or --out),
//             never over docs/impact.md
//   --runs N  runs per measurement (default 5)
//   --out DIR write results.json and impact.md there instead of demo/ and docs/
//   --keep    leave the images built (tags ct-demo-service-*) for a look afterwards
//   --toolchain-only TAG  only make sure the Go toolchain image TAG exists (debootstrap
//             when missing), then exit: for warming a CI machine
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  countFindings,
  dockerRunArgs,
  fmtBytes,
  fmtMs,
  fmtRatio,
  manifestBytes,
  parseContainerId,
  parseGoMemLimit,
  parseStartupLog,
  ratio,
  renderImpact,
  runSpecFromManifest,
  stats,
} from './demo/lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(ROOT, 'examples', 'demo-service');
const CLI = path.join(ROOT, 'bin', 'container-tuner.js');
// Debian's CLI drives BuildKit without the buildx plugin (see docs/docker-recipe)
const DOCKER = fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const TAG = 'ct-demo-service';
const STOP_GRACE_S = 10;
const RUN_NONCE = `${Date.now().toString(36)}-${process.pid}`;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'toolchain-only': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  process.stdout.write((() => {
    const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    const end = lines.findIndex((l) => !l.startsWith('//'));
    return lines.slice(0, end).map((l) => l.slice(3)).join('\n');
  })() + '\n');
  process.exit(0);
}
const RUNS = opts.quick ? 1 : Math.max(1, Math.min(50, Number(opts.runs ?? 5) || 5));

// ---- output ----------------------------------------------------------------
const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s`;
const step = (n, title) => console.log(`\n[${n}/6] ${title}`);
const info = (msg) => console.log(`${clock()}  ${msg}`);

// ---- processes ---------------------------------------------------------------
/** Runs a command (argument array, never a shell) with a timeout. Resolves {code, stdout, stderr, ms}. */
function run(cmd, args, { timeoutMs = 60_000, env, cwd, input } = {}) {
  return new Promise((resolve) => {
    const start = performance.now();
    let child;
    try {
      child = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: -1, stdout: '', stderr: String(e), ms: 0, error: e });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout.length < 8e6 ? (stdout += d) : 0));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr.length < 8e6 ? (stderr += d) : 0));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e), ms: performance.now() - start, error: e });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? -2 : code, stdout, stderr: timedOut ? `${stderr}\n(timed out after ${timeoutMs} ms)` : stderr, ms: performance.now() - start });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

function must(r, what) {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`);
  return r;
}

/** docker on the main daemon, or on the second one (host = unix socket). */
function docker(args, o = {}) {
  const env = { ...process.env, ...(o.env ?? {}) };
  if (o.host) env.DOCKER_HOST = o.host;
  else delete env.DOCKER_HOST;
  return run(DOCKER, args, { ...o, env });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One GET to 127.0.0.1; resolves {status, body} or {error}. */
function httpGet(port, p, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
  });
}

/** Polls GET /healthz until 200, `giveUp()` says stop, or `ms` pass. Resolves the ms since `since`, or undefined. */
async function waitFor200(port, since, ms, giveUp = () => false) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const r = await httpGet(port, '/healthz', 500);
    if (r.status === 200) return { ms: performance.now() - since, body: r.body };
    if (giveUp()) return undefined;
    await sleep(r.error === 'ECONNREFUSED' ? 2 : 10);
  }
  return undefined;
}

// ---- cleanup ---------------------------------------------------------------
const cleanups = []; // LIFO
let cleaning = false;
async function cleanupAll() {
  if (cleaning) return;
  cleaning = true;
  while (cleanups.length) {
    const f = cleanups.pop();
    try {
      await f();
    } catch (e) {
      console.error(`cleanup: ${e.message}`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    console.error(`\n${sig}: cleaning up…`);
    void cleanupAll().then(() => process.exit(130));
  });
}

const containers = new Map(); // id -> host
function trackContainer(id, host) {
  containers.set(id, host);
}
async function removeContainer(id) {
  const host = containers.get(id);
  containers.delete(id);
  await docker(['rm', '-f', id], { host, timeoutMs: 30_000 });
}
cleanups.push(async () => {
  for (const id of [...containers.keys()]) await removeContainer(id);
});

const createdTags = new Set();
cleanups.push(async () => {
  if (opts.keep) return;
  if (createdTags.size) {
    info(`removing ${createdTags.size} image tags and the images this run built`);
    await docker(['rmi', '-f', ...createdTags], { timeoutMs: 120_000 });
  }
  // newest first, so that children go before their parents; never an image that has a tag
  // (the FROM step of a classic build prints the base image's id)
  for (const id of [...new Set(createdIds)].reverse()) {
    const r = await docker(['image', 'inspect', '--format', '{{len .RepoTags}}', id], { timeoutMs: 15_000 });
    if (r.code === 0 && r.stdout.trim() === '0') await docker(['rmi', id], { timeoutMs: 60_000 });
  }
});

function tmpDir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(async () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Sends SIGTERM to a process we started and waits (bounded) for it to go; SIGKILL after `ms`. */
async function stopProcess(child, ms = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), ms);
  await gone;
  clearTimeout(t);
}

// ---- step 1: engine and base images -----------------------------------------
async function dockerInfo(host) {
  const r = await docker(['info', '--format', '{{json .}}'], { host, timeoutMs: 15_000 });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}

async function ensureEngine() {
  let di = await dockerInfo();
  if (!di) {
    info('the Docker engine does not answer: running scripts/ci-docker.sh (installs and starts it)');
    must(await run('bash', [path.join(ROOT, 'scripts', 'ci-docker.sh')], { timeoutMs: 40 * 60_000 }), 'scripts/ci-docker.sh');
    di = await dockerInfo();
    if (!di) throw new Error('the Docker engine still does not answer after scripts/ci-docker.sh');
  }
  const v = await docker(['version', '--format', '{{.Client.Version}}'], { timeoutMs: 15_000 });
  info(`Docker Engine ${di.ServerVersion}, storage driver ${di.Driver}, ${di.NCPU} CPUs`);
  return { server: di.ServerVersion, client: v.stdout.trim(), storageDriver: di.Driver, cgroupVersion: di.CgroupVersion, buildkitCli: DOCKER, ncpu: di.NCPU };
}

async function aptInstall(pkgs) {
  info(`installing Debian packages: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  must(await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], { env, timeoutMs: 600_000 }), 'apt-get update');
  must(await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', ...pkgs], { env, timeoutMs: 1_800_000 }), `apt-get install ${pkgs.join(' ')}`);
}

function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin'])) {
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The Go toolchain image the naive Dockerfile names; built once per machine with debootstrap (as the recipe shows). */
async function ensureToolchain(tag) {
  const have = await docker(['image', 'inspect', '--format', '{{.Size}}', tag], { timeoutMs: 15_000 });
  if (have.code === 0) {
    info(`toolchain image ${tag} is present (${fmtBytes(Number(have.stdout.trim()))}): reused`);
    return { tag, how: 'present on this machine, reused', size: Number(have.stdout.trim()) };
  }
  info(`toolchain image ${tag} is missing: building it from Debian packages (debootstrap, about a minute)`);
  if (!which('debootstrap')) await aptInstall(['debootstrap']);
  const work = tmpDir('ct-demo-golang-');
  const root = path.join(work, 'root');
  const start = Date.now();
  must(await run('debootstrap', ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'], { timeoutMs: 1_200_000 }), 'debootstrap');
  fs.copyFileSync('/etc/resolv.conf', path.join(root, 'etc', 'resolv.conf'));
  must(
    await run('chroot', [root, 'sh', '-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends golang-go gcc libc6-dev ca-certificates git && apt-get clean && rm -rf /var/lib/apt/lists/*'], { timeoutMs: 1_200_000 }),
    'apt-get install golang-go in the chroot',
  );
  fs.writeFileSync(path.join(root, 'etc', 'resolv.conf'), '');
  // tar | docker import, as two spawned processes joined by a pipe (no shell)
  const tarP = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const imp = spawn(DOCKER, ['import', '-c', 'ENV PATH=/usr/lib/go-1.19/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '-c', 'ENV GOPATH=/go', '-c', 'WORKDIR /go', '-', tag], { stdio: ['pipe', 'pipe', 'pipe'] });
  tarP.stdout.pipe(imp.stdin);
  let impErr = '';
  imp.stderr.on('data', (d) => (impErr += d));
  const killer = setTimeout(() => {
    tarP.kill('SIGKILL');
    imp.kill('SIGKILL');
  }, 600_000);
  const [tc, ic] = await Promise.all([new Promise((r) => tarP.on('close', r)), new Promise((r) => imp.on('close', r))]);
  clearTimeout(killer);
  if (tc !== 0 || ic !== 0) throw new Error(`tar | docker import failed (${tc}, ${ic}): ${impErr}`);
  const size = Number((await docker(['image', 'inspect', '--format', '{{.Size}}', tag], { timeoutMs: 15_000 })).stdout.trim());
  info(`built ${tag} in ${((Date.now() - start) / 1000).toFixed(0)} s (${fmtBytes(size)})`);
  return { tag, how: `built by this run with debootstrap in ${((Date.now() - start) / 1000).toFixed(0)} s`, size };
}

// ---- step 2: lint and fix ----------------------------------------------------
async function lintJson(dir) {
  const r = await run(process.execPath, [CLI, 'lint', '.', '--format', 'json', '--fail-on', 'none'], { cwd: dir, timeoutMs: 60_000 });
  must(r, 'container-tuner lint');
  return countFindings(r.stdout);
}

/** `lint --fix` until nothing fixable is left (or nothing changes); at most 10 passes. */
async function fixUntilStable(dir) {
  let passes = 0;
  let last = await lintJson(dir);
  while (last.fixable > 0 && passes < 10) {
    const before = snapshot(dir);
    must(await run(process.execPath, [CLI, 'lint', '.', '--fix', '--format', 'json', '--fail-on', 'none'], { cwd: dir, timeoutMs: 60_000 }), 'container-tuner lint --fix');
    passes++;
    last = await lintJson(dir);
    if (snapshot(dir) === before) break;
  }
  return { passes, after: last, converged: last.fixable === 0 };
}

function snapshot(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p) + '\0' + fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out.join('\0\0');
}

/** A diff per file with proper a/ b/ names. */
async function diffTrees(a, b) {
  const files = new Set();
  const walk = (root, d = root) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(root, p);
      else files.add(path.relative(root, p));
    }
  };
  walk(a);
  walk(b);
  let out = '';
  for (const f of [...files].sort()) {
    const pa = path.join(a, f);
    const pb = path.join(b, f);
    const r = await run('diff', ['-uN', '--label', `a/${f}`, '--label', `b/${f}`, pa, pb], { timeoutMs: 30_000 });
    if (r.code === 1) out += r.stdout;
    else if (r.code !== 0) throw new Error(`diff failed: ${r.stderr}`);
  }
  return out;
}

// ---- step 3: builds and the registry ------------------------------------------
const createdIds = []; // every image id a build printed (classic: each step's), removed at the end when untagged

async function build(dir, tag, builder, { noCache = false } = {}) {
  // classic: not quiet, so that every intermediate image (a multi-stage build leaves its
  // build stage as an untagged image) can be removed at the end
  const args = ['build', '-t', tag];
  if (builder === 'buildkit') args.push('-q', '--network', 'host');
  if (noCache) args.push('--no-cache');
  args.push(dir);
  createdTags.add(tag);
  const r = await docker(args, { env: { DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' }, timeoutMs: 900_000 });
  for (const m of r.stdout.matchAll(/(?:^ ---> |^Successfully built |^sha256:)([0-9a-f]{12,64})\s*$/gm)) createdIds.push(m[1]);
  return r;
}

/** BuildKit keeps `RUN --mount=type=cache` contents across `--no-cache` builds: empty the unused ones for a clean build. */
async function pruneCacheMounts() {
  const r = await docker(['builder', 'prune', '-f', '--filter', 'type=exec.cachemount'], { env: { DOCKER_BUILDKIT: '1' }, timeoutMs: 120_000 });
  return r.code === 0;
}

async function imageFacts(tag, host) {
  const r = must(await docker(['image', 'inspect', '--format', '{{.Size}} {{len .RootFS.Layers}}', tag], { host, timeoutMs: 15_000 }), `docker image inspect ${tag}`);
  const [size, layers] = r.stdout.trim().split(' ').map(Number);
  return { size, layers };
}

/** Debian's docker-registry on a free 127.0.0.1 port with an empty storage folder. */
async function startRegistry() {
  const bin = which('docker-registry');
  if (!bin) throw new Error('docker-registry is not installed (apt-get install docker-registry, or bash scripts/ci-docker.sh)');
  const dir = tmpDir('ct-demo-registry-');
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
  const child = spawn(bin, ['serve', config], { stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  const reg = { port, host: `127.0.0.1:${port}`, child, dir };
  const stop = async () => stopProcess(child, 10_000);
  cleanups.push(stop);
  reg.stop = stop;
  const end = Date.now() + 30_000;
  for (;;) {
    const r = await httpGet(port, '/v2/', 500);
    if (r.status === 200) break;
    if (child.exitCode !== null || Date.now() > end) throw new Error(`the registry did not start: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8').slice(-500)}`);
    await sleep(20);
  }
  return reg;
}

async function registryManifestBytes(reg, repo, tag) {
  const body = await new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: reg.port, path: `/v2/${repo}/manifests/${tag}`, agent: false, timeout: 5000, headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (b += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(b) : reject(new Error(`manifest ${repo}:${tag}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
  return manifestBytes(body);
}

// ---- the second daemon (a new node) -------------------------------------------
async function startSecondDaemon() {
  const base = fs.mkdtempSync('/tmp/ctd-'); // short: containerd's socket path has a length limit
  const sock = path.join(base, 'd.sock');
  const host = `unix://${sock}`;
  const logPath = path.join(base, 'dockerd.log');
  let child;
  const tryDriver = async (driver) => {
    const log = fs.openSync(logPath, 'a');
    child = spawn('dockerd', ['-H', host, '--data-root', path.join(base, 'data'), '--exec-root', path.join(base, 'x'), '--pidfile', path.join(base, 'd.pid'), `--storage-driver=${driver}`, '--iptables=false', '--bridge=none'], { stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    const end = Date.now() + 60_000;
    while (Date.now() < end && child.exitCode === null) {
      if (await dockerInfo(host)) return true;
      await sleep(100);
    }
    await stopProcess(child, 15_000);
    return false;
  };
  const cleanup = async () => {
    if (child) await stopProcess(child, 20_000);
    // a daemon that died hard may leave mounts behind: unmount before deleting
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && (m === base || m.startsWith(base + '/'))).sort((a, b) => b.length - a.length);
    for (const m of mounts) await run('umount', ['-l', m], { timeoutMs: 10_000 });
    fs.rmSync(base, { recursive: true, force: true });
  };
  cleanups.push(cleanup);
  let driver = 'overlay2';
  if (!(await tryDriver(driver))) {
    driver = 'vfs';
    info('the second daemon did not start with overlay2: trying vfs (much slower to extract layers)');
    if (!(await tryDriver(driver))) throw new Error(`the second dockerd did not start: ${fs.readFileSync(logPath, 'utf8').slice(-800)}`);
  }
  info(`second daemon (an empty "new node") up on ${host}, storage driver ${driver}`);
  return { host, driver, base };
}

async function emptyDaemon(host) {
  const ids = (await docker(['ps', '-aq'], { host, timeoutMs: 15_000 })).stdout.split(/\s+/).filter(Boolean);
  if (ids.length) await docker(['rm', '-f', ...ids], { host, timeoutMs: 60_000 });
  const imgs = (await docker(['images', '-aq'], { host, timeoutMs: 15_000 })).stdout.split(/\s+/).filter(Boolean);
  if (imgs.length) must(await docker(['rmi', '-f', ...new Set(imgs)], { host, timeoutMs: 120_000 }), 'docker rmi on the second daemon');
  const left = (await docker(['images', '-aq'], { host, timeoutMs: 15_000 })).stdout.trim();
  if (left) throw new Error(`the second daemon still has images: ${left}`);
}

// ---- containers -------------------------------------------------------------
/**
 * `docker run -d --network host` → first HTTP 200 from /healthz, polled from the
 * moment the command starts. Returns {id, ms, body} (the container keeps running).
 */
async function runUntil200(image, { host, extra = [], timeoutMs = 60_000 } = {}) {
  const port = await freePort();
  const start = performance.now();
  let runDone = false;
  let runFailed = false;
  const runP = docker(['run', '-d', '--network', 'host', '-e', `PORT=${port}`, ...extra, image], { host, timeoutMs }).then((r) => {
    runDone = true;
    if (r.code !== 0) runFailed = true;
    const id = parseContainerId(r.stdout);
    if (id) trackContainer(id, host);
    return r;
  });
  const ok = await waitFor200(port, start, timeoutMs, () => runFailed);
  const r = await runP;
  void runDone;
  const id = parseContainerId(r.stdout);
  if (!ok) {
    const logs = id ? (await docker(['logs', id], { host, timeoutMs: 15_000 })).stderr : '';
    throw new Error(`${image}: no HTTP 200 from /healthz within ${timeoutMs} ms (docker run exit ${r.code}: ${r.stderr.trim()}) ${logs}`);
  }
  return { id, ms: ok.ms, body: ok.body, port };
}

async function stopTimed(id, host) {
  const r = must(await docker(['stop', '-t', String(STOP_GRACE_S), id], { host, timeoutMs: (STOP_GRACE_S + 30) * 1000 }), 'docker stop');
  const exitCode = Number((await docker(['inspect', '--format', '{{.State.ExitCode}}', id], { host, timeoutMs: 15_000 })).stdout.trim());
  const logs = await docker(['logs', id], { host, timeoutMs: 15_000 });
  const text = logs.stdout + logs.stderr;
  return { ms: r.ms, exitCode, graceful: /signal received: draining[\s\S]*stopped/.test(text), logs: text };
}

// ---- main ---------------------------------------------------------------------
async function main() {
  if (opts['toolchain-only']) {
    await ensureEngine();
    await ensureToolchain(opts['toolchain-only']);
    return 0;
  }
  console.log(`container-tuner demo: the fixes on examples/demo-service, ${RUNS} run${RUNS === 1 ? '' : 's'} of each measurement${opts.quick ? ' (--quick)' : ''}`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) {
    info('dist/ is missing: building it');
    must(await run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, timeoutMs: 300_000 }), 'npm run build');
  }

  // 1 ---------------------------------------------------------------------------
  step(1, 'the engine, the Go toolchain image, the runtime base');
  const dockerFacts = await ensureEngine();
  const naiveDockerfile = fs.readFileSync(path.join(EXAMPLE, 'Dockerfile'), 'utf8');
  const fromTag = /^FROM\s+(\S+)/m.exec(naiveDockerfile)[1];
  const toolchain = await ensureToolchain(fromTag);
  const goV = await docker(['run', '--rm', '--network', 'none', fromTag, 'go', 'version'], { timeoutMs: 60_000 });
  toolchain.goVersion = /go(\d+\.\d+(?:\.\d+)?)/.exec(goV.stdout)?.[1];
  info(`runtime base: scratch (examples/demo-service/.container-tuner.yaml), nothing to pull`);

  // 2 ---------------------------------------------------------------------------
  step(2, 'lint a copy of the example, --fix until nothing fixable is left');
  const work = tmpDir('ct-demo-');
  const beforeDir = path.join(work, 'before');
  const afterDir = path.join(work, 'after');
  const classicDir = path.join(work, 'after-classic');
  fs.cpSync(EXAMPLE, beforeDir, { recursive: true });
  fs.cpSync(EXAMPLE, afterDir, { recursive: true });
  const lintBefore = await lintJson(beforeDir);
  info(`before: ${lintBefore.total} findings, ${lintBefore.fixable} fixable: ${[...new Set(lintBefore.findings.map((f) => f.rule))].join(', ')}`);
  const fix = await fixUntilStable(afterDir);
  info(`--fix: ${fix.passes} pass${fix.passes === 1 ? '' : 'es'}, ${fix.converged ? 'converged' : 'NOT converged'}; left: ${fix.after.findings.map((f) => `${f.rule} (${f.severity}${f.fixable ? ', fixable' : ''})`).join(', ') || 'nothing'}`);
  const diff = await diffTrees(beforeDir, afterDir);
  console.log(diff.replace(/^/gm, '        '));

  // the classic builder rejects RUN --mount: the --fix output with that one rule off
  fs.cpSync(EXAMPLE, classicDir, { recursive: true });
  fs.appendFileSync(path.join(classicDir, '.container-tuner.yaml'), '# the classic builder has no RUN --mount\nrules:\n  go-build-cache-mount: "off"\n');
  const classicSeed = path.join(work, 'classic-seed');
  fs.cpSync(classicDir, classicSeed, { recursive: true });
  const fixClassic = await fixUntilStable(classicDir);
  const classicDiff = await diffTrees(afterDir, classicDir);

  // 3 ---------------------------------------------------------------------------
  step(3, 'build before and after with both builders (--no-cache), start a local registry');
  const builds = [];
  const tags = {
    before: { buildkit: `${TAG}-before:buildkit`, classic: `${TAG}-before:classic` },
    after: { buildkit: `${TAG}-after:buildkit`, classic: `${TAG}-after:classic` },
  };
  let afterClassicNote;
  for (const [image, dir] of [['before', beforeDir], ['after', afterDir]]) {
    for (const builder of ['buildkit', 'classic']) {
      if (builder === 'buildkit' && !(await pruneCacheMounts())) info('could not empty BuildKit\'s cache mounts: the BuildKit clean build may be warm');
      const r = await build(dir, tags[image][builder], builder, { noCache: true });
      if (r.code === 0) {
        const facts = await imageFacts(tags[image][builder]);
        builds.push({ image, builder, ok: true, ms: r.ms, ...facts });
        info(`${image} (${builder}): ${fmtMs(r.ms)}, ${fmtBytes(facts.size)}, ${facts.layers} layers`);
      } else {
        const why = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
        builds.push({ image, builder, ok: false, ms: r.ms, error: why });
        info(`${image} (${builder}): FAILED — ${why}`);
        if (image === 'after' && builder === 'classic') {
          afterClassicNote = `\`DOCKER_BUILDKIT=0 docker build\` stops with “${why.replace(/^Error response from daemon: /, '')}” (the \`go-build-cache-mount\` fix adds \`RUN --mount=type=cache\`).`;
          const rc = await build(classicDir, tags.after.classic, 'classic', { noCache: true });
          must(rc, 'classic build of the --fix output without cache mounts');
          const facts = await imageFacts(tags.after.classic);
          builds.push({ image: 'after (go-build-cache-mount off)', builder: 'classic', ok: true, ms: rc.ms, ...facts });
          info(`after, go-build-cache-mount off (classic): ${fmtMs(rc.ms)}, ${fmtBytes(facts.size)}, ${facts.layers} layers`);
        } else throw new Error(`the ${image} image does not build with ${builder}: ${r.stderr.slice(-800)}`);
      }
    }
  }
  const bk = (image) => builds.find((b) => b.image === image && b.builder === 'buildkit');
  const cl = (image) => builds.filter((b) => b.image.startsWith(image) && b.builder === 'classic' && b.ok).pop();

  // analyze (the Analyze Image data) of the two BuildKit images
  const analyze = {};
  for (const image of ['before', 'after']) {
    const r = await run(process.execPath, [CLI, 'analyze', tags[image].buildkit, '--format', 'json', '--docker', DOCKER], { timeoutMs: 300_000 });
    if (r.code === 0) {
      try {
        analyze[image] = summarizeAnalyze(JSON.parse(r.stdout));
        info(`analyze ${image}: ${analyze[image]}`);
      } catch (e) {
        info(`analyze ${image}: unreadable output (${e.message})`);
      }
    } else info(`analyze ${image}: exit ${r.code} ${r.stderr.trim().split('\n').pop()}`);
  }

  // 4 ---------------------------------------------------------------------------
  step(4, `measure (${RUNS} run${RUNS === 1 ? '' : 's'} each)`);
  const push = { before: [], after: [] };
  const compressed = {};
  let reg;
  for (let i = 0; i < RUNS; i++) {
    if (reg) await reg.stop();
    reg = await startRegistry();
    for (const image of ['before', 'after']) {
      const ref = `${reg.host}/demo-service-${image}:1`;
      must(await docker(['tag', tags[image].buildkit, ref], { timeoutMs: 15_000 }), 'docker tag');
      createdTags.add(ref);
      const r = must(await docker(['push', ref], { timeoutMs: 900_000 }), `docker push ${ref}`);
      push[image].push(r.ms);
      compressed[image] = await registryManifestBytes(reg, `demo-service-${image}`, '1');
      info(`push ${i + 1}/${RUNS} ${image}: ${fmtMs(r.ms)} (${fmtBytes(compressed[image])} compressed)`);
    }
  }

  const node = await startSecondDaemon();
  const pull = { before: [], after: [] };
  const coldRun = { before: [], after: [] };
  const coldStart = { before: [], after: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const image of ['before', 'after']) {
      await emptyDaemon(node.host);
      const ref = `${reg.host}/demo-service-${image}:1`;
      const p = must(await docker(['pull', '-q', ref], { host: node.host, timeoutMs: 900_000 }), `docker pull (second daemon) ${ref}`);
      const c = await runUntil200(ref, { host: node.host });
      pull[image].push(p.ms);
      coldRun[image].push(c.ms);
      coldStart[image].push(p.ms + c.ms);
      info(`cold start ${i + 1}/${RUNS} ${image}: pull ${fmtMs(p.ms)} + run → 200 ${fmtMs(c.ms)} = ${fmtMs(p.ms + c.ms)}`);
      await removeContainer(c.id);
    }
  }
  await emptyDaemon(node.host);

  const warm = { before: [], after: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const image of ['before', 'after']) {
      const c = await runUntil200(tags[image].buildkit);
      warm[image].push(c.ms);
      info(`warm start ${i + 1}/${RUNS} ${image}: ${fmtMs(c.ms)}`);
      await removeContainer(c.id);
    }
  }

  const rebuild = { buildkit: { before: [], after: [] }, classic: { before: [], after: [] } };
  const rebuildDirs = { buildkit: { before: beforeDir, after: afterDir }, classic: { before: beforeDir, after: afterClassicNote ? classicDir : afterDir } };
  let edit = 0;
  for (const builder of ['buildkit', 'classic']) {
    for (const image of ['before', 'after']) {
      const dir = rebuildDirs[builder][image];
      const tag = `${TAG}-${image}:rebuild-${builder}`;
      must(await build(dir, tag, builder), `${builder} build of ${image} (to warm the cache)`);
      for (let i = 0; i < RUNS; i++) {
        editMainGo(dir, ++edit);
        const r = must(await build(dir, tag, builder), `${builder} rebuild of ${image}`);
        rebuild[builder][image].push(r.ms);
        info(`rebuild ${i + 1}/${RUNS} ${image} (${builder}) after a one-line edit of main.go: ${fmtMs(r.ms)}`);
      }
    }
  }

  // 5 ---------------------------------------------------------------------------
  step(5, 'prove the after image right: /healthz, SIGTERM, GOMAXPROCS/GOMEMLIMIT under the manifest\'s limits');
  const proofs = { healthz: {}, sigterm: {} };
  const stop = { before: [], after: [] };
  for (const image of ['before', 'after']) {
    const c = await runUntil200(tags[image].buildkit);
    const r = await httpGet(c.port, '/healthz');
    proofs.healthz[image] = `${r.status} ${String(r.body ?? '').trim()}`;
    const orders = await httpGet(c.port, '/orders');
    proofs.orders = proofs.orders ?? {};
    proofs.orders[image] = `${orders.status} ${String(orders.body ?? '').trim()}`;
    const s = await stopTimed(c.id);
    proofs.sigterm[image] = { ms: s.ms, exitCode: s.exitCode, graceful: s.graceful };
    stop[image].push(s.ms);
    info(`${image}: GET /healthz → ${proofs.healthz[image]}; docker stop → ${fmtMs(s.ms)}, exit ${s.exitCode}${s.graceful ? ', drained' : ', NOT drained (killed)'}`);
    await removeContainer(c.id);
  }

  const specBefore = runSpecFromManifest(fs.readFileSync(path.join(beforeDir, 'k8s', 'deployment.yaml'), 'utf8'));
  const specAfter = runSpecFromManifest(fs.readFileSync(path.join(afterDir, 'k8s', 'deployment.yaml'), 'utf8'));
  delete specBefore.env.PORT;
  delete specAfter.env.PORT;
  const beforeArgs = dockerRunArgs(specBefore);
  const afterArgs = dockerRunArgs(specAfter);
  const limits = {
    manifest: { cpu: String(specAfter.limits.cpu), memory: String(specAfter.limits.memory) },
    beforeArgs,
    afterArgs,
    unresolved: specAfter.unresolved,
    expected: { gomaxprocs: Math.ceil(specAfter.cpus - 1e-9), gomemlimit: parseGoMemLimit(specAfter.env.GOMEMLIMIT) ?? null },
  };
  for (const [image, args] of [['before', beforeArgs], ['after', afterArgs]]) {
    const c = await runUntil200(tags[image].buildkit, { extra: args });
    const logs = await docker(['logs', c.id], { timeoutMs: 15_000 });
    limits[image] = parseStartupLog(logs.stdout + logs.stderr);
    info(`${image} under ${args.join(' ')}: ${JSON.stringify(limits[image])}`);
    await removeContainer(c.id);
  }
  limits.distinguishable = limits.before?.numCPU !== limits.expected.gomaxprocs;
  proofs.limits = limits;

  const size = { before: bk('before').size, after: bk('after').size };
  const checks = {
    'fixes converged': fix.converged,
    'after image < 5 % of before': size.after < 0.05 * size.before,
    'after answers /healthz': /^200 /.test(proofs.healthz.after ?? ''),
    'after stops on SIGTERM within 1 s': proofs.sigterm.after.ms < 1000 && proofs.sigterm.after.exitCode === 0 && proofs.sigterm.after.graceful,
    'GOMAXPROCS = ceil(CPU limit)': limits.after?.gomaxprocs === limits.expected.gomaxprocs,
    'GOMEMLIMIT = the fix\'s value': limits.after?.gomemlimit === limits.expected.gomemlimit,
    'before: no GOMEMLIMIT, GOMAXPROCS = CPUs': limits.before?.gomemlimit === null && limits.before?.gomaxprocs === limits.before?.numCPU,
  };

  // 6 ---------------------------------------------------------------------------
  step(6, 'write the results');
  const cpuModel = os.cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
    } catch {
      return os.type();
    }
  })();
  const results = {
    generatedAt: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    runs: RUNS,
    machine: { cpus: os.cpus().length, cpuModel, memBytes: os.totalmem(), kernel: os.release(), os: osRelease, node: process.version },
    docker: { ...dockerFacts, secondDaemonDriver: node.driver },
    toolchain,
    runtimeBase: 'scratch',
    lint: {
      before: lintBefore,
      passes: fix.passes,
      converged: fix.converged,
      after: fix.after,
      diff,
      classic: { passes: fixClassic.passes, converged: fixClassic.converged, after: fixClassic.after },
      classicDiff,
      files: {
        dockerfile: fs.readFileSync(path.join(afterDir, 'Dockerfile'), 'utf8'),
        deployment: fs.readFileSync(path.join(afterDir, 'k8s', 'deployment.yaml'), 'utf8'),
      },
    },
    builds: { list: builds, afterClassicNote },
    analyze,
    figures: {
      size: { before: size.before, after: size.after, ratio: ratio(size.before, size.after) },
      layers: { before: bk('before').layers, after: bk('after').layers },
      classicSize: { before: cl('before')?.size, after: cl('after')?.size },
      compressedBytes: { before: compressed.before, after: compressed.after, ratio: ratio(compressed.before, compressed.after) },
      push: { before: stats(push.before), after: stats(push.after) },
      pull: { before: stats(pull.before), after: stats(pull.after) },
      coldRun: { before: stats(coldRun.before), after: stats(coldRun.after) },
      coldStart: { before: stats(coldStart.before), after: stats(coldStart.after) },
      warmStart: { before: stats(warm.before), after: stats(warm.after) },
      rebuild: {
        buildkit: { before: stats(rebuild.buildkit.before), after: stats(rebuild.buildkit.after) },
        classic: { before: stats(rebuild.classic.before), after: stats(rebuild.classic.after) },
      },
      cleanBuild: {
        buildkit: { before: bk('before').ms, after: bk('after').ms },
        classic: { before: cl('before')?.ms, after: cl('after')?.ms },
      },
      stop: { before: stats(stop.before), after: stats(stop.after) },
    },
    proofs,
    checks,
  };
  const outDir = opts.out ? path.resolve(opts.out) : opts.quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'ct-demo-quick-')) : undefined;
  const resultsPath = outDir ? path.join(outDir, 'results.json') : path.join(ROOT, 'demo', 'results.json');
  const impactPath = outDir ? path.join(outDir, 'impact.md') : path.join(ROOT, 'docs', 'impact.md');
  fs.mkdirSync(path.dirname(resultsPath), { recursive: true });
  fs.mkdirSync(path.dirname(impactPath), { recursive: true });
  fs.writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  let page = renderImpact(results);
  if (outDir) page = page.replaceAll('](../demo/results.json)', '](results.json)');
  fs.writeFileSync(impactPath, page);
  info(`wrote ${path.relative(ROOT, resultsPath).startsWith('..') ? resultsPath : path.relative(ROOT, resultsPath)} and ${path.relative(ROOT, impactPath).startsWith('..') ? impactPath : path.relative(ROOT, impactPath)}`);

  const f = results.figures;
  console.log('\nHeadline (before → after, medians):');
  console.log(`  image        ${fmtBytes(f.size.before)} → ${fmtBytes(f.size.after)}  (${fmtRatio(f.size.ratio)})`);
  console.log(`  pull bytes   ${fmtBytes(f.compressedBytes.before)} → ${fmtBytes(f.compressedBytes.after)}`);
  console.log(`  push         ${fmtMs(f.push.before.median)} → ${fmtMs(f.push.after.median)}`);
  console.log(`  cold start   ${fmtMs(f.coldStart.before.median)} → ${fmtMs(f.coldStart.after.median)}  (pull + run → first 200 on an empty daemon)`);
  console.log(`  warm start   ${fmtMs(f.warmStart.before.median)} → ${fmtMs(f.warmStart.after.median)}`);
  console.log(`  rebuild      ${fmtMs(f.rebuild.buildkit.before.median)} → ${fmtMs(f.rebuild.buildkit.after.median)}  (BuildKit, one-line edit)`);
  console.log(`  docker stop  ${fmtMs(f.stop.before.median)} → ${fmtMs(f.stop.after.median)}`);
  console.log('Checks: ' + Object.entries(checks).map(([k, v]) => `${v ? 'ok' : 'FAILED'} ${k}`).join(' · '));
  return Object.values(checks).every(Boolean) ? 0 : 1;
}

function editMainGo(dir, n) {
  const p = path.join(dir, 'main.go');
  const text = fs.readFileSync(p, 'utf8');
  // one line changes: the first comment line carries the edit number, and this run's
  // nonce (BuildKit keeps its cache across runs: an edit seen by an earlier run would hit it)
  const next = text.replace(/^\/\/ demo-service:.*$/m, `// demo-service: a small orders API, written the way many Go services start. (edit ${n} of run ${RUN_NONCE})`);
  if (next === text) throw new Error('main.go: the first comment line to edit is missing');
  fs.writeFileSync(p, next);
}

function summarizeAnalyze(a) {
  const parts = [];
  const img = a.image ?? a;
  const size = img.size ?? a.size ?? a.totalSize;
  if (typeof size === 'number') parts.push(fmtBytes(size));
  const layers = a.layers ?? img.layers;
  if (Array.isArray(layers)) parts.push(`${layers.length} layers`);
  const waste = a.waste ?? a.wasted ?? a.dive;
  if (waste && typeof waste === 'object') {
    const wb = waste.wastedBytes ?? waste.wasted;
    if (typeof wb === 'number') parts.push(`${fmtBytes(wb)} wasted`);
    if (typeof waste.efficiency === 'number') parts.push(`efficiency ${(waste.efficiency * 100).toFixed(1)} %`);
  }
  const bins = a.binaries ?? a.goBinaries;
  if (Array.isArray(bins)) {
    for (const b of bins.slice(0, 3)) {
      const bits = [b.path, b.goVersion ?? b.version, b.stripped === true ? 'stripped' : b.stripped === false ? 'not stripped' : undefined, b.static === true || b.linkage === 'static' ? 'static' : b.static === false || b.linkage === 'dynamic' ? 'dynamic' : undefined, b.size !== undefined ? fmtBytes(b.size) : undefined].filter(Boolean);
      parts.push(`Go binary ${bits.join(', ')}`);
    }
    if (bins.length > 3) parts.push(`${bins.length - 3} more Go binaries`);
  }
  const findings = a.findings;
  if (Array.isArray(findings) && findings.length) parts.push(`findings: ${[...new Set(findings.map((x) => x.rule ?? x.id))].join(', ')}`);
  return parts.join('; ');
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`\ndemo failed: ${e.stack ?? e.message}`);
  code = 1;
} finally {
  console.log(`\n${clock()}  cleaning up`);
  await cleanupAll();
}
process.exit(code);
