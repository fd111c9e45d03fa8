import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../../server/src/engine/config';
import {
  contextFiles,
  contextKnown,
  contextRelative,
  dockerignoreCandidates,
  dockerignoreFor,
  isIgnored,
  parseDockerignore,
} from '../../server/src/engine/dockerfile/context';
import { buildDockerfileModel } from '../../server/src/engine/dockerfile/model';
import { lint } from '../../server/src/engine/lint';
import type { Workspace } from '../../server/src/engine/types';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

const DF = 'FROM golang:1.23\nCOPY . .\n';

function model(files: Record<string, string>, dockerfile = '/r/Dockerfile', contextDir?: string) {
  const ws = new MemoryWorkspace({ [dockerfile]: DF, ...files });
  return buildDockerfileModel(DF, dockerfile, ws, { contextDir });
}

describe('build context: which .dockerignore', () => {
  it('uses <context>/.dockerignore', () => {
    const m = model({ '/r/.dockerignore': '.git\n', '/r/.git/HEAD': 'ref' });
    expect(dockerignoreFor(m)?.path).toBe('/r/.dockerignore');
    expect(dockerignoreFor(m)?.kind).toBe('context');
    expect(isIgnored(m, '.git')).toBe(true);
    expect(isIgnored(m, '.git/HEAD')).toBe(true);
    expect(isIgnored(m, 'main.go')).toBe(false);
  });
  it('prefers <Dockerfile>.dockerignore next to the Dockerfile (Docker\'s rule), even when the context has one', () => {
    const m = model(
      { '/r/.dockerignore': '.git\n', '/r/build/api.Dockerfile.dockerignore': 'docs\n' },
      '/r/build/api.Dockerfile',
      '/r',
    );
    expect(dockerignoreCandidates(m).map((c) => c.path)).toEqual(['/r/build/api.Dockerfile.dockerignore', '/r/.dockerignore']);
    expect(dockerignoreFor(m)?.kind).toBe('dockerfile');
    expect(isIgnored(m, 'docs/a.md')).toBe(true);
    expect(isIgnored(m, '.git')).toBe(false);
  });
  it('a .dockerignore next to the Dockerfile but outside the context does not apply', () => {
    const m = model({ '/r/build/.dockerignore': '*\n', '/r/go.mod': 'module x\n' }, '/r/build/Dockerfile', '/r');
    expect(dockerignoreFor(m)).toBeUndefined();
    expect(isIgnored(m, 'main.go')).toBe(false);
  });
  it('no ignore file: nothing is ignored', () => {
    const m = model({ '/r/main.go': 'package main' });
    expect(dockerignoreFor(m)).toBeUndefined();
    expect(isIgnored(m, '.git')).toBe(false);
  });
});

describe('build context: Docker pattern semantics (via @balena/dockerignore)', () => {
  const ig = (text: string, p: string) => isIgnored(model({ '/r/.dockerignore': text }), p);
  it('parses comments, blank lines, whitespace, CRLF and a BOM', () => {
    expect(parseDockerignore('\uFEFF# comment\r\n\r\n  .git  \r\n!keep\n # not a comment?\n')).toEqual(['.git', '!keep', '# not a comment?']);
    expect(ig('\uFEFF.git\r\n', '.git/HEAD')).toBe(true);
  });
  it('anchors at the context root: `abc` is ./abc only', () => {
    expect(ig('docs\n', 'docs/x.md')).toBe(true);
    expect(ig('docs\n', 'pkg/docs/x.md')).toBe(false);
    expect(ig('**/docs\n', 'pkg/docs/x.md')).toBe(true);
    expect(ig('/docs/\n', 'docs')).toBe(true);
  });
  it('`*` stays inside one segment', () => {
    expect(ig('*.md\n', 'README.md')).toBe(true);
    expect(ig('*.md\n', 'docs/README.md')).toBe(false);
    expect(ig('**/*.md\n', 'docs/README.md')).toBe(true);
  });
  it('exceptions: last match wins, and a re-included file below an excluded folder', () => {
    expect(ig('*\n!cmd\n', 'cmd/main.go')).toBe(false);
    expect(ig('*\n!cmd\n', '.git')).toBe(true);
    expect(ig('.git\n!.git/HEAD\n', '.git/HEAD')).toBe(false);
    expect(ig('!x\nx\n', 'x')).toBe(true);
  });
  it('is case-sensitive like Docker', () => {
    expect(ig('Docs\n', 'docs')).toBe(false);
  });
  it('accepts ./, leading slashes and backslashes in queried paths; the root is never ignored', () => {
    expect(ig('.git\n', './.git/HEAD')).toBe(true);
    expect(ig('.git\n', '/.git')).toBe(true);
    expect(ig('*\n', '.')).toBe(false);
    expect(ig('*\n', '')).toBe(false);
  });
});

