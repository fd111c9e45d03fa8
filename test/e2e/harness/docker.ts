// The real Docker Engine for the VS Code e2e steps 4 (Analyze Image) and 5 (the layer panel):
// is it there, build the small fixture image (FROM scratch: busybox from busybox-static and a
// Go binary built with Debian's Go) with either builder, read `docker history`, remove what a
// run created. Every docker command goes through the engine's runDocker (argument arrays,
// timeouts). Recipe: /work/shared/docs/docker-recipe.md.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDocker, type DockerRun } from '../../../server/src/engine/docker/cli';

export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
/** Lower-case, unique per run: the repository of every image this run builds. */
export const E2E_REPO = `ct-e2e-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;

/** Docker is required when REQUIRE_DOCKER=1 or REQUIRE_E2E=1: then a skip is a failure. */
export const DOCKER_REQUIRED = process.env.REQUIRE_DOCKER === '1' || process.env.REQUIRE_E2E === '1';

/**
 * Why the Docker steps cannot run here, or undefined. A daemon still starting (scripts/ci-docker.sh)
 * is polled: 2 minutes with REQUIRE_DOCKER=1, else 20 s.
 */
export async function dockerUnavailable(): Promise<string | undefined> {
  if (!BUSYBOX) return 'busybox-static is not installed (apt-get install busybox-static)';
  const deadline = Date.now() + (process.env.REQUIRE_DOCKER === '1' ? 120_000 : 20_000);
  for (;;) {
    const r = await runDocker(['info', '--format', '{{json .ServerVersion}}'], { timeoutMs: 15_000 });
    if (r.ok) return undefined;
    if (r.kind === 'not-installed' || Date.now() > deadline) return `${r.kind}: ${r.message}`;
    // polling a daemon that is starting (a state), paced
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** Says LOUDLY that a Docker step skips, or throws when Docker is required. */
export function skipDockerLoudly(what: string, why: string): void {
  if (DOCKER_REQUIRED) throw new Error(`${what} cannot run: ${why} (REQUIRE_DOCKER=1 or REQUIRE_E2E=1 makes this a failure)`);
  console.warn(`\n\n!!!!! SKIPPED: ${what} — ${why}\n!!!!! Install and start Docker (bash scripts/ci-docker.sh); REQUIRE_DOCKER=1 makes this a failure.\n`);
}

/** Why a Go binary cannot be built here (then the image ships busybox only), or undefined. */
export function goUnavailable(): string | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 30_000 });
  return !r.error && r.status === 0 ? undefined : 'the `go` command is not installed (apt-get install golang-go)';
}

function must(r: DockerRun, what: string): string {
  if (!r.ok) throw new Error(`${what} failed: ${r.kind}: ${r.message}\n${r.stderr ?? ''}`);
  return r.stdout;
}

/**
 * Puts the fixture image's context files next to its Dockerfile: `busybox`, and `app` — a static
 * Go binary built WITHOUT -s -w (so the report has a go-strip-symbols finding), or, without Go,
 * a copy of busybox. Returns whether `app` is a Go binary.
 */
export function prepareContext(dir: string): boolean {
  fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
  if (goUnavailable()) {
    fs.copyFileSync(BUSYBOX!, path.join(dir, 'app'));
    return false;
  }
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-e2e-go-'));
  try {
    fs.writeFileSync(path.join(src, 'go.mod'), 'module example.com/e2eapp\n\ngo 1.19\n');
    fs.writeFileSync(path.join(src, 'main.go'), 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("ok\\n") }\n');
    const r = spawnSync('go', ['build', '-o', path.join(dir, 'app'), '.'], {
      cwd: src,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOCACHE: path.join(src, '.cache'), GOPATH: path.join(src, '.gopath') },
    });
    if (r.status !== 0) throw new Error(`go build failed: ${r.error?.message ?? ''}${r.stderr}`);
    return true;
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
}

const created = new Set<string>();

/** `docker build` of `dir` as `tag` with the classic builder or BuildKit (Debian's CLI, host network). */
export async function buildImage(dir: string, tag: string, builder: 'classic' | 'buildkit'): Promise<void> {
  created.add(tag);
  const env = { ...process.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
  const args = ['build', ...(builder === 'buildkit' ? ['--network', 'host'] : []), '-t', tag, dir];
  must(await runDocker(args, { env, timeoutMs: 300_000, dockerPath: fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker' }), `docker build (${builder}) ${tag}`);
}

/** Number of filesystem layers (`RootFS.Layers`). */
export async function layerCount(ref: string): Promise<number> {
  return Number(must(await runDocker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', '--', ref]), `docker image inspect ${ref}`).trim());
}

/** `docker history` rows, top first: what created the layer and its exact size in bytes. */
export async function history(ref: string): Promise<{ createdBy: string; size: number }[]> {
  const out = must(await runDocker(['history', '--no-trunc', '--human=false', '--format', '{{json .}}', '--', ref]), `docker history ${ref}`);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { CreatedBy: string; Size: string })
    .map((r) => ({ createdBy: r.CreatedBy, size: Number(r.Size) }));
}

/** Removes every image this run built. */
export async function removeImages(): Promise<void> {
  if (created.size) await runDocker(['rmi', '-f', ...created], { timeoutMs: 60_000 });
  created.clear();
}
