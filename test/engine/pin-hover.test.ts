// "Pin to digest" edits and the FROM hover: pure engine functions, exact output.
import { describe, expect, it } from 'vitest';
import { buildDockerfileModel, type DockerfileModel } from '../../server/src/engine/dockerfile/model';
import { pinEdit, pinTarget, pinTargets, pinTitle, shortDigest } from '../../server/src/engine/dockerfile/pin';
import { approximateSize, baseAt, describeBase, describeLocalImage } from '../../server/src/engine/dockerfile/hover';
import { pickRepoDigest, repositoryKey } from '../../server/src/engine/docker/cli';
import { applyEdits } from '../../server/src/engine/text';
import { baseFacts, parseImageRef } from '../../server/src/engine/images';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

const D = 'sha256:' + 'ab12cd34'.repeat(8);
const model = (text: string, files: Record<string, string> = {}): DockerfileModel =>
  buildDockerfileModel(text, '/p/Dockerfile', new MemoryWorkspace({ '/p/Dockerfile': text, ...Object.fromEntries(Object.entries(files).map(([k, v]) => ['/p/' + k, v])) }));

/** The text after pinning stage `i`, or undefined when there is no edit. */
function pinned(text: string, i = 0, digest = D): string | undefined {
  const m = model(text);
  const e = pinEdit(m, m.stages[i], digest);
  return e ? applyEdits(text, [e]) : undefined;
}

