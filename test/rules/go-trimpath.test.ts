import { goTrimpath } from '../../server/src/engine/rules/go-trimpath';
import { ruleTester } from '../helpers/ruleTester';

// builder + scratch final, with the build line given
const ms = (run: string, from = 'golang:1.22') =>
  `FROM ${from} AS build\nWORKDIR /src\nCOPY . .\n${run}\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n`;

ruleTester(goTrimpath, {
  valid: [
    { name: 'already -trimpath', code: ms('RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /app .') },
    { name: '-trimpath among other flags on a continuation line', code: ms('RUN go build \\\n    -ldflags="-s -w" -trimpath \\\n    -o /app .') },
    { name: '--trimpath spelling', code: ms('RUN go build --trimpath -o /app .') },
    { name: 'explicitly off is a choice', code: ms('RUN go build -trimpath=false -o /app .') },
    { name: 'GOFLAGS in ENV', code: ms('ENV GOFLAGS="-mod=readonly -trimpath"\nRUN go build -o /app .') },
    { name: 'GOFLAGS on the command', code: ms('RUN GOFLAGS=-trimpath go build -o /app .') },
    { name: 'GOFLAGS exported earlier in the script', code: ms('RUN export GOFLAGS=-trimpath && go build -o /app .') },
    { name: 'GOFLAGS from a build arg without default (unknown)', code: ms('ARG GOFLAGS\nRUN go build -o /app .') },
    { name: 'go env -w GOFLAGS', code: ms('RUN go env -w GOFLAGS=-trimpath\nRUN go build -o /app .') },
    { name: 'debug build for Delve', code: ms('RUN go build -gcflags="all=-N -l" -o /app .') },
    { name: 'gcflags from Skaffold (may be a debug build)', code: ms('ARG SKAFFOLD_GO_GCFLAGS\nRUN go build -gcflags="${SKAFFOLD_GO_GCFLAGS}" -o /app .') },
    { name: 'flags hidden in a variable', code: ms('ARG FLAGS\nRUN go build $FLAGS -o /app .') },
    {
      name: 'a tool stage that is not shipped',
      code: 'FROM golang:1.22 AS gen\nRUN go build -o /bin/gen ./tools/gen\nFROM golang:1.22 AS build\nRUN go build -trimpath -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    { name: 'go build ./... (a check)', code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build ./...\n' },
    { name: 'output to /dev/null', code: 'FROM golang:1.22\nRUN go build -o /dev/null .\n' },
    { name: 'go test -c', code: ms('RUN go test -c -o /tmp/x.test ./pkg && go build -trimpath -o /app .') },
    { name: 'exec form', code: ms('RUN ["go", "build", "-o", "/app", "."]') },
    { name: 'Go 1.12 builder (no -trimpath before Go 1.13)', code: ms('RUN go build -o /app .', 'golang:1.12-alpine') },
    {
      name: 'go install of dependencies to warm the cache (not this module)',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go install github.com/aws/aws-sdk-go-v2/aws golang.org/x/crypto/ssh\nCOPY . .\nRUN go build -trimpath -o /go/bin/app .\nFROM scratch\nCOPY --from=build /go/bin/ /bin/\n',
      files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n' },
    },
    {
      name: 'a third-party tool installed with @version and shipped',
      code: 'FROM golang:1.22 AS tools\nRUN go install github.com/grpc-ecosystem/grpc-health-probe@v0.4.28\nFROM scratch\nCOPY --from=tools /go/bin/grpc-health-probe /bin/\n',
    },
    { name: 'pragma', code: ms('# container-tuner ignore=go-trimpath\nRUN go build -o /app .') },
  ],
  invalid: [
    {
      name: 'no -trimpath',
      code: ms('RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /app .'),
      findings: [{ line: 4, text: 'go build', severity: 'info', message: 'Go 1.13' }],
      output: ms('RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /app .'),
    },
    {
      name: 'continuation lines',
      code: ms('RUN CGO_ENABLED=0 \\\n    go build \\\n    -o /app \\\n    ./cmd/app'),
      findings: [{ line: 5, text: 'go build' }],
      output: ms('RUN CGO_ENABLED=0 \\\n    go build -trimpath \\\n    -o /app \\\n    ./cmd/app'),
    },
    {
      name: 'heredoc RUN with a mount',
      code: ms('RUN --mount=type=cache,target=/root/.cache/go-build <<EOF\nset -e\ngo build -o /app ./cmd/app\nEOF'),
      findings: [{ line: 6, text: 'go build' }],
      output: ms('RUN --mount=type=cache,target=/root/.cache/go-build <<EOF\nset -e\ngo build -trimpath -o /app ./cmd/app\nEOF'),
    },
    {
      name: 'GOFLAGS set to something else',
      code: ms('ENV GOFLAGS=-mod=vendor\nRUN go build -o /app .'),
      findings: [{ line: 5, text: 'go build' }],
      output: ms('ENV GOFLAGS=-mod=vendor\nRUN go build -trimpath -o /app .'),
    },
    {
      name: 'copied by stage index, COPY --link --chown',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static:nonroot\nCOPY --link --chown=65532:65532 --from=0 /out/app /app\n',
      findings: [{ line: 4, text: 'go build' }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath -o /out/app .\nFROM gcr.io/distroless/static:nonroot\nCOPY --link --chown=65532:65532 --from=0 /out/app /app\n',
    },
    {
      name: 'go install shipped from /go/bin',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/app\nFROM scratch\nCOPY --from=build /go/bin/app /app\n',
      findings: [{ line: 4, text: 'go install', message: '`go install`' }],
      output: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go install -trimpath ./cmd/app\nFROM scratch\nCOPY --from=build /go/bin/app /app\n',
    },
    {
      name: 'go install of this module by import path',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go install example.com/app/cmd/server\nFROM scratch\nCOPY --from=build /go/bin/server /server\n',
      files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n' },
      findings: [{ line: 4, text: 'go install' }],
      output: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go install -trimpath example.com/app/cmd/server\nFROM scratch\nCOPY --from=build /go/bin/server /server\n',
    },
    {
      name: 'heredoc with continuation lines',
      code: ms('RUN <<EOF\nset -e\nCGO_ENABLED=0 go build \\\n  -ldflags="-s -w" \\\n  -o /app .\nEOF'),
      findings: [{ line: 6, text: 'go build' }],
      output: ms('RUN <<EOF\nset -e\nCGO_ENABLED=0 go build -trimpath \\\n  -ldflags="-s -w" \\\n  -o /app .\nEOF'),
    },
    {
      name: 'ARG-driven FROM',
      code: 'ARG GO_IMAGE=golang:1.22-alpine\n' + ms('RUN go build -o /app .', '${GO_IMAGE}'),
      findings: [{ line: 5, text: 'go build' }],
      output: 'ARG GO_IMAGE=golang:1.22-alpine\n' + ms('RUN go build -trimpath -o /app .', '${GO_IMAGE}'),
    },
    {
      name: 'Windows, backtick escape',
      code:
        '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build `\n    -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
      findings: [{ line: 5, text: 'go build' }],
      output:
        '# escape=`\nFROM golang:1.22-windowsservercore-ltsc2022 AS build\nWORKDIR C:\\src\nCOPY . .\nRUN go build -trimpath `\n    -o C:\\out\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:\\out\\app.exe C:\\app.exe\n',
    },
    {
      name: 'built where it runs (single stage): fix not preferred',
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nCMD ["./app"]\n',
      findings: [{ line: 4, text: 'go build', message: 'runtime.Caller' }],
      output: null,
      fixes: [{ title: 'Add -trimpath', output: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath -o app .\nCMD ["./app"]\n' }],
    },
    {
      name: 'two shipped builds in one RUN',
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./cmd/api && go build -o /out/worker ./cmd/worker\nFROM scratch\nCOPY --from=build /out/ /bin/\n',
      findings: [
        { line: 4, text: 'go build' },
        { line: 4, text: 'go build' },
      ],
      output: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -trimpath -o /out/api ./cmd/api && go build -trimpath -o /out/worker ./cmd/worker\nFROM scratch\nCOPY --from=build /out/ /bin/\n',
    },
  ],
});
