// The matcher and the table on histories recorded from real builds (both
// builders): exact alignment, base rows, edits, multi-stage ancestry, and
// picking the image among the recorded `docker image ls`.
import { describe, expect, it } from 'vitest';
import { buildLayerTable, type LayerTable } from '../../server/src/engine/layers/estimate';
import { parseImageList, type HistoryRow } from '../../server/src/engine/layers/history';
import {
  alignHistory,
  AUTO_MATCH_MIN,
  baseRowsFromHistory,
  BASE_MISMATCH_PENALTY,
  chooseImage,
  expectedForStage,
  groupCandidates,
  rememberImage,
  type ScoredImage,
} from '../../server/src/engine/layers/match';
import type { DockerfileModel } from '../../server/src/engine/dockerfile/model';
import { fixtureModel, fixtureText, history, inspectSize } from './fixtures';

const BUILDERS = ['classic', 'buildkit'] as const;

function table(model: DockerfileModel, rows: HistoryRow[], opts: { stage?: number; base?: HistoryRow[]; baseSize?: number; size?: number } = {}): LayerTable {
  const stage = opts.stage !== undefined ? model.stages[opts.stage] : model.finalStage!;
  const baseRows = opts.base ? baseRowsFromHistory(rows, opts.base) : undefined;
  const alignment = alignHistory(rows, expectedForStage(model, stage), { baseRows });
  return buildLayerTable({
    model,
    stage: stage.index,
    image: { id: rows[0].id, refs: ['fixture:1'], created: rows[0].createdAt, size: opts.size, by: 'auto', alignment },
    base: opts.baseSize !== undefined ? { ref: 'base', size: opts.baseSize } : undefined,
    state: 'ok',
  });
}

