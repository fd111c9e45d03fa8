// Layer sizes against the real Docker Engine, with both builders: images
// built FROM scratch (static busybox from busybox-static, a static Go binary
// from Debian's Go), sizes checked against `docker image inspect` and the
// files themselves; an edited line turns `changed`, a rebuild is followed,
// a removed image is `image-removed`, a dead DOCKER_HOST is `daemon-down`.
// Fake `docker` scripts only for a hang and garbage output.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeLayerTable, createLayerCache, layerModel } from '../../server/src/engine/layers/compute';
import type { LayerTable } from '../../server/src/engine/layers/estimate';
import type { ImageMemory } from '../../server/src/engine/layers/match';
import { FsWorkspace } from '../../server/src/engine/workspace';
import { build, BUSYBOX, buildGoBinary, cleanup, dockerUnavailable, fakeDocker, goUnavailable, imageId, imageSize, removeImages, RUN_TAG, skipLoudly } from './docker-env';

const why = (await dockerUnavailable()) ?? goUnavailable();
if (why) skipLoudly('layer sizes with the real Docker Engine (test/layers/docker.test.ts)', why);

function dockerfile(builder: string, count: number): string {
  return [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'ARG FLAVOR=plain',
    'WORKDIR /data',
    `RUN dd if=/dev/zero of=/data/blob bs=1000 count=${count} 2>/dev/null && echo "$FLAVOR" > /data/flavor`,
    'COPY conf/ /etc/app/',
    'COPY app /app',
    // unique per run and builder: automatic matching must find exactly this image
    `ENV LAYERS_TEST=${RUN_TAG}-${builder}`,
    'CMD ["/app"]',
    '',
  ].join('\n');
}

function row(t: LayerTable, prefix: string) {
  const r = t.rows.find((x) => x.text.startsWith(prefix));
  if (!r) throw new Error(`no row ${prefix} in ${JSON.stringify(t.rows.map((x) => x.text))}`);
  return r;
}

