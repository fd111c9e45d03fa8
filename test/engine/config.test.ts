import { describe, expect, it } from 'vitest';
import { configFor, contextFor, DEFAULT_CONFIG, matchesGlob, mergeConfig, type ConfigProblem } from '../../server/src/engine/config';
import { lint } from '../../server/src/engine/lint';
import { isSuppressed, parsePragmas } from '../../server/src/engine/pragmas';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

describe('pragmas', () => {
  it('applies a line pragma to the next statement only, across comments and blank lines', () => {
    const p = parsePragmas(['FROM alpine', '# container-tuner ignore=apk-no-cache, exec-form-cmd', '# why: tooling image', '', 'RUN apk add git', 'RUN apk add make']);
    expect(isSuppressed(p, 'apk-no-cache', undefined, 4)).toBe(true);
    expect(isSuppressed(p, 'exec-form-cmd', undefined, 4)).toBe(true);
    expect(isSuppressed(p, 'apk-no-cache', undefined, 5)).toBe(false);
  });
  it('supports file-wide pragmas, hadolint codes and all', () => {
    const p = parsePragmas(['# container-tuner ignore-file=go-maxprocs', '# hadolint global ignore=DL3019', 'FROM x', '# container-tuner ignore=all', 'RUN y']);
    expect(isSuppressed(p, 'go-maxprocs', undefined, 99)).toBe(true);
    expect(isSuppressed(p, 'apk-no-cache', ['DL3019'], 2)).toBe(true);
    expect(isSuppressed(p, 'anything', undefined, 4)).toBe(true);
    expect(isSuppressed(p, 'anything', undefined, 2)).toBe(false);
  });
  it('reads a text as its lines, CRLF and CR alike; a text with no pragma marker has none', () => {
    const lines = ['# hadolint global ignore=DL3019', 'FROM x', '# container-tuner ignore=go-maxprocs', 'RUN y'];
    for (const eol of ['\n', '\r\n', '\r']) expect(parsePragmas(lines.join(eol))).toEqual(parsePragmas(lines));
    expect(parsePragmas(lines.join('\n')).lines.get(3)).toEqual(new Set(['go-maxprocs']));
    expect(parsePragmas('FROM x\n# ignore=all\nRUN y')).toEqual({ file: new Set(), lines: new Map() });
  });
  it('silences findings on continuation lines of the statement', () => {
    const text = 'FROM alpine\n# container-tuner ignore=apk-no-cache\nRUN true && \\\n    apk add git\n';
    expect(lint({ text, path: '/x/Dockerfile' }, new MemoryWorkspace()).findings.filter((f) => f.rule === 'apk-no-cache')).toEqual([]);
  });
});

