// The real Docker Engine for the layer tests: wait for it, build small images
// FROM scratch (static busybox from busybox-static, a static Go binary built
// with Debian's Go) with either builder, and clean up. Tests that need it skip
// LOUDLY without it, and fail with REQUIRE_DOCKER=1.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDocker } from '../../server/src/engine/docker/cli';

export const REQUIRE_DOCKER = process.env.REQUIRE_DOCKER === '1';
export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
/** Lower-case, unique per run: every image tag the layer tests create starts with it. */
export const RUN_TAG = `ct-layers-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Why the Docker tests cannot run, or undefined. A daemon that is installed
 * but not answering yet (being started by scripts/ci-docker.sh) is polled:
 * up to 10 minutes with REQUIRE_DOCKER=1, else 20 s.
 */
export async function dockerUnavailable(): Promise<string | undefined> {
  if (!BUSYBOX) return 'busybox-static is not installed (apt-get install busybox-static)';
  const deadline = Date.now() + (REQUIRE_DOCKER ? 600_000 : 20_000);
  for (;;) {
    const r = await runDocker(['info', '--format', '{{json .ServerVersion}}'], { timeoutMs: 15_000 });
    if (r.ok) return undefined;
    if (r.kind === 'not-installed' || Date.now() > deadline) return `${r.kind}: ${r.message}`;
    await sleep(2000);
  }
}

export function goUnavailable(): string | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? undefined : 'Go is not installed (apt-get install golang-go)';
}

export function skipLoudly(what: string, why: string): void {
  if (REQUIRE_DOCKER) throw new Error(`REQUIRE_DOCKER=1 but ${what} cannot run: ${why}`);
  console.warn(`\n\n*** SKIPPED: ${what} — ${why}\n*** Install and start Docker (bash scripts/ci-docker.sh); REQUIRE_DOCKER=1 makes this a failure.\n`);
}

/** The CLI for builds: Debian's /usr/bin/docker (BuildKit without the buildx plugin). */
export function buildCli(): string {
  return fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

const created = new Set<string>();

/** `docker build` with the classic builder or BuildKit; returns the image id. */
export async function build(dir: string, tag: string, builder: 'classic' | 'buildkit', extra: string[] = []): Promise<string> {
  created.add(tag);
  const env = { ...process.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
  const args = ['build', ...(builder === 'buildkit' ? ['--network', 'host'] : []), '-t', tag, ...extra, dir];
  const r = await runDocker(args, { env, timeoutMs: 300_000, dockerPath: buildCli() });
  if (!r.ok) throw new Error(`docker build (${builder}) failed: ${r.message}\n${r.stderr ?? ''}`);
  return imageId(tag);
}

export async function imageId(ref: string): Promise<string> {
  const r = await runDocker(['image', 'inspect', '--format', '{{.Id}}', '--', ref]);
  if (!r.ok) throw new Error(`docker image inspect ${ref}: ${r.message}`);
  return r.stdout.trim();
}

export async function imageSize(ref: string): Promise<number> {
  const r = await runDocker(['image', 'inspect', '--format', '{{.Size}}', '--', ref]);
  if (!r.ok) throw new Error(`docker image inspect ${ref}: ${r.message}`);
  return Number(r.stdout.trim());
}

export async function removeImages(...refs: string[]): Promise<void> {
  if (!refs.length) return;
  const r = await runDocker(['rmi', '-f', ...refs], { timeoutMs: 60_000 });
  if (!r.ok && r.kind !== 'not-found') throw new Error(`docker rmi: ${r.message}`);
}

export async function cleanup(): Promise<void> {
  if (created.size) await runDocker(['rmi', '-f', ...created], { timeoutMs: 60_000 });
  created.clear();
}

/** A static Go binary (`CGO_ENABLED=0`, Debian's Go) in `dir/name`. */
/**
 * Builds a small static Go program into `dir/name` with the local toolchain. `ldflags` default `-s -w`
 * (stripped); `main` replaces the program (a `note` string variable lets `-X main.note=…` set text in it).
 */
export function buildGoBinary(dir: string, name = 'app', opts: { ldflags?: string; main?: string } = {}): void {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-go-'));
  try {
    fs.writeFileSync(path.join(src, 'go.mod'), 'module example.com/app\n\ngo 1.19\n');
    fs.writeFileSync(path.join(src, 'main.go'), opts.main ?? 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("ok\\n") }\n');
    const r = spawnSync('go', ['build', `-ldflags=${opts.ldflags ?? '-s -w'}`, '-o', path.join(dir, name), '.'], {
      cwd: src,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
    });
    if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`);
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
}

/** A fake `docker` (a shell script) for failures a real engine will not show on demand. */
export function fakeDocker(dir: string, body: string): string {
  const p = path.join(dir, 'docker');
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
}
