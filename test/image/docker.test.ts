// "Analyze Image" against the real Docker Engine: images built FROM scratch
// with busybox-static and Go binaries compiled here (static stripped, static
// unstripped, cgo dynamic), and an image that writes then deletes a file,
// each with the classic builder and BuildKit; analyzed by reference and from
// `docker save` archives, compared with `docker image inspect` and
// `go version -m`. Failures (daemon down, hang, garbage, truncated save) come
// from fake `docker` scripts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyze } from '../../server/src/cli/analyze';
import type { CliIO } from '../../server/src/cli/main';
import { runDocker, type DockerRun } from '../../server/src/engine/docker/cli';
import type { ImageReport } from '../../server/src/engine/image/analyze';
import { AbortError, ArchiveError, readImageArchive } from '../../server/src/engine/image/archive';
import { analyzeArchive } from '../../server/src/engine/image/analyze';
import { analyzeLocalImage, ImageAnalysisError, listLocalImages, type AnalyzeProgress } from '../../server/src/engine/image/local';
import { buildkitCli, dockerUnavailable, fakeDocker, skipLoudly } from '../docker/support';
import { buildGoBinaries, expectedBuildInfo, goUnavailable, type GoBinaries } from './gobuild';

const RUN = `ct-img-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
const BIG = 3 * 1024 * 1024;

function must(r: DockerRun, what: string): string {
  if (!r.ok) throw new Error(`${what}: ${r.kind}: ${r.message}\n${r.stderr ?? ''}`);
  return r.stdout;
}

let dockerWhy: string | undefined;
let work: string;
let bins: GoBinaries | undefined;
const tags: string[] = [];

async function build(tag: string, dockerfile: string, builder: 'classic' | 'buildkit'): Promise<void> {
  const ctx = path.join(work, `ctx-${tags.length}`);
  fs.mkdirSync(ctx);
  fs.copyFileSync(BUSYBOX!, path.join(ctx, 'busybox'));
  if (bins) {
    fs.copyFileSync(bins.stripped, path.join(ctx, 'app-stripped'));
    fs.copyFileSync(bins.static, path.join(ctx, 'app-static'));
    if (bins.cgo) fs.copyFileSync(bins.cgo, path.join(ctx, 'app-cgo'));
  }
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
  const env = { ...process.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
  const args = builder === 'buildkit' ? ['build', '--network', 'host', '-t', tag, ctx] : ['build', '-t', tag, ctx];
  tags.push(tag);
  must(await runDocker(args, { env, timeoutMs: 300_000, dockerPath: builder === 'buildkit' ? buildkitCli() : 'docker' }), `docker build (${builder})`);
}

const SERVICES = (cgo: boolean) => `FROM scratch
COPY busybox /bin/busybox
COPY app-stripped /app-stripped
COPY app-static /app-static
${cgo ? 'COPY app-cgo /app-cgo\n' : ''}USER 65532:65532
ENV GOMAXPROCS=2
ENTRYPOINT ["/app-stripped"]
`;

const WASTE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /tmp && /bin/busybox dd if=/dev/zero of=/tmp/big bs=1024 count=${BIG / 1024} 2>/dev/null"]
RUN ["/bin/busybox", "rm", "/tmp/big"]
CMD /app
`;

async function inspect(tag: string): Promise<{ Size: number; RootFS: { Layers: string[] }; Id: string }> {
  return JSON.parse(must(await runDocker(['image', 'inspect', '--', tag]), 'docker image inspect'))[0];
}

async function saved(tag: string): Promise<string> {
  const file = path.join(work, `${tag.replace(/[^a-z0-9]/gi, '_')}.tar`);
  must(await runDocker(['save', '-o', file, '--', tag], { timeoutMs: 300_000 }), 'docker save');
  return file;
}

beforeAll(async () => {
  dockerWhy = await dockerUnavailable();
  if (dockerWhy) return;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-image-docker-'));
  const goWhy = goUnavailable();
  if (goWhy) {
    const msg = `Go binaries in Docker images — ${goWhy}`;
    if (process.env.REQUIRE_DOCKER === '1') throw new Error(`REQUIRE_DOCKER=1 but ${msg}`);
    console.warn(`\n*** SKIPPED: ${msg}\n`);
  } else bins = buildGoBinaries(path.join(work, 'go'));
}, 600_000);