describe('pinEdit', () => {
  it('appends the digest to the image word, keeping the tag', () => {
    expect(pinned('FROM alpine:3.20\n')).toBe(`FROM alpine:3.20@${D}\n`);
    expect(pinned('FROM alpine:3.20 AS base\nRUN true\n')).toBe(`FROM alpine:3.20@${D} AS base\nRUN true\n`);
    expect(pinned('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n')).toBe(`FROM --platform=$BUILDPLATFORM golang:1.22@${D} AS build\n`);
    expect(pinned('FROM localhost:5000/team/app:v1\n')).toBe(`FROM localhost:5000/team/app:v1@${D}\n`);
    expect(pinned('from alpine:3.20\r\nRUN true\r\n')).toBe(`from alpine:3.20@${D}\r\nRUN true\r\n`);
  });
  it('pins an untagged image to the digest alone', () => {
    expect(pinned('FROM alpine\n')).toBe(`FROM alpine@${D}\n`);
    expect(pinned('FROM docker.io/library/alpine AS x\n')).toBe(`FROM docker.io/library/alpine@${D} AS x\n`);
  });
  it('pins the right stage of several', () => {
    const t = 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=build /app /app\n';
    expect(pinned(t, 1)).toBe(`FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20@${D}\nCOPY --from=build /app /app\n`);
    expect(pinTargets(model(t)).map((x) => x.image)).toEqual(['golang:1.22', 'alpine:3.20']);
  });
  it('edits the ARG default of an ARG-driven FROM', () => {
    expect(pinned('ARG BASE=alpine:3.20\nFROM ${BASE}\n')).toBe(`ARG BASE=alpine:3.20@${D}\nFROM \${BASE}\n`);
    expect(pinned('ARG GO=1.22\nFROM golang:$GO AS build\n')).toBe(`ARG GO=1.22@${D}\nFROM golang:$GO AS build\n`);
    expect(pinned('ARG BASE="alpine:3.20"\nFROM $BASE\n')).toBe(`ARG BASE="alpine:3.20@${D}"\nFROM $BASE\n`);
    expect(pinned("ARG A=1 BASE='alpine:3.20'\nFROM $BASE\n")).toBe(`ARG A=1 BASE='alpine:3.20@${D}'\nFROM $BASE\n`);
    // the last declaration wins, as in Docker
    expect(pinned('ARG BASE=alpine:3.19\nARG BASE=alpine:3.20\nFROM $BASE\n')).toBe(`ARG BASE=alpine:3.19\nARG BASE=alpine:3.20@${D}\nFROM $BASE\n`);
  });
  it('puts the digest in the FROM when the ARG is used elsewhere, or when the word ends with literal text', () => {
    expect(pinned('ARG GO=1.22\nFROM golang:${GO} AS build\nFROM golang:${GO}-alpine\n')).toBe(`ARG GO=1.22\nFROM golang:\${GO}@${D} AS build\nFROM golang:\${GO}-alpine\n`);
    expect(pinned('ARG GO=1.22\nFROM golang:${GO}\nARG GO\nRUN echo $GO\n')).toBe(`ARG GO=1.22\nFROM golang:\${GO}@${D}\nARG GO\nRUN echo $GO\n`);
    expect(pinned('ARG REG=registry.example.com\nFROM ${REG}/alpine:3.20\n')).toBe(`ARG REG=registry.example.com\nFROM \${REG}/alpine:3.20@${D}\n`);
    // $GOPATH is another variable
    expect(pinned('ARG GO=1.22\nFROM golang:${GO}\nRUN echo $GOPATH\n')).toBe(`ARG GO=1.22@${D}\nFROM golang:\${GO}\nRUN echo $GOPATH\n`);
  });
  it('skips what cannot be pinned', () => {
    expect(pinned('ARG BASE\nFROM $BASE\n')).toBeUndefined(); // no default
    expect(pinned('FROM ${BASE:-alpine:3.20}\n')).toBeUndefined(); // expansion form
    expect(pinned(`FROM alpine:3.20@${D}\n`)).toBeUndefined(); // already pinned
    expect(pinned(`ARG BASE=alpine@${D}\nFROM $BASE\n`)).toBeUndefined();
    expect(pinned('FROM scratch\n')).toBeUndefined();
    expect(pinned('FROM golang:1.22 AS build\nFROM build\n', 1)).toBeUndefined(); // an earlier stage
    expect(pinned('ARG TAG=\nFROM alpine:$TAG\n')).toBeUndefined(); // `alpine:` is no reference
    expect(pinned('FROM alpine:3.20\n', 0, 'sha256:abc')).toBeUndefined(); // not a digest
    expect(pinned('FROM alpine:3.20\n', 0, 'md5:' + 'a'.repeat(32))).toBeUndefined();
    // a default split by a continuation is left alone
    expect(pinned('ARG BASE=alpine\\\n:3.20\nFROM $BASE\n')).toBeUndefined();
    expect(pinTarget(model('FROM scratch\n'), model('FROM scratch\n').stages[0])).toBeUndefined();
  });
  it('follows the escape directive and continuations', () => {
    // `ARG BASE=alpine:3.20 x` once joined: the default ends before the continuation
    expect(pinned('ARG BASE=alpine:3.20\\\n  x\nFROM $BASE\n')).toBe(`ARG BASE=alpine:3.20@${D}\\\n  x\nFROM $BASE\n`);
    const t = '# escape=`\nFROM `\n  mcr.microsoft.com/windows/nanoserver:ltsc2022 AS run\nRUN echo hi\n';
    expect(pinned(t)).toBe(`# escape=\`\nFROM \`\n  mcr.microsoft.com/windows/nanoserver:ltsc2022@${D} AS run\nRUN echo hi\n`);
    const u = '# escape=`\r\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\r\nRUN go build -o C:\\app.exe .\r\n';
    expect(pinned(u)).toBe(`# escape=\`\r\nFROM golang:1.22-windowsservercore-ltsc2022@${D} AS build\r\nRUN go build -o C:\\app.exe .\r\n`);
  });
  it('titles', () => {
    expect(shortDigest(D)).toBe('sha256:ab12cd34…');
    expect(pinTitle('alpine:3.20', D)).toBe('Pin alpine:3.20 to sha256:ab12cd34… (local image)');
  });
});