describe('matching recorded histories', () => {
  for (const b of BUILDERS) {
    it(`${b}: WORKDIR/USER/STOPSIGNAL as history records them (quotes removed, ENV expanded, WORKDIR absolute): every row matched, none changed`, () => {
      const model = fixtureModel('quoted', 'Dockerfile');
      const t = table(model, history(`quoted/history.${b}.jsonl`));
      expect(t.image!.score).toBe(1);
      expect(t.rows.map((r) => [r.text, r.source])).toEqual([
        ['FROM scratch', 'base'],
        ['COPY busybox /bin/busybox', 'built'],
        ['WORKDIR "/app"', 'built'],
        ['WORKDIR sub\\ dir', 'built'],
        ['USER "1000:1000"', 'metadata'],
        ['STOPSIGNAL "SIGINT"', 'metadata'],
        ['ENV D=/data', 'metadata'],
        ['WORKDIR $D', 'built'],
        ["WORKDIR 'rel'", 'built'],
      ]);
    });

    it(`${b}: every instruction of a FROM scratch image matches its row; totals = docker image inspect`, () => {
      const model = fixtureModel('app', 'Dockerfile');
      const rows = history(`app/history.${b}.jsonl`);
      const t = table(model, rows, { size: inspectSize(`app/inspect.${b}.json`) });
      expect(t.image!.score).toBe(1);
      expect(t.image!.builder).toBe(b);
      expect(t.rows.map((r) => r.source)).toEqual(['base', 'built', 'built', 'metadata', 'metadata', 'built', 'built', 'built', 'built', 'metadata', 'metadata', 'built', 'metadata', 'metadata', 'metadata']);
      expect(t.rows[0]).toMatchObject({ keyword: 'FROM', size: 0, note: 'scratch: empty' });
      expect(t.rows.find((r) => r.text.startsWith('COPY busybox'))!.size).toBe(1982256);
      expect(t.rows.find((r) => r.text.startsWith('RUN echo'))!.size).toBe(307210);
      expect(t.totals.image).toBe(inspectSize(`app/inspect.${b}.json`));
      expect(t.totals.measured).toBe(t.totals.image);
      expect(t.totals).toMatchObject({ unknownRows: 0, removed: 0, base: 0 });
      expect(t.removed).toEqual([]);
    });

    it(`${b}: a stage FROM a local base image: the base's own history marks the base rows`, () => {
      const model = fixtureModel('ms', `Dockerfile.${b}`);
      const rows = history(`ms/history.${b}.jsonl`);
      const base = history(`ms/history-base.${b}.jsonl`);
      expect(baseRowsFromHistory(rows, base)).toBe(3);
      const t = table(model, rows, { base, baseSize: inspectSize(`ms/inspect-base.${b}.json`), size: inspectSize(`ms/inspect.${b}.json`) });
      expect(t.stage).toBe(1);
      expect(t.rows[0]).toMatchObject({ keyword: 'FROM', source: 'base', size: inspectSize(`ms/inspect-base.${b}.json`) });
      expect(t.rows.slice(1).map((r) => r.source)).toEqual(['built', 'built', 'built', 'metadata', 'metadata', 'metadata']);
      expect(t.rows.find((r) => r.text.startsWith('COPY --from=build'))!.size).toBe(4468736);
      expect(t.totals.image).toBe(inspectSize(`ms/inspect.${b}.json`));
      // without the base's history the boundary is found by alignment alone
      const t2 = table(model, rows);
      expect(t2.totals.base).toBe(t.totals.base);
      expect(t2.totals.image).toBe(t.totals.image);
    });

    it(`${b}: the build stage (imported golang base, ARG-prefixed RUN, RUN --mount) and a stage FROM that stage`, () => {
      const model = fixtureModel('ms', `Dockerfile.${b}`);
      const rows = history(`ms/history-build.${b}.jsonl`);
      const t = table(model, rows, { stage: 0, base: history('ms/history-golang.jsonl') });
      expect(t.image!.score).toBe(1);
      expect(t.rows[0]).toMatchObject({ source: 'base', size: 884502409 });
      expect(t.rows.map((r) => r.source)).toEqual(['base', 'metadata', 'metadata', 'built', 'built', 'built', 'built', 'built']);
      expect(t.totals.image).toBe(rows.reduce((a, r) => a + r.size, 0));
      // `FROM build AS again` with nothing added: its FROM row is the whole build stage
      const text = model.text + '\nFROM build AS again\n';
      const m2 = fixtureModel('ms', `Dockerfile.${b}`, text);
      const t2 = table(m2, rows, { base: history('ms/history-golang.jsonl') });
      expect(t2.stages.map((s) => [s.index, s.name, s.parent])).toEqual([[0, 'build', undefined], [1, 'runtime', undefined], [2, 'again', 0]]);
      expect(t2.rows).toHaveLength(1);
      expect(t2.rows[0]).toMatchObject({ keyword: 'FROM', source: 'base', size: t.totals.image });
      expect(t2.rows[0].note).toContain('stage "build"');
    });

    it(`${b}: edited lines turn changed (last built size kept), new RUN lines unknown, removed lines are reported`, () => {
      const original = fixtureModel('ms', `Dockerfile.${b}`);
      const rows = history(`ms/history-build.${b}.jsonl`);
      const built = table(original, rows, { stage: 0 });
      const goBuilt = built.rows.find((r) => r.text.includes('CGO_ENABLED'))!.size;
      const edited = original.text
        .replace('go build -ldflags="-s -w"', 'go build -trimpath -ldflags="-s -w"')
        .replace('COPY go.mod ./', 'COPY go.mod main.go ./')
        .replace('WORKDIR /src\n', 'WORKDIR /src\nRUN echo new-line\n')
        .replace('ARG TARGETARCH\n', '');
      const t = table(fixtureModel('ms', `Dockerfile.${b}`, edited), rows, { stage: 0 });
      const by = (s: string) => t.rows.find((r) => r.text.includes(s))!;
      expect(by('CGO_ENABLED')).toMatchObject({ source: 'changed', builtSize: goBuilt, size: goBuilt, estimate: null });
      expect(by('COPY go.mod main.go')).toMatchObject({ source: 'changed', builtSize: 32, estimate: 222, size: 222, files: 2 });
      expect(by('echo new-line')).toMatchObject({ source: 'unknown', size: null });
      expect(t.removed.map((r) => r.createdBy)).toEqual([expect.stringContaining('TARGETARCH')]);
      expect(by('go mod download')).toMatchObject({ source: 'built', size: 0 });
      expect(t.totals.unknownRows).toBe(1);
      expect(t.image!.score).toBeGreaterThan(AUTO_MATCH_MIN);
      expect(t.image!.score).toBeLessThan(1);
    });
  }

  it('metadata edits are changed with 0 B; a RUN never built is never given a number', () => {
    const model = fixtureModel('app', 'Dockerfile');
    const rows = history('app/history.buildkit.jsonl');
    const text = model.text.replace('ENV APP_MODE=prod', 'ENV APP_MODE=dev').replace('CMD ["/srv/app"]', 'RUN touch /x\nCMD ["/srv/app", "-v"]');
    const t = table(fixtureModel('app', 'Dockerfile', text), rows);
    expect(t.rows.find((r) => r.keyword === 'ENV')).toMatchObject({ source: 'changed', size: 0, builtSize: 0, estimate: 0 });
    expect(t.rows.find((r) => r.keyword === 'CMD')).toMatchObject({ source: 'changed', size: 0 });
    expect(t.rows.find((r) => r.text === 'RUN touch /x')).toMatchObject({ source: 'unknown', size: null });
  });

  it('heredoc RUN: BuildKit records the body (format from BuildKit source; not buildable on Engine 20.10)', () => {
    const text = 'FROM scratch\nCOPY busybox /bin/busybox\nRUN <<EOT\nmkdir -p /data\necho hi > /data/x\nEOT\n';
    const model = fixtureModel('app', 'Dockerfile', text);
    const rows: HistoryRow[] = [
      { id: 'sha256:1', createdAt: '', createdBy: 'RUN /bin/sh -c mkdir -p /data\necho hi > /data/x\n # buildkit', size: 3, comment: 'buildkit.dockerfile.v0' },
      { id: '<missing>', createdAt: '', createdBy: 'COPY busybox /bin/busybox # buildkit', size: 1982256, comment: 'buildkit.dockerfile.v0' },
    ];
    const t = table(model, rows);
    expect(t.rows.map((r) => [r.keyword, r.source, r.size])).toEqual([['FROM', 'base', 0], ['COPY', 'built', 1982256], ['RUN', 'built', 3]]);
    expect(t.rows[2]).toMatchObject({ line: 2, endLine: 5, text: 'RUN <<EOT' });
  });

  it('Windows: cmd /S /C rows match shell-form RUN and CMD of a Windows stage', () => {
    const text = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN mkdir C:\\app\nCMD app.exe\n';
    const model = fixtureModel('app', 'Dockerfile', text);
    const rows: HistoryRow[] = [
      { id: 'sha256:2', createdAt: '', createdBy: 'cmd /S /C #(nop)  CMD ["cmd" "/S" "/C" "app.exe"]', size: 0, comment: '' },
      { id: 'sha256:1', createdAt: '', createdBy: 'cmd /S /C mkdir C:\\app', size: 41000, comment: '' },
      { id: '<missing>', createdAt: '', createdBy: 'Apply image 10.0.20348.2340', size: 296000000, comment: '' },
    ];
    const t = table(model, rows);
    expect(t.rows.map((r) => [r.keyword, r.source, r.size])).toEqual([['FROM', 'base', 296000000], ['RUN', 'built', 41000], ['CMD', 'metadata', 0]]);
  });
});