describe.skipIf(!!why)('layer sizes with the real Docker Engine', () => {
  let root: string;
  const ws = new FsWorkspace();
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-layers-'));
    buildGoBinary(root);
  }, 300_000);
  afterAll(async () => {
    await cleanup();
    fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  for (const builder of ['classic', 'buildkit'] as const) {
    it(`${builder}: measured sizes, an edit turns changed, a rebuild is followed, removal is image-removed`, async () => {
      const dir = path.join(root, builder);
      fs.mkdirSync(path.join(dir, 'conf'), { recursive: true });
      fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
      fs.copyFileSync(path.join(root, 'app'), path.join(dir, 'app'));
      fs.writeFileSync(path.join(dir, 'conf', 'a.conf'), 'a=1\n');
      fs.writeFileSync(path.join(dir, 'conf', 'b.conf'), 'b=22\n');
      fs.writeFileSync(path.join(dir, 'conf', 'debug.log'), 'x'.repeat(5000));
      fs.writeFileSync(path.join(dir, '.dockerignore'), '**/*.log\n');
      const file = path.join(dir, 'Dockerfile');
      const v1 = dockerfile(builder, 300);
      fs.writeFileSync(file, v1);
      const tag = `${RUN_TAG}-${builder}:v1`;
      const id1 = await build(dir, tag, builder);
      const cache = createLayerCache();

      // 1. automatic matching finds the image; every figure is measured
      const first = await computeLayerTable(layerModel(v1, file, ws), { cache });
      const t1 = first.table;
      expect(t1.state).toBe('ok');
      expect(t1.image).toMatchObject({ id: id1, refs: [tag], by: 'auto', score: 1, builder });
      expect(first.memory).toMatchObject({ ref: tag, id: id1, pinned: false });
      expect(t1.rows.map((r) => r.source)).toEqual(['base', 'built', 'built', 'metadata', 'built', 'built', 'built', 'built', 'metadata', 'metadata']);
      expect(row(t1, 'COPY busybox').size).toBe(fs.statSync(BUSYBOX!).size);
      expect(row(t1, 'COPY app').size).toBe(fs.statSync(path.join(dir, 'app')).size);
      expect(row(t1, 'COPY conf/').size).toBe(9); // debug.log is ignored
      expect(row(t1, 'RUN dd').size).toBeGreaterThanOrEqual(300_000);
      const inspected = await imageSize(tag);
      expect(t1.totals.measured).toBe(inspected);
      expect(t1.totals.image).toBe(inspected);
      expect(t1.totals).toMatchObject({ base: 0, unknownRows: 0, removed: 0 });

      // the estimates (no Docker) agree with what was built for COPY
      const est = (await computeLayerTable(layerModel(v1, file, ws), { useDocker: false })).table;
      expect(est.state).toBe('no-docker');
      for (const p of ['COPY busybox', 'COPY app', 'COPY conf/']) expect(row(est, p)).toMatchObject({ source: 'context', size: row(t1, p).size });
      expect(row(est, 'RUN dd')).toMatchObject({ source: 'unknown', size: null });

      // 2. edit a line without building: it turns changed, the last built size is kept
      const v2 = dockerfile(builder, 500);
      const second = await computeLayerTable(layerModel(v2, file, ws), { cache, memory: first.memory });
      expect(second.table.state).toBe('ok');
      expect(second.table.image!.id).toBe(id1);
      expect(row(second.table, 'RUN dd')).toMatchObject({ source: 'changed', builtSize: row(t1, 'RUN dd').size, estimate: null });
      expect(row(second.table, 'COPY app').source).toBe('built');

      // 3. build again (same tag): the table follows the new image
      fs.writeFileSync(file, v2);
      const id2 = await build(dir, tag, builder);
      expect(id2).not.toBe(id1);
      const third = await computeLayerTable(layerModel(v2, file, ws), { cache, memory: second.memory });
      expect(third.table.state).toBe('ok');
      expect(third.table.image!.id).toBe(id2);
      expect(row(third.table, 'RUN dd')).toMatchObject({ source: 'built' });
      expect(row(third.table, 'RUN dd').size).toBeGreaterThanOrEqual(500_000);
      expect(third.table.totals.image).toBe(await imageSize(tag));

      // 4. remove the image (and the old one the rebuild left untagged): image-removed
      await removeImages(tag, id1, id2);
      // (other runs of this suite may build look-alike images meanwhile: only this run's count)
      const mine = (c: { refs: string[] }) => c.refs.some((r) => r.startsWith(RUN_TAG));
      const fourth = await computeLayerTable(layerModel(v2, file, ws), { cache, memory: third.memory, imageFilter: mine });
      expect(fourth.table.state).toBe('image-removed');
      expect(fourth.table.message).toContain(tag);
      expect(row(fourth.table, 'COPY app').source).toBe('context');
      // with nothing remembered it is simply not built
      expect((await computeLayerTable(layerModel(v2, file, ws), { cache, imageFilter: mine })).table.state).toBe('no-image');
    }, 300_000);

    it(`${builder}: multi-stage — the stage picker, COPY --from measured, FROM <stage> carries the stage`, async () => {
      const dir = path.join(root, `${builder}-ms`);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
      fs.copyFileSync(path.join(root, 'app'), path.join(dir, 'app'));
      const text = [
        'FROM scratch AS tools',
        'COPY busybox /bin/busybox',
        `LABEL test=${RUN_TAG}-${builder}-ms`,
        '',
        'FROM tools AS check',
        'RUN ["/bin/busybox", "true"]',
        `ENV LAYERS_TEST=${RUN_TAG}-${builder}-check`,
        '',
        'FROM scratch',
        'COPY --from=tools /bin/busybox /bin/busybox',
        'COPY app /app',
        `ENV LAYERS_TEST=${RUN_TAG}-${builder}-ms`,
        'ENTRYPOINT ["/app"]',
        '',
      ].join('\n');
      const file = path.join(dir, 'Dockerfile');
      fs.writeFileSync(file, text);
      const finalTag = `${RUN_TAG}-${builder}-ms:final`;
      const checkTag = `${RUN_TAG}-${builder}-ms:check`;
      await build(dir, finalTag, builder);
      await build(dir, checkTag, builder, ['--target', 'check']);
      const model = layerModel(text, file, ws);
      const cache = createLayerCache();
      const final = (await computeLayerTable(model, { cache })).table;
      expect(final.stages.map((s) => [s.index, s.name ?? null, s.parent ?? null, s.isFinal])).toEqual([[0, 'tools', null, false], [1, 'check', 0, false], [2, null, null, true]]);
      expect(final.stage).toBe(2);
      expect(final.image!.refs).toEqual([finalTag]);
      expect(row(final, 'COPY --from=tools')).toMatchObject({ source: 'built', size: fs.statSync(BUSYBOX!).size });
      expect(final.totals.image).toBe(await imageSize(finalTag));
      const check = (await computeLayerTable(model, { cache, stage: 1 })).table;
      expect(check.image!.refs).toEqual([checkTag]);
      // FROM tools: scratch + the tools stage's rows
      expect(check.rows[0]).toMatchObject({ keyword: 'FROM', source: 'base', size: fs.statSync(BUSYBOX!).size });
      expect(check.totals.image).toBe(await imageSize(checkTag));
      // the tools stage was never built on its own: its rows live in the check image, which matches too
      const tools = (await computeLayerTable(model, { cache, stage: 0 })).table;
      expect(tools.image).toBeDefined();
      expect(row(tools, 'COPY busybox').source).toBe('built');
      // --image picks explicitly
      const picked = (await computeLayerTable(model, { cache, image: checkTag })).table;
      expect(picked.image).toMatchObject({ refs: [checkTag], by: 'request' });
      expect(picked.image!.score).toBeLessThan(1);
    }, 300_000);
  }

  it('daemon-down with a clear message when DOCKER_HOST points at a dead socket; no-docker without a CLI', async () => {
    const file = path.join(root, 'Dockerfile.dead');
    fs.writeFileSync(file, 'FROM scratch\nCOPY app /app\n');
    const model = layerModel(fs.readFileSync(file, 'utf8'), file, ws);
    const dead = path.join(root, 'dead.sock');
    const t = (await computeLayerTable(model, { docker: { env: { ...process.env, DOCKER_HOST: `unix://${dead}`, DOCKER_CONTEXT: '' } } })).table;
    expect(t.state).toBe('daemon-down');
    expect(t.message).toMatch(/Docker is not running/);
    expect(t.message).toContain(dead);
    expect(row(t, 'COPY app')).toMatchObject({ source: 'context', size: fs.statSync(path.join(root, 'app')).size });
    const none = (await computeLayerTable(model, { docker: { dockerPath: path.join(root, 'no', 'docker') } })).table;
    expect(none.state).toBe('no-docker');
    expect(none.message).toContain('containerTuner.docker.path');
  }, 60_000);

  it('the history cache: a second computation asks Docker only for the listing', async () => {
    const dir = path.join(root, 'cache');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(BUSYBOX!, path.join(dir, 'busybox'));
    const text = `FROM scratch\nCOPY busybox /bin/busybox\nLABEL t=${RUN_TAG}-cache\n`;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), text);
    const tag = `${RUN_TAG}-cache:v1`;
    const id = await build(dir, tag, 'classic');
    const cache = createLayerCache();
    const model = layerModel(text, path.join(dir, 'Dockerfile'), ws);
    const a = (await computeLayerTable(model, { cache })).table;
    expect(a.image!.id).toBe(id);
    expect(cache.history.has(id)).toBe(true);
    // a docker that can only list images: histories must come from the cache
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-listonly-'));
    const realList = await import('../../server/src/engine/docker/cli').then((m) => m.runDocker(['image', 'ls', '--no-trunc', '--format', '{{json .}}']));
    if (!realList.ok) throw new Error(realList.message);
    fs.writeFileSync(path.join(bin, 'list.jsonl'), realList.stdout);
    const log = path.join(bin, 'calls.log');
    // images another run creates meanwhile are "not found" (not candidates) rather than failures
    const fake = fakeDocker(bin, `echo "$*" >> '${log}'\ncase "$1 $2" in\n  "image ls") cat '${path.join(bin, 'list.jsonl')}' ;;\n  *) echo "Error: No such image: $*" >&2; exit 1 ;;\nesac`);
    const b = (await computeLayerTable(model, { cache, docker: { dockerPath: fake } })).table;
    expect(b.state).toBe('ok');
    expect(b.image!.id).toBe(id);
    expect(b.rows).toEqual(a.rows);
    const calls = fs.readFileSync(log, 'utf8');
    expect(calls).toMatch(/^image ls/);
    expect(calls).not.toContain(id);
    fs.rmSync(bin, { recursive: true, force: true });
  }, 120_000);
});

