import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../../server/src/engine/config';
import { lint } from '../../server/src/engine/lint';
import { DOCKERIGNORE_DEFAULTS, dockerignoreMissing } from '../../server/src/engine/rules/dockerignore-missing';
import { applyEdits } from '../../server/src/engine/text';
import type { Finding } from '../../server/src/engine/types';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ruleTester } from '../helpers/ruleTester';

const GIT = { '.git/HEAD': 'ref: refs/heads/main\n', '.git/config': '[core]\n' };
const GO = { 'go.mod': 'module example.com/api\n\ngo 1.23\n', 'main.go': 'package main\n' };
const BUILD = 'FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api .\nFROM scratch\nCOPY --from=build /out/api /api\n';
const CREATE = /^Create \.dockerignore/;

ruleTester(dockerignoreMissing, {
  valid: [
    { name: 'no copy of the whole context', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY cmd ./cmd\n', files: { ...GIT, ...GO } },
    { name: '.dockerignore excludes .git', code: BUILD, files: { ...GIT, ...GO, '.dockerignore': '.git\n' } },
    { name: 'excluded with a trailing slash and a leading ./', code: BUILD, files: { ...GIT, ...GO, '.dockerignore': '# vcs\r\n./.git/\r\n' } },
    { name: 'allow-list style .dockerignore', code: BUILD, files: { ...GIT, ...GO, '.dockerignore': '*\n!go.mod\n!go.sum\n!*.go\n' } },
    {
      name: '<Dockerfile>.dockerignore excludes .git (the context .dockerignore does not apply)',
      path: 'build/api.Dockerfile',
      config: { contexts: { 'build/*.Dockerfile': '.' } },
      code: BUILD,
      files: { ...GIT, ...GO, '.dockerignore': 'docs\n', 'build/api.Dockerfile.dockerignore': '.git\n' },
    },
    { name: 'a .dockerignore without .git, but no .git in the context (a subfolder of the repository)', code: BUILD, files: { ...GO, '.dockerignore': 'docs\n' } },
    { name: 'no .dockerignore and nothing to keep out', code: BUILD, files: { ...GO, 'internal/x.go': 'package x\n' } },
    { name: 'COPY . . from another stage', code: 'FROM golang:1.23 AS build\nRUN go build -o /out/api .\nFROM alpine:3.20\nCOPY --from=build . .\n', files: { ...GIT, ...GO } },
    { name: 'the build runs git describe', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -ldflags "-X main.version=$(git describe --tags)" -o /app .\n', files: { ...GIT, ...GO } },
    { name: 'the build reads git in a heredoc', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\nVERSION=$(git rev-parse --short HEAD)\ngo build -ldflags "-X main.commit=$VERSION" -o /app .\nEOF\n', files: { ...GIT, ...GO } },
    { name: '-buildvcs=true', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -buildvcs=true -o /app .\n', files: { ...GIT, ...GO } },
    { name: 'a Makefile that calls git', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN make build\n', files: { ...GIT, ...GO, Makefile: 'VERSION ?= $(shell git describe --tags)\nbuild:\n\tgo build -ldflags "-X main.v=$(VERSION)" .\n' } },
    { name: 'a script that cannot be read here', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN ./hack/build.sh\n', files: { ...GIT, ...GO } },
    { name: '.git copied on purpose', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY .git .git\nCOPY . .\n', files: { ...GIT, ...GO } },
    { name: '.git re-included on purpose', code: BUILD, files: { ...GIT, ...GO, '.dockerignore': '.git\n!.git/HEAD\n!.git/refs\n' } },
    { name: 'context folder not known', code: BUILD, config: { contexts: { Dockerfile: 'nowhere' } }, files: { ...GIT, ...GO } },
    { name: 'pragma', code: 'FROM golang:1.23\n# container-tuner ignore=dockerignore-missing\nCOPY . .\n', files: { ...GIT, ...GO } },
  ],
  invalid: [
    {
      name: 'no .dockerignore, a repository in the context',
      code: BUILD,
      files: { ...GIT, ...GO },
      findings: [{ line: 3, text: '.', severity: 'info', message: /no \.dockerignore: \.git is sent.*go build included/ }],
      output: null,
      fixes: [{ title: CREATE, output: BUILD }],
    },
    {
      name: '.dockerignore without .git',
      code: BUILD,
      files: { ...GIT, ...GO, '.dockerignore': 'bin/\n*.md\n' },
      findings: [{ line: 3, text: '.', message: '.dockerignore does not exclude .git' }],
      output: null,
      fixes: [{ title: 'Add .git to .dockerignore', output: BUILD }],
    },
    {
      name: 'an exception re-includes the whole of .git by accident',
      code: BUILD,
      files: { ...GIT, ...GO, '.dockerignore': '.*\n!.gitlab-ci.yml\n!.g*\n' },
      findings: [{ line: 3, text: '.' }],
    },
    {
      name: '<Dockerfile>.dockerignore wins over the context one, and lacks .git',
      path: 'build/api.Dockerfile',
      config: { contexts: { 'build/*.Dockerfile': '.' } },
      code: BUILD,
      files: { ...GIT, ...GO, '.dockerignore': '.git\n', 'build/api.Dockerfile.dockerignore': 'docs\n' },
      findings: [{ line: 3, text: '.', message: 'build/api.Dockerfile.dockerignore does not exclude .git' }],
      fixes: [{ title: 'Add .git to build/api.Dockerfile.dockerignore', output: BUILD }],
    },
    {
      name: 'ADD . and editor folders, no repository',
      code: 'FROM golang:1.23\nWORKDIR /app\nADD . /app\n',
      files: { ...GO, '.idea/workspace.xml': '<x/>', '.vscode/settings.json': '{}', 'api.test': 'ELF', 'coverage.out': 'mode: set\n' },
      findings: [{ line: 3, text: '.', message: '.idea/, .vscode/, api.test, coverage.out are sent' }],
    },
    {
      name: 'COPY ./ with flags on a continuation line; only the first whole-context copy is reported',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY --chown=1000:1000 \\\n     ./ /src/\nCOPY * ./\n',
      files: { ...GIT, ...GO },
      findings: [{ line: 4, text: './' }],
    },
    {
      name: 'exec (JSON) form',
      code: 'FROM golang:1.23\nCOPY [".", "/src"]\n',
      files: { ...GIT, ...GO },
      findings: [{ line: 2, text: '"."' }],
    },
    {
      name: 'COPY --link, ARG-driven FROM',
      code: 'ARG GO_IMAGE=golang:1.23\nFROM ${GO_IMAGE}\nCOPY --link . /src\n',
      files: { ...GIT, ...GO },
      findings: [{ line: 3, text: '.' }],
    },
    {
      name: 'a Makefile that does not call git',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN make build\n',
      files: { ...GIT, ...GO, Makefile: 'build:\n\tgo build -o bin/api .\n' },
      findings: [{ line: 3, text: '.' }],
    },
    {
      name: 'git clone of another repository does not read this one',
      code: 'FROM golang:1.23\nRUN git clone https://github.com/acme/tools.git /tools\nWORKDIR /src\nCOPY . .\n',
      files: { ...GIT, ...GO },
      findings: [{ line: 4, text: '.' }],
    },
    {
      name: 'Windows file with backtick escape',
      code: '# escape=`\nFROM golang:1.23-windowsservercore-ltsc2022\nWORKDIR C:\\src\nCOPY . C:\\src\nRUN go build -o C:\\out\\api.exe .\n',
      files: { ...GIT, ...GO },
      findings: [{ line: 4, text: '.' }],
    },
  ],
});

/** What applying a finding's file edits gives, per file. */
function applyFileEdits(ws: MemoryWorkspace, f: Finding): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fe of f.fixes[0].fileEdits ?? []) {
    const before = fe.create ? '' : ws.readFile(fe.path) ?? '';
    out[fe.path] = applyEdits(before, fe.edits);
  }
  return out;
}

function setup(files: Record<string, string>, code = BUILD, file = '/proj/Dockerfile', config?: Record<string, unknown>) {
  const abs: Record<string, string> = { [file]: code };
  for (const [k, v] of Object.entries(files)) abs[path.join('/proj', k)] = v;
  const ws = new MemoryWorkspace(abs);
  const cfg = config ? mergeConfig(DEFAULT_CONFIG, config, '/proj/.container-tuner.yaml') : DEFAULT_CONFIG;
  const run = () => lint({ text: code, path: file }, ws, { rules: [dockerignoreMissing], config: cfg }).findings;
  return { ws, run };
}

describe('dockerignore-missing: the file edits of its fix', () => {
  it('creates .dockerignore at the context root with the documented defaults; re-linting is clean', () => {
    const { ws, run } = setup({ ...GIT, ...GO });
    const [f] = run();
    expect(f.fixes).toHaveLength(1);
    expect(f.fixes[0].preferred).toBeFalsy();
    expect(f.fixes[0].edits).toEqual([]);
    expect(f.fixes[0].fileEdits).toHaveLength(1);
    expect(f.fixes[0].fileEdits![0].create).toBe(true);
    const files = applyFileEdits(ws, f);
    expect(Object.keys(files)).toEqual(['/proj/.dockerignore']);
    expect(files['/proj/.dockerignore']).toBe(
      '# Not sent to the builder with the build context (Docker .dockerignore syntax).\n.git\n.idea\n.vscode\n**/*.test\n**/*.out\nbin/\ndist/\n',
    );
    expect(DOCKERIGNORE_DEFAULTS).toEqual(['.git', '.idea', '.vscode', '**/*.test', '**/*.out', 'bin/', 'dist/']);
    ws.set('/proj/.dockerignore', files['/proj/.dockerignore']);
    expect(run()).toEqual([]);
  });
  it('uses the Dockerfile\'s line endings for a new file', () => {
    const crlf = BUILD.replace(/\n/g, '\r\n');
    const { ws, run } = setup({ ...GIT, ...GO }, crlf);
    const files = applyFileEdits(ws, run()[0]);
    expect(files['/proj/.dockerignore']).toMatch(/^# Not sent.*\r\n\.git\r\n\.idea\r\n/);
    expect(files['/proj/.dockerignore'].replace(/\r\n/g, '')).not.toMatch(/\n/);
  });
  it('leaves out entries the Dockerfile uses from the context, and .git when the build reads it', () => {
    const code = 'FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nRUN ./bin/setup.sh && git log -1 > /app/COMMIT\nCMD ["dist/server"]\n';
    const { ws, run } = setup({ ...GIT, 'bin/setup.sh': '#!/bin/sh\necho ok\n', 'dist/server': 'ELF', '.vscode/settings.json': '{}' }, code);
    const [f] = run();
    expect(f.message).toContain('.vscode/');
    expect(f.message).not.toContain('.git');
    expect(applyFileEdits(ws, f)['/proj/.dockerignore']).toBe(
      '# Not sent to the builder with the build context (Docker .dockerignore syntax).\n.idea\n.vscode\n**/*.test\n**/*.out\n',
    );
  });
  it('no finding when everything the defaults would keep out is used by the build', () => {
    const code = 'FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nCMD ["bin/server"]\n';
    const { run } = setup({ 'bin/server': 'ELF' }, code);
    expect(run()).toEqual([]);
  });
  it('appends .git to an existing .dockerignore, keeping its line endings; a missing last newline is added first', () => {
    const a = setup({ ...GIT, ...GO, '.dockerignore': 'bin/\r\n*.md\r\n' });
    const fa = a.run()[0];
    expect(fa.fixes[0].fileEdits![0].create).toBeFalsy();
    const outA = applyFileEdits(a.ws, fa)['/proj/.dockerignore'];
    expect(outA).toBe('bin/\r\n*.md\r\n.git\r\n');
    a.ws.set('/proj/.dockerignore', outA);
    expect(a.run()).toEqual([]);

    const b = setup({ ...GIT, ...GO, '.dockerignore': 'bin/\n*.md' });
    expect(applyFileEdits(b.ws, b.run()[0])['/proj/.dockerignore']).toBe('bin/\n*.md\n.git\n');

    const c = setup({ ...GIT, ...GO, '.dockerignore': '' });
    expect(applyFileEdits(c.ws, c.run()[0])['/proj/.dockerignore']).toBe('.git\n');
  });
  it('edits the <Dockerfile>.dockerignore in effect, not the context one', () => {
    const d = setup(
      { ...GIT, ...GO, '.dockerignore': '.git\n', 'build/api.Dockerfile.dockerignore': 'docs\n' },
      BUILD,
      '/proj/build/api.Dockerfile',
      { contexts: { 'build/*.Dockerfile': '.' } },
    );
    const files = applyFileEdits(d.ws, d.run()[0]);
    expect(files).toEqual({ '/proj/build/api.Dockerfile.dockerignore': 'docs\n.git\n' });
  });
  it('creates the file at the configured context root', () => {
    const d = setup({ ...GIT, ...GO }, BUILD, '/proj/deploy/Dockerfile', { contexts: { 'deploy/Dockerfile': '.' } });
    expect(Object.keys(applyFileEdits(d.ws, d.run()[0]))).toEqual(['/proj/.dockerignore']);
  });
});
