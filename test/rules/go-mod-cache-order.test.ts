import { describe, expect, it } from 'vitest';
import { goModCacheOrder } from '../../server/src/engine/rules/go-mod-cache-order';
import { lint } from '../../server/src/engine/lint';
import { applyEdits } from '../../server/src/engine/text';
import type { Workspace } from '../../server/src/engine/types';
import { ruleTester } from '../helpers/ruleTester';

const GOMOD = 'module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgolang.org/x/sync v0.7.0 // indirect\n)\n';
const MOD = { 'go.mod': GOMOD, 'go.sum': '', 'main.go': 'package main\n' };
const MOD_NO_SUM = { 'go.mod': GOMOD, 'main.go': 'package main\n' };

ruleTester(goModCacheOrder, {
  valid: [
    {
      name: 'go.mod and go.sum copied and downloaded first',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
    },
    { name: 'go.* glob', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.* ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n', files: MOD },
    { name: 'go.mod and go.sum in two COPYs', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod .\nCOPY go.sum .\nRUN go mod download\nCOPY . .\nRUN go build .\n', files: MOD },
    { name: '*.mod glob', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY *.mod *.sum ./\nRUN go mod download\nCOPY . .\nRUN go build .\n', files: MOD },
    { name: 'go.mod* glob', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod* ./\nRUN go mod download\nCOPY . .\nRUN go build .\n', files: MOD },
    { name: 'JSON-form go.mod copy', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY ["go.mod", "go.sum", "./"]\nRUN go mod download\nCOPY . .\nRUN go build .\n', files: MOD },
    { name: 'go.mod copied without a download step still counts', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY . .\nRUN go build .\n', files: MOD },
    { name: 'no Go at all', code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n', files: MOD },
    { name: 'a build we cannot see (make) stays silent', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make build\n', files: MOD },
    { name: 'vendor/ in the context', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n', files: { ...MOD, 'vendor/modules.txt': '# github.com/google/uuid v1.6.0\n' } },
    { name: '-mod=vendor on the build', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -mod=vendor -o /app .\n', files: MOD },
    { name: 'GOFLAGS=-mod=vendor', code: 'FROM golang:1.22\nENV GOFLAGS=-mod=vendor\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n', files: MOD },
    { name: 'GOPATH mode', code: 'FROM golang:1.22\nENV GO111MODULE=off\nWORKDIR /go/src/example.com/app\nCOPY . .\nRUN go build -o /app .\n', files: MOD },
    { name: 'no go.mod at the root of a known context: the module is elsewhere', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n', files: { 'main.go': 'package main\n' } },
    { name: 'go.mod requires nothing: nothing to download', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n', files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'go.sum': '' } },
    { name: 'go.work workspace', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./svc\n', files: { ...MOD, 'go.work': 'go 1.22\n\nuse ./svc\n' } },
    {
      name: 'COPY --from another stage is not the context',
      code: 'FROM golang:1.22 AS src\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nFROM golang:1.22\nWORKDIR /src\nCOPY --from=src /src .\nRUN go build -o /app .\n',
      files: MOD,
    },
    {
      name: 'go install of a pinned tool does not use the main module',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.1\n',
      files: MOD,
    },
    {
      name: 'Go runs before the broad copy only',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum main.go ./\nRUN go build -o /app .\nCOPY . /docs\n',
      files: MOD,
    },
    {
      name: 'the Go command runs outside the copied tree',
      code: 'FROM golang:1.22\nWORKDIR /tools\nRUN go mod init tools\nCOPY . /srv/static\nRUN go build -o /usr/bin/tool .\n',
      files: MOD,
    },
    {
      name: 'a stage built on one that copied go.mod and downloaded',
      code: 'FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM deps AS build\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
    },
    {
      name: 'module cache copied from a stage that downloaded it',
      code: 'FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM golang:1.22 AS build\nCOPY --from=deps /go/pkg/mod /go/pkg/mod\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
    },
    {
      name: 'a copy through an unknown variable comes first (it may be go.mod)',
      code: 'FROM golang:1.22\nARG MODFILES\nWORKDIR /src\nCOPY ${MODFILES} ./\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
    },
    {
      name: 'destination through an unknown variable',
      code: 'FROM golang:1.22\nARG DEST\nCOPY . ${DEST}\nRUN cd ${DEST} && go build -o /app .\n',
      files: MOD,
    },
    { name: 'only some folders copied', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY cmd/ ./cmd/\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build ./cmd/app\n', files: { ...MOD, 'cmd/app/main.go': 'package main\n' } },
    { name: 'ADD of a URL is not the context', code: 'FROM golang:1.22\nWORKDIR /src\nADD https://example.com/x.tar.gz /tmp/\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build .\n', files: MOD },
    {
      name: 'the build runs after cd to an unknown directory',
      code: 'FROM golang:1.22\nARG SRC\nWORKDIR /work\nCOPY . .\nRUN cd $SRC && go build -o /app .\n',
      files: MOD,
    },
    {
      name: 'WORKDIR through an unknown variable',
      code: 'FROM golang:1.22\nARG DIR\nWORKDIR $DIR\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
    },
    {
      name: 'vendor/ in the module folder a source directory holds',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY api/ .\nRUN go build -o /app .\n',
      files: { ...MOD, 'api/go.mod': GOMOD, 'api/go.sum': '', 'api/vendor/modules.txt': '' },
    },
    { name: 'pragma', code: 'FROM golang:1.22\nWORKDIR /src\n# container-tuner ignore=go-mod-cache-order\nCOPY . .\nRUN go build -o /app .\n', files: MOD },
    {
      name: 'exec-form go.mod copy on Windows (backtick escape)',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022\nWORKDIR C:\\src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o app.exe .\n',
      files: MOD,
    },
  ],
  invalid: [
    {
      name: 'COPY . . before the build',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app ./\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .', severity: 'warning', message: 'all 2 modules go.mod requires' }],
      output: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app ./\n',
    },
    {
      name: 'no go.sum in the context: copy go.mod alone',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD_NO_SUM,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
    },
    {
      name: 'a later RUN go mod download is moved, not duplicated',
      code: 'FROM golang:1.22-alpine AS builder\nWORKDIR /podinfo\nCOPY . .\nRUN go mod download\nRUN go build -o bin/podinfo ./cmd/podinfo\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22-alpine AS builder\nWORKDIR /podinfo\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o bin/podinfo ./cmd/podinfo\n',
    },
    {
      name: 'the moved download keeps its comment, flags and cache mount',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\n# fetch modules\nRUN --mount=type=cache,target=/go/pkg/mod GOPROXY=https://proxy.golang.org go mod download -x\nRUN --mount=type=cache,target=/go/pkg/mod go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .', message: 'cache mount' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\n# fetch modules\nRUN --mount=type=cache,target=/go/pkg/mod GOPROXY=https://proxy.golang.org go mod download -x\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go build -o /app .\n',
    },
    {
      name: 'a download set apart by blank lines takes one blank line along',
      code: 'FROM golang:1.22-alpine AS builder\nWORKDIR /podinfo\n\nCOPY . .\n\nRUN go mod download\n\nRUN go build -o bin/podinfo ./cmd/podinfo\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . .' }],
      output: 'FROM golang:1.22-alpine AS builder\nWORKDIR /podinfo\n\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n\nRUN go build -o bin/podinfo ./cmd/podinfo\n',
    },
    {
      name: 'WORKDIR $GOPATH/src/... (GOPATH of the official image)',
      code: 'FROM golang:latest\nENV GOPROXY https://goproxy.cn,direct\nWORKDIR $GOPATH/src/github.com/acme/app\nCOPY . $GOPATH/src/github.com/acme/app\nRUN go build .\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . $GOPATH/src/github.com/acme/app' }],
      output: 'FROM golang:latest\nENV GOPROXY https://goproxy.cn,direct\nWORKDIR $GOPATH/src/github.com/acme/app\nCOPY go.mod go.sum $GOPATH/src/github.com/acme/app/\nRUN go mod download\nCOPY . $GOPATH/src/github.com/acme/app\nRUN go build .\n',
    },
    {
      name: 'relative destination below the working directory',
      code: 'FROM golang:1.22\nWORKDIR /work\nCOPY . src/\nRUN cd src && go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . src/' }],
      output: null,
      fixes: [{ title: /in src\//, output: 'FROM golang:1.22\nWORKDIR /work\nCOPY go.mod go.sum src/\nRUN cd src/ && go mod download\nCOPY . src/\nRUN cd src && go build -o /app .\n' }],
    },
    {
      name: 'multi-line download RUN moved whole, COPY --from between is fine',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCOPY --from=node:20 /usr/local/bin/node /usr/local/bin/\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\nCOPY . .\nCOPY --from=node:20 /usr/local/bin/node /usr/local/bin/\nRUN go build -o /app .\n',
    },
    {
      name: 'download at the end of a file without a final line break',
      code: 'FROM golang:1.22 AS deps\nWORKDIR /app\nCOPY . .\nRUN go mod download',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22 AS deps\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .',
    },
    {
      name: 'exec-form download is moved too',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ["go", "mod", "download"]\nRUN ["go", "build", "-o", "/app", "."]\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN ["go", "mod", "download"]\nCOPY . .\nRUN ["go", "build", "-o", "/app", "."]\n',
    },
    {
      name: 'download chained with the build is left alone: a new one goes first',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go mod download && go build -o /app .\n',
    },
    {
      name: 'ENV between the copy and the download: not moved',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENV GOPRIVATE=example.com\nRUN go mod download\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nENV GOPRIVATE=example.com\nRUN go mod download\nRUN go build -o /app .\n',
    },
    {
      name: 'download in a heredoc RUN is not moved',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\ngo mod download\nEOF\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN <<EOF\ngo mod download\nEOF\nRUN go build -o /app .\n',
    },
    {
      name: 'heredoc build after the copy',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\nCGO_ENABLED=0 go build -o /app .\nEOF\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN <<EOF\nset -e\nCGO_ENABLED=0 go build -o /app .\nEOF\n',
    },
    {
      name: 'ADD . . with go install ./',
      code: 'FROM golang:1.21\nWORKDIR /app\nADD . .\nRUN go install ./\nENTRYPOINT tilt-example-go\n',
      files: MOD,
      findings: [{ line: 3, text: 'ADD . .' }],
      output: 'FROM golang:1.21\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nADD . .\nRUN go install ./\nENTRYPOINT tilt-example-go\n',
    },
    {
      name: 'COPY * ./ (every top-level entry, go.mod included)',
      code: 'FROM golang:1.24.3 as builder\nWORKDIR /app\nCOPY * ./\nRUN CGO_ENABLED=0 GOOS=linux go build -o /workload-metrics\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY * ./' }],
      output: 'FROM golang:1.24.3 as builder\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY * ./\nRUN CGO_ENABLED=0 GOOS=linux go build -o /workload-metrics\n',
    },
    {
      name: '--chown and --chmod kept, other flags not',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY --link --chown=app:app --chmod=644 ./ ./\nRUN go test ./...\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY --link --chown=app:app --chmod=644 ./ ./' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY --chown=app:app --chmod=644 go.mod go.sum ./\nRUN go mod download\nCOPY --link --chown=app:app --chmod=644 ./ ./\nRUN go test ./...\n',
    },
    {
      name: 'absolute destination that is the working directory',
      code: 'FROM golang:1.26-alpine AS builder\nWORKDIR /app\nARG APP_VERSION=0.1.0\nCOPY . /app\nRUN go build -ldflags "-X main.version=$APP_VERSION" -o main .\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . /app' }],
      output: 'FROM golang:1.26-alpine AS builder\nWORKDIR /app\nARG APP_VERSION=0.1.0\nCOPY go.mod go.sum /app/\nRUN go mod download\nCOPY . /app\nRUN go build -ldflags "-X main.version=$APP_VERSION" -o main .\n',
    },
    {
      name: 'destination through a known ARG default',
      code: 'FROM golang:1.22\nARG APP=/app\nWORKDIR ${APP}\nCOPY . ${APP}\nRUN go build -o /bin/app .\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . ${APP}' }],
      output: 'FROM golang:1.22\nARG APP=/app\nWORKDIR ${APP}\nCOPY go.mod go.sum ${APP}/\nRUN go mod download\nCOPY . ${APP}\nRUN go build -o /bin/app .\n',
    },
    {
      name: 'destination outside the working directory: download there, not preferred',
      code: 'FROM golang:1.25 AS building\nCOPY . /building\nWORKDIR /building\nRUN env CGO_ENABLED=0 go build -trimpath -o bin/frps ./cmd/frps\n',
      files: MOD,
      findings: [{ line: 2, text: 'COPY . /building' }],
      output: null,
      fixes: [
        {
          title: /in \/building/,
          output: 'FROM golang:1.25 AS building\nCOPY go.mod go.sum /building/\nRUN cd /building && go mod download\nCOPY . /building\nWORKDIR /building\nRUN env CGO_ENABLED=0 go build -trimpath -o bin/frps ./cmd/frps\n',
        },
      ],
    },
    {
      name: 'build through cd into the copied tree',
      code: 'FROM golang:1.22\nCOPY . /src/app\nRUN cd /src/app && go build -o /bin/app .\n',
      files: MOD,
      findings: [{ line: 2, text: 'COPY . /src/app' }],
      output: null,
      fixes: [{ title: /go mod download/, output: 'FROM golang:1.22\nCOPY go.mod go.sum /src/app/\nRUN cd /src/app && go mod download\nCOPY . /src/app\nRUN cd /src/app && go build -o /bin/app .\n' }],
    },
    {
      name: 'a download after a destination outside the working directory is not moved',
      code: 'FROM golang:1.22\nCOPY . /src\nWORKDIR /src\nRUN go mod download\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 2, text: 'COPY . /src' }],
      output: null,
      fixes: [{ title: /go mod download/, output: 'FROM golang:1.22\nCOPY go.mod go.sum /src/\nRUN cd /src && go mod download\nCOPY . /src\nWORKDIR /src\nRUN go mod download\nRUN go build -o /app .\n' }],
    },
    {
      name: 'continuation lines: the range is the first line only',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY --chown=app:app \\\n     . .\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY --chown=app:app' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY --chown=app:app go.mod go.sum ./\nRUN go mod download\nCOPY --chown=app:app \\\n     . .\nRUN go build -o /app .\n',
    },
    {
      name: 'continuation inside the build RUN',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 \\\n    go build \\\n      -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 \\\n    go build \\\n      -o /app .\n',
    },
    {
      name: 'indentation kept, inserted above the comment that describes the copy',
      code: 'FROM golang:1.22\nWORKDIR /src\n\n  # sources\n  # hadolint ignore=DL3045\n  COPY . .\n  RUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 6, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\n\n  COPY go.mod go.sum ./\n  RUN go mod download\n  # sources\n  # hadolint ignore=DL3045\n  COPY . .\n  RUN go build -o /app .\n',
    },
    {
      name: 'JSON-form broad copy',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY ["./", "/app/"]\nRUN go vet ./... && go build -o /bin/app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY ["./", "/app/"]' }],
      output: 'FROM golang:1.22\nWORKDIR /app\nCOPY go.mod go.sum /app/\nRUN go mod download\nCOPY ["./", "/app/"]\nRUN go vet ./... && go build -o /bin/app .\n',
    },
    {
      name: 'exec-form build',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ["go", "build", "-o", "/app", "."]\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN ["go", "build", "-o", "/app", "."]\n',
    },
    {
      name: 'go.mod copied only after the broad copy',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCOPY go.mod go.sum ./\nRUN go mod download\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nCOPY go.mod go.sum ./\nRUN go build -o /app .\n',
    },
    {
      name: 'ARG-driven FROM ${BASE}',
      code: 'ARG BASE=golang:1.22-alpine\nFROM ${BASE} AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . .' }],
      output: 'ARG BASE=golang:1.22-alpine\nFROM ${BASE} AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'plain base image with an installed Go: the go command decides',
      code: 'FROM alpine:3.20\nRUN apk add --no-cache go\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . .' }],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache go\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
    },
    {
      name: 'the build runs in a stage built on the copying one',
      code: 'FROM golang:1.22 AS src\nWORKDIR /src\nCOPY . .\nFROM src AS build\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22 AS src\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nFROM src AS build\nRUN go build -o /app .\n',
    },
    {
      name: 'two stages, one finding each',
      code: 'FROM golang:1.22 AS test\nWORKDIR /src\nCOPY . .\nRUN go test ./...\nFROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }, { line: 7, text: 'COPY . .' }],
      output: 'FROM golang:1.22 AS test\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go test ./...\nFROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
    },
    {
      name: 'a source folder that holds the module',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY api/ .\nRUN go build -o /app .\n',
      files: { ...MOD, 'api/go.mod': 'module example.com/api\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n', 'api/go.sum': '', 'api/main.go': 'package main\n' },
      findings: [{ line: 3, text: 'COPY api/ .', message: 'the one module go.mod requires' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY api/go.mod api/go.sum ./\nRUN go mod download\nCOPY api/ .\nRUN go build -o /app .\n',
    },
    {
      name: 'Dockerfile in a sub-folder of the module',
      path: 'build/Dockerfile',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/app\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . .' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app ./cmd/app\n',
    },
    {
      name: 'single-stage, go build without WORKDIR (module lands in /go)',
      code: 'FROM golang:buster\nADD . .\nRUN go build -o /usr/local/bin/hello-world\nCMD ["/usr/local/bin/hello-world"]\n',
      files: MOD,
      findings: [{ line: 2, text: 'ADD . .' }],
      output: 'FROM golang:buster\nCOPY go.mod go.sum ./\nRUN go mod download\nADD . .\nRUN go build -o /usr/local/bin/hello-world\nCMD ["/usr/local/bin/hello-world"]\n',
    },
    {
      name: 'Windows, backtick escape, relative destination',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . .' }],
      output: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\n',
    },
    {
      name: 'Windows, backtick escape, C:\\ destination keeps its form',
      code: '# escape=`\nFROM golang:1.22-nanoserver-ltsc2022 AS build\nWORKDIR C:\\app\nCOPY . C:\\app\nRUN go build -o app.exe .\n',
      files: MOD,
      findings: [{ line: 4, text: 'COPY . C:\\app' }],
      output: '# escape=`\nFROM golang:1.22-nanoserver-ltsc2022 AS build\nWORKDIR C:\\app\nCOPY go.mod go.sum C:\\app\\\nRUN go mod download\nCOPY . C:\\app\nRUN go build -o app.exe .\n',
    },
    {
      name: 'Windows, destination outside the working directory, Go older than 1.20 (no -C): reported without a fix',
      code: 'FROM golang:1.12.13-windowsservercore-ltsc2016 AS builder\nADD . C:\\\\app\nWORKDIR C:\\\\app\nRUN go build -a -o C:\\\\app\\\\server.exe .\n',
      files: MOD,
      findings: [{ line: 2, text: 'ADD . C:\\\\app' }],
      output: null,
    },
    {
      name: 'Windows, destination outside the working directory, Go 1.20+: go mod download -C',
      code: '# escape=`\nFROM golang:1.22-nanoserver-ltsc2022 AS build\nCOPY . C:\\src\nWORKDIR C:\\src\nRUN go build -o app.exe .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . C:\\src' }],
      output: null,
      fixes: [{ title: /in C:\\src/, output: '# escape=`\nFROM golang:1.22-nanoserver-ltsc2022 AS build\nCOPY go.mod go.sum C:\\src\\\nRUN go mod download -C C:\\src\nCOPY . C:\\src\nWORKDIR C:\\src\nRUN go build -o app.exe .\n' }],
    },
    {
      name: 'Windows, backslash escape, destination written C:\\\\app: never end a line with the escape character',
      code: 'FROM golang:1.22-windowsservercore-ltsc2022\nWORKDIR C:\\\\app\nCOPY . C:\\\\app\nRUN go build -o app.exe .\n',
      files: MOD,
      findings: [{ line: 3, text: 'COPY . C:\\\\app' }],
      output: 'FROM golang:1.22-windowsservercore-ltsc2022\nWORKDIR C:\\\\app\nCOPY go.mod go.sum C:\\\\app/\nRUN go mod download\nCOPY . C:\\\\app\nRUN go build -o app.exe .\n',
    },
  ],
});

