import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixAll, lint } from '../../server/src/engine/lint';
import { goBuildCacheMount } from '../../server/src/engine/rules/go-build-cache-mount';
import { goCrossCompile } from '../../server/src/engine/rules/go-cross-compile';
import { goToolchainMismatch } from '../../server/src/engine/rules/go-toolchain-mismatch';
import { goTrimpath } from '../../server/src/engine/rules/go-trimpath';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ROOT, ruleTester } from '../helpers/ruleTester';

const BP = '--platform=$BUILDPLATFORM ';
const ENV = 'GOOS=$TARGETOS GOARCH=$TARGETARCH ';

// a multi-platform builder (the final stage reads TARGETARCH) with the given lines; distroless final
const ms = (from: string, lines: string, finalLines = 'ARG TARGETARCH\n', afterFrom = '') =>
  `FROM ${from} AS build\n${afterFrom}WORKDIR /src\nCOPY . .\n${lines}\nFROM gcr.io/distroless/static:nonroot\n${finalLines}COPY --from=build /app /app\nENTRYPOINT ["/app"]\n`;
const ARGS = 'ARG TARGETOS TARGETARCH\n';

ruleTester(goCrossCompile, {
  valid: [
    { name: 'already on $BUILDPLATFORM', code: ms(BP + 'golang:1.22', 'ARG TARGETOS TARGETARCH\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .') },
    { name: '${BUILDPLATFORM} spelling', code: ms('--platform=${BUILDPLATFORM} golang:1.22', 'ARG TARGETOS TARGETARCH\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .') },
    {
      name: 'not multi-platform (no TARGET*, no --platform)',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'a literal --platform elsewhere is not multi-platform',
      code: 'FROM --platform=linux/amd64 alpine:3.20 AS certs\nRUN apk add --no-cache ca-certificates\nFROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    { name: 'a platform chosen on purpose', code: ms('--platform=linux/amd64 golang:1.22', 'RUN CGO_ENABLED=0 go build -o /app .') },
    {
      name: 'platform inherited from the parent stage',
      code:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS base\nARG TARGETOS TARGETARCH\nFROM base AS build\nWORKDIR /src\nCOPY . .\nARG TARGETOS TARGETARCH\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    { name: 'stage that does not compile (go mod download only)', code: ms('golang:1.22', 'RUN go mod download\nRUN cp prebuilt/app-$TARGETARCH /app') },
    {
      name: 'single-stage image: the image itself must run on the target',
      code: 'FROM golang:1.22\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n',
    },
    {
      name: 'Windows stages',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nARG TARGETARCH\nRUN go build -o C:\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\app.exe C:\\app.exe\n',
    },
    { name: 'built by make (not visible)', code: ms('golang:1.22', 'ARG TARGETOS TARGETARCH\nRUN make build GOOS=$TARGETOS GOARCH=$TARGETARCH') },
    {
      name: 'only a tool is compiled (go install @version): it must run in the stage',
      code: 'FROM golang:1.22-alpine AS fetch\nARG TARGETARCH\nRUN go install aead.dev/minisign/cmd/minisign@v0.2.1\nRUN wget -O /app https://example.com/app-linux-$TARGETARCH && minisign -Vm /app\nFROM scratch\nCOPY --from=fetch /app /app\n',
    },
    { name: 'Windows platform', code: ms('--platform=windows/amd64 golang:1.22', 'RUN go build -o /app .') },
    { name: 'pragma', code: '# container-tuner ignore=go-cross-compile\n' + ms('golang:1.22', 'RUN CGO_ENABLED=0 go build -o /app .') },
    // fuzz regression (fuzz/failures): the fix added --platform=$BUILDPLATFORM before the bare flag, which
    // (the last one) still said nothing, so the finding came back after every fix
    { name: 'a bare --platform (half-typed): a platform is being chosen', code: ms('--platform golang:1.22', 'RUN CGO_ENABLED=0 go build -o /app .') },
  ],
  invalid: [
    {
      name: 'TARGETARCH used in the final stage, builder compiles natively under emulation',
      code: ms('golang:1.22-alpine', 'RUN CGO_ENABLED=0 go build -o /app .'),
      findings: [{ line: 1, text: 'golang:1.22-alpine', severity: 'info', message: 'QEMU emulation' }],
      output: ms(BP + 'golang:1.22-alpine', `RUN CGO_ENABLED=0 ${ENV}go build -o /app .`, undefined, ARGS),
    },
    {
      name: 'builder already passes GOOS/GOARCH from TARGET* (kubebuilder style): only the flag',
      code: 'ARG BASE_IMAGE=golang:1.22\n' + ms('${BASE_IMAGE}', 'ARG TARGETOS\nARG TARGETARCH\nRUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build -a -o /app main.go', ''),
      findings: [{ line: 2, text: '${BASE_IMAGE}', message: '`ARG TARGETOS` on line 5' }],
      output: 'ARG BASE_IMAGE=golang:1.22\n' + ms(BP + '${BASE_IMAGE}', 'ARG TARGETOS\nARG TARGETARCH\nRUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build -a -o /app main.go', ''),
    },
    {
      name: 'uses $TARGETARCH without declaring it: the ARG is added',
      code: ms('golang:1.22', 'RUN CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /app .', ''),
      findings: [{ line: 1, message: '`$TARGETARCH` on line 4' }],
      output: ms(BP + 'golang:1.22', 'RUN CGO_ENABLED=0 GOARCH=$TARGETARCH GOOS=$TARGETOS go build -o /app .', '', ARGS),
    },
    {
      name: 'ENV GOOS/GOARCH from TARGET* in the stage',
      code: ms('golang:1.22-alpine', 'ARG TARGETOS TARGETARCH\nENV GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0\nRUN go build -o /app .'),
      findings: [{ line: 1 }],
      output: ms(BP + 'golang:1.22-alpine', 'ARG TARGETOS TARGETARCH\nENV GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0\nRUN go build -o /app .'),
    },
    {
      name: 'cgo unset on the Alpine image (no C compiler): preferred',
      code: ms('golang:1.22-alpine', 'RUN go build -o /app .'),
      findings: [{ line: 1 }],
      output: ms(BP + 'golang:1.22-alpine', `RUN ${ENV}go build -o /app .`, undefined, ARGS),
    },
    {
      name: 'cgo unset on the Debian image: fix not preferred',
      code: ms('golang:1.22', 'RUN go build -o /app .'),
      findings: [{ line: 1, message: '`CGO_ENABLED` is not set' }],
      output: null,
      fixes: [{ title: /Cross-compile/, output: ms(BP + 'golang:1.22', `RUN ${ENV}go build -o /app .`, undefined, ARGS) }],
    },
    {
      name: 'CGO_ENABLED=1: no preferred fix',
      code: ms('golang:1.22', 'ENV CGO_ENABLED=1\nRUN go build -o /app .'),
      findings: [{ line: 1, message: 'C cross-compiler' }],
      output: null,
    },
    {
      name: 'go install of the shipped binary: paths change, not preferred',
      code:
        'FROM golang:1.22-alpine AS build\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOARCH=$TARGETARCH go install ./cmd/...\nFROM alpine:3.20\nCOPY --from=build /go/bin/* /usr/local/bin/\n',
      findings: [{ line: 1, message: '$GOPATH/bin/<os>_<arch>/' }],
      output: null,
    },
    {
      name: 'another file from the stage would change platform: not preferred',
      code: ms('golang:1.22-alpine', 'RUN apk add --no-cache tini\nRUN CGO_ENABLED=0 go build -o /app .', 'ARG TARGETARCH\nCOPY --from=build /sbin/tini /tini\n'),
      findings: [{ line: 1, message: 'copies `/sbin/tini`' }],
      output: null,
    },
    {
      name: 'certificates and a directory holding the binary are fine',
      code:
        'FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\nFROM scratch\nARG TARGETPLATFORM\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /out/ /\n',
      findings: [{ line: 1 }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\nFROM scratch\nARG TARGETPLATFORM\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /out/ /\n',
    },
    {
      name: 'output path with a variable, copied with the same path; ARG order kept',
      code:
        'FROM golang:1.22-alpine AS build\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/$TARGETARCH/app .\nFROM scratch\nARG TARGETARCH\nCOPY --from=build /out/$TARGETARCH/app /app\n',
      findings: [{ line: 1 }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nARG TARGETOS\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/$TARGETARCH/app .\nFROM scratch\nARG TARGETARCH\nCOPY --from=build /out/$TARGETARCH/app /app\n',
    },
    {
      name: 'build without -o: the binary lands in the working directory',
      code: 'FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build\nFROM alpine:3.20\nARG TARGETARCH\nCOPY --from=build /src/app /usr/local/bin/app\n',
      findings: [{ line: 1 }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build\nFROM alpine:3.20\nARG TARGETARCH\nCOPY --from=build /src/app /usr/local/bin/app\n',
    },
    {
      name: 'the stage runs a binary it builds: not preferred',
      code: ms('golang:1.22-alpine', 'RUN CGO_ENABLED=0 go build -o /bin/gen ./tools/gen && /bin/gen\nRUN CGO_ENABLED=0 go build -o /app .'),
      findings: [{ line: 1, message: 'runs `/bin/gen`' }],
      output: null,
    },
    {
      name: 'build in a child stage: flag on the root FROM, ARG in the child, copied by index',
      code:
        'FROM golang:1.22-alpine AS base\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM base AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nARG TARGETARCH\nCOPY --from=1 /app /app\n',
      findings: [{ line: 1, text: 'golang:1.22-alpine' }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM base AS build\nARG TARGETOS TARGETARCH\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\nFROM scratch\nARG TARGETARCH\nCOPY --from=1 /app /app\n',
    },
    {
      name: 'continuation lines, heredoc and a go install tool (left native)',
      code: ms(
        'golang:1.22-alpine',
        'RUN go install github.com/swaggo/swag/cmd/swag@v1.16.3\nRUN <<EOF\nset -e\nswag init\nCGO_ENABLED=0 go build \\\n  -o /app .\nEOF',
      ),
      findings: [{ line: 1 }],
      output: ms(
        BP + 'golang:1.22-alpine',
        `RUN go install github.com/swaggo/swag/cmd/swag@v1.16.3\nRUN <<EOF\nset -e\nswag init\nCGO_ENABLED=0 ${ENV}go build \\\n  -o /app .\nEOF`,
        undefined,
        ARGS,
      ),
    },
    {
      name: 'literal GOOS/GOARCH: only the flag',
      code: ms('golang:1.22-alpine', 'RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /app .'),
      findings: [{ line: 1 }],
      output: ms(BP + 'golang:1.22-alpine', 'RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -o /app .'),
    },
    {
      name: 'GOARCH from an unknown build arg: not preferred',
      code: ms('golang:1.22-alpine', 'ARG ARCH\nRUN CGO_ENABLED=0 GOARCH=$ARCH go build -o /app .'),
      findings: [{ line: 1, message: '`GOARCH` has no known value' }],
      output: null,
    },
    {
      name: 'signal: --platform=$TARGETPLATFORM on the final FROM',
      code: 'FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nFROM --platform=$TARGETPLATFORM alpine:3.20\nCOPY --from=build /app /app\n',
      findings: [{ line: 1, message: '`--platform=$TARGETPLATFORM` on line 5' }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .\nFROM --platform=$TARGETPLATFORM alpine:3.20\nCOPY --from=build /app /app\n',
    },
    {
      name: 'after `env` and in a `cd && ...` list',
      code: ms('golang:1.22-alpine', 'RUN cd cmd/app && env CGO_ENABLED=0 go build -o /app .'),
      findings: [{ line: 1 }],
      output: ms(BP + 'golang:1.22-alpine', `RUN cd cmd/app && env CGO_ENABLED=0 ${ENV}go build -o /app .`, undefined, ARGS),
    },
  ],
});

// The four build rules together: every preferred fix at once, then nothing left to change.
describe('fixAll with go-toolchain-mismatch, go-build-cache-mount, go-trimpath and go-cross-compile', () => {
  const rules = [goToolchainMismatch, goBuildCacheMount, goTrimpath, goCrossCompile];
  const files = { 'go.mod': 'module example.com/app\n\ngo 1.23\n', 'go.sum': '' };
  const crlf = (s: string) => s.replace(/\n/g, '\r\n');
  const run = (code: string) => {
    const file = path.join(ROOT, 'Dockerfile');
    const ws = new MemoryWorkspace({ ...Object.fromEntries(Object.entries(files).map(([k, v]) => [path.join(ROOT, k), v])), [file]: code });
    const once = fixAll({ text: code, path: file }, ws, { rules });
    const twice = fixAll({ text: once.text, path: file }, ws, { rules });
    const remaining = lint({ text: once.text, path: file }, ws, { rules }).findings;
    return { once, twice, remaining };
  };
  const code =
    'FROM golang:1.21-alpine3.20 AS build\n' +
    'WORKDIR /src\n' +
    'COPY go.mod go.sum ./\n' +
    'RUN go mod download\n' +
    'COPY . .\n' +
    'RUN CGO_ENABLED=0 \\\n' +
    '    go build -ldflags="-s -w" -o /app ./cmd/app\n' +
    '\n' +
    'FROM gcr.io/distroless/static:nonroot\n' +
    'ARG TARGETARCH\n' +
    'COPY --from=build /app /app\n' +
    'ENTRYPOINT ["/app"]\n';
  const expected =
    'FROM --platform=$BUILDPLATFORM golang:1.23-alpine3.20 AS build\n' +
    'ARG TARGETOS TARGETARCH\n' +
    'WORKDIR /src\n' +
    'COPY go.mod go.sum ./\n' +
    'RUN --mount=type=cache,target=/go/pkg/mod go mod download\n' +
    'COPY . .\n' +
    'RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 \\\n' +
    '    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" -o /app ./cmd/app\n' +
    '\n' +
    'FROM gcr.io/distroless/static:nonroot\n' +
    'ARG TARGETARCH\n' +
    'COPY --from=build /app /app\n' +
    'ENTRYPOINT ["/app"]\n';
  for (const [variant, input, output] of [
    ['LF', code, expected],
    ['CRLF', crlf(code), crlf(expected)],
  ] as const) {
    it(`applies all preferred fixes and converges (${variant})`, () => {
      const { once, twice, remaining } = run(input);
      expect(once.text).toBe(output);
      expect(once.fixed.map((f) => f.rule).sort()).toEqual(['go-build-cache-mount', 'go-build-cache-mount', 'go-cross-compile', 'go-toolchain-mismatch', 'go-trimpath']);
      expect(twice.text).toBe(once.text);
      expect(remaining).toEqual([]);
    });
  }
});