describe('picking the image among the recorded local images', () => {
  const list = parseImageList(fixtureText('image-ls.jsonl'));
  const candidates = groupCandidates(list);
  // the recorded histories, by image id (the top row's ID is the image's)
  const histories = new Map<string, HistoryRow[]>();
  for (const f of ['ms/history.classic.jsonl', 'ms/history.buildkit.jsonl', 'ms/history-build.classic.jsonl', 'ms/history-build.buildkit.jsonl', 'ms/history-base.classic.jsonl', 'ms/history-base.buildkit.jsonl', 'app/history.classic.jsonl', 'app/history.buildkit.jsonl']) {
    const rows = history(f);
    histories.set(rows[0].id, rows);
  }

  function score(model: DockerfileModel, stageIndex: number, baseFile?: string): ScoredImage[] {
    const stage = model.stages[stageIndex];
    const base = baseFile ? history(baseFile) : undefined;
    return candidates
      .filter((c) => histories.has(c.id))
      .map((c) => {
        const rows = histories.get(c.id)!;
        const baseRows = base ? baseRowsFromHistory(rows, base) : undefined;
        const al = alignHistory(rows, expectedForStage(model, stage), { baseRows });
        return { ...c, score: base && baseRows === undefined ? Math.max(0, al.score - BASE_MISMATCH_PENALTY) : al.score };
      });
  }

  for (const b of BUILDERS) {
    it(`${b}: the final stage picks ct-fix/ms:${b} (its base's history), the build stage an ms-build image`, () => {
      const model = fixtureModel('ms', `Dockerfile.${b}`);
      const final = chooseImage(score(model, 1, `ms/history-base.${b}.jsonl`), undefined);
      expect(final.kind === 'chosen' && final.image.refs).toEqual([`ct-fix/ms:${b}`]);
      const build = chooseImage(score(model, 0, 'ms/history-golang.jsonl'), undefined);
      // the classic Dockerfile (no --mount) builds the same rows with both builders: the newest wins;
      // the BuildKit one (RUN --mount) cannot be the classic image
      if (b === 'buildkit') expect(build.kind === 'chosen' && build.image.refs).toEqual(['ct-fix/ms-build:buildkit']);
      else expect(build.kind === 'chosen' && build.image.refs[0]).toMatch(/^ct-fix\/ms-build:/);
      const app = chooseImage(score(fixtureModel('app', 'Dockerfile'), 0), undefined);
      // both app images match every line: the newest wins
      expect(app.kind === 'chosen' && app.image.refs[0]).toMatch(/^ct-fix\/app:/);
    });
  }

  it('an unrelated Dockerfile matches nothing: no-image', () => {
    const model = fixtureModel('app', 'Dockerfile', 'FROM alpine:3.20\nRUN apk add --no-cache git\nCMD ["git"]\n');
    expect(chooseImage(score(model, 0), undefined)).toMatchObject({ kind: 'none', state: 'no-image' });
  });
});

