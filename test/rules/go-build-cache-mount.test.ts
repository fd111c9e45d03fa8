import { goBuildCacheMount } from '../../server/src/engine/rules/go-build-cache-mount';
import { ruleTester } from '../helpers/ruleTester';

/** A file that already needs BuildKit (so the cache-mount fix is preferred). */
const SYNTAX = '# syntax=docker/dockerfile:1\n';

const MOD = '--mount=type=cache,target=/go/pkg/mod';
const BUILD = '--mount=type=cache,target=/root/.cache/go-build';
const GOMOD = { 'go.mod': 'module example.com/app\n\ngo 1.22\n', 'go.sum': '' };

// a builder with the given lines after WORKDIR, scratch final
const ms = (lines: string, from = 'golang:1.22') =>
  `FROM ${from} AS build\nWORKDIR /src\n${lines}\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n`;

ruleTester(goBuildCacheMount, {
  valid: [
    { name: 'both mounts', code: ms(`COPY . .\nRUN ${MOD} ${BUILD} go build -o /app .`), files: GOMOD },
    { name: 'download with the module cache', code: ms(`COPY go.mod go.sum ./\nRUN ${MOD} go mod download`), files: GOMOD },
    { name: 'dst= and destination= spellings', code: ms(`COPY . .\nRUN --mount=type=cache,dst=/go/pkg/mod --mount=type=cache,destination=/root/.cache/go-build go build -o /app .`) },
    { name: 'a mount of a parent directory (/root/.cache) and a sub-directory of the module cache', code: ms(`COPY . .\nRUN --mount=type=cache,target=/root/.cache --mount=type=cache,target=/go/pkg/mod/cache go build -o /app .`) },
    { name: 'extra mount options (id, sharing)', code: ms(`COPY . .\nRUN --mount=type=cache,id=gomod,sharing=locked,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build,id=gobuild-$TARGETPLATFORM \\\n    go build -o /app .`) },
    {
      name: 'GOMODCACHE / GOCACHE from ENV, mounted there',
      code: ms('ENV GOMODCACHE=/cache/mod GOCACHE=/cache/build\nCOPY . .\nRUN --mount=type=cache,target=/cache/mod --mount=type=cache,target=/cache/build go build -o /app .'),
    },
    { name: 'targets from ARG defaults', code: ms('ARG GOMODCACHE=/go/pkg/mod\nARG GOCACHE=/root/.cache/go-build\nCOPY . .\nRUN --mount=type=cache,target=${GOCACHE} --mount=type=cache,target=${GOMODCACHE} go build -o /app .') },
    { name: 'target from an unknown variable (may be it)', code: ms('ARG CACHE\nCOPY . .\nRUN --mount=type=cache,target=$CACHE --mount=type=cache,target=/go/pkg/mod go build -o /app .') },
    { name: 'GOCACHE from an unknown build arg: build cache part silent', code: ms(`ARG GOCACHE\nCOPY . .\nRUN ${MOD} go build -o /app .`) },
    { name: '-mod=vendor: no module cache needed', code: ms(`COPY . .\nRUN ${BUILD} go build -mod=vendor -o /app .`) },
    { name: 'GOFLAGS=-mod=vendor', code: ms(`ENV GOFLAGS=-mod=vendor\nCOPY . .\nRUN ${BUILD} go build -o /app .`) },
    {
      name: 'vendor/modules.txt in the module: vendor mode by default',
      code: ms(`COPY . .\nRUN ${BUILD} go build -o /app .`),
      files: { ...GOMOD, 'vendor/modules.txt': '# github.com/x/y v1.0.0\n' },
    },
    {
      name: 'non-root USER and no GOCACHE: the build cache location is unknown',
      code: ms(`RUN useradd -m app\nUSER app\nCOPY . .\nRUN ${MOD} go build -o /tmp/app .`),
    },
    { name: 'unknown base image: locations unknown', code: ms('COPY . .\nRUN go build -o /app .', 'ghcr.io/acme/go-builder:1') },
    { name: 'not a build (go vet, go mod tidy, go generate)', code: ms('COPY . .\nRUN go vet ./... && go mod tidy && go generate ./...') },
    { name: 'exec form', code: ms('COPY . .\nRUN ["go", "build", "-o", "/app", "."]') },
    {
      name: 'Windows stage (BuildKit does not build Windows images)',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\app.exe .\n',
    },
    { name: 'make builds it (not visible)', code: ms('COPY . .\nRUN make build') },
    {
      name: 'download feeding a build the rule cannot see (make): the download layer is what makes it fast',
      code: ms('COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN make build'),
      files: GOMOD,
    },
    {
      name: 'an earlier make filled the caches in the layer: a mount here would hide them',
      code: ms('COPY . .\nRUN make generate\nRUN go build -o /app .'),
    },
    { name: 'download followed by go vet (reads modules, not reported)', code: ms('COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go vet ./...') },
    { name: 'FROM --platform=windows/amd64', code: 'FROM --platform=windows/amd64 golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o app.exe .\n' },
    { name: 'SHELL powershell', code: 'FROM golang:1.22\nSHELL ["powershell", "-Command"]\nWORKDIR /src\nCOPY . .\nRUN go build -o app.exe .\n' },
    { name: 'Go before modules: go get (GOPATH mode) not reported', code: 'FROM golang:1.10\nRUN go get github.com/gorilla/mux\n' },
    { name: 'pragma', code: ms('COPY . .\n# container-tuner ignore=go-build-cache-mount\nRUN go build -o /app .') },
  ],
  invalid: [
    {
      name: 'go build with neither mount',
      code: ms('COPY . .\nRUN CGO_ENABLED=0 go build -o /app .'),
      files: GOMOD,
      findings: [{ line: 4, text: 'go build', severity: 'info', message: '14.6 s' }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`COPY . .\nRUN ${MOD} ${BUILD} CGO_ENABLED=0 go build -o /app .`) }],
    },
    {
      name: 'go mod download: module cache only',
      code: SYNTAX + ms('COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .'),
      files: GOMOD,
      findings: [
        { line: 5, text: 'go mod download', message: 'downloads modules without a BuildKit cache mount for the module cache (`/go/pkg/mod`)' },
        { line: 7, text: 'go build' },
      ],
      output: SYNTAX + ms(`COPY go.mod go.sum ./\nRUN ${MOD} go mod download\nCOPY . .\nRUN ${MOD} ${BUILD} go build -o /app .`),
    },
    {
      name: 'only the build cache missing; the new flag goes before the existing ones',
      code: ms(`COPY . .\nRUN ${MOD} go build -o /app .`),
      findings: [{ line: 4, text: 'go build', message: 'the build cache (`/root/.cache/go-build`)' }],
      output: ms(`COPY . .\nRUN ${BUILD} ${MOD} go build -o /app .`),
    },
    {
      name: 'several go commands in one RUN: one finding',
      code: ms('COPY . .\nRUN go mod download && go test ./... && go build -o /app .'),
      findings: [{ line: 4, text: 'go mod download' }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`COPY . .\nRUN ${MOD} ${BUILD} go mod download && go test ./... && go build -o /app .`) }],
    },
    {
      name: 'continuation lines and a comment: only the keyword line changes',
      code: ms('COPY . .\nRUN CGO_ENABLED=0 \\\n    # static\n    go build \\\n      -o /app .'),
      findings: [{ line: 6, text: 'go build' }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`COPY . .\nRUN ${MOD} ${BUILD} CGO_ENABLED=0 \\\n    # static\n    go build \\\n      -o /app .`) }],
    },
    {
      name: 'heredoc RUN',
      code: ms('COPY . .\nRUN <<EOF\nset -e\ngo build -o /app .\nEOF'),
      findings: [{ line: 6, text: 'go build' }],
      output: ms(`COPY . .\nRUN ${MOD} ${BUILD} <<EOF\nset -e\ngo build -o /app .\nEOF`),
    },
    {
      name: 'GOMODCACHE and GOCACHE set by ENV are used as targets',
      code: ms('ENV GOMODCACHE=/cache/mod \\\n    GOCACHE=/cache/build\nCOPY . .\nRUN go build -o /app .'),
      findings: [{ line: 6, text: 'go build', message: '`/cache/mod`' }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms('ENV GOMODCACHE=/cache/mod \\\n    GOCACHE=/cache/build\nCOPY . .\nRUN --mount=type=cache,target=/cache/mod --mount=type=cache,target=/cache/build go build -o /app .') }],
    },
    {
      name: 'GOPATH set: $GOPATH/pkg/mod',
      code: ms('ENV GOPATH=/work\nCOPY . .\nRUN go build -o /app .'),
      findings: [{ line: 5 }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`ENV GOPATH=/work\nCOPY . .\nRUN --mount=type=cache,target=/work/pkg/mod ${BUILD} go build -o /app .`) }],
    },
    {
      name: 'non-root USER with GOCACHE set',
      code: ms('USER 1000\nENV GOCACHE=/tmp/gocache\nCOPY . .\nRUN go build -o /tmp/app .'),
      findings: [{ line: 6 }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`USER 1000\nENV GOCACHE=/tmp/gocache\nCOPY . .\nRUN ${MOD} --mount=type=cache,target=/tmp/gocache go build -o /tmp/app .`) }],
    },
    {
      name: 'Alpine with apk go (root, GOPATH=$HOME/go)',
      code: ms('RUN apk add --no-cache go\nCOPY . .\nRUN go build -o /app .', 'alpine:3.20'),
      findings: [{ line: 5 }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`RUN apk add --no-cache go\nCOPY . .\nRUN --mount=type=cache,target=/root/go/pkg/mod ${BUILD} go build -o /app .`, 'alpine:3.20') }],
    },
    {
      name: 'vendored build still needs the build cache',
      code: ms('COPY . .\nRUN go build -mod=vendor -o /app .'),
      findings: [{ line: 4, message: 'compiles without a BuildKit cache mount for the build cache' }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: ms(`COPY . .\nRUN ${BUILD} go build -mod=vendor -o /app .`) }],
    },
    {
      name: 'go install of a tool@version (downloads and compiles)',
      code: ms('RUN go install github.com/swaggo/swag/cmd/swag@v1.16.3\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .'),
      findings: [{ line: 3, text: 'go install' }],
      output: ms(`RUN ${MOD} ${BUILD} go install github.com/swaggo/swag/cmd/swag@v1.16.3\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .`),
    },
    {
      name: 'FROM ${BASE} from an ARG, other RUN flags kept',
      code: 'ARG BASE=golang:1.22-alpine\nFROM ${BASE} AS build\nWORKDIR /src\nCOPY . .\nRUN --network=none go build -o /app .\n',
      findings: [{ line: 5, text: 'go build' }],
      output: `ARG BASE=golang:1.22-alpine\nFROM \${BASE} AS build\nWORKDIR /src\nCOPY . .\nRUN ${MOD} ${BUILD} --network=none go build -o /app .\n`,
    },
    {
      name: 'single-stage image that runs `go run` at start: fix not preferred',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\nCMD ["go", "run", "."]\n',
      findings: [{ line: 4, text: 'go mod download', message: 'the image runs `go` when it starts' }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache,target=\/go\/pkg\/mod/, output: `FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ${MOD} go mod download\nCMD ["go", "run", "."]\n` }],
    },
    {
      name: 'only main.go copied onto the golang image (no go.mod: nothing to download): the build cache alone',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY main.go ./\nRUN go build -o /app main.go\nFROM scratch\nCOPY --from=build /app /app\n',
      findings: [{ line: 4, text: 'go build', message: /^(?![\s\S]*the module cache \()[\s\S]*the build cache \(/ }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache,target=\/root\/.cache\/go-build \(needs BuildKit\)$/, output: `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY main.go ./\nRUN ${BUILD} go build -o /app main.go\nFROM scratch\nCOPY --from=build /app /app\n` }],
    },
    {
      name: 'main.go copied, but a RUN before the build may fetch a go.mod: both caches',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY main.go ./\nRUN wget -O go.mod https://example.com/go.mod\nRUN go build -o /app main.go\nFROM scratch\nCOPY --from=build /app /app\n',
      findings: [{ line: 5, text: 'go build', message: 'the module cache (' }],
      output: null,
    },
    {
      name: 'a dev target built from the build stage runs `go run`: fix not preferred (the final image does not)',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM build AS dev-envs\nCMD ["go", "run", "main.go"]\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n',
      findings: [{ line: 4, text: 'go build', message: 'the stage `dev-envs` built from it runs `go` when it starts' }],
      output: null,
    },
    {
      name: 'another stage copies the module cache out: fix not preferred',
      code: 'FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM golang:1.22\nCOPY --from=0 /go/pkg/mod /go/pkg/mod\n',
      files: GOMOD,
      findings: [{ line: 4, message: 'line 6 copies it out of the stage' }],
      output: null,
    },
    {
      name: 'download in a deps stage, build in a stage built on it: both reported',
      code: SYNTAX + 'FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nFROM deps AS build\nCOPY . .\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
      files: GOMOD,
      findings: [{ line: 5, text: 'go mod download' }, { line: 8, text: 'go build' }],
      output: SYNTAX + `FROM golang:1.22 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN ${MOD} go mod download\nFROM deps AS build\nCOPY . .\nRUN ${MOD} ${BUILD} go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n`,
    },
    {
      name: 'a copy out of the stage with a variable elsewhere does not block the fix',
      code: 'FROM golang:1.22 AS build\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/$TARGETARCH/app .\nFROM scratch\nARG TARGETARCH\nCOPY --from=build /out/$TARGETARCH/app /app\n',
      findings: [{ line: 5 }],
      output: null,
      fixes: [{ title: /^Add --mount=type=cache.*\(needs BuildKit\)$/, output: `FROM golang:1.22 AS build\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN ${MOD} ${BUILD} go build -o /out/$TARGETARCH/app .\nFROM scratch\nARG TARGETARCH\nCOPY --from=build /out/$TARGETARCH/app /app\n` }],
    },
    {
      name: 'heredoc with a continuation line and apk before it',
      code: ms('RUN apk add --no-cache git\nCOPY . .\nRUN <<EOF\ngo build \\\n  -o /app .\nEOF', 'golang:1.22-alpine'),
      findings: [{ line: 6, text: 'go build' }],
      output: ms(`RUN apk add --no-cache git\nCOPY . .\nRUN ${MOD} ${BUILD} <<EOF\ngo build \\\n  -o /app .\nEOF`, 'golang:1.22-alpine'),
    },
    {
      name: 'COPY --link --chown does not matter; CMD ./app in a single-stage image is fine',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY --link --chown=1000:1000 . .\nRUN go build -o app .\nCMD ["./app"]\n',
      findings: [{ line: 4 }],
      output: `FROM golang:1.22\nWORKDIR /src\nCOPY --link --chown=1000:1000 . .\nRUN ${MOD} ${BUILD} go build -o app .\nCMD ["./app"]\n`,
    },
  ],
});
