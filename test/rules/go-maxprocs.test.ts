import { goMaxprocs } from '../../server/src/engine/rules/go-maxprocs';
import { ruleTester } from '../helpers/ruleTester';

const BUILD = 'FROM golang:1.24 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n';
const RUNTIME = 'FROM gcr.io/distroless/static-debian12\n';
const TAIL = 'COPY --from=build /app /app\nENTRYPOINT ["/app"]\n';
const CODE = BUILD + RUNTIME + TAIL;
const FIXED = BUILD + RUNTIME + 'ENV GOMAXPROCS=2\n' + TAIL;
const mod = (go: string, extra = '') => ({ 'go.mod': `module example.com/app\n\ngo ${go}\n${extra}` });
const TITLE = /^Add ENV GOMAXPROCS=2 to the final stage/;

ruleTester(goMaxprocs, {
  valid: [
    { name: 'go.mod go 1.25', code: CODE, files: mod('1.25') },
    { name: 'go.mod go 1.25.1', code: CODE, files: mod('1.25.1') },
    { name: 'go.mod go 1.26', code: CODE, files: mod('1.26') },
    { name: 'automaxprocs required', code: CODE, files: mod('1.22', '\nrequire go.uber.org/automaxprocs v1.6.0\n') },
    {
      name: 'automaxprocs in a require block',
      code: CODE,
      files: mod('1.22', '\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.1.0\n\tgo.uber.org/automaxprocs v1.6.0\n)\n'),
    },
    { name: 'GOMAXPROCS set in the final stage', code: BUILD + RUNTIME + 'ENV GOMAXPROCS=4\n' + TAIL, files: mod('1.22') },
    { name: 'GOMAXPROCS set, malformed (go-env-syntax reports it)', code: BUILD + RUNTIME + 'ENV GOMAXPROCS=500m\n' + TAIL, files: mod('1.22') },
    { name: 'GOMAXPROCS from an expansion', code: BUILD + RUNTIME + 'ARG CPUS\nENV GOMAXPROCS=$CPUS\n' + TAIL, files: mod('1.22') },
    {
      name: 'GOMAXPROCS set in the stage the final stage is built on',
      code: BUILD + 'FROM alpine:3.20 AS base\nENV GOMAXPROCS=2\nFROM base\n' + TAIL,
      files: mod('1.22'),
    },
    { name: 'GOMAXPROCS on the command line', code: BUILD + 'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD GOMAXPROCS=2 exec /app\n', files: mod('1.22') },
    { name: 'GOMAXPROCS through env in exec form', code: BUILD + RUNTIME + 'COPY --from=build /app /app\nENTRYPOINT ["env", "GOMAXPROCS=2", "/app"]\n', files: mod('1.22') },
    { name: 'no go.mod, builder golang:1.25', code: CODE.replace('golang:1.24', 'golang:1.25') },
    { name: 'no go.mod, builder golang:1.25.3-alpine', code: CODE.replace('golang:1.24', 'golang:1.25.3-alpine') },
    { name: 'GODEBUG turns it on', code: BUILD + RUNTIME + 'ENV GODEBUG=http2client=0,containermaxprocs=1\n' + TAIL, files: mod('1.24') },
    { name: 'go.mod godebug line turns it on', code: CODE, files: mod('1.24', '\ngodebug containermaxprocs=1\n') },
    { name: 'go.mod godebug block turns it on', code: CODE, files: mod('1.24', '\ngodebug (\n\tcontainermaxprocs=1\n\tupdatemaxprocs=1\n)\n') },
    { name: 'GODEBUG from an expansion', code: BUILD + RUNTIME + 'ARG DBG\nENV GODEBUG=$DBG\n' + TAIL, files: mod('1.24') },
    { name: 'no Go at all', code: 'FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n' },
    {
      name: 'Go only in a test stage the final image does not use',
      code: 'FROM golang:1.22 AS test\nRUN go test ./...\nFROM nginx:1.27\nCOPY site /usr/share/nginx/html\n',
    },
    {
      name: 'Windows final stage',
      code:
        '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nRUN go build -o C:\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\app.exe C:\\app.exe\n',
    },
    { name: 'unresolved final base image', code: BUILD + 'ARG RUNTIME\nFROM ${RUNTIME}\n' + TAIL },
    {
      name: 'monorepo: the go.mod of the module that is built (go 1.25) decides',
      code: 'FROM golang:1.24 AS build\nWORKDIR /src\nCOPY services/api/ ./\nRUN go build -o /app .\n' + RUNTIME + TAIL,
      files: { 'services/api/go.mod': 'module example.com/api\n\ngo 1.25\n', 'services/api/main.go': 'package main\n' },
    },
    {
      name: 'monorepo: the built module requires automaxprocs, the root one does not',
      code: 'FROM golang:1.24 AS build\nCOPY . /src\nRUN cd /src/services/api && go build -o /app .\n' + RUNTIME + TAIL,
      files: { 'go.mod': 'module example.com/tools\n\ngo 1.22\n', 'services/api/go.mod': 'module example.com/api\n\ngo 1.23\n\nrequire go.uber.org/automaxprocs v1.6.0\n' },
    },
    {
      name: 'go.mod copied on its own before the sources',
      code: 'FROM golang:1.24 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY cmd/ ./cmd/\nRUN go build -o /app ./cmd/api\n' + RUNTIME + TAIL,
      files: { 'go.mod': 'module example.com/app\n\ngo 1.25.0\n', 'go.sum': '' },
    },
    { name: 'builder version from a build argument without default, no go.mod', code: 'ARG GO_VERSION\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\n' + RUNTIME + TAIL },
    {
      name: 'a go-installed tool stays in the builder; the image ships downloaded binaries',
      code:
        'FROM golang:1.22 AS build\nRUN go install aead.dev/minisign/cmd/minisign@v0.2.1\nRUN curl -sSo /go/bin/minio https://dl.example.com/minio\nFROM alpine:3.20\nCOPY --from=build /go/bin/minio* /usr/bin/\nCMD ["minio"]\n',
    },
    { name: 'builder built on a stage whose image is a variable without default', code: 'ARG GO_IMAGE\nFROM ${GO_IMAGE} AS base\nFROM base AS build\nRUN go build -o /app .\n' + RUNTIME + TAIL },
    { name: 'pragma', code: BUILD + '# container-tuner ignore=go-maxprocs\n' + RUNTIME + TAIL, files: mod('1.22') },
  ],
  invalid: [
    {
      name: 'go.mod go 1.24',
      code: CODE,
      files: mod('1.24'),
      findings: [{ line: 5, text: 'gcr.io/distroless/static-debian12', severity: 'info', message: '`go.mod` says `go 1.24`' }],
      output: null,
      fixes: [{ title: TITLE, output: FIXED }],
    },
    {
      name: 'a 1.25 toolchain line is not enough: the go line decides',
      code: CODE,
      files: mod('1.24', 'toolchain go1.25.0\n'),
      findings: [{ line: 5, message: '`toolchain go1.25.0` line is not enough' }],
      fixes: [{ title: TITLE, output: FIXED }],
    },
    {
      name: 'go 1.25 with containermaxprocs=0 in go.mod',
      code: CODE,
      files: mod('1.25', '\ngodebug containermaxprocs=0\n'),
      findings: [{ line: 5, message: '`containermaxprocs=0`' }],
    },
    {
      name: 'go 1.25 with GODEBUG containermaxprocs=0 in the image',
      code: BUILD + RUNTIME + 'ENV GODEBUG=containermaxprocs=0\n' + TAIL,
      files: mod('1.25'),
      findings: [{ line: 5, message: '`containermaxprocs=0`' }],
    },
    {
      name: 'go.mod decides over the builder tag',
      code: CODE.replace('golang:1.24', 'golang:1.25'),
      files: mod('1.23'),
      findings: [{ line: 5, message: 'go 1.23' }],
    },
    {
      name: 'no go.mod: the builder tag',
      code: CODE.replace('golang:1.24', 'golang:1.22-alpine'),
      findings: [{ line: 5, message: '`golang:1.22-alpine`' }],
      fixes: [{ title: TITLE, output: FIXED.replace('golang:1.24', 'golang:1.22-alpine') }],
    },
    {
      name: 'no go.mod and no version in the tag: unknown',
      code: CODE.replace('golang:1.24', 'golang:alpine'),
      findings: [{ line: 5, message: 'unknown' }],
    },
    {
      name: 'GOMAXPROCS set only in the build stage',
      code: 'FROM golang:1.24 AS build\nENV GOMAXPROCS=2\nRUN go build -o /app .\n' + RUNTIME + TAIL,
      files: mod('1.24'),
      findings: [{ line: 4, text: 'gcr.io/distroless/static-debian12' }],
    },
    {
      name: 'single-stage golang image',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app"]\n',
      files: mod('1.23'),
      findings: [{ line: 1, text: 'golang:1.23' }],
      fixes: [{ title: TITLE, output: 'FROM golang:1.23\nENV GOMAXPROCS=2\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app"]\n' }],
    },
    {
      name: 'final stage with --platform and a name',
      code: BUILD + 'FROM --platform=linux/amd64 alpine:3.20 AS runtime\n' + TAIL,
      files: mod('1.22'),
      findings: [{ line: 5, text: 'alpine:3.20' }],
      fixes: [{ title: TITLE, output: BUILD + 'FROM --platform=linux/amd64 alpine:3.20 AS runtime\nENV GOMAXPROCS=2\n' + TAIL }],
    },
    {
      name: 'ARG-driven FROM',
      code: 'ARG GO_VERSION=1.22\nARG RUNTIME=alpine:3.20\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\nFROM ${RUNTIME}\n' + TAIL,
      findings: [{ line: 5, text: '${RUNTIME}', message: '`golang:1.22`' }],
      fixes: [
        {
          title: TITLE,
          output: 'ARG GO_VERSION=1.22\nARG RUNTIME=alpine:3.20\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\nFROM ${RUNTIME}\nENV GOMAXPROCS=2\n' + TAIL,
        },
      ],
    },
    {
      name: 'heredoc build',
      code: 'FROM golang:1.24 AS build\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF\n' + RUNTIME + TAIL,
      files: mod('1.24'),
      findings: [{ line: 6, text: 'gcr.io/distroless/static-debian12' }],
    },
    {
      name: 'GOMEMLIMIT alone does not count',
      code: BUILD + RUNTIME + 'ENV GOMEMLIMIT=460MiB\n' + TAIL,
      files: mod('1.24'),
      findings: [{ line: 5 }],
    },
    {
      name: 'monorepo: the go.mod of the module that is built (go 1.24)',
      code: 'FROM golang:1.24 AS build\nWORKDIR /src\nCOPY services/api/ ./\nRUN go build -o /app .\n' + RUNTIME + TAIL,
      files: { 'go.mod': 'module example.com/tools\n\ngo 1.25\n', 'services/api/go.mod': 'module example.com/api\n\ngo 1.24\n' },
      findings: [{ line: 5, message: '`services/api/go.mod` says `go 1.24`' }],
    },
    {
      name: 'go install pkg@version: the local go.mod does not decide',
      code: 'FROM golang:1.23 AS build\nRUN go install github.com/example/tool@v1.2.3\n' + RUNTIME + 'COPY --from=build /go/bin/tool /tool\n',
      files: mod('1.25'),
      findings: [{ line: 3, message: '`golang:1.23`' }],
    },
    {
      name: 'Dockerfile in a subfolder, go.mod at the module root',
      path: 'build/Dockerfile',
      code: CODE,
      files: mod('1.21'),
      findings: [{ line: 5, message: '`../go.mod` says `go 1.21`' }],
    },
    {
      name: 'unresolved builder, but go.mod decides',
      code: 'ARG GO_VERSION\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\n' + RUNTIME + TAIL,
      files: mod('1.24'),
      findings: [{ line: 4, message: 'go 1.24' }],
    },
    {
      name: 'a go-installed binary copied by name',
      code: 'FROM golang:1.22 AS build\nRUN go install aead.dev/minisign/cmd/minisign@v0.2.1\nFROM alpine:3.20\nCOPY --from=build /go/bin/minisign /usr/bin/\n',
      findings: [{ line: 3, text: 'alpine:3.20', message: '`golang:1.22`' }],
    },
    {
      name: 'a go-installed major-version module, /go/bin copied whole',
      code: 'FROM golang:1.22 AS build\nRUN go install example.com/tool/v2@v2.1.0\nFROM alpine:3.20\nCOPY --from=build /go/bin/ /usr/local/bin/\n',
      findings: [{ line: 3, text: 'alpine:3.20' }],
    },
    {
      name: 'a go-installed major-version module copied by glob',
      code: 'FROM golang:1.22 AS build\nRUN go install example.com/tool/v2@v2.1.0\nFROM alpine:3.20\nCOPY --from=build /go/bin/too* /usr/local/bin/\n',
      findings: [{ line: 3, text: 'alpine:3.20' }],
    },
    {
      name: 'working directory from a build argument: the root go.mod is not assumed',
      code: 'FROM golang:1.22\nARG SERVICE\nCOPY . /internal\nWORKDIR /internal/$SERVICE\nRUN go build -o /app .\nCMD ["/app"]\n',
      files: mod('1.25'),
      findings: [{ line: 1, text: 'golang:1.22', message: '`golang:1.22`' }],
    },
    {
      name: 'builder built on another stage: the root image names the version',
      code: 'FROM golang:1.23-alpine AS base\nRUN apk add --no-cache git\nFROM base AS build\nRUN go build -o /app .\n' + RUNTIME + TAIL,
      findings: [{ line: 5, message: 'built with `golang:1.23-alpine`' }],
    },
    {
      name: 'configured GOMAXPROCS value',
      code: CODE,
      files: mod('1.24'),
      config: { gomaxprocs: 4 },
      findings: [{ line: 5, message: '`ENV GOMAXPROCS=4`' }],
      fixes: [{ title: /^Add ENV GOMAXPROCS=4 to the final stage/, output: FIXED.replace('GOMAXPROCS=2', 'GOMAXPROCS=4') }],
    },
    {
      name: 'FROM is the last line, no final newline',
      code: 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM golang:1.24',
      files: mod('1.24'),
      findings: [{ line: 3, text: 'golang:1.24' }],
      fixes: [{ title: TITLE, output: 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM golang:1.24\nENV GOMAXPROCS=2' }],
    },
  ],
});
