// Estimates before anything is built (context sizes after .dockerignore,
// metadata, unknown), the human size format and the inlay hints.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDockerfileModel } from '../../server/src/engine/dockerfile/model';
import { buildLayerTable, globToRegExp } from '../../server/src/engine/layers/estimate';
import { formatBytes, formatLayerTable, hintLabel, layerHints } from '../../server/src/engine/layers/format';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { fixtureModel, history } from './fixtures';

describe('estimates without an image', () => {
  it('COPY . . sums the context after .dockerignore: exactly what the real build recorded', () => {
    for (const b of ['classic', 'buildkit']) {
      const model = fixtureModel('ms', `Dockerfile.${b}`);
      const t = buildLayerTable({ model, stage: 0, state: 'no-image', message: 'none yet' });
      const copyAll = t.rows.find((r) => r.text === 'COPY . .')!;
      const recorded = history(`ms/history-build.${b}.jsonl`).find((r) => /COPY (dir:\S+ in \. |\. \. # buildkit)/.test(r.createdBy))!;
      expect(copyAll).toMatchObject({ source: 'context', size: recorded.size, files: 6 });
      expect(t.rows.find((r) => r.text === 'COPY go.mod ./')).toMatchObject({ source: 'context', size: 32, files: 1 });
      expect(t.rows.filter((r) => r.keyword === 'RUN').every((r) => r.source === 'unknown' && r.size === null)).toBe(true);
      expect(t.rows[0]).toMatchObject({ keyword: 'FROM', source: 'unknown', size: null });
      expect(t.totals).toMatchObject({ unknownRows: 3, base: 0, added: recorded.size + 32 });
      expect(t.state).toBe('no-image');
      expect(t.buildCommand).toBe(`docker build -f Dockerfile.${b} --target build -t ms:dev .`);
    }
  });

  it('COPY --from, ADD of a URL, unknown variables: unknown with a reason; globs, folders, heredocs: context', () => {
    const ws = new MemoryWorkspace({
      '/c/Dockerfile': '',
      '/c/.dockerignore': 'secret/\n**/*.log\n',
      '/c/cmd/a/main.go': 'x'.repeat(100),
      '/c/cmd/b/main.go': 'x'.repeat(50),
      '/c/cmd/b/debug.log': 'x'.repeat(999),
      '/c/secret/key': 'x'.repeat(10),
      '/c/go.mod': 'module m\n',
      '/c/go.sum': '',
    });
    const text = [
      'ARG SRC=cmd',
      'FROM scratch AS s',
      'COPY --from=builder /out /out',
      'ADD https://example.com/x.tgz /x',
      'COPY $NOPE /y',
      'COPY cmd/*/main.go /src/',
      'COPY ${SRC} /cmd/',
      'COPY go.* ./',
      'COPY secret/key /k',
      'COPY <<EOF /etc/motd',
      'hello',
      'EOF',
      'WORKDIR /w',
      'ENV A=1',
    ].join('\n');
    const model = buildDockerfileModel(text, '/c/Dockerfile', ws);
    const t = buildLayerTable({ model, state: 'no-image' });
    const row = (prefix: string) => t.rows.find((r) => r.text.startsWith(prefix))!;
    expect(row('COPY --from')).toMatchObject({ source: 'unknown', size: null, note: 'copied from builder: known once built' });
    expect(row('ADD https')).toMatchObject({ source: 'unknown', size: null });
    expect(row('COPY $NOPE')).toMatchObject({ source: 'unknown', size: null, note: expect.stringContaining('variable') });
    expect(row('COPY cmd/*')).toMatchObject({ source: 'context', size: 150, files: 2 });
    expect(row('COPY ${SRC}')).toMatchObject({ source: 'context', size: 150, files: 2 });
    expect(row('COPY go.*')).toMatchObject({ source: 'context', size: 9, files: 2 });
    expect(row('COPY secret/key')).toMatchObject({ source: 'context', size: 0, note: expect.stringContaining('.dockerignore') });
    expect(row('COPY <<EOF')).toMatchObject({ source: 'context', size: 6, line: 9, endLine: 11 });
    expect(row('WORKDIR')).toMatchObject({ source: 'metadata', size: 0 });
    expect(row('ENV')).toMatchObject({ source: 'metadata', size: 0 });
    expect(t.rows[0]).toMatchObject({ source: 'base', size: 0, note: 'scratch: empty' });
  });

  it('Go filepath.Match globs: * and ? stay in one folder, [] classes, ** spans folders', () => {
    expect(globToRegExp('cmd/*/main.go').test('cmd/a/main.go')).toBe(true);
    expect(globToRegExp('cmd/*').test('cmd/a/main.go')).toBe(false);
    expect(globToRegExp('go.?um').test('go.sum')).toBe(true);
    expect(globToRegExp('[a-c]*.go').test('b.go')).toBe(true);
    expect(globToRegExp('[^a-c]*.go').test('b.go')).toBe(false);
    expect(globToRegExp('**/*.go').test('x/y/z.go')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('states other than ok keep the estimates and say why', () => {
    const model = fixtureModel('app', 'Dockerfile');
    const t = buildLayerTable({ model, state: 'daemon-down', message: 'Docker is not running' });
    expect(t.state).toBe('daemon-down');
    expect(t.rows.find((r) => r.text === 'COPY busybox /bin/busybox')).toMatchObject({ source: 'context', size: 1982256 });
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });
});

describe('human sizes and inlay hints', () => {
  it('formats decimal units like Docker, three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(190)).toBe('190 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1 kB');
    expect(formatBytes(20003)).toBe('20 kB');
    expect(formatBytes(307210)).toBe('307 kB');
    expect(formatBytes(999_600)).toBe('1 MB');
    expect(formatBytes(1982256)).toBe('1.98 MB');
    expect(formatBytes(12_400_000)).toBe('12.4 MB');
    expect(formatBytes(884502409)).toBe('885 MB');
    expect(formatBytes(1_234_000_000)).toBe('1.23 GB');
  });

  it('hints sit at the end of the last line of FROM/COPY/ADD/RUN, never invent a number', () => {
    const ws = new MemoryWorkspace({ '/h/bin/app': 'x'.repeat(12_400_000) });
    const text = 'FROM scratch\nCOPY bin/app \\\n     /app\nENV A=1\nRUN --mount=type=cache,target=/c \\\n    make\n';
    const model = buildDockerfileModel(text, path.join('/h', 'Dockerfile'), ws);
    const t = buildLayerTable({ model, state: 'no-image' });
    const hints = layerHints(t.rows);
    expect(hints.map((h) => [h.line, h.character, h.label])).toEqual([
      [0, 12, '+0 B'],
      [2, 9, '+12.4 MB'],
      [5, 8, '+? (not built)'],
    ]);
    expect(hints[1].tooltip).toContain('context (12,400,000 bytes)');
    expect(hintLabel({ ...t.rows[1], source: 'changed', size: 5_000_000, builtSize: 4_000_000, estimate: 5_000_000 })).toBe('+5 MB (edited, was 4 MB)');
    expect(hintLabel({ ...t.rows[1], source: 'changed', size: 4_000_000, builtSize: 4_000_000, estimate: null })).toBe('+4 MB (edited)');
  });

  it('prints the table as text (the CLI)', () => {
    const model = fixtureModel('app', 'Dockerfile');
    const out = formatLayerTable(buildLayerTable({ model, state: 'no-image', message: 'No local image was built from this Dockerfile yet: showing estimates.' }), 'app/Dockerfile');
    expect(out).toContain('app/Dockerfile — stage 0 of 1 (final)');
    expect(out).toContain('no-image: No local image');
    expect(out).toContain('build it: (cd /fixture/app && docker build -t app:dev .)');
    expect(out).toMatch(/ {3}2 {2}COPY busybox \/bin\/busybox +1\.98 MB {2}context/);
    expect(out).toContain('total 6.45 MB + 2 unknown: base 0 B, added by this Dockerfile 6.45 MB');
  });
});