/** A context nothing is known about: an unsaved file, a folder that cannot be listed. */
class BlindWorkspace implements Workspace {
  readFile(): string | undefined {
    return undefined;
  }
  exists(): boolean {
    return false;
  }
  isDirectory(): boolean {
    return false;
  }
  listDir(): string[] {
    return [];
  }
}

describe('go-mod-cache-order with an unknown build context', () => {
  const run = (text: string) =>
    lint({ text, path: '/nowhere/Dockerfile' }, new BlindWorkspace(), { rules: [goModCacheOrder], onRuleError: (_r, e) => { throw e; } }).findings;

  it('still reports, with a fix that is not preferred and copies go.mod go.sum', () => {
    const code = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /app .\n';
    const findings = run(code);
    expect(findings).toHaveLength(1);
    expect(findings[0].range.start.line).toBe(2);
    expect(findings[0].message).toContain('all modules go.mod requires');
    expect(findings[0].fixes.some((f) => f.preferred)).toBe(false);
    const fixed = applyEdits(code, findings[0].fixes[0].edits);
    expect(fixed).toBe('FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n');
    expect(run(fixed)).toEqual([]);
  });

  it('only the context root counts as a broad copy', () => {
    expect(run('FROM golang:1.22\nWORKDIR /src\nCOPY api/ .\nRUN go build -o /app .\n')).toEqual([]);
  });

  it('stays silent for -mod=vendor and for Dockerfiles that build no Go', () => {
    expect(run('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -mod=vendor -o /app .\n')).toEqual([]);
    expect(run('FROM python:3.12\nWORKDIR /src\nCOPY . .\nRUN pip install .\n')).toEqual([]);
  });

  it('works with CRLF line endings', () => {
    const code = 'FROM golang:1.22\r\nWORKDIR /src\r\nCOPY . .\r\nRUN go build -o /app .\r\n';
    const findings = run(code);
    expect(findings).toHaveLength(1);
    expect(applyEdits(code, findings[0].fixes[0].edits)).toBe('FROM golang:1.22\r\nWORKDIR /src\r\nCOPY go.mod go.sum ./\r\nRUN go mod download\r\nCOPY . .\r\nRUN go build -o /app .\r\n');
  });
});
