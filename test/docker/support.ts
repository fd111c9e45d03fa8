// Shared by the tests that use a real Docker Engine: is one reachable, a tiny
// image built FROM scratch with busybox-static (both builders), the local
// registry (so an image gets a RepoDigest), fake `docker` scripts for
// injecting failures, and cleanup of everything a run created.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDocker, type DockerRun } from '../../server/src/engine/docker/cli';

export const REQUIRE_DOCKER = process.env.REQUIRE_DOCKER === '1';
export const REGISTRY = '127.0.0.1:5000';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));

/** Per-run prefix of every tag and repository the tests create. */
export const RUN_ID = `ct-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** Why Docker tests cannot run here, or undefined when they can. Loud: console.warn, and a failure with REQUIRE_DOCKER=1. */
export async function dockerUnavailable(): Promise<string | undefined> {
  const r = await runDocker(['info', '--format', '{{json .ServerVersion}}'], { timeoutMs: 15_000 });
  let why: string | undefined;
  if (!r.ok) why = `${r.kind}: ${r.message}`;
  else if (!BUSYBOX) why = 'busybox-static is not installed (apt-get install busybox-static)';
  return why;
}

export function skipLoudly(what: string, why: string): void {
  const msg = `\n\n*** SKIPPED: ${what} — ${why}\n*** Install and start Docker (bash scripts/ci-docker.sh); set REQUIRE_DOCKER=1 to make this a failure.\n`;
  if (REQUIRE_DOCKER) throw new Error(`REQUIRE_DOCKER=1 but ${what} cannot run: ${why}`);
  console.warn(msg);
}

/** The CLI for BuildKit builds: Debian's /usr/bin/docker (a newer CLI on PATH would need the buildx plugin). */
export function buildkitCli(): string {
  return fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

function must(r: DockerRun, what: string): string {
  if (!r.ok) throw new Error(`${what} failed: ${r.kind}: ${r.message}\n${r.stderr ?? ''}`);
  return r.stdout;
}

const created = new Set<string>();

/** Builds `FROM scratch` + busybox as `tag` with the classic builder or BuildKit. */
export async function buildBusyboxImage(tag: string, builder: 'classic' | 'buildkit', extra = ''): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-build-'));
  try {
    fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM scratch\nCOPY busybox /bin/busybox\n${extra}CMD ["/bin/busybox", "true"]\n`);
    const env = { ...process.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
    const args = builder === 'buildkit' ? ['build', '--network', 'host', '-t', tag, dir] : ['build', '-t', tag, dir];
    created.add(tag);
    must(await runDocker(args, { env, timeoutMs: 180_000, dockerPath: builder === 'buildkit' ? buildkitCli() : 'docker' }), `docker build (${builder})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function tagImage(from: string, to: string): Promise<void> {
  created.add(to);
  must(await runDocker(['tag', from, to]), 'docker tag');
}

/** Whether the local registry answers on 127.0.0.1:5000. */
export function registryUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: 5000 });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(2000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const pushed: { repo: string; digest: string }[] = [];

/** Pushes `ref` (a 127.0.0.1:5000/… tag) and returns the digest the registry reported. */
export async function push(ref: string): Promise<string> {
  const out = must(await runDocker(['push', ref], { timeoutMs: 120_000 }), `docker push ${ref}`);
  const m = /digest: (sha256:[0-9a-f]{64})/.exec(out);
  if (!m) throw new Error(`no digest in docker push output: ${out}`);
  const name = ref.slice(REGISTRY.length + 1).replace(/:[^/:]*$/, '');
  pushed.push({ repo: name, digest: m[1] });
  return m[1];
}

/** Removes a tag, then pulls it back from the registry (a pulled image has a RepoDigest). */
export async function repull(ref: string): Promise<void> {
  must(await runDocker(['rmi', ref]), `docker rmi ${ref}`);
  must(await runDocker(['pull', ref], { timeoutMs: 120_000 }), `docker pull ${ref}`);
}

/** Removes every image tag and registry manifest this run created. */
export async function cleanup(): Promise<void> {
  if (created.size) await runDocker(['rmi', '-f', ...created], { timeoutMs: 60_000 });
  created.clear();
  for (const p of pushed.splice(0)) {
    try {
      await fetch(`http://${REGISTRY}/v2/${p.repo}/manifests/${p.digest}`, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
    } catch {
      /* the registry went away: nothing to clean */
    }
  }
}

/** A fake `docker` (a shell script) in a fresh folder; returns its path. */
export function fakeDocker(dir: string, body: string, name = 'docker'): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}

export const DAEMON_DOWN_LINE = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

/** True while a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Polls a condition (a state, not a fixed sleep) until it holds or `ms` pass. */
export async function waitUntil(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
