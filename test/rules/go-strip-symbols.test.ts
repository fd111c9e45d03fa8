import { describe, expect, it } from 'vitest';
import { buildDockerfileModel } from '../../server/src/engine/dockerfile/model';
import { shippedGoBuilds } from '../../server/src/engine/dockerfile/gobuild';
import { goStripSymbols, readLdflags, expandShell, UNKNOWN_PART } from '../../server/src/engine/rules/go-strip-symbols';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ruleTester } from '../helpers/ruleTester';

// builder + scratch final, with the build line given
const ms = (run: string, from = 'golang:1.22') => `FROM ${from} AS build\nWORKDIR /src\nCOPY . .\n${run}\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n`;

ruleTester(goStripSymbols, {
  valid: [
    { name: 'already -s -w', code: ms('RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /app .') },
    { name: 'single-quoted with -X', code: ms("RUN go build -ldflags '-s -w -X main.v=1' -o /app .") },
    { name: '-s alone on Go 1.22 (implies -w)', code: ms('RUN go build -ldflags=-s -o /app .') },
    { name: '-s alone, builder version unknown', code: ms('RUN go build -ldflags=-s -o /app .', 'golang:alpine') },
    {
      name: '-s alone, go.mod says 1.21 but the builder is 1.23 (the linker is 1.23)',
      code: ms('RUN go build -ldflags=-s -o /app .', 'golang:1.23'),
      files: { 'go.mod': 'module example.com/x\n\ngo 1.21\n' },
    },
    {
      name: '-s alone, builder 1.21 but go.mod needs 1.22 (the toolchain is at least 1.22)',
      code: ms('RUN go build -ldflags=-s -o /app .', 'golang:1.21'),
      files: { 'go.mod': 'module example.com/x\n\ngo 1.22.3\n' },
    },
    {
      name: '-s alone, builder 1.21 with GOTOOLCHAIN switching',
      code: ms('ENV GOTOOLCHAIN=go1.23.0\nRUN go build -ldflags=-s -o /app .', 'golang:1.21'),
    },
    { name: '-s=true -w', code: ms('RUN go build -ldflags="-s=true -w" -o /app .', 'golang:1.20') },
    { name: 'pattern all=', code: ms('RUN go build -ldflags="all=-s -w" -o /app .') },
    { name: 'later -ldflags wins and has -s -w', code: ms('RUN go build -ldflags "-X a=b" -ldflags "-s -w" -o /app .') },
    {
      name: 'build stage not shipped (tools, tests)',
      code:
        'FROM golang:1.22 AS tools\nRUN go build -o /tmp/gen ./tools/gen\nFROM golang:1.22 AS build\nRUN go build -ldflags="-s -w" -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'a tool built without -o elsewhere is not what the final stage copies (gobuild.ts fix)',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build ./tools/gen && ./gen\nRUN go build -ldflags="-s -w" -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    { name: 'go install of a tool', code: 'FROM golang:1.22\nRUN go install golang.org/x/tools/cmd/goimports@latest\n' },
    { name: 'go vet and go test -c', code: 'FROM golang:1.22\nRUN go vet ./... && go test -c -o /tmp/x.test ./pkg\n' },
    { name: 'go build ./... only checks', code: 'FROM golang:1.22\nRUN go build ./...\n' },
    { name: 'output to /dev/null', code: 'FROM golang:1.22\nRUN go build -o /dev/null .\n' },
    { name: 'ldflags from an ARG default', code: ms('ARG LDFLAGS="-s -w"\nRUN go build -ldflags "$LDFLAGS" -o /app .') },
    { name: 'ldflags from ENV', code: ms('ENV LDFLAGS="-s -w -X main.v=1"\nRUN go build -ldflags="${LDFLAGS}" -o /app .') },
    { name: 'ldflags exported earlier in the script', code: ms('RUN export LDFLAGS="-s -w" && go build -ldflags "$LDFLAGS" -o /app .') },
    { name: 'ldflags from a build arg without default (unknown)', code: ms('ARG LDFLAGS\nRUN go build -ldflags "$LDFLAGS" -o /app .') },
    { name: 'unknown part could carry -s', code: ms('ARG EXTRA\nRUN go build -ldflags "${EXTRA} -X main.v=1" -o /app .') },
    { name: 'ldflags from a command substitution', code: ms('RUN go build -ldflags "$(cat ldflags.txt)" -o /app .') },
    { name: 'debug build for delve', code: ms('RUN go build -gcflags="all=-N -l" -o /app .') },
    { name: 'gcflags from skaffold (may be a debug build)', code: ms('ARG SKAFFOLD_GO_GCFLAGS\nRUN go build -gcflags="${SKAFFOLD_GO_GCFLAGS}" -o /app .') },
    { name: 'GOFLAGS carries -ldflags', code: ms('ENV GOFLAGS="-ldflags=-s"\nRUN go build -o /app .') },
    { name: 'flags hidden in a variable', code: ms('ARG BUILD_FLAGS\nRUN go build $BUILD_FLAGS -o /app .') },
    { name: 'package pattern other than all', code: ms('RUN go build -ldflags="./cmd/app=-X a=b" -o /app ./cmd/app') },
    { name: 'exec form is not read', code: ms('RUN ["go", "build", "-o", "/app", "."]') },
    { name: 'make builds it (not visible)', code: ms('RUN make build') },
    { name: 'pragma', code: ms('# container-tuner ignore=go-strip-symbols\nRUN go build -o /app .') },
    {
      name: 'Windows build already stripped',
      code: 'FROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\\\src\nRUN go build -ldflags="-s -w" -o C:\\\\out\\\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\\\out\\\\app.exe C:\\\\app.exe\n',
    },
  ],
  invalid: [
    {
      name: 'no -ldflags',
      code: ms('RUN CGO_ENABLED=0 go build -o /app .'),
      findings: [{ line: 4, text: 'go build', severity: 'warning', message: '20–30 %' }],
      output: ms('RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /app .'),
    },
    {
      name: 'double-quoted -X kept',
      code: ms('RUN go build -ldflags="-X main.version=1.2.3" -o /app .'),
      findings: [{ line: 4, text: '-ldflags="-X main.version=1.2.3"', message: 'no `-s`' }],
      output: ms('RUN go build -ldflags="-s -w -X main.version=1.2.3" -o /app .'),
    },
    {
      name: 'single-quoted separate value',
      code: ms("RUN go build -ldflags '-X a=b' -o /app ."),
      findings: [{ line: 4, text: '-ldflags' }],
      output: ms("RUN go build -ldflags '-s -w -X a=b' -o /app ."),
    },
    {
      name: 'unquoted value gets quotes',
      code: ms('RUN go build -ldflags=-X=main.v=1 -o /app .'),
      findings: [{ line: 4, text: '-ldflags=-X=main.v=1' }],
      output: ms('RUN go build -ldflags="-s -w -X=main.v=1" -o /app .'),
    },
    {
      name: 'unquoted separate value gets quotes',
      code: ms('RUN go build -ldflags -X=main.v=1 -o /app .'),
      findings: [{ line: 4, text: '-ldflags' }],
      output: ms('RUN go build -ldflags "-s -w -X=main.v=1" -o /app .'),
    },
    {
      name: 'whole flag quoted',
      code: ms('RUN go build "-ldflags=-X a=b" -o /app .'),
      findings: [{ line: 4, text: '"-ldflags=-X a=b"' }],
      output: ms('RUN go build "-ldflags=-s -w -X a=b" -o /app .'),
    },
    {
      name: 'empty -ldflags=""',
      code: ms('RUN go build -ldflags="" -o /app .'),
      findings: [{ line: 4, text: '-ldflags=""' }],
      output: ms('RUN go build -ldflags="-s -w" -o /app .'),
    },
    {
      name: "empty separate -ldflags ''",
      code: ms("RUN go build -ldflags '' -o /app ."),
      findings: [{ line: 4, text: '-ldflags' }],
      output: ms('RUN go build -ldflags "-s -w" -o /app .'),
    },
    {
      name: '-s without -w on Go 1.21',
      code: ms('RUN go build -ldflags="-s -X a=b" -o /app .', 'golang:1.21-bookworm'),
      findings: [{ line: 4, text: '-ldflags="-s -X a=b"', message: 'Go 1.21' }],
      output: ms('RUN go build -ldflags="-s -w -X a=b" -o /app .', 'golang:1.21-bookworm'),
    },
    {
      name: 'unquoted -s on Go 1.20, go.mod 1.20',
      code: ms('RUN go build -ldflags=-s -o /app .', 'golang:1.20'),
      files: { 'go.mod': 'module example.com/x\n\ngo 1.20\n' },
      findings: [{ line: 4, text: '-ldflags=-s', message: 'before Go 1.22' }],
      output: ms('RUN go build -ldflags="-s -w" -o /app .', 'golang:1.20'),
    },
    {
      name: '-w=0 undoes it',
      code: ms('RUN go build -ldflags="-s -w=0" -o /app .'),
      findings: [{ line: 4, text: '-ldflags="-s -w=0"', message: '-w=0' }],
      output: ms('RUN go build -ldflags="-s -w" -o /app .'),
    },
    {
      name: '-w=false with -s, version unknown',
      code: ms("RUN go build -ldflags '-w=false -s' -o /app .", 'golang'),
      findings: [{ line: 4, text: '-ldflags' }],
      output: ms("RUN go build -ldflags '-w -s' -o /app .", 'golang'),
    },
    {
      name: '-w=0 and no -s',
      code: ms('RUN go build -ldflags="-w=0 -X a=b" -o /app .'),
      findings: [{ line: 4 }],
      output: ms('RUN go build -ldflags="-s -w -X a=b" -o /app .'),
      fixes: [{ title: 'Add -s and replace -w=0 with -w', output: ms('RUN go build -ldflags="-s -w -X a=b" -o /app .') }],
    },
    {
      name: '-w without -s',
      code: ms('RUN go build -ldflags "-w -X a=b" -o /app .'),
      findings: [{ line: 4, message: 'has `-w` but no `-s`' }],
      output: ms('RUN go build -ldflags "-s -w -X a=b" -o /app .'),
      fixes: [{ title: 'Add -s to -ldflags', output: ms('RUN go build -ldflags "-s -w -X a=b" -o /app .') }],
    },
    {
      name: 'unquoted -w without -s',
      code: ms('RUN go build -ldflags=-w -o /app .'),
      findings: [{ line: 4, text: '-ldflags=-w' }],
      output: ms('RUN go build -ldflags="-s -w" -o /app .'),
    },
    {
      name: '-s given to the external linker does not count',
      code: ms('RUN go build -ldflags "-extldflags -s" -o /app .'),
      findings: [{ line: 4 }],
      output: ms('RUN go build -ldflags "-s -w -extldflags -s" -o /app .'),
    },
    {
      name: 'pattern all= kept',
      code: ms('RUN go build -ldflags="all=-X a=b" -o /app .'),
      findings: [{ line: 4 }],
      output: ms('RUN go build -ldflags="all=-s -w -X a=b" -o /app .'),
    },
    {
      name: 'the last -ldflags is the one in effect and the one edited',
      code: ms('RUN go build -ldflags "-s -w" -ldflags "-X a=b" -o /app .'),
      findings: [{ line: 4, text: '-ldflags' }],
      output: ms('RUN go build -ldflags "-s -w" -ldflags "-s -w -X a=b" -o /app .'),
    },
    {
      name: 'unresolved build arg inside -X: reported, fix not preferred',
      code: ms('ARG VERSION\nRUN go build -ldflags "-X main.version=${VERSION}" -o /app .'),
      findings: [{ line: 5, text: '-ldflags' }],
      output: null,
      fixes: [
        { title: 'Add -s -w to -ldflags', output: ms('ARG VERSION\nRUN go build -ldflags "-s -w -X main.version=${VERSION}" -o /app .') },
      ],
    },
    {
      name: 'build arg with a default inside -X: preferred',
      code: ms('ARG VERSION=dev\nRUN go build -ldflags "-X main.version=${VERSION}" -o /app .'),
      findings: [{ line: 5 }],
      output: ms('ARG VERSION=dev\nRUN go build -ldflags "-s -w -X main.version=${VERSION}" -o /app .'),
    },
    {
      name: 'ldflags variable resolved from ARG default without -s',
      code: ms('ARG LDFLAGS="-X main.v=1"\nRUN go build -ldflags "$LDFLAGS" -o /app .'),
      findings: [{ line: 5, text: '-ldflags' }],
      output: ms('ARG LDFLAGS="-X main.v=1"\nRUN go build -ldflags "-s -w $LDFLAGS" -o /app .'),
    },
    {
      name: 'continuation lines',
      code: ms('RUN CGO_ENABLED=0 \\\n    go build \\\n      -ldflags "-X main.v=1" \\\n      -o /app .'),
      findings: [{ line: 6, text: '-ldflags' }],
      output: ms('RUN CGO_ENABLED=0 \\\n    go build \\\n      -ldflags "-s -w -X main.v=1" \\\n      -o /app .'),
    },
    {
      name: 'continuation inside the quoted value',
      code: ms('RUN go build -ldflags "\\\n    -X main.v=1" -o /app .'),
      findings: [{ line: 4, text: '-ldflags' }],
      output: ms('RUN go build -ldflags "\\\n    -s -w -X main.v=1" -o /app .'),
    },
    {
      name: 'no -ldflags, go build on a continuation line',
      code: ms('RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build \\\n    -o /app .'),
      findings: [{ line: 5, text: 'go build' }],
      output: ms('RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build -ldflags="-s -w" \\\n    -o /app .'),
    },
    {
      name: 'two builds in one RUN, both shipped',
      code: 'FROM golang:1.22 AS build\nRUN go build -o /out/api ./cmd/api && go build -ldflags "-X a=b" -o /out/worker ./cmd/worker\nFROM scratch\nCOPY --from=build /out/ /bin/\n',
      findings: [{ line: 2, text: 'go build' }, { line: 2, text: '-ldflags' }],
      output: 'FROM golang:1.22 AS build\nRUN go build -ldflags="-s -w" -o /out/api ./cmd/api && go build -ldflags "-s -w -X a=b" -o /out/worker ./cmd/worker\nFROM scratch\nCOPY --from=build /out/ /bin/\n',
    },
    {
      name: 'heredoc RUN',
      code: ms('RUN <<EOF\nset -e\ngo build -ldflags "-X a=b" -o /app .\nEOF'),
      findings: [{ line: 6, text: '-ldflags' }],
      output: ms('RUN <<EOF\nset -e\ngo build -ldflags "-s -w -X a=b" -o /app .\nEOF'),
    },
    {
      name: 'no -o: the binary lands in the working directory, which the final stage copies from',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -ldflags "-X a=b" ./cmd/server\nFROM scratch\nCOPY --from=build /src/server /server\n',
      findings: [{ line: 3, text: '-ldflags' }],
      output: 'FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -ldflags "-s -w -X a=b" ./cmd/server\nFROM scratch\nCOPY --from=build /src/server /server\n',
    },
    {
      name: 'no -o, working directory through a variable: may be what is copied',
      code: 'FROM golang:1.22 AS build\nWORKDIR ${GOPATH}/src/app\nRUN go build ./cmd/tool\nFROM alpine:3.20\nCOPY --from=build /go/src/app/tool /usr/local/bin/tool\n',
      findings: [{ line: 3, text: 'go build' }],
      output: 'FROM golang:1.22 AS build\nWORKDIR ${GOPATH}/src/app\nRUN go build -ldflags="-s -w" ./cmd/tool\nFROM alpine:3.20\nCOPY --from=build /go/src/app/tool /usr/local/bin/tool\n',
    },
    {
      name: 'single-stage image (the final stage builds it)',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app"]\n',
      findings: [{ line: 4, text: 'go build' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -ldflags="-s -w" -o /usr/local/bin/app .\nCMD ["app"]\n',
    },
    {
      name: 'through an intermediate stage',
      code: 'FROM golang:1.22 AS build\nRUN go build -o /bin/app .\nFROM alpine:3.20 AS stage\nCOPY --from=build /bin/app /opt/app\nFROM scratch\nCOPY --from=stage /opt/app /app\n',
      findings: [{ line: 2, text: 'go build' }],
      output: 'FROM golang:1.22 AS build\nRUN go build -ldflags="-s -w" -o /bin/app .\nFROM alpine:3.20 AS stage\nCOPY --from=build /bin/app /opt/app\nFROM scratch\nCOPY --from=stage /opt/app /app\n',
    },
    {
      name: 'ARG-driven FROM ${GO_IMAGE}: version from the resolved tag',
      code: 'ARG GO_IMAGE=golang:1.21\nFROM ${GO_IMAGE} AS build\nRUN go build -ldflags=-s -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
      findings: [{ line: 3, message: 'Go 1.21' }],
      output: 'ARG GO_IMAGE=golang:1.21\nFROM ${GO_IMAGE} AS build\nRUN go build -ldflags="-s -w" -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'escape=` Windows build (and Windows paths followed to the final stage)',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nRUN go build `\n    -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 4, text: 'go build' }],
      output: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nRUN go build -ldflags="-s -w" `\n    -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
    },
    {
      name: 'Windows build, default escape, doubled backslashes, relative -o',
      code: 'FROM golang:1.12-windowsservercore AS builder\nWORKDIR C:\\\\app\nRUN go build -ldflags "-X main.v=1" -o bin\\\\server.exe .\nFROM mcr.microsoft.com/windows/nanoserver:1809\nCOPY --from=builder C:\\\\app\\\\bin\\\\server.exe C:\\\\server.exe\n',
      findings: [{ line: 3, text: '-ldflags' }],
      output: 'FROM golang:1.12-windowsservercore AS builder\nWORKDIR C:\\\\app\nRUN go build -ldflags "-s -w -X main.v=1" -o bin\\\\server.exe .\nFROM mcr.microsoft.com/windows/nanoserver:1809\nCOPY --from=builder C:\\\\app\\\\bin\\\\server.exe C:\\\\server.exe\n',
    },
    {
      name: 'config can lower the severity',
      code: ms('RUN go build -o /app .'),
      config: { rules: { 'go-strip-symbols': 'info' } },
      findings: [{ line: 4, severity: 'info' }],
      output: ms('RUN go build -ldflags="-s -w" -o /app .'),
    },
    // fuzz regressions (fuzz/failures): a half-typed quote or expansion is not edited in place (the rule threw)
    {
      name: 'unterminated quote after -ldflags: reported, no fix, no crash',
      code: ms('RUN env CGO_ENABLED=0 go build -o /app -trimpath -ldflags "'),
      findings: [{ line: 4 }],
      output: null,
    },
    {
      name: 'unterminated quote inside the -ldflags value: no fix',
      code: ms('RUN go build -o /app -ldflags "-X main.v=1 .'),
      findings: [{ line: 4 }],
      output: null,
    },
    {
      name: 'unterminated $( in the -ldflags value: no fix',
      code: ms('RUN go build -o /app -ldflags=-X=main.v=$(git describe .'),
      findings: [{ line: 4 }],
      output: null,
    },
  ],
});

describe('go-strip-symbols helpers', () => {
  it('reads -s/-w the way the linker does', () => {
    expect(readLdflags('-s -w')).toMatchObject({ s: true, w: true, opaque: false });
    expect(readLdflags('-X main.v=1 -s')).toMatchObject({ s: true, w: undefined });
    expect(readLdflags('-s -w=0')).toMatchObject({ s: true, w: false });
    expect(readLdflags('-extldflags -s')).toMatchObject({ s: false });
    expect(readLdflags('-extldflags "-static -lm"')).toMatchObject({ extStatic: true });
    expect(readLdflags("-linkmode external -extldflags '-static'")).toMatchObject({ extStatic: true });
    expect(readLdflags('-extldflags=-static')).toMatchObject({ extStatic: true });
    expect(readLdflags(`${UNKNOWN_PART} -X a=b`)).toMatchObject({ opaque: true });
    expect(readLdflags(`-X main.v=${UNKNOWN_PART}`)).toMatchObject({ opaque: false });
    expect(readLdflags('./cmd=-s')).toBeUndefined();
  });
  it('expands what it knows and marks the rest', () => {
    const vars: Record<string, string | undefined | null> = { A: 'x', E: '', N: null };
    const look = (n: string) => (n in vars ? vars[n] : undefined);
    expect(expandShell('$A-${A}-${E:-d}-${U-u}-${A:+p}', look)).toBe('x-x-d-u-p');
    expect(expandShell('$N $(date) `id` ${A%x}', look)).toBe(`${UNKNOWN_PART} ${UNKNOWN_PART} ${UNKNOWN_PART} ${UNKNOWN_PART}`);
  });
  it('shippedGoBuilds: a build without -o ships only if the copy reaches its working directory (gobuild.ts fix)', () => {
    const text = 'FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build ./tools/gen\nRUN cd /work && go build .\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --from=build /work/ /work/\n';
    const model = buildDockerfileModel(text, '/proj/Dockerfile', new MemoryWorkspace({ '/proj/Dockerfile': text }));
    const shipped = shippedGoBuilds(model).map((s) => s.build.cmd.instr.line + 1);
    expect(shipped.sort()).toEqual([4, 5]);
  });
  it('shippedGoBuilds follows Windows paths (gobuild.ts fix)', () => {
    const text = 'FROM golang:1.22-nanoserver-ltsc2022 AS build\nWORKDIR C:\\\\src\nRUN go build -o out\\\\app.exe .\nRUN go build -o C:\\\\tools\\\\gen.exe ./gen\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\\\src\\\\out\\\\app.exe C:\\\\app.exe\n';
    const model = buildDockerfileModel(text, '/proj/Dockerfile', new MemoryWorkspace({ '/proj/Dockerfile': text }));
    const shipped = shippedGoBuilds(model).map((s) => s.build.output);
    expect(shipped).toEqual(['/src/out/app.exe']);
  });
});