describe('build context: paths and walking', () => {
  it('contextRelative', () => {
    const m = model({});
    expect(contextRelative(m, '/r/cmd/api')).toBe('cmd/api');
    expect(contextRelative(m, '/r')).toBe('');
    expect(contextRelative(m, '/go.mod')).toBe('go.mod');
    expect(contextRelative(m, './cmd/../go.sum')).toBe('go.sum');
    expect(contextRelative(m, 'cmd\\api\\')).toBe('cmd/api');
  });
  it('lists the files Docker sends, skipping ignored folders', () => {
    const m = model({
      '/r/.dockerignore': '.git\nbin/\n**/*_test.go\n',
      '/r/.git/HEAD': 'ref',
      '/r/.git/objects/aa/bb': 'x',
      '/r/bin/app': 'ELF',
      '/r/go.mod': 'module x\n',
      '/r/cmd/api/main.go': 'package main',
      '/r/cmd/api/main_test.go': 'package main',
    });
    expect(contextKnown(m)).toBe(true);
    const l = contextFiles(m);
    expect(l.truncated).toBe(false);
    expect(l.entries.map((e) => e.path)).toEqual(['.dockerignore', 'Dockerfile', 'go.mod', 'cmd/api/main.go']);
    expect(l.entries[3].abs).toBe('/r/cmd/api/main.go');
    // .git and bin were not entered
    expect(l.examined).toBe(9);
    expect(contextFiles(m, { dirs: true }).entries.map((e) => e.path)).toContain('cmd/api');
    expect(contextFiles(m, { under: 'cmd' }).entries.map((e) => e.path)).toEqual(['cmd/api/main.go']);
  });
  it('enters an excluded folder when exceptions may re-include something in it', () => {
    const m = model({ '/r/.dockerignore': '*\n!cmd/api/main.go\n', '/r/cmd/api/main.go': 'x', '/r/cmd/api/util.go': 'y', '/r/go.mod': 'm' });
    expect(contextFiles(m).entries.map((e) => e.path)).toEqual(['cmd/api/main.go']);
  });
  it('stops at the limit on huge trees', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`/r/node_modules/p${i}/index.js`] = 'x';
    const m = model(files);
    const l = contextFiles(m, 100);
    expect(l.truncated).toBe(true);
    expect(l.examined).toBe(100);
  });
  it('never walks forever through a link loop', () => {
    // a workspace where every folder contains itself (as a symlink loop would)
    const loop: Workspace = {
      readFile: () => undefined,
      exists: () => true,
      isDirectory: (p) => !p.endsWith('.go'),
      listDir: () => ['self', 'a.go'],
    };
    const m = buildDockerfileModel(DF, '/loop/Dockerfile', loop);
    const l = contextFiles(m);
    expect(l.entries.length).toBeGreaterThan(10);
    expect(l.examined).toBeLessThanOrEqual(20_000);
  });
  it('an unknown context folder yields nothing', () => {
    const m = model({}, '/r/Dockerfile', '/elsewhere');
    expect(contextKnown(m)).toBe(false);
    expect(contextFiles(m).entries).toEqual([]);
  });
});

describe('build context: the `contexts` configuration', () => {
  const ws = new MemoryWorkspace({
    '/repo/build/api.Dockerfile': DF,
    '/repo/go.mod': 'module example.com/x\n\ngo 1.23\n',
    '/repo/.dockerignore': '.git\n',
    '/repo/services/api/Dockerfile': DF,
    '/repo/services/go.mod': 'module example.com/s\n\ngo 1.22\n',
  });
  const config = mergeConfig(DEFAULT_CONFIG, { contexts: { 'build/*.Dockerfile': '.', 'services/api/Dockerfile': 'services' } }, '/repo/.container-tuner.yaml');
  it('lint builds the model with the configured context', () => {
    const a = lint({ text: DF, path: '/repo/build/api.Dockerfile' }, ws, { config, rules: [] }).model!;
    expect(a.contextDir).toBe('/repo');
    expect(dockerignoreFor(a)?.path).toBe('/repo/.dockerignore');
    const s = lint({ text: DF, path: '/repo/services/api/Dockerfile' }, ws, { config, rules: [] }).model!;
    expect(s.contextDir).toBe('/repo/services');
    expect(s.goMod?.module).toBe('example.com/s');
  });
  it('without configuration the context is the Dockerfile\'s folder (or the module root above it)', () => {
    const s = lint({ text: DF, path: '/repo/services/api/Dockerfile' }, ws, { rules: [] }).model!;
    expect(s.contextDir).toBe('/repo/services');
    const w = new MemoryWorkspace({ '/w/a/Dockerfile': DF, '/w/a/main.go': 'x' });
    expect(lint({ text: DF, path: '/w/a/Dockerfile' }, w, { rules: [] }).model!.contextDir).toBe('/w/a');
  });
});
