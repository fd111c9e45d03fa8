// The Docker adapter: against the real engine when there is one (images built
// FROM scratch with busybox-static by both builders, a RepoDigest from the
// local registry), and against fake `docker` scripts for the failures a real
// engine cannot be made to show on demand.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerVersion,
  ImageInspectCache,
  imageInspect,
  repoDigestFor,
  runDocker,
} from '../../server/src/engine/docker/cli';
import {
  alive,
  buildBusyboxImage,
  cleanup,
  DAEMON_DOWN_LINE,
  dockerUnavailable,
  fakeDocker,
  push,
  REGISTRY,
  registryUp,
  repull,
  RUN_ID,
  skipLoudly,
  tagImage,
  waitUntil,
} from './support';

const posix = process.platform !== 'win32';

describe.runIf(posix)('runDocker with fake docker scripts', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-fake-docker-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('not installed: a path that does not exist, or is not executable', async () => {
    const r = await runDocker(['version'], { dockerPath: path.join(dir, 'nope', 'docker') });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('not-installed');
    expect(r.message).toContain('containerTuner.docker.path');
    const notExec = path.join(dir, 'not-executable');
    fs.writeFileSync(notExec, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const r2 = await runDocker(['version'], { dockerPath: notExec });
    expect(!r2.ok && r2.kind).toBe('not-installed');
    // not on PATH at all
    const r3 = await runDocker(['version'], { env: { ...process.env, PATH: path.join(dir, 'empty') } });
    expect(!r3.ok && r3.kind).toBe('not-installed');
  });

  it('daemon down: the real CLI message, found as `docker` on PATH', async () => {
    const bin = path.join(dir, 'down');
    fs.mkdirSync(bin);
    fakeDocker(bin, `echo '${DAEMON_DOWN_LINE}' >&2\nexit 1`);
    const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
    const r = await imageInspect('alpine:3.20', { env });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('daemon-down');
    expect(r.message).toBe(`Docker is not running: start Docker Desktop or \`sudo systemctl start docker\` (and check DOCKER_HOST / the docker context) (docker: ${DAEMON_DOWN_LINE})`);
    expect(r.detail).toBe(DAEMON_DOWN_LINE);
    const v = await dockerVersion({ env });
    expect(!v.ok && v.kind).toBe('daemon-down');
  });

  it('permission denied, no such image, other failures', async () => {
    const denied = fakeDocker(dir, `echo 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version": dial unix /var/run/docker.sock: connect: permission denied' >&2\nexit 1`, 'denied');
    const r = await runDocker(['version'], { dockerPath: denied });
    expect(!r.ok && r.kind).toBe('permission-denied');
    expect(!r.ok && r.message).toMatch(/docker` group/);
    const missing = fakeDocker(dir, `echo '[]'\necho 'Error: No such image: nosuch:1' >&2\nexit 1`, 'missing');
    const m = await imageInspect('nosuch:1', { dockerPath: missing });
    expect(!m.ok && m.kind).toBe('not-found');
    expect(!m.ok && m.message).toBe('No local image `nosuch:1` (nothing is pulled) (docker: Error: No such image: nosuch:1)');
    const other = fakeDocker(dir, `echo 'something odd' >&2\nexit 3`, 'other');
    const o = await runDocker(['image', 'ls'], { dockerPath: other });
    expect(o).toMatchObject({ ok: false, kind: 'failed', exitCode: 3, detail: 'something odd' });
    expect(!o.ok && o.message).toBe('`docker image ls` failed with exit code 3 (docker: something odd)');
  });

  it('garbage and wrong JSON are bad-output', async () => {
    const garbage = fakeDocker(dir, `echo '[{"Id": "sha256:1", "RepoTags": [' `, 'garbage');
    const g = await imageInspect('alpine', { dockerPath: garbage });
    expect(!g.ok && g.kind).toBe('bad-output');
    const obj = fakeDocker(dir, `echo '{"Id": "sha256:1"}'`, 'object');
    expect(await imageInspect('alpine', { dockerPath: obj })).toMatchObject({ ok: false, kind: 'bad-output' });
    const noId = fakeDocker(dir, `echo '[{"RepoTags": []}]'`, 'noid');
    expect(await imageInspect('alpine', { dockerPath: noId })).toMatchObject({ ok: false, kind: 'bad-output' });
    const empty = fakeDocker(dir, `echo '[]'`, 'empty');
    expect(await imageInspect('alpine', { dockerPath: empty })).toMatchObject({ ok: false, kind: 'not-found' });
    const version = fakeDocker(dir, `echo 'Client: Docker Engine'`, 'textversion');
    expect(await dockerVersion({ dockerPath: version })).toMatchObject({ ok: false, kind: 'bad-output' });
    const good = fakeDocker(dir, `echo '{"Client":{"Version":"28.2.2"},"Server":{"Version":"20.10.24","ApiVersion":"1.41","Os":"linux","Arch":"amd64"}}'`, 'goodversion');
    expect(await dockerVersion({ dockerPath: good })).toEqual({ ok: true, value: { client: '28.2.2', server: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64' } });
  });

  it('parses inspect output and picks the RepoDigest of the same repository', async () => {
    const d1 = 'sha256:' + '1'.repeat(64);
    const d2 = 'sha256:' + '2'.repeat(64);
    const json = JSON.stringify([{ Id: 'sha256:' + 'a'.repeat(64), RepoTags: ['alpine:3.20', 'mirror.example.com/alpine:3.20'], RepoDigests: [`mirror.example.com/alpine@${d1}`, `alpine@${d2}`], Size: 7_800_000, Os: 'linux', Architecture: 'amd64', Created: '2024-06-01T00:00:00Z', Extra: { ignored: true } }]);
    const fake = fakeDocker(dir, `cat <<'EOF'\n${json}\nEOF`, 'inspect');
    const r = await imageInspect('alpine:3.20', { dockerPath: fake });
    expect(r).toEqual({ ok: true, value: { Id: 'sha256:' + 'a'.repeat(64), RepoTags: ['alpine:3.20', 'mirror.example.com/alpine:3.20'], RepoDigests: [`mirror.example.com/alpine@${d1}`, `alpine@${d2}`], Size: 7_800_000, Os: 'linux', Architecture: 'amd64', Variant: undefined, Created: '2024-06-01T00:00:00Z' } });
    const p = await repoDigestFor('docker.io/library/alpine:3.20', { dockerPath: fake });
    expect(p.ok && p.value?.digest).toBe(d2);
    expect(p.ok && p.value?.repoDigest).toBe(`alpine@${d2}`);
    const q = await repoDigestFor('mirror.example.com/alpine:3.20', { dockerPath: fake });
    expect(q.ok && q.value?.digest).toBe(d1);
    const none = await repoDigestFor('golang:1.22', { dockerPath: fake });
    expect(none).toEqual({ ok: true, value: undefined });
  });

  it('a hung docker is stopped at the timeout, with everything it started', async () => {
    const pids = path.join(dir, 'hang.pids');
    // ignores SIGTERM, so only the SIGKILL that follows stops it; its child sleeps too
    const hang = fakeDocker(dir, `trap '' TERM\nsleep 1000 &\necho $$ $! > '${pids}'\nwait`, 'hang');
    const started = Date.now();
    const r = await runDocker(['image', 'inspect', 'x'], { dockerPath: hang, timeoutMs: 300, killGraceMs: 200 });
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
    expect(!r.ok && r.message).toMatch(/did not finish within 300 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [shell, child] = fs.readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number);
    await waitUntil(() => !alive(shell) && !alive(child), 5000, 'the fake docker and its child to be gone');
  });

  it('cancellation stops the command', async () => {
    const pids = path.join(dir, 'cancel.pids');
    const slow = fakeDocker(dir, `sleep 1000 &\necho $$ $! > '${pids}'\nwait`, 'slow');
    const ac = new AbortController();
    const p = runDocker(['history', 'x'], { dockerPath: slow, signal: ac.signal, timeoutMs: 60_000 });
    await waitUntil(() => fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').trim().includes(' '), 5000, 'the slow docker to start');
    ac.abort();
    expect(await p).toMatchObject({ ok: false, kind: 'cancelled' });
    const [shell, child] = fs.readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number);
    await waitUntil(() => !alive(shell) && !alive(child), 5000, 'the cancelled docker to be gone');
    // already aborted: nothing runs
    const marker = path.join(dir, 'ran');
    const never = fakeDocker(dir, `touch '${marker}'`, 'never');
    expect(await runDocker(['version'], { dockerPath: never, signal: AbortSignal.abort() })).toMatchObject({ ok: false, kind: 'cancelled' });
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('endless output is capped: stopped and reported, not buffered', async () => {
    const pidFile = path.join(dir, 'yes.pid');
    const flood = fakeDocker(dir, `echo $$ > '${pidFile}'\nexec yes '{"Id": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}'`, 'flood');
    const r = await runDocker(['image', 'ls', '--format', '{{json .}}'], { dockerPath: flood, maxOutputBytes: 1024 * 1024, timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: false, kind: 'bad-output' });
    expect(!r.ok && r.message).toBe('`docker image ls` printed more than 1048576 bytes; stopped reading');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !alive(pid), 5000, 'the flooding docker to be gone');
    // streamed output is not capped
    let streamed = 0;
    const big = fakeDocker(dir, `head -c 3000000 /dev/zero`, 'big');
    const s = await runDocker(['save', 'x'], { dockerPath: big, maxOutputBytes: 1024, onStdout: (c) => { streamed += c.length; } });
    expect(s).toMatchObject({ ok: true, stdout: '' });
    expect(streamed).toBe(3_000_000);
  });

  it('references reach docker as one argument, after `--`, with no side effect', async () => {
    const argsFile = path.join(dir, 'args');
    const pwned = path.join(dir, 'pwned');
    const rec = fakeDocker(dir, `for a in "$@"; do printf '%s\\n' "$a"; done > '${argsFile}'\necho '[]'\necho 'Error: No such image' >&2\nexit 1`, 'record');
    for (const ref of ['--help', `x;touch ${pwned}`, `$(touch ${pwned})`, `\`touch ${pwned}\``, `x && touch ${pwned}`, `x\ntouch ${pwned}`.replace('\n', ' ')]) {
      const r = await imageInspect(ref, { dockerPath: rec });
      expect(r).toMatchObject({ ok: false, kind: 'not-found' });
      expect(fs.readFileSync(argsFile, 'utf8')).toBe(['image', 'inspect', '--', ref].join('\n') + '\n');
      expect(fs.existsSync(pwned)).toBe(false);
    }
    // a NUL byte cannot be passed at all: a failure, not an exception
    expect(await imageInspect('x\0y', { dockerPath: rec })).toMatchObject({ ok: false, kind: 'failed' });
  });

  it('passes DOCKER_HOST and the rest of the environment through', async () => {
    const env = fakeDocker(dir, `echo "$DOCKER_HOST|$DOCKER_CONTEXT"`, 'env');
    const r = await runDocker(['version'], { dockerPath: env, env: { ...process.env, DOCKER_HOST: 'unix:///tmp/other.sock', DOCKER_CONTEXT: 'ctx' } });
    expect(r).toMatchObject({ ok: true, stdout: 'unix:///tmp/other.sock|ctx\n' });
  });

  it('caches per reference: one docker command for concurrent and repeated asks', async () => {
    const count = path.join(dir, 'count');
    const json = JSON.stringify([{ Id: 'sha256:1', RepoTags: ['a:1'], RepoDigests: [], Size: 1, Os: 'linux', Architecture: 'amd64', Created: '' }]);
    const counted = fakeDocker(dir, `echo x >> '${count}'\ncat <<'EOF'\n${json}\nEOF`, 'counted');
    let now = 0;
    const cache = new ImageInspectCache(60_000, 10_000, () => now);
    const opts = { dockerPath: counted };
    expect(cache.peek('a:1', opts)).toBeUndefined();
    const [x, y] = await Promise.all([cache.get('a:1', opts), cache.get('a:1', opts)]);
    expect(x).toEqual(y);
    expect(cache.peek('a:1', opts)).toEqual(x);
    now = 59_000;
    await cache.get('a:1', opts);
    expect(fs.readFileSync(count, 'utf8')).toBe('x\n');
    now = 61_000;
    expect(cache.peek('a:1', opts)).toBeUndefined();
    await cache.get('a:1', opts);
    expect(fs.readFileSync(count, 'utf8')).toBe('x\nx\n');
    // failures are kept for a shorter time
    const down = fakeDocker(dir, `echo x >> '${count}'\necho '${DAEMON_DOWN_LINE}' >&2\nexit 1`, 'counted-down');
    const before = fs.readFileSync(count, 'utf8').length;
    expect(await cache.get('b', { dockerPath: down })).toMatchObject({ kind: 'daemon-down' });
    now += 9_000;
    expect(cache.peek('b', { dockerPath: down })).toMatchObject({ kind: 'daemon-down' });
    now += 2_000;
    expect(cache.peek('b', { dockerPath: down })).toBeUndefined();
    expect(fs.readFileSync(count, 'utf8').length).toBe(before + 2);
  });
});