afterAll(async () => {
  if (tags.length) await runDocker(['rmi', '-f', ...tags], { timeoutMs: 120_000 });
  if (work) fs.rmSync(work, { recursive: true, force: true });
}, 180_000);

function skipWithoutDocker(ctx: { skip: () => void }, what: string): boolean {
  if (!dockerWhy) return false;
  skipLoudly(what, dockerWhy);
  ctx.skip();
  return true;
}

/** The fields that must not depend on how the image was read. */
function essentials(r: ImageReport) {
  return {
    id: r.image.id,
    totalSize: r.image.totalSize,
    finalSize: r.image.finalSize,
    layers: r.layers.map((l) => [l.diffId, l.size, l.files, l.instruction]),
    waste: { ...r.waste },
    go: r.goBinaries,
    findings: r.findings,
  };
}

for (const builder of ['classic', 'buildkit'] as const) {
  describe(`images built with ${builder === 'classic' ? 'the classic builder' : 'BuildKit'}`, () => {
    const svc = `${RUN}-svc:${builder}`;
    const waste = `${RUN}-waste:${builder}`;

    it('Go services FROM scratch: by reference = from `docker save`, sizes = `docker image inspect`, build info = `go version -m`', async (ctx) => {
      if (skipWithoutDocker(ctx, `Analyze Image with ${builder}`)) return;
      if (!bins) return ctx.skip();
      await build(svc, SERVICES(!!bins.cgo), builder);
      const progress: AnalyzeProgress[] = [];
      const byRef = await analyzeLocalImage(svc, { onProgress: (p) => progress.push(p) });
      const info = await inspect(svc);

      expect(byRef.source.kind).toBe('local-image');
      expect(byRef.image.id).toBe(info.Id);
      // FROM scratch without symlinks: Docker's Size is exactly the bytes of the layers' files
      expect(byRef.image.totalSize).toBe(info.Size);
      expect(byRef.layers.map((l) => l.diffId)).toEqual(info.RootFS.Layers);
      expect(byRef.image.baseImage?.name).toBe('scratch');
      expect(byRef.image.config.entrypoint).toEqual({ form: 'exec', argv: ['/app-stripped'] });
      expect(byRef.image.config.user).toBe('65532:65532');
      expect(progress.some((p) => p.phase === 'reading')).toBe(true);

      // the instruction of each layer, as each builder records it
      const copyApp = byRef.layers.find((l) => l.biggestFiles[0]?.path === '/app-stripped')!;
      if (builder === 'buildkit') expect(copyApp.instruction).toBe('COPY app-stripped /app-stripped');
      else expect(copyApp.instruction).toMatch(/^COPY file:[0-9a-f]{64} in \/app-stripped$/);

      // Go binaries: what `go version -m` says, stripped or not, static or not
      const go = Object.fromEntries(byRef.goBinaries.map((b) => [b.path, b]));
      expect(Object.keys(go).sort()).toEqual(['/app-static', '/app-stripped', ...(bins.cgo ? ['/app-cgo'] : [])].sort());
      for (const [p, file] of [
        ['/app-stripped', bins.stripped],
        ['/app-static', bins.static],
        ...(bins.cgo ? [['/app-cgo', bins.cgo]] : []),
      ]) {
        const want = expectedBuildInfo(file);
        expect(go[p].goVersion).toBe(want.goVersion);
        expect(go[p].mainPackage).toBe(want.path);
        expect(go[p].mainModule).toEqual(want.main);
        expect(Object.entries(go[p].settings)).toEqual(want.settings.map((s) => [s.key, s.value]));
        expect(go[p].size).toBe(fs.statSync(file).size);
      }
      expect(go['/app-stripped']).toMatchObject({ stripped: true, ldflags: '-s -w -X main.version=1.2.3', cgo: false });
      expect(go['/app-static']).toMatchObject({ stripped: false, trimpath: true, cgo: false });
      expect(go['/app-static'].debugBytes).toBeGreaterThan(100_000);
      expect(go['/app-stripped'].interpreter).toBeUndefined();

      const ids = byRef.findings.map((f) => `${f.id}:${f.path ?? ''}`);
      expect(ids).toContain('go-binary-not-stripped:/app-static');
      if (bins.cgo) {
        expect(go['/app-cgo']).toMatchObject({ cgo: true, interpreter: '/lib64/ld-linux-x86-64.so.2', interpreterFound: false });
        const f = byRef.findings.find((x) => x.id === 'go-interpreter-missing')!;
        expect(f).toMatchObject({ rule: 'go-static-binary', severity: 'error', path: '/app-cgo' });
      }
      // GOMAXPROCS is set, the user is not root, the entrypoint is exec form
      expect(ids.filter((i) => /maxprocs|root|shell-form/.test(i))).toEqual([]);

      // the same image from a `docker save` archive
      const file = await saved(svc);
      const fromArchive = analyzeArchive(await readImageArchive(file));
      expect(fromArchive.source.kind).toBe('archive');
      expect(['docker-legacy', 'oci']).toContain(fromArchive.source.format);
      expect(essentials(fromArchive)).toEqual(essentials(byRef));
      // real Go binaries and real layers: positioned reads (hashing, or not) = one streaming pass
      const streamed = analyzeArchive(await readImageArchive(file, { streaming: true }));
      expect(analyzeArchive(await readImageArchive(file, { verify: true }))).toEqual(streamed);
      expect(streamed.layers.every((l) => l.digestVerified)).toBe(true);
      expect(fromArchive.layers.map((l) => l.diffId)).toEqual(streamed.layers.map((l) => l.diffId));
      expect({ ...fromArchive, layers: fromArchive.layers.map((l) => ({ ...l, digestVerified: true })) }).toEqual(streamed);
    }, 600_000);

    it('a file written then deleted: wasted bytes, efficiency, the layers that added and removed it', async (ctx) => {
      if (skipWithoutDocker(ctx, `Analyze Image with ${builder}`)) return;
      await build(waste, WASTE, builder);
      const r = await analyzeLocalImage(waste);
      const info = await inspect(waste);
      expect(r.image.totalSize).toBe(info.Size);
      expect(r.layers).toHaveLength(3);
      expect(r.layers[1].size).toBe(BIG);
      expect(r.layers[1].hiddenBytes).toBe(BIG);
      expect(r.layers[2].whiteouts).toBe(1);
      expect(r.layers[2].instruction).toContain('rm /tmp/big');
      // dive: /tmp/big is a leaf in layers 2 (3 MiB) and 3 (whiteout of a file: 0)
      expect(r.waste.wastedBytes).toBe(BIG);
      const busybox = fs.statSync(BUSYBOX!).size;
      expect(r.waste.efficiency).toBe(busybox / (busybox + BIG));
      expect(r.waste.userWastedPercent).toBe(BIG / BIG);
      expect(r.waste.wastedPaths).toEqual([{ path: '/tmp/big', size: BIG, files: 1, addedIn: 1, removedIn: 2, how: 'deleted' }]);
      expect(r.findings.find((f) => f.id === 'wasted-bytes')).toMatchObject({ rule: 'layer-delete-later', severity: 'warning', path: '/tmp/big' });
      // CMD /app in shell form, and there is no /bin/sh (only /bin/busybox)
      expect(r.findings.find((f) => f.id === 'shell-form-no-shell')).toMatchObject({ rule: 'exec-form-cmd', severity: 'error' });

      const fromArchive = analyzeArchive(await readImageArchive(await saved(waste)));
      expect(essentials(fromArchive)).toEqual(essentials(r));

      // the CLI: dive-compatible gates on the same image
      let out = '';
      let err = '';
      const io: CliIO = { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: work, readStdin: () => '', isTTY: false };
      expect(await runAnalyze([waste, '--format', 'json', '--max-wasted-bytes', '4MB'], io)).toBe(0);
      const json = JSON.parse(out);
      expect(json.waste.wastedBytes).toBe(BIG);
      expect(json.gates).toEqual([{ name: 'max-wasted-bytes', threshold: 4_000_000, value: BIG, passed: true }]);
      out = '';
      expect(await runAnalyze([waste, '--max-wasted-bytes', '3MB', '--min-efficiency', '0.9'], io)).toBe(1);
      expect(out).toContain('FAIL  wasted 3.15 MB > 3.00 MB');
      expect(out).toContain('FAIL  efficiency');
      expect(err).toBe('');
    }, 600_000);
  });
}

