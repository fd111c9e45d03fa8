import { describe, expect, it } from 'vitest';
import { bumpedVersion, containerPath, goToolchainMismatch, runMounts } from '../../server/src/engine/rules/go-toolchain-mismatch';
import { buildDockerfileModel } from '../../server/src/engine/dockerfile/model';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ruleTester } from '../helpers/ruleTester';

const mod = (go?: string, toolchain?: string) => ({
  'go.mod': `module example.com/app\n\n${go ? `go ${go}\n` : ''}${toolchain ? `\ntoolchain go${toolchain}\n` : ''}\nrequire github.com/go-chi/chi/v5 v5.1.0\n`,
});
const GO123 = mod('1.23');

// builder (the FROM line given) that copies go.mod, downloads, copies the rest and builds; scratch final
const ms = (from: string, extra = '') =>
  `FROM ${from} AS build\nWORKDIR /src\n${extra}COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n`;

ruleTester(goToolchainMismatch, {
  valid: [
    { name: 'same minor', code: ms('golang:1.23'), files: GO123 },
    { name: 'newer builder', code: ms('golang:1.24-alpine'), files: GO123 },
    { name: 'two-part tag is the latest patch of that minor', code: ms('golang:1.23-bookworm'), files: mod('1.23.4') },
    { name: 'exact patch satisfied', code: ms('golang:1.23.4'), files: mod('1.23.2') },
    { name: 'go 1.23 means 1.23.0', code: ms('golang:1.23.0'), files: GO123 },
    { name: 'no go.mod', code: ms('golang:1.21') },
    { name: 'go.mod without a go line', code: ms('golang:1.21'), files: { 'go.mod': 'module example.com/app\n' } },
    { name: 'tag without a version (alpine)', code: ms('golang:alpine'), files: GO123 },
    { name: 'latest', code: ms('golang:latest'), files: GO123 },
    { name: 'major-only tag', code: ms('golang:1'), files: GO123 },
    { name: 'unresolved ARG in the tag', code: 'ARG GO_VERSION\n' + ms('golang:${GO_VERSION}'), files: GO123 },
    {
      name: 'toolchain line newer, GOTOOLCHAIN=local (official image): the toolchain line is ignored',
      code: ms('golang:1.22'),
      files: mod('1.22', '1.23.4'),
    },
    { name: 'GOTOOLCHAIN names a toolchain', code: ms('golang:1.21', 'ENV GOTOOLCHAIN=go1.23.4\n'), files: GO123 },
    { name: 'GOTOOLCHAIN=go1.23.4+auto', code: ms('golang:1.21', 'ENV GOTOOLCHAIN=go1.23.4+auto\n'), files: GO123 },
    { name: 'GOTOOLCHAIN=path', code: ms('golang:1.21', 'ENV GOTOOLCHAIN=path\n'), files: GO123 },
    { name: 'GOTOOLCHAIN from a build arg without default', code: ms('golang:1.21', 'ARG GOTOOLCHAIN\n'), files: GO123 },
    {
      name: 'go.mod never copied into the stage (tools stage)',
      code: 'FROM golang:1.21 AS tools\nRUN go install golang.org/x/tools/cmd/goimports@latest\nRUN go build -o /x std\nFROM scratch\nCOPY --from=tools /go/bin/goimports /goimports\n',
      files: GO123,
    },
    {
      name: 'go install pkg@version ignores the local go.mod',
      code: 'FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN go install github.com/air-verse/air@v1.52.0\n',
      files: GO123,
    },
    { name: 'go version only', code: 'FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN go version && go env\n', files: GO123 },
    {
      name: 'a sub-module with its own go.mod (cd into it)',
      code: 'FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN cd tools && go build -o /bin/gen .\n',
      files: { ...GO123, 'tools/go.mod': 'module example.com/app/tools\n\ngo 1.21\n' },
    },
    {
      name: 'builds in a directory the context does not reach',
      code: 'FROM golang:1.21\nWORKDIR /src\nCOPY . .\nWORKDIR /other\nRUN go mod init x && go build .\n',
      files: GO123,
    },
    { name: 'copy path from a variable', code: 'FROM golang:1.21\nARG SRC=.\nWORKDIR /src\nCOPY ${SRC} .\nRUN go build -o /app .\n', files: GO123 },
    { name: 'older Go, go line satisfied', code: ms('golang:1.20'), files: mod('1.20') },
    { name: 'pragma', code: '# container-tuner ignore=go-toolchain-mismatch\n' + ms('golang:1.21'), files: GO123 },
    {
      name: 'not a golang image',
      code: 'FROM alpine:3.20\nRUN apk add --no-cache go\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      files: GO123,
    },
  ],
  invalid: [
    {
      name: 'official image older than the go line: error with the exact go error',
      code: ms('golang:1.21'),
      files: GO123,
      findings: [
        {
          line: 1,
          text: '1.21',
          severity: 'error',
          message: 'go: go.mod requires go >= 1.23 (running go 1.21.x; GOTOOLCHAIN=local)',
        },
      ],
      output: ms('golang:1.23'),
    },
    {
      name: 'variant suffix kept (alpine3.20)',
      code: ms('golang:1.21-alpine3.20'),
      files: GO123,
      findings: [{ line: 1, text: '1.21-alpine3.20', severity: 'error' }],
      output: ms('golang:1.23-alpine3.20'),
    },
    {
      name: 'three-part tag becomes the exact version',
      code: ms('golang:1.21.5-bookworm'),
      files: mod('1.23.2'),
      findings: [{ line: 1, text: '1.21.5-bookworm', message: 'running go 1.21.5; GOTOOLCHAIN=local' }],
      output: ms('golang:1.23.2-bookworm'),
    },
    {
      name: 'three-part tag, two-part go line: .0',
      code: ms('golang:1.22.7'),
      files: GO123,
      findings: [{ line: 1, text: '1.22.7' }],
      output: ms('golang:1.23.0'),
    },
    {
      name: 'patch too old on a three-part tag',
      code: ms('golang:1.23.1'),
      files: mod('1.23.4'),
      findings: [{ line: 1, text: '1.23.1', message: 'requires go >= 1.23.4 (running go 1.23.1' }],
      output: ms('golang:1.23.4'),
    },
    {
      name: 'fix writes max(go, toolchain)',
      code: ms('golang:1.21'),
      files: mod('1.22', '1.23.4'),
      findings: [{ line: 1, text: '1.21', message: 'requires go >= 1.22 (' }],
      output: ms('golang:1.23'),
    },
    {
      name: 'GOTOOLCHAIN=auto set: a download, warning, toolchain line counts',
      code: ms('golang:1.22', 'ENV GOTOOLCHAIN=auto\n'),
      files: mod('1.22', '1.23.4'),
      findings: [{ line: 1, text: '1.22', severity: 'warning', message: 'golang.org/toolchain@v0.0.1-go1.23.4.<os>-<arch>' }],
      output: ms('golang:1.23', 'ENV GOTOOLCHAIN=auto\n'),
    },
    {
      name: 'GOTOOLCHAIN=local set explicitly on a non-official image: error',
      code: ms('ghcr.io/acme/golang:1.21', 'ENV GOTOOLCHAIN=local\n'),
      files: GO123,
      findings: [{ line: 1, text: '1.21', severity: 'error', message: 'the Dockerfile sets `GOTOOLCHAIN=local`' }],
      output: ms('ghcr.io/acme/golang:1.23', 'ENV GOTOOLCHAIN=local\n'),
    },
    {
      name: 'GOTOOLCHAIN=auto on the command only',
      code: 'FROM golang:1.21 AS build\nWORKDIR /src\nCOPY . .\nRUN GOTOOLCHAIN=auto go build -o /app .\n',
      files: GO123,
      findings: [{ line: 1, text: '1.21', severity: 'warning', message: 'go1.23.0' }],
      output: 'FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN GOTOOLCHAIN=auto go build -o /app .\n',
    },
    {
      name: 'a private golang image (GOTOOLCHAIN unknown): warning with a hedge',
      code: ms('registry.example.com/base/golang:1.21'),
      files: GO123,
      findings: [{ line: 1, severity: 'warning', message: 'if this image sets `GOTOOLCHAIN=local`' }],
      output: ms('registry.example.com/base/golang:1.23'),
    },
    {
      name: 'mirror of the official image counts as official',
      code: ms('public.ecr.aws/docker/library/golang:1.21-alpine'),
      files: GO123,
      findings: [{ line: 1, text: '1.21-alpine', severity: 'error' }],
      output: ms('public.ecr.aws/docker/library/golang:1.23-alpine'),
    },
    {
      name: 'Windows image (no GOTOOLCHAIN=local): warning, suffix kept',
      code:
        '# escape=`\nFROM golang:1.21-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      files: GO123,
      findings: [{ line: 2, text: '1.21-windowsservercore-ltsc2022', severity: 'warning', message: 'GOTOOLCHAIN=auto' }],
      output:
        '# escape=`\nFROM golang:1.23-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
    },
    {
      name: 'FROM --platform=windows/amd64 (the Windows variant sets no GOTOOLCHAIN): warning',
      code: ms('--platform=windows/amd64 golang:1.21'),
      files: GO123,
      findings: [{ line: 1, text: '1.21', severity: 'warning', message: 'GOTOOLCHAIN=auto' }],
      output: ms('--platform=windows/amd64 golang:1.23'),
    },
    {
      name: 'SHELL powershell marks a Windows build: warning',
      code: 'FROM golang:1.21 AS build\nSHELL ["powershell", "-Command"]\nWORKDIR C:/src\nCOPY . .\nRUN go build -o C:/app.exe .\n',
      files: GO123,
      findings: [{ line: 1, text: '1.21', severity: 'warning' }],
      output: 'FROM golang:1.23 AS build\nSHELL ["powershell", "-Command"]\nWORKDIR C:/src\nCOPY . .\nRUN go build -o C:/app.exe .\n',
    },
    {
      name: 'retired Windows release in the tag: fix offered, not preferred',
      code: '# escape=`\nFROM golang:1.21-nanoserver-1809 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\app.exe .\n',
      files: GO123,
      findings: [{ line: 2, text: '1.21-nanoserver-1809', severity: 'warning', message: 'ltsc2022 and ltsc2025 only, not ltsc2019' }],
      output: null,
      fixes: [
        {
          title: 'Use the Go 1.23 image',
          output: '# escape=`\nFROM golang:1.23-nanoserver-1809 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\app.exe .\n',
        },
      ],
    },
    {
      name: 'version from a global ARG default: the default is edited',
      code: 'ARG GO_VERSION=1.21\n' + ms('golang:${GO_VERSION}-alpine'),
      files: GO123,
      findings: [{ line: 2, text: '${GO_VERSION}-alpine', severity: 'error', message: '`golang:1.21-alpine` runs Go 1.21' }],
      output: 'ARG GO_VERSION=1.23\n' + ms('golang:${GO_VERSION}-alpine'),
      fixes: [{ title: 'Change the ARG default to Go 1.23', output: 'ARG GO_VERSION=1.23\n' + ms('golang:${GO_VERSION}-alpine') }],
    },
    {
      name: 'quoted ARG default, two stages from the same ARG: one edit',
      code:
        'ARG GO_VERSION="1.21.3"\nFROM golang:${GO_VERSION} AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n' +
        'FROM golang:${GO_VERSION} AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
      files: mod('1.22.1'),
      findings: [
        { line: 2, text: '${GO_VERSION}', severity: 'error' },
        { line: 6, text: '${GO_VERSION}', severity: 'error' },
      ],
      output:
        'ARG GO_VERSION="1.22.1"\nFROM golang:${GO_VERSION} AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n' +
        'FROM golang:${GO_VERSION} AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'whole image from an ARG',
      code: 'ARG BUILDER=golang:1.21-bookworm\n' + ms('${BUILDER}'),
      files: GO123,
      findings: [{ line: 2, text: '${BUILDER}' }],
      output: 'ARG BUILDER=golang:1.23-bookworm\n' + ms('${BUILDER}'),
    },
    {
      name: '${VAR:-default} in the FROM itself',
      code: ms('golang:${GO_VERSION:-1.21}-alpine'),
      files: GO123,
      findings: [{ line: 1, text: '${GO_VERSION:-1.21}-alpine' }],
      output: ms('golang:${GO_VERSION:-1.23}-alpine'),
    },
    {
      name: 'digest-pinned: no fix, message says tag and digest together',
      code: ms('golang:1.21@sha256:' + 'a'.repeat(64)),
      files: GO123,
      findings: [{ line: 1, text: '1.21', message: 'change the tag and the digest together' }],
      output: null,
    },
    {
      name: 'FROM --platform and AS, build in a child stage: reported on the root FROM once',
      code:
        'FROM --platform=$BUILDPLATFORM golang:1.21 AS base\nWORKDIR /src\nCOPY go.* ./\nRUN go mod download\n' +
        'FROM base AS build\nCOPY . .\nRUN go build -o /app .\nFROM base AS test\nRUN go test ./...\nFROM scratch\nCOPY --from=1 /app /app\n',
      files: GO123,
      findings: [{ line: 1, text: '1.21' }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.23 AS base\nWORKDIR /src\nCOPY go.* ./\nRUN go mod download\n' +
        'FROM base AS build\nCOPY . .\nRUN go build -o /app .\nFROM base AS test\nRUN go test ./...\nFROM scratch\nCOPY --from=1 /app /app\n',
    },
    {
      name: 'COPY --link --chown of the context',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY --link --chown=1000:1000 . .\nRUN go build -o /app ./cmd/app\n',
      files: GO123,
      findings: [{ line: 1, text: '1.22' }],
      output: 'FROM golang:1.23 AS build\nWORKDIR /src\nCOPY --link --chown=1000:1000 . .\nRUN go build -o /app ./cmd/app\n',
    },
    {
      name: 'bind mounts of go.mod (Docker guide style) and cd into a package',
      code:
        'FROM golang:1.22\nWORKDIR /src\nRUN --mount=type=bind,source=go.sum,target=go.sum \\\n    --mount=type=bind,source=go.mod,target=go.mod \\\n    go mod download -x\n' +
        'RUN --mount=type=bind,target=. cd cmd/app && go build -o /bin/app .\n',
      files: GO123,
      findings: [{ line: 1, text: '1.22' }],
      output:
        'FROM golang:1.23\nWORKDIR /src\nRUN --mount=type=bind,source=go.sum,target=go.sum \\\n    --mount=type=bind,source=go.mod,target=go.mod \\\n    go mod download -x\n' +
        'RUN --mount=type=bind,target=. cd cmd/app && go build -o /bin/app .\n',
    },
    {
      name: 'heredoc RUN',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF\n',
      files: GO123,
      findings: [{ line: 1, text: '1.22' }],
      output: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF\n',
    },
    {
      name: 'the module is a sub-folder of the context, copied as a directory',
      code: 'FROM golang:1.22\nWORKDIR /work\nCOPY services/api/ ./api/\nRUN cd api && go build -o /app .\n',
      files: { 'services/api/go.mod': 'module example.com/api\n\ngo 1.23.1\n' },
      findings: [{ line: 1, text: '1.22', message: 'services/api/go.mod requires go 1.23.1' }],
      output: 'FROM golang:1.23\nWORKDIR /work\nCOPY services/api/ ./api/\nRUN cd api && go build -o /app .\n',
    },
    {
      name: 'Dockerfile in a sub-folder, go.mod at the module root (the context)',
      path: 'build/Dockerfile',
      code: 'FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/app\n',
      files: GO123,
      findings: [{ line: 1, text: '1.21', message: '../go.mod requires go 1.23' }],
      output: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/app\n',
    },
    {
      name: 'Go before 1.21 (no toolchain switching): warning',
      code: ms('golang:1.20-alpine'),
      files: mod('1.22'),
      findings: [{ line: 1, text: '1.20-alpine', severity: 'warning', message: 'Go before 1.21 cannot switch toolchains' }],
      output: ms('golang:1.22-alpine'),
    },
    {
      name: 'multi-line FROM with continuation',
      code: 'FROM \\\n  golang:1.21 \\\n  AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      files: GO123,
      findings: [{ line: 2, text: '1.21' }],
      output: 'FROM \\\n  golang:1.23 \\\n  AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
    },
    {
      name: 'release candidate in go.mod',
      code: ms('golang:1.23'),
      files: mod('1.24rc1'),
      findings: [{ line: 1, text: '1.23', message: 'requires go >= 1.24rc1' }],
      output: ms('golang:1.24rc1'),
    },
  ],
});

describe('go-toolchain-mismatch helpers', () => {
  it('bumps with the precision written', () => {
    expect(bumpedVersion('1.21', '1.23.2')).toBe('1.23');
    expect(bumpedVersion('1.21.5', '1.23')).toBe('1.23.0');
    expect(bumpedVersion('1.21.5', '1.23.2')).toBe('1.23.2');
    expect(bumpedVersion('1.21', '1.24rc1')).toBe('1.24rc1');
  });
  it('reads mounts and container paths', () => {
    const ws = new MemoryWorkspace({ '/p/Dockerfile': '' });
    const m = buildDockerfileModel('FROM golang:1.22\nRUN --mount=type=cache,dst=/go/pkg/mod,id=x --mount=target=. go build\n', '/p/Dockerfile', ws);
    const mounts = runMounts(m.stages[0].instructions[0]);
    expect(mounts.map((x) => [x.type, x.target])).toEqual([
      ['cache', '/go/pkg/mod'],
      ['bind', '.'],
    ]);
    expect(containerPath('C:\\src', 'bin\\app.exe')).toBe('/src/bin/app.exe');
    expect(containerPath('/src', '../x/')).toBe('/x');
  });
});