describe('RepoDigest of the same repository', () => {
  it('normalises docker.io/library/ and picks the matching repository', () => {
    expect(repositoryKey('alpine:3.20')).toBe('alpine');
    expect(repositoryKey('docker.io/library/alpine')).toBe('alpine');
    expect(repositoryKey('index.docker.io/library/alpine@' + D)).toBe('alpine');
    expect(repositoryKey('LocalHost:5000/Team/App:v1')).toBe('localhost:5000/team/app');
    const digests = [`127.0.0.1:5000/alpine@${D}`, `alpine@sha256:${'1'.repeat(64)}`];
    expect(pickRepoDigest('alpine:3.20', digests)).toBe(`alpine@sha256:${'1'.repeat(64)}`);
    expect(pickRepoDigest('docker.io/library/alpine:3.20', digests)).toBe(`alpine@sha256:${'1'.repeat(64)}`);
    expect(pickRepoDigest('127.0.0.1:5000/alpine:edge', digests)).toBe(`127.0.0.1:5000/alpine@${D}`);
    expect(pickRepoDigest('docker.io/library/alpine', [`docker.io/library/alpine@${D}`])).toBe(`docker.io/library/alpine@${D}`);
    expect(pickRepoDigest('golang:1.22', digests)).toBeUndefined();
    expect(pickRepoDigest('alpine', [])).toBeUndefined();
    expect(pickRepoDigest('alpine', ['alpine@sha256:short'])).toBeUndefined();
  });
});