describe('local images', () => {
  it('docker image ls lists them with a reference to analyze', async (ctx) => {
    if (skipWithoutDocker(ctx, 'docker image ls')) return;
    const tag = `${RUN}-ls:1`;
    await build(tag, 'FROM scratch\nCOPY busybox /bin/busybox\n', 'classic');
    const r = await listLocalImages();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const mine = r.value.find((i) => i.ref === tag);
    expect(mine).toMatchObject({ repository: `${RUN}-ls`, tag: '1' });
    expect(mine!.id).toMatch(/^[0-9a-f]{12}$/);
    expect(mine!.size).toMatch(/B$/);
  }, 300_000);

  it('a missing image, and cancellation during `docker save` (the temporary archive is removed)', async (ctx) => {
    if (skipWithoutDocker(ctx, 'Analyze Image errors')) return;
    await expect(analyzeLocalImage(`${RUN}-nope:1`)).rejects.toThrow(/No local image/);
    const tag = `${RUN}-cancel:1`;
    await build(tag, 'FROM scratch\nCOPY busybox /bin/busybox\n', 'classic');
    const tmp = fs.mkdtempSync(path.join(work, 'tmp-'));
    const ac = new AbortController();
    const p = analyzeLocalImage(tag, { tmpDir: tmp, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(fs.readdirSync(tmp)).toEqual([]);
  }, 300_000);
});

describe('failures injected with a fake docker', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-image-fake-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const INSPECT = `echo '[{"Id":"sha256:${'a'.repeat(64)}","RepoTags":["x:1"],"Size":1000,"Os":"linux","Architecture":"amd64"}]'`;

  it('daemon down, a hang (timeout), garbage from docker image ls', async () => {
    const down = fakeDocker(dir, `echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1`, 'down');
    const e = await analyzeLocalImage('x:1', { docker: { dockerPath: down } }).catch((x) => x);
    expect(e).toBeInstanceOf(ImageAnalysisError);
    expect((e as ImageAnalysisError).failure?.kind).toBe('daemon-down');

    const hang = fakeDocker(dir, `case "$1" in image) ${INSPECT};; *) exec sleep 30;; esac`, 'hang');
    const h = await analyzeLocalImage('x:1', { docker: { dockerPath: hang, killGraceMs: 100 }, saveTimeoutMs: 500 }).catch((x) => x);
    expect((h as ImageAnalysisError).failure?.kind).toBe('timeout');

    const garbage = fakeDocker(dir, `echo 'this is not json'`, 'garbage');
    const g = await listLocalImages({ dockerPath: garbage });
    expect(!g.ok && g.kind).toBe('bad-output');
  });

  it('a `docker save` that writes a truncated archive: the error names the entry', async () => {
    const tarStream = await import('./fixtures');
    const layer = await tarStream.tarOf([{ name: 'bin/busybox', size: 300_000 }]);
    const full = await tarStream.legacyArchive([layer], tarStream.imageConfig([layer]));
    const cut = path.join(dir, 'cut.tar');
    fs.writeFileSync(cut, full.subarray(0, 150_000));
    // `docker save -o FILE -- REF`: $3 is FILE
    const trunc = fakeDocker(dir, `case "$1" in image) ${INSPECT};; save) cat '${cut}' > "$3";; esac`, 'trunc');
    const e = await analyzeLocalImage('x:1', { docker: { dockerPath: trunc } }).catch((x) => x);
    expect(e).toBeInstanceOf(ArchiveError);
    expect((e as Error).message).toMatch(/layer\.tar", entry "bin\/busybox": truncated/);
  });
});