describe.runIf(process.platform !== 'win32')('layer sizes with a fake docker (hang, garbage)', () => {
  let dir: string;
  const ws = new FsWorkspace();
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-layers-fake-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY a /a\n');
    fs.writeFileSync(path.join(dir, 'a'), 'x'.repeat(1234));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const model = () => layerModel(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), path.join(dir, 'Dockerfile'), ws);

  it('a hanging docker is stopped at the timeout: daemon-down with the reason, estimates kept', async () => {
    const bin = fs.mkdtempSync(path.join(dir, 'hang-'));
    const fake = fakeDocker(bin, 'exec sleep 60');
    const t = (await computeLayerTable(model(), { docker: { dockerPath: fake, timeoutMs: 300, killGraceMs: 100 } })).table;
    expect(t.state).toBe('daemon-down');
    expect(t.message).toMatch(/did not finish within 300 ms/);
    expect(row(t, 'COPY a')).toMatchObject({ source: 'context', size: 1234 });
  });

  it('garbage from `image ls` or from `history`: daemon-down saying Docker answered something unexpected', async () => {
    const bin = fs.mkdtempSync(path.join(dir, 'garbage-'));
    const fake = fakeDocker(bin, 'echo "<html>proxy error</html>"');
    const t = (await computeLayerTable(model(), { docker: { dockerPath: fake } })).table;
    expect(t.state).toBe('daemon-down');
    expect(t.message).toMatch(/unexpected.*image ls/);
    const bin2 = fs.mkdtempSync(path.join(dir, 'garbage2-'));
    const fake2 = fakeDocker(
      bin2,
      `case "$1" in\n  image) echo '{"ID":"sha256:${'a'.repeat(64)}","Repository":"x","Tag":"1","CreatedAt":"2026-01-01 00:00:00 +0000 UTC"}' ;;\n  history) echo '{"CreatedBy":"COPY a /a # buildkit","Size":"1.2kB","ID":"<missing>"}' ;;\nesac`,
    );
    const t2 = (await computeLayerTable(model(), { docker: { dockerPath: fake2 } })).table;
    expect(t2.state).toBe('daemon-down');
    expect(t2.message).toMatch(/history.*--human=false/);
  });

  it('a cancelled computation stops its docker command and says so', async () => {
    const bin = fs.mkdtempSync(path.join(dir, 'slow-'));
    const fake = fakeDocker(bin, 'exec sleep 60');
    const abort = new AbortController();
    const p = computeLayerTable(model(), { docker: { dockerPath: fake, signal: abort.signal, killGraceMs: 100 } });
    abort.abort();
    await expect(p).rejects.toThrow(/cancelled/);
  });
});

export type { ImageMemory };