describe('configuration', () => {
  it('merges and validates keys', () => {
    const problems: ConfigProblem[] = [];
    const c = mergeConfig(DEFAULT_CONFIG, { rules: { 'apk-no-cache': 'off', 'go-maxprocs': 'loud' }, gomaxprocs: 4, runtimeBase: 'scratch', ignorePaths: ['testdata/**'] }, '/r/.container-tuner.yaml', problems);
    expect(c.rules['apk-no-cache']).toBe('off');
    expect(c.gomaxprocs).toBe(4);
    expect(c.runtimeBase).toBe('scratch');
    expect(c.ignorePaths).toEqual(['/r/testdata/**']);
    expect(problems.map((p) => p.message)).toEqual(['rules.go-maxprocs: expected off, info, warning or error']);
    expect(DEFAULT_CONFIG.rules).toEqual({});
  });
  it('finds .container-tuner.yaml walking up and lets it turn rules off', () => {
    const ws = new MemoryWorkspace({ '/r/.container-tuner.yaml': 'rules:\n  apk-no-cache: off\n', '/r/svc/Dockerfile': '' });
    const c = configFor(ws, '/r/svc/Dockerfile');
    expect(c.rules['apk-no-cache']).toBe('off');
    const res = lint({ text: 'FROM alpine\nRUN apk add git\n', path: '/r/svc/Dockerfile' }, ws, { config: c });
    expect(res.findings.filter((f) => f.rule === 'apk-no-cache')).toEqual([]);
  });
  it('reports broken YAML instead of throwing, and survives alias bombs', () => {
    const problems: ConfigProblem[] = [];
    const ws = new MemoryWorkspace({ '/r/.container-tuner.yaml': 'rules: [unclosed\n' });
    expect(configFor(ws, '/r/Dockerfile', DEFAULT_CONFIG, problems)).toEqual(DEFAULT_CONFIG);
    expect(problems[0].message).toMatch(/invalid YAML/);
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`).join('\n') + '\n';
    const p2: ConfigProblem[] = [];
    configFor(new MemoryWorkspace({ '/b/.container-tuner.yaml': bomb }), '/b/Dockerfile', DEFAULT_CONFIG, p2);
    expect(p2.length).toBe(1);
  });
  it('reads a configuration file once while its text and the base settings stay the same, its problems reported every time', () => {
    const ws = new MemoryWorkspace({ '/k/.container-tuner.yaml': 'rules:\n  apk-no-cache: off\n  go-maxprocs: loud\n' });
    const p1: ConfigProblem[] = [];
    const p2: ConfigProblem[] = [];
    const a = configFor(ws, '/k/Dockerfile', DEFAULT_CONFIG, p1);
    const b = configFor(ws, '/k/svc/Dockerfile', DEFAULT_CONFIG, p2);
    expect(b).toBe(a);
    expect(a.rules['apk-no-cache']).toBe('off');
    expect(p1.length).toBeGreaterThan(0);
    expect(p2).toEqual(p1);
    // another base (editor settings changed), or another text: read again
    const settings = mergeConfig(DEFAULT_CONFIG, { gomaxprocs: 4 }, 'settings', []);
    expect(configFor(ws, '/k/Dockerfile', settings)).not.toBe(a);
    ws.set('/k/.container-tuner.yaml', 'rules:\n  apk-no-cache: warning\n');
    expect(configFor(ws, '/k/Dockerfile').rules['apk-no-cache']).toBe('warning');
  });
  it('matches ignorePaths globs', () => {
    expect(matchesGlob('/r/testdata/a/Dockerfile', '/r/testdata/**')).toBe(true);
    expect(matchesGlob('/r/testdata/a/Dockerfile', '/r/testdata')).toBe(true);
    expect(matchesGlob('/r/src/Dockerfile', '/r/testdata/**')).toBe(false);
    expect(matchesGlob('/r/x/.hidden/Dockerfile', '/r/**/Dockerfile')).toBe(true);
  });
  it('reads contexts: Dockerfile globs to context folders, both relative to the config file', () => {
    const problems: ConfigProblem[] = [];
    const c = mergeConfig(
      DEFAULT_CONFIG,
      { contexts: { 'build/*.Dockerfile': '.', 'services/api/Dockerfile': 'services', 'deploy/**/Dockerfile': '/abs/ctx' } },
      '/r/.container-tuner.yaml',
      problems,
    );
    expect(problems).toEqual([]);
    expect(c.contexts).toEqual([
      { glob: '/r/build/*.Dockerfile', dir: '/r' },
      { glob: '/r/services/api/Dockerfile', dir: '/r/services' },
      { glob: '/r/deploy/**/Dockerfile', dir: '/abs/ctx' },
    ]);
    expect(contextFor(c, '/r/build/api.Dockerfile')).toBe('/r');
    expect(contextFor(c, '/r/build/sub/api.Dockerfile')).toBeUndefined();
    expect(contextFor(c, '/r/services/api/Dockerfile')).toBe('/r/services');
    expect(contextFor(c, '/r/deploy/a/b/Dockerfile')).toBe('/abs/ctx');
    expect(contextFor(c, '/r/Dockerfile')).toBeUndefined();
    expect(contextFor(DEFAULT_CONFIG, '/r/Dockerfile')).toBeUndefined();
    expect(DEFAULT_CONFIG.contexts).toEqual([]);
  });
  it('validates contexts', () => {
    const problems: ConfigProblem[] = [];
    const c = mergeConfig(DEFAULT_CONFIG, { contexts: { 'a/Dockerfile': 3, 'b/Dockerfile': '', 'c/Dockerfile': 'c' } }, '/r/.container-tuner.yaml', problems);
    expect(c.contexts).toEqual([{ glob: '/r/c/Dockerfile', dir: '/r/c' }]);
    expect(problems.map((p) => p.message)).toEqual([
      'contexts.a/Dockerfile: expected the path of the build context folder',
      'contexts.b/Dockerfile: expected the path of the build context folder',
    ]);
    const p2: ConfigProblem[] = [];
    mergeConfig(DEFAULT_CONFIG, { contexts: ['build/Dockerfile'] }, '/r/.container-tuner.yaml', p2);
    expect(p2.map((p) => p.message)).toEqual(['contexts: expected a mapping of Dockerfile globs to build context folders']);
  });
  it('contexts of the repository file win over those of editor settings; the first matching entry wins', () => {
    const settings = mergeConfig(DEFAULT_CONFIG, { contexts: { 'Dockerfile': 'a', '**/Dockerfile': 'b' } }, '/r/settings');
    const ws = new MemoryWorkspace({ '/r/.container-tuner.yaml': 'contexts:\n  "svc/Dockerfile": "svc/.."\n  "**/Dockerfile": "."\n', '/r/svc/Dockerfile': '' });
    const c = configFor(ws, '/r/svc/Dockerfile', settings);
    expect(contextFor(c, '/r/svc/Dockerfile')).toBe('/r');
    expect(contextFor(c, '/r/Dockerfile')).toBe('/r');
    expect(contextFor(settings, '/r/Dockerfile')).toBe('/r/a');
    const res = lint({ text: 'FROM alpine\n', path: '/r/svc/Dockerfile' }, ws, { config: c, rules: [] });
    expect(res.model?.contextDir).toBe('/r');
  });
});
