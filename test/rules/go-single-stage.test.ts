import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from '../../server/src/engine/config';
import { lint } from '../../server/src/engine/lint';
import { goSingleStage } from '../../server/src/engine/rules/go-single-stage';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ROOT, ruleTester } from '../helpers/ruleTester';

const DISTROLESS = 'gcr.io/distroless/static-debian12:nonroot';
const CLASSIC = 'FROM golang:1.22\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o server .\nEXPOSE 8080\nCMD ["./server"]\n';

ruleTester(goSingleStage, {
  valid: [
    {
      name: 'already multi-stage: distroless runtime',
      code: `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /out/server /server\nCMD ["/server"]\n`,
    },
    { name: 'alpine final stage with a prebuilt binary', code: 'FROM alpine:3.20\nCOPY server /usr/local/bin/server\nCMD ["server"]\n' },
    {
      name: 'final stage inherits from a non-toolchain stage',
      code: 'FROM golang:1.22 AS build\nRUN go build -o /server .\nFROM alpine:3.20 AS base\nRUN apk add --no-cache ca-certificates\nFROM base\nCOPY --from=build /server /server\nCMD ["/server"]\n',
    },
    { name: 'go run in exec form (development image)', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD ["go", "run", "."]\n' },
    { name: 'go test in shell form', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD go test ./...\n' },
    { name: 'air live reload', code: 'FROM golang:1.22\nRUN go install github.com/air-verse/air@latest\nWORKDIR /app\nCOPY . .\nCMD ["air", "-c", ".air.toml"]\n' },
    { name: 'dlv debugger', code: 'FROM golang:1.22\nRUN go install github.com/go-delve/delve/cmd/dlv@latest\nWORKDIR /app\nCOPY . .\nRUN go build -gcflags="all=-N -l" -o /app/server .\nENTRYPOINT ["dlv", "--listen=:40000", "--headless", "exec", "/app/server"]\n' },
    { name: 'CompileDaemon', code: 'FROM golang:1.22\nRUN go install github.com/githubnemo/CompileDaemon@latest\nWORKDIR /app\nCOPY . .\nENTRYPOINT CompileDaemon --build="go build -o server ." --command=./server\n' },
    { name: 'reflex through sh -c', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD ["sh", "-c", "reflex -r \'\\\\.go$\' -s -- go run ."]\n' },
    { name: 'go run behind tini', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["go", "run", "./cmd/api"]\n' },
    { name: 'dev shell', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\nCMD ["bash"]\n' },
    { name: 'keep-alive dev container', code: 'FROM golang:1.22\nWORKDIR /src\nCMD ["sleep", "infinity"]\n' },
    { name: 'no CMD or ENTRYPOINT: a builder/toolchain image', code: 'FROM golang:1.22\nRUN go install github.com/caddyserver/xcaddy/cmd/xcaddy@latest\nWORKDIR /build\n' },
    { name: 'final stage named dev', code: 'FROM golang:1.22 AS dev\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n' },
    { name: 'stage named debug in the lineage', code: 'FROM golang:1.22 AS debug\nWORKDIR /app\nFROM debug\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n' },
    { name: 'Dockerfile.dev', path: 'Dockerfile.dev', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n' },
    { name: 'dev container folder', path: '.devcontainer/Dockerfile', code: 'FROM golang:1.22\nWORKDIR /workspace\nRUN go install golang.org/x/tools/gopls@latest\nCMD ["gopls", "serve"]\n' },
    { name: 'Dockerfile.build (a build image on purpose)', path: 'Dockerfile.build', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n' },
    { name: 'linter image', code: 'FROM golang:1.22\nRUN go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.1\nWORKDIR /src\nENTRYPOINT ["golangci-lint", "run"]\n' },
    { name: 'code generator that loads packages (mockgen)', code: 'FROM golang:1.22\nRUN go install go.uber.org/mock/mockgen@latest\nENTRYPOINT ["mockgen"]\n' },
    {
      name: 'prebuilt tool copied from the context (it may need Go at run time)',
      code: 'FROM golang:1.26-alpine3.23\nRUN apk --update add ca-certificates\nCOPY --chmod=755 ocb /usr/local/bin/ocb\nENTRYPOINT [ "ocb" ]\n',
    },
    { name: 'entrypoint script: cannot see what it runs', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nENTRYPOINT ["./entrypoint.sh"]\n' },
    { name: 'unresolved ARG base image', code: 'ARG BASE\nFROM ${BASE}\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n' },
    { name: 'pragma', code: '# container-tuner ignore=go-single-stage\nFROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ["./server"]\n' },
    { name: 'file-level pragma', code: '# container-tuner ignore-file=go-single-stage\nFROM golang:1.22\nRUN go build -o /server .\nCMD ["/server"]\n' },
    {
      name: 'Windows runtime stage already',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:/out/app.exe C:/app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n',
    },
  ],
  invalid: [
    {
      name: 'the classic single-stage Dockerfile',
      code: CLASSIC,
      findings: [{ line: 1, text: 'golang:1.22', severity: 'warning', message: /800 MB–1 GB.*5–20 MB/ }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nEXPOSE 8080\nCMD ["/server"]\n`,
    },
    {
      name: 'runtime base from config: alpine (musl) after a glibc builder',
      code: CLASSIC,
      config: { runtimeBase: 'alpine:3.20' },
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: 'FROM golang:1.22 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM alpine:3.20\nCOPY --from=build /app/server /usr/local/bin/server\nEXPOSE 8080\nCMD ["/usr/local/bin/server"]\n',
    },
    {
      name: 'runtime base from config: scratch',
      code: CLASSIC,
      config: { runtimeBase: 'scratch' },
      findings: [{ line: 1 }],
      output: 'FROM golang:1.22 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM scratch\nCOPY --from=build /app/server /server\nEXPOSE 8080\nCMD ["/server"]\n',
    },
    {
      name: 'alpine builder and alpine runtime: same libc, CGO left alone',
      code: 'FROM golang:1.22-alpine\nRUN apk add --no-cache git\nWORKDIR /app\nCOPY . .\nRUN go build -o /bin/api ./cmd/api\nCMD ["/bin/api"]\n',
      config: { runtimeBase: 'alpine:3.20' },
      findings: [{ line: 1, text: 'golang:1.22-alpine' }],
      output: 'FROM golang:1.22-alpine AS build\nRUN apk add --no-cache git\nWORKDIR /app\nCOPY . .\nRUN go build -o /bin/api ./cmd/api\n\nFROM alpine:3.20\nCOPY --from=build /bin/api /usr/local/bin/api\nCMD ["/usr/local/bin/api"]\n',
    },
    {
      name: 'shell-form CMD becomes exec form',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ./server --addr :8080\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nCMD ["/server", "--addr", ":8080"]\n`,
    },
    {
      name: 'CMD exec ./server in shell form',
      code: 'FROM golang:1.22\nRUN go build -o /usr/local/bin/app .\nCMD exec app\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/app .\n\nFROM ${DISTROLESS}\nCOPY --from=build /usr/local/bin/app /app\nCMD ["/app"]\n`,
    },
    {
      name: 'CMD using $PORT: offered, not preferred',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD ./server --port $PORT\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [
        {
          title: /review: CMD uses shell features/,
          output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nCMD ["/server", "--port", "$PORT"]\n`,
        },
      ],
    },
    {
      name: 'CMD with && is not preferred',
      code: 'FROM golang:1.22\nRUN go build -o /app/server .\nCMD /app/server migrate && /app/server serve\n',
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'lowercase instructions keep their style',
      code: 'from golang:1.22\nworkdir /app\ncopy . .\nrun go build -o server .\ncmd ["./server"]\n',
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: `from golang:1.22 as build\nworkdir /app\ncopy . .\nrun CGO_ENABLED=0 go build -o server .\n\nfrom ${DISTROLESS}\ncopy --from=build /app/server /server\ncmd ["/server"]\n`,
    },
    {
      name: 'named final stage: no AS added',
      code: 'FROM golang:1.22 AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/svc ./cmd/svc\nENTRYPOINT ["/out/svc"]\n',
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: `FROM golang:1.22 AS builder\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/svc ./cmd/svc\n\nFROM ${DISTROLESS}\nCOPY --from=builder /out/svc /svc\nENTRYPOINT ["/svc"]\n`,
    },
    {
      name: 'stage name build is taken: builder',
      code: 'FROM alpine:3.20 AS build\nRUN echo hi > /hi\nFROM golang:1.22\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 3, text: 'golang:1.22' }],
      output: `FROM alpine:3.20 AS build\nRUN echo hi > /hi\nFROM golang:1.22 AS builder\nRUN CGO_ENABLED=0 go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=builder /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'FROM build inheriting a golang stage: range on the stage name',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM build\nEXPOSE 8080\nCMD ["/out/app"]\n',
      findings: [{ line: 6, text: 'build', message: 'stage `build`' }],
      output: `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM build AS builder\n\nFROM ${DISTROLESS}\nCOPY --from=builder /out/app /app\nEXPOSE 8080\nCMD ["/app"]\n`,
    },
    {
      name: 'ARG-driven image tag',
      code: 'ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 2, text: 'golang:${GO_VERSION}' }],
      output: `ARG GO_VERSION=1.22\nFROM golang:\${GO_VERSION} AS build\nRUN CGO_ENABLED=0 go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'ARG-driven whole image: FROM ${BASE}',
      code: 'ARG BASE=golang:1.23-bookworm\nFROM ${BASE}\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 2, text: '${BASE}', message: 'golang:1.23-bookworm' }],
      output: `ARG BASE=golang:1.23-bookworm\nFROM \${BASE} AS build\nRUN CGO_ENABLED=0 go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'registry mirror of golang',
      code: 'FROM public.ecr.aws/docker/library/golang:1.22\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 1, text: 'public.ecr.aws/docker/library/golang:1.22' }],
      output: `FROM public.ecr.aws/docker/library/golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'CGO_ENABLED=0 in ENV: kept in the build stage, not added again; runtime ENV moved',
      code: 'FROM golang:1.22\nENV CGO_ENABLED=0 GOOS=linux\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nENV GIN_MODE=release\nENV PORT=8080\nEXPOSE 8080\nCMD ["./server"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nENV CGO_ENABLED=0 GOOS=linux\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nENV GIN_MODE=release\nENV PORT=8080\nEXPOSE 8080\nCMD ["/server"]\n`,
    },
    {
      name: 'CGO_ENABLED=0 on the command already',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=linux go build -o /docker-gs-ping\nCMD [ "/docker-gs-ping" ]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=linux go build -o /docker-gs-ping\n\nFROM ${DISTROLESS}\nCOPY --from=build /docker-gs-ping /docker-gs-ping\nCMD [ "/docker-gs-ping" ]\n`,
    },
    {
      name: 'ARG CGO_ENABLED=0 in the stage counts',
      code: 'FROM golang:1.22\nARG CGO_ENABLED=0\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nARG CGO_ENABLED=0\nRUN go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'GOOS on the command: CGO_ENABLED=0 goes next to it, before go',
      code: 'FROM golang:1.22\nRUN GOOS=linux go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN GOOS=linux CGO_ENABLED=0 go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'go under a wrapper: CGO_ENABLED=0 before the whole command',
      code: 'FROM golang:1.22\nRUN time go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 time go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'mixed ENV (build + runtime) stays and is copied',
      code: 'FROM golang:1.22\nENV CGO_ENABLED=0 PORT=8080\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nENV CGO_ENABLED=0 PORT=8080\nRUN go build -o /server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /server /server\nENV CGO_ENABLED=0 PORT=8080\nCMD ["/server"]\n`,
    },
    {
      name: 'multi-line continuations: build, ENV and exec-form CMD',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build \\\n    -trimpath \\\n    -o /app/server \\\n    ./cmd/server\nENV APP_ENV=production \\\n    LOG_LEVEL=info\nCMD ["./server", \\\n     "--config-from-env"]\n',
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build \\\n    -trimpath \\\n    -o /app/server \\\n    ./cmd/server\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nENV APP_ENV=production \\\n    LOG_LEVEL=info\nCMD ["/server", \\\n     "--config-from-env"]\n`,
    },
    {
      name: 'heredoc RUN',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo mod download\ngo build -o /usr/local/bin/api ./cmd/api\nEOF\nCMD ["api"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo mod download\nCGO_ENABLED=0 go build -o /usr/local/bin/api ./cmd/api\nEOF\n\nFROM ${DISTROLESS}\nCOPY --from=build /usr/local/bin/api /api\nCMD ["/api"]\n`,
    },
    {
      name: 'go install of a local package: /go/bin/<name>',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/server\nCMD ["server"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go install ./cmd/server\n\nFROM ${DISTROLESS}\nCOPY --from=build /go/bin/server /server\nCMD ["/server"]\n`,
    },
    {
      name: 'go install with ENV GOOS=linux (native) still lands in /go/bin',
      code: 'FROM golang:1.22\nENV GOOS=linux\nRUN go install ./cmd/worker\nCMD ["worker"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nENV GOOS=linux\nRUN CGO_ENABLED=0 go install ./cmd/worker\n\nFROM ${DISTROLESS}\nCOPY --from=build /go/bin/worker /worker\nCMD ["/worker"]\n`,
    },
    {
      name: 'go install of a module with a major version suffix',
      code: 'FROM golang:1.22\nRUN go install github.com/example/tool/v2@v2.3.0\nENTRYPOINT ["tool", "serve"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go install github.com/example/tool/v2@v2.3.0\n\nFROM ${DISTROLESS}\nCOPY --from=build /go/bin/tool /tool\nENTRYPOINT ["/tool", "serve"]\n`,
    },
    {
      name: 'go build of a package without -o: named after the package',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build ./cmd/api\nCMD ["./api"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build ./cmd/api\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/api /api\nCMD ["/api"]\n`,
    },
    {
      name: 'go build main.go: named after the first file',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build main.go\nCMD ["/app/main"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build main.go\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/main /main\nCMD ["/main"]\n`,
    },
    {
      name: 'go build . without -o: name taken from the command, not preferred',
      code: 'FROM golang:1.22\nWORKDIR /go/src/app\nCOPY . .\nRUN go build .\nCMD ["./app"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [
        {
          title: /copy \/go\/src\/app\/app.*review: binary path \/go\/src\/app\/app taken from the command/,
          output: `FROM golang:1.22 AS build\nWORKDIR /go/src/app\nCOPY . .\nRUN CGO_ENABLED=0 go build .\n\nFROM ${DISTROLESS}\nCOPY --from=build /go/src/app/app /app\nCMD ["/app"]\n`,
        },
      ],
    },
    {
      name: '-o into the WORKDIR directory: name taken from the command',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app .\nCMD ["/app/myservice"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [{ title: /taken from the command/, output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/myservice /myservice\nCMD ["/myservice"]\n` }],
    },
    {
      name: 'WORKDIR with $GOPATH and a variable-free build',
      code: 'FROM golang:1.22\nWORKDIR $GOPATH/src/github.com/acme/api\nCOPY . .\nRUN go build -o api .\nENTRYPOINT ["./api"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR $GOPATH/src/github.com/acme/api\nCOPY . .\nRUN CGO_ENABLED=0 go build -o api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /go/src/github.com/acme/api/api /api\nENTRYPOINT ["/api"]\n`,
    },
    {
      name: 'ENTRYPOINT binary, CMD arguments: both moved',
      code: 'FROM golang:1.22\nRUN go build -o /usr/local/bin/svc .\nENTRYPOINT ["svc"]\nCMD ["--listen", ":8080"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/svc .\n\nFROM ${DISTROLESS}\nCOPY --from=build /usr/local/bin/svc /svc\nENTRYPOINT ["/svc"]\nCMD ["--listen", ":8080"]\n`,
    },
    {
      name: 'LABEL, numeric USER, STOPSIGNAL and comments move along',
      code: 'FROM golang:1.22\nLABEL org.opencontainers.image.source="https://example.com/api"\nRUN go build -o /api .\n\n# listens on 8080\nEXPOSE 8080\nUSER 65532:65532\nSTOPSIGNAL SIGINT\n# start\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nLABEL org.opencontainers.image.source="https://example.com/api"\n\n# listens on 8080\nEXPOSE 8080\nUSER 65532:65532\nSTOPSIGNAL SIGINT\n\n# start\nCMD ["/api"]\n`,
    },
    {
      name: 'a comment after the last instruction stays where it is',
      code: 'FROM golang:1.22\nRUN go build -o /api .\nCMD ["/api"]\n# end of file\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\n# end of file\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nCMD ["/api"]\n`,
    },
    {
      name: 'no newline at end of file, trailing blank lines absorbed',
      code: 'FROM golang:1.22\nRUN go build -o /api .\n\n\nCMD ["/api"]',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nCMD ["/api"]`,
    },
    {
      name: 'EXPOSE before the build is moved too (it does not affect the build)',
      code: 'FROM golang:1.22\nEXPOSE 9000\nENV PORT=9000\nWORKDIR /app\nCOPY . .\nRUN go build -o /api .\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nENV PORT=9000\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nEXPOSE 9000\nENV PORT=9000\nCMD ["/api"]\n`,
    },
    {
      name: 'user created in the build stage: not preferred',
      code: 'FROM golang:1.22\nRUN go build -o /api .\nRUN useradd -u 1001 app\nUSER app\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [
        {
          title: /review: RUN on line 3 changes the build stage after the build; USER app may not exist in the runtime image/,
          output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\nRUN useradd -u 1001 app\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nUSER app\nCMD ["/api"]\n`,
        },
      ],
    },
    {
      name: 'runtime packages installed in the image: not preferred',
      code: 'FROM golang:1.22\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*\nRUN go build -o /api .\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [{ title: /apt-get installs ffmpeg \(line 2\)/, output: `FROM golang:1.22 AS build\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nCMD ["/api"]\n` }],
    },
    {
      name: 'templates in the build context: not preferred',
      code: CLASSIC,
      files: { 'go.mod': 'module example.com/web\n\ngo 1.22\n', 'main.go': 'package main\n', 'templates/index.html': '<html></html>\n' },
      findings: [{ line: 1 }],
      output: null,
      fixes: [{ title: /templates copied on line 5 may be read at run time/, output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nEXPOSE 8080\nCMD ["/server"]\n` }],
    },
    {
      name: 'only Go sources in the build context: preferred',
      code: CLASSIC,
      files: {
        'go.mod': 'module example.com/web\n\ngo 1.22\n', 'go.sum': '', 'main.go': 'package main\n', 'internal/x/x.go': 'package x\n', 'README.md': '# web\n',
        Makefile: 'build:\n\tgo build\n', 'docker-compose.yml': 'services: {}\n', '.golangci.yml': 'linters: {}\n', '.github/workflows/ci.yml': 'on: push\n',
      },
      findings: [{ line: 1 }],
      output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o server .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/server /server\nEXPOSE 8080\nCMD ["/server"]\n`,
    },
    {
      name: 'a .env file in the build context: not preferred',
      code: CLASSIC,
      files: { 'main.go': 'package main\n', '.env': 'PORT=8080\n' },
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'a config file copied by name: not preferred',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY go.mod go.sum ./\nCOPY *.go ./\nCOPY config.yaml ./\nRUN go build -o /app/api .\nCMD ["/app/api", "-config", "config.yaml"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [
        {
          title: /config\.yaml is copied into the build stage \(line 5\) but not into the runtime stage/,
          output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY go.mod go.sum ./\nCOPY *.go ./\nCOPY config.yaml ./\nRUN CGO_ENABLED=0 go build -o /app/api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /app/api /api\nCMD ["/api", "-config", "config.yaml"]\n`,
        },
      ],
    },
    {
      name: 'a cgo-only module (go-sqlite3): no fix',
      code: CLASSIC,
      files: { 'go.mod': 'module example.com/web\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n' },
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: null,
    },
    {
      name: 'explicit CGO_ENABLED=1: no fix for a libc-less base',
      code: 'FROM golang:1.22\nRUN CGO_ENABLED=1 go build -o /api .\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'privileged port with a non-root base: not preferred',
      code: 'FROM golang:1.22\nRUN go build -o /api .\nEXPOSE 80\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [{ title: /port 80 is below 1024/, output: `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nEXPOSE 80\nCMD ["/api"]\n` }],
    },
    {
      name: 'privileged port with an alpine base (runs as root): preferred',
      code: 'FROM golang:1.22\nRUN go build -o /api .\nEXPOSE 80\nCMD ["/api"]\n',
      config: { runtimeBase: 'alpine:3.20' },
      findings: [{ line: 1 }],
      output: 'FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM alpine:3.20\nCOPY --from=build /api /usr/local/bin/api\nEXPOSE 80\nCMD ["/usr/local/bin/api"]\n',
    },
    {
      name: 'HEALTHCHECK with curl: not preferred',
      code: 'FROM golang:1.22\nRUN go build -o /api .\nHEALTHCHECK CMD curl -f http://localhost:8080/health || exit 1\nCMD ["/api"]\n',
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'TZ with scratch: not preferred',
      code: 'FROM golang:1.22\nRUN go build -o /api .\nENV TZ=Europe/Berlin\nCMD ["/api"]\n',
      config: { runtimeBase: 'scratch' },
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'binary written into a cache mount: no fix',
      code: 'FROM golang:1.22\nRUN --mount=type=cache,target=/out go build -o /out/api .\nCMD ["/out/api"]\n',
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'the command runs something the build did not produce: no fix',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN make build\nCMD ["./bin/api"]\n',
      findings: [{ line: 1 }],
      output: null,
    },
    {
      name: 'two binaries built: only the one the command runs is copied, not preferred',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /bin/api ./cmd/api && go build -o /bin/migrate ./cmd/migrate\nCMD ["/bin/api"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [{ title: /only the binary the command runs is copied/, output: `FROM golang:1.22 AS build\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/api ./cmd/api && go build -o /bin/migrate ./cmd/migrate\n\nFROM ${DISTROLESS}\nCOPY --from=build /bin/api /api\nCMD ["/api"]\n` }],
    },
    {
      name: 'FROM --platform on the final stage: not preferred',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22\nRUN go build -o /api .\nCMD ["/api"]\n',
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: null,
    },
    {
      name: 'pragma for another rule does not hide it',
      code: '# container-tuner ignore=apk-no-cache\nFROM golang:1.22\nRUN go build -o /api .\nCMD ["/api"]\n',
      findings: [{ line: 2 }],
      output: `# container-tuner ignore=apk-no-cache\nFROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /api .\n\nFROM ${DISTROLESS}\nCOPY --from=build /api /api\nCMD ["/api"]\n`,
    },
    {
      name: 'Chainguard Go image',
      code: 'FROM cgr.dev/chainguard/go:latest\nWORKDIR /work\nCOPY . .\nRUN go build -o /work/hello .\nENTRYPOINT ["/work/hello"]\n',
      findings: [{ line: 1, text: 'cgr.dev/chainguard/go:latest' }],
      output: `FROM cgr.dev/chainguard/go:latest AS build\nWORKDIR /work\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /work/hello .\n\nFROM ${DISTROLESS}\nCOPY --from=build /work/hello /hello\nENTRYPOINT ["/hello"]\n`,
    },
    {
      name: 'Windows servercore with the backtick escape: nanoserver of the same release, not preferred',
      code: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022\nWORKDIR C:\\app\nCOPY . .\nRUN go build -o server.exe .\nEXPOSE 8080\nCMD ["server.exe"]\n',
      findings: [{ line: 2, text: 'golang:1.22-windowsservercore-ltsc2022' }],
      output: null,
      fixes: [
        {
          title: /FROM mcr\.microsoft\.com\/windows\/nanoserver:ltsc2022, copy \/app\/server\.exe \(review: Windows/,
          output: '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\app\nCOPY . .\nRUN go build -o server.exe .\n\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build /app/server.exe /server.exe\nEXPOSE 8080\nCMD ["C:\\\\server.exe"]\n',
        },
      ],
    },
    {
      name: 'Windows ltsc2019 (1809) tag',
      code: 'FROM golang:1.16-windowsservercore-1809\nWORKDIR C:\\\\src\nCOPY . .\nRUN go build -o C:\\\\out\\\\app.exe .\nENTRYPOINT ["C:\\\\out\\\\app.exe"]\n',
      findings: [{ line: 1 }],
      output: null,
      fixes: [
        {
          title: /nanoserver:1809/,
          output: 'FROM golang:1.16-windowsservercore-1809 AS build\nWORKDIR C:\\\\src\nCOPY . .\nRUN go build -o C:\\\\out\\\\app.exe .\n\nFROM mcr.microsoft.com/windows/nanoserver:1809\nCOPY --from=build /out/app.exe /app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n',
        },
      ],
    },
    {
      name: 'Windows without a known release: finding, no fix',
      code: 'FROM golang:nanoserver\nWORKDIR C:\\\\app\nCOPY . .\nRUN go build -o app.exe .\nCMD ["app.exe"]\n',
      findings: [{ line: 1, text: 'golang:nanoserver' }],
      output: null,
    },
  ],
});

// Findings the rule reports without offering any fix: the binary, the base or the build is not certain enough.
describe('go-single-stage: finding without a fix', () => {
  const cases: { name: string; code: string; files?: Record<string, string>; config?: Record<string, unknown> }[] = [
    { name: 'cgo-only module in go.mod', code: CLASSIC, files: { 'go.mod': 'module example.com/web\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n' } },
    { name: 'explicit CGO_ENABLED=1', code: 'FROM golang:1.22\nRUN CGO_ENABLED=1 go build -o /api .\nCMD ["/api"]\n' },
    { name: 'static cgo linking', code: 'FROM golang:1.22\nRUN go build -ldflags "-linkmode external -extldflags -static" -o /api .\nCMD ["/api"]\n' },
    { name: 'binary in a cache mount', code: 'FROM golang:1.22\nRUN --mount=type=cache,target=/out go build -o /out/api .\nCMD ["/out/api"]\n' },
    { name: 'built by make', code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN make build\nCMD ["./bin/api"]\n' },
    { name: 'binary moved after the build', code: 'FROM golang:1.22\nRUN go build -o /tmp/api . && mv /tmp/api /usr/bin/api\nCMD ["api"]\n' },
    { name: 'output path from a variable', code: 'FROM golang:1.22\nARG OUT=/api\nRUN go build -o $OUT .\nCMD ["/api"]\n' },
    { name: 'command list in shell form', code: 'FROM golang:1.22\nRUN go build -o /app/server .\nCMD /app/server migrate && /app/server serve\n' },
    { name: 'tini in front of the binary', code: 'FROM golang:1.22\nRUN go build -o /api .\nENTRYPOINT ["tini", "--"]\nCMD ["/api"]\n' },
    { name: 'go install cross-compiled with GOARCH', code: 'FROM golang:1.22\nRUN GOARCH=arm64 go install ./cmd/worker\nCMD ["worker"]\n' },
    { name: 'exec-form RUN go build', code: 'FROM golang:1.22\nRUN ["go", "build", "-o", "/api", "."]\nCMD ["/api"]\n' },
    { name: 'Windows release unknown', code: 'FROM golang:nanoserver\nWORKDIR C:\\\\app\nCOPY . .\nRUN go build -o app.exe .\nCMD ["app.exe"]\n' },
    { name: 'runtimeBase configured as a toolchain image', code: CLASSIC, config: { runtimeBase: 'golang:1.22' } },
    { name: 'Linux stage with a Windows runtimeBase', code: CLASSIC, config: { runtimeBase: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' } },
  ];
  for (const c of cases) {
    for (const eol of ['\n', '\r\n']) {
      it(`${c.name}${eol === '\r\n' ? ' (CRLF)' : ''}`, () => {
        const code = c.code.replace(/\n/g, eol);
        const files: Record<string, string> = { [path.join(ROOT, 'Dockerfile')]: code };
        for (const [k, v] of Object.entries(c.files ?? {})) files[path.join(ROOT, k)] = v;
        const config = c.config ? mergeConfig(DEFAULT_CONFIG, c.config, path.join(ROOT, '.container-tuner.yaml')) : DEFAULT_CONFIG;
        const { findings } = lint({ text: code, path: path.join(ROOT, 'Dockerfile') }, new MemoryWorkspace(files), {
          config,
          rules: [goSingleStage],
          onRuleError: (_id, e) => {
            throw e;
          },
        });
        expect(findings).toHaveLength(1);
        expect(findings[0].fixes).toEqual([]);
      });
    }
  }
});