describe('describeBase', () => {
  const at = (text: string, line: number, character: number, files?: Record<string, string>) => describeBase(model(text, files), { line, character });

  it('is only on the image word of a FROM', () => {
    const t = 'FROM alpine:3.20 AS run\nRUN true\n';
    expect(at(t, 0, 2)).toBeUndefined(); // the keyword
    expect(at(t, 0, 18)).toBeUndefined(); // AS
    expect(at(t, 1, 1)).toBeUndefined();
    expect(at(t, 0, 5)).toBeDefined(); // first character
    expect(at(t, 0, 16)).toBeDefined(); // just after the word
    expect(baseAt(model(t), { line: 0, character: 99 })).toBeUndefined();
  });

  it('golang with go.mod', () => {
    expect(at('FROM golang:1.22 AS build\n', 0, 8, { 'go.mod': 'module x\n\ngo 1.23\n' })).toBe(
      [
        '**Base image:** `golang:1.22`',
        '',
        '- Go toolchain: yes, Go 1.22 (go.mod: `go 1.23`)',
        '- libc: glibc',
        '- `/bin/sh`: present',
        '- Size: ~800 MB–1 GB',
      ].join('\n'),
    );
  });

  it('ARG-driven golang alpine', () => {
    expect(at('ARG GO=1.22\nFROM golang:${GO}-alpine AS build\n', 1, 8)).toBe(
      [
        '**Base image:** `golang:1.22-alpine`',
        '',
        'from `golang:${GO}-alpine` with `ARG GO=1.22`',
        '',
        '- Go toolchain: yes, Go 1.22',
        '- libc: musl',
        '- `/bin/sh`: present',
        '- Size: ~250 MB (approx.)',
      ].join('\n'),
    );
  });

  it('scratch, distroless, alpine, debian slim', () => {
    expect(at('FROM scratch\n', 0, 6)).toBe(
      '**Base image:** `scratch`\n\n- Go toolchain: no\n- libc: none (a cgo binary does not start here: build with `CGO_ENABLED=0`)\n- `/bin/sh`: absent (shell-form `RUN`/`CMD` cannot run; use exec form)\n- Size: 0 B (empty)',
    );
    expect(at('FROM gcr.io/distroless/static-debian12:nonroot\n', 0, 6)).toContain('- Size: ~2 MB (approx.)');
    expect(at('FROM gcr.io/distroless/base-debian12\n', 0, 6)).toContain('- libc: glibc\n- `/bin/sh`: absent (shell-form `RUN`/`CMD` cannot run; use exec form)\n- Size: ~20 MB (approx.)');
    expect(at('FROM alpine:3.20\n', 0, 6)).toBe('**Base image:** `alpine:3.20`\n\n- Go toolchain: no\n- libc: musl\n- `/bin/sh`: present\n- Size: ~8 MB (approx.)');
    expect(at('FROM debian:bookworm-slim\n', 0, 6)).toBe('**Base image:** `debian:bookworm-slim`\n\n- Go toolchain: no\n- libc: glibc\n- `/bin/sh`: present\n- Size: ~75 MB (approx.)');
    expect(at('FROM example.com/thing:1\n', 0, 6)).toBe('**Base image:** `example.com/thing:1`\n\n- Go toolchain: not known from the reference\n- libc: unknown\n- `/bin/sh`: unknown\n- Size: unknown');
    expect(at(`FROM alpine:3.20@${D}\n`, 0, 6)).toContain(`- Pinned: \`${D}\``);
  });

  it('Windows bases, in a file with the backtick escape', () => {
    const t = '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nRUN go build -o C:\\app.exe .\nFROM `\n  mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\app.exe C:\\app.exe\n';
    expect(at(t, 1, 10)).toBe(
      [
        '**Base image:** `golang:1.22-windowsservercore-ltsc2022`',
        '',
        '- Go toolchain: yes, Go 1.22',
        '- libc: unknown',
        '- `/bin/sh`: none (Windows: `cmd` or PowerShell)',
        '- Windows release: ltsc2022 (10.0.20348)',
        '- Size: ~5 GB plus the Go toolchain (approx.)',
      ].join('\n'),
    );
    expect(at(t, 3, 5)).toBeUndefined(); // the escape character before the continuation
    expect(at(t, 4, 10)).toBe(
      [
        '**Base image:** `mcr.microsoft.com/windows/nanoserver:ltsc2022`',
        '',
        '- Go toolchain: no',
        '- libc: unknown',
        '- `/bin/sh`: none (Windows: `cmd` or PowerShell)',
        '- Windows release: ltsc2022 (10.0.20348)',
        '- Size: a few hundred MB',
      ].join('\n'),
    );
    expect(at('FROM mcr.microsoft.com/windows/servercore:1809\n', 0, 8)).toContain('- Windows release: ltsc2019 (10.0.17763)\n- Size: ~5 GB');
  });

  it('a stage built on an earlier stage, and an unresolvable ARG', () => {
    const t = 'FROM golang:1.22-alpine AS build\nRUN go build -o /app .\nFROM build AS test\n';
    expect(at(t, 2, 6)).toBe(
      [
        '**Base:** stage `build` (line 1), built on `golang:1.22-alpine`',
        '',
        '- Go toolchain: yes, Go 1.22',
        '- libc: musl',
        '- `/bin/sh`: present',
        '- Size: ~250 MB (approx.)',
      ].join('\n'),
    );
    expect(at('ARG BASE\nFROM ${BASE}\n', 1, 6)).toBe('**Base image:** `${BASE}` cannot be resolved: `ARG BASE` has no default\n\nIts value is only known at build time (`--build-arg`).');
  });

  it('sizes table', () => {
    const s = (r: string) => approximateSize(parseImageRef(r), baseFacts(parseImageRef(r)));
    expect(s('golang:1.22')).toEqual({ text: '~800 MB–1 GB', cited: true });
    expect(s('golang:1.22-alpine')).toEqual({ text: '~250 MB', cited: false });
    expect(s('mcr.microsoft.com/windows/servercore:ltsc2022')).toEqual({ text: '~5 GB', cited: true });
    expect(s('node:20-alpine')).toBeUndefined();
    expect(s('gcr.io/distroless/cc-debian12')).toBeUndefined();
  });

  it('local image facts from Docker', () => {
    expect(
      describeLocalImage(
        { Id: 'sha256:' + 'f'.repeat(64), RepoTags: ['alpine:3.20'], RepoDigests: [`alpine@${D}`], Size: 7_800_000, Os: 'linux', Architecture: 'arm64', Variant: 'v8', Created: '2024-06-01T00:00:00Z' },
        `alpine@${D}`,
      ),
    ).toBe(
      [
        '**Local image** (Docker):',
        '',
        '- Size: 7.8 MB (7800000 bytes, uncompressed)',
        `- Digest: \`${D}\``,
        `- Image ID: \`sha256:${'f'.repeat(64)}\``,
        '- Platform: linux/arm64/v8',
        '- Created: 2024-06-01T00:00:00Z',
      ].join('\n'),
    );
    expect(describeLocalImage({ Id: 'sha256:1', RepoTags: [], RepoDigests: [], Size: 512, Os: '', Architecture: '', Created: '' }, undefined)).toBe(
      '**Local image** (Docker):\n\n- Size: 512 B (512 bytes, uncompressed)\n- Digest: none (built or tagged locally, never pushed or pulled)\n- Image ID: `sha256:1`',
    );
  });
});