describe('runDocker against the real Docker Engine', () => {
  let why: string | undefined;
  const tags = { classic: `${RUN_ID}-img:classic`, buildkit: `${RUN_ID}-img:buildkit` };

  beforeAll(async () => {
    why = await dockerUnavailable();
    if (why) return;
    await buildBusyboxImage(tags.classic, 'classic', 'ENV BUILDER=classic\n');
    await buildBusyboxImage(tags.buildkit, 'buildkit', 'ENV BUILDER=buildkit\n');
  }, 300_000);
  afterAll(async () => {
    if (!why) await cleanup();
  }, 120_000);

  it('docker version', async (ctx) => {
    if (why) return skipLoudly('real-Docker adapter tests', why), ctx.skip();
    const v = await dockerVersion();
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.value.server).toMatch(/^\d+\.\d+/);
  });

  it('inspects images built by both builders (no RepoDigest: never pushed)', async (ctx) => {
    if (why) return skipLoudly('real-Docker adapter tests', why), ctx.skip();
    const busyboxSize = fs.statSync(['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p))!).size;
    for (const tag of Object.values(tags)) {
      const r = await imageInspect(tag);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) continue;
      expect(r.value.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.value.RepoTags).toContain(tag);
      expect(r.value.RepoDigests).toEqual([]);
      expect(r.value.Os).toBe('linux');
      expect(r.value.Architecture).toBeTruthy();
      expect(r.value.Size).toBeGreaterThanOrEqual(busyboxSize);
      expect(r.value.Size).toBeLessThan(busyboxSize + 100_000);
      expect(Number.isNaN(Date.parse(r.value.Created))).toBe(false);
      expect(await repoDigestFor(tag)).toEqual({ ok: true, value: undefined });
    }
  });

  it('a missing image is not-found, and hostile references do nothing', async (ctx) => {
    if (why) return skipLoudly('real-Docker adapter tests', why), ctx.skip();
    expect(await imageInspect(`${RUN_ID}-missing:1`)).toMatchObject({ ok: false, kind: 'not-found' });
    const pwned = path.join(os.tmpdir(), `${RUN_ID}-pwned`);
    for (const ref of ['--help', `x;touch ${pwned}`, `$(touch ${pwned})`]) {
      expect(await imageInspect(ref)).toMatchObject({ ok: false, kind: 'not-found' });
      expect(fs.existsSync(pwned)).toBe(false);
    }
  });

  it('a pulled image has the RepoDigest of its own repository', async (ctx) => {
    if (why) return skipLoudly('real-Docker adapter tests', why), ctx.skip();
    if (!(await registryUp())) return skipLoudly('the RepoDigest assertion', `no registry on ${REGISTRY} (apt-get install docker-registry; scripts/ci-docker.sh starts it)`), ctx.skip();
    const remote = `${REGISTRY}/${RUN_ID}/img:v1`;
    await tagImage(tags.classic, remote);
    const digest = await push(remote);
    await repull(remote);
    const r = await repoDigestFor(remote);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value?.digest).toBe(digest);
    expect(r.value?.repoDigest).toBe(`${REGISTRY}/${RUN_ID}/img@${digest}`);
    // the same image under its local name has no RepoDigest of that repository
    expect(await repoDigestFor(tags.classic)).toEqual({ ok: true, value: undefined });
    // and the digest works as a reference
    const byDigest = await imageInspect(`${REGISTRY}/${RUN_ID}/img@${digest}`);
    expect(byDigest.ok && byDigest.value.Id).toBe(r.value?.image.Id);
  });

  it('a daemon at another DOCKER_HOST that is not there is daemon-down', async (ctx) => {
    if (why) return skipLoudly('real-Docker adapter tests', why), ctx.skip();
    const r = await imageInspect(tags.classic, { env: { ...process.env, DOCKER_HOST: `unix://${path.join(os.tmpdir(), RUN_ID + '-nope.sock')}` } });
    expect(r).toMatchObject({ ok: false, kind: 'daemon-down' });
    expect(!r.ok && r.detail).toMatch(/Cannot connect to the Docker daemon/);
  });
});