describe('chooseImage / rememberImage (pure)', () => {
  const img = (id: string, refs: string[], created: number, score: number): ScoredImage => ({ id, refs, created, createdAt: '', score });
  it('best score, ties to the remembered image, then to the newest', () => {
    const a = img('sha256:a', ['app:1'], 1, 1);
    const b = img('sha256:b', ['app:2'], 2, 1);
    const c = img('sha256:c', ['other:1'], 3, 0.6);
    expect(chooseImage([a, b, c], undefined)).toMatchObject({ kind: 'chosen', image: { id: 'sha256:b' }, by: 'auto' });
    expect(chooseImage([a, b, c], { ref: 'app:1', id: 'sha256:a' })).toMatchObject({ image: { id: 'sha256:a' } });
    expect(chooseImage([c, img('sha256:d', [], 9, 0.2)], undefined)).toMatchObject({ image: { id: 'sha256:c' } });
  });
  it('a rebuilt tag is followed; a removed image is image-removed; a pinned image is kept whatever it scores', () => {
    const memory = rememberImage(chooseImage([img('sha256:a', ['app:dev'], 1, 1)], undefined))!;
    expect(memory).toEqual({ ref: 'app:dev', id: 'sha256:a', pinned: false, created: 1 });
    const rebuilt = chooseImage([img('sha256:b', ['app:dev'], 2, 0.9), img('sha256:a', [], 1, 0.8)], memory);
    expect(rebuilt).toMatchObject({ image: { id: 'sha256:b' } });
    expect(rememberImage(rebuilt, memory)).toEqual({ ref: 'app:dev', id: 'sha256:b', pinned: false, created: 2 });
    // once the remembered image is gone, an older look-alike is not shown instead; a newer build is
    expect(chooseImage([img('sha256:old', ['app:v0'], 0, 0.9)], memory)).toMatchObject({ kind: 'none', state: 'image-removed' });
    expect(chooseImage([img('sha256:new', ['app:v2'], 5, 0.9)], memory)).toMatchObject({ kind: 'chosen', image: { id: 'sha256:new' } });
    expect(chooseImage([img('sha256:z', ['x:1'], 3, 0.1)], memory)).toMatchObject({ kind: 'none', state: 'image-removed' });
    expect(chooseImage([], undefined)).toMatchObject({ kind: 'none', state: 'no-image' });
    const pinned = { ref: 'x:1', id: 'sha256:z', pinned: true };
    expect(chooseImage([img('sha256:z', ['x:1'], 3, 0.1), img('sha256:a', ['app:dev'], 1, 1)], pinned)).toMatchObject({ image: { id: 'sha256:z' }, by: 'pinned' });
    expect(chooseImage([img('sha256:a', ['app:dev'], 1, 1)], pinned)).toMatchObject({ kind: 'none', state: 'image-removed' });
  });
});
