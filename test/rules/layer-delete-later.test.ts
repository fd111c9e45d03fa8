import { layerDeleteLater } from '../../server/src/engine/rules/layer-delete-later';
import { ruleTester } from '../helpers/ruleTester';

const URL = 'https://go.dev/dl/go1.23.0.linux-amd64.tar.gz';
/** A small build context: what `COPY . ...` sends. */
const CTX = { 'go.mod': 'module example.com/api\n\ngo 1.23\n', 'main.go': 'package main\n', 'docs/index.md': '# API\n', 'testdata/a.json': '{}' };

ruleTester(layerDeleteLater, {
  valid: [
    { name: 'download, extract and delete in one RUN', code: `FROM debian:12\nRUN wget -O /tmp/go.tgz ${URL} && tar -C /usr/local -xzf /tmp/go.tgz && rm /tmp/go.tgz\n` },
    { name: 'apt lists removed where they are created, twice', code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'already removed in the creating RUN: a later rm finds nothing there', code: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN rm -rf /var/lib/apt/lists/*\n' },
    { name: 'files of the base image', code: 'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/conf.d/app.conf\nRUN rm /etc/nginx/conf.d/default.conf\n' },
    { name: 'a folder of unknown contents merged into a system folder', code: 'FROM nginx:1.27\nCOPY conf.d/ /etc/nginx/conf.d/\nRUN rm /etc/nginx/conf.d/default.conf\n' },
    { name: 'a file copied into an existing folder, without trailing slash', code: 'FROM nginx:1.27\nCOPY app.conf /etc/nginx/conf.d\nRUN rm /etc/nginx/conf.d/default.conf\n' },
    { name: 'the whole context at /', code: 'FROM alpine:3.20\nCOPY . /\nRUN rm -rf /usr/share/doc\n' },
    { name: 'another stage\'s files', code: 'FROM alpine:3.20 AS a\nCOPY . /src\nFROM alpine:3.20\nRUN rm -rf /src\n', files: CTX },
    { name: 'Go build cache in a cache mount', code: 'FROM golang:1.23\nWORKDIR /src\nRUN --mount=type=cache,target=/root/.cache/go-build go build -o /app .\nRUN rm -rf /root/.cache/go-build\n' },
    { name: 'rm on a cache mount of its own RUN', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/src/tmp rm -rf /src/tmp/*\n' },
    { name: 'go clean -modcache after a cached download', code: 'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nRUN go clean -modcache\n' },
    { name: 'unknown variable', code: 'FROM alpine:3.20\nARG DIR\nCOPY . /src\nRUN rm -rf $DIR\n', files: CTX },
    { name: 'unknown working directory after cd', code: 'FROM alpine:3.20\nCOPY . /src\nRUN cd "$(mktemp -d)" && rm -rf docs\n', files: CTX },
    { name: 'an empty folder made by mkdir', code: 'FROM alpine:3.20\nRUN mkdir -p /build\nRUN rm -rf /build\n' },
    { name: 'deleting something else', code: 'FROM alpine:3.20\nCOPY tool /tmp/tool\nRUN rm -f /tmp/other\n' },
    { name: 'exec-form RUN is not read', code: 'FROM alpine:3.20\nCOPY . /src\nRUN ["rm", "-rf", "/src/docs"]\n', files: CTX },
    { name: 'wget to stdout', code: `FROM alpine:3.20\nRUN wget -qO- ${URL} | tar -xz -C /tmp\nRUN rm -rf /opt/go\n` },
    { name: 'stderr redirection and /dev/null', code: 'FROM alpine:3.20\nRUN ls 2>/tmp/err >/dev/null\nRUN rm -f /tmp/err\n' },
    {
      name: 'Windows file with backtick escape',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY . C:\\src\nRUN del /q C:\\src\\docs && `\n    rmdir /s /q C:\\src\\testdata\n',
    },
    { name: 'made by a later RUN, not sent with the context', code: 'FROM golang:1.23\nCOPY . /src\nRUN cd /src && make docs\nRUN rm -rf /src/docs\n', files: { 'go.mod': 'module x\n', Makefile: 'docs:\n\tmkdocs build\n' } },
    {
      name: 'excluded by .dockerignore: made by a later RUN',
      code: 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nRUN rm -rf node_modules\n',
      files: { 'package.json': '{}', 'node_modules/x/index.js': '', '.dockerignore': 'node_modules\n' },
    },
    { name: 'a folder from another stage, written into since', code: 'FROM golang:1.23 AS build\nRUN go build -o /app/api .\nFROM alpine:3.20\nCOPY --from=build /app /app\nRUN cd /app && ./gen-fixtures\nRUN rm -rf /app/fixtures\n' },
    { name: 'a clone built in by a later RUN', code: 'FROM alpine:3.20\nRUN git clone https://github.com/acme/tools.git /opt/tools\nRUN make -C /opt/tools\nRUN rm -rf /opt/tools/build\n' },
    { name: 'pragma', code: 'FROM alpine:3.20\nCOPY . /src\n# container-tuner ignore=layer-delete-later\nRUN rm -rf /src/docs\n', files: CTX },
  ],
  invalid: [
    {
      name: 'COPY . then rm of a copied folder',
      code: 'FROM alpine:3.20\nCOPY . /src\nRUN rm -rf /src/docs\n',
      files: CTX,
      findings: [{ line: 3, text: '/src/docs', severity: 'warning', message: 'created on line 2; its bytes stay in that layer' }],
      output: null,
    },
    {
      name: 'paths relative to WORKDIR, two operands',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/api .\nRUN rm -rf docs ./testdata\n',
      files: CTX,
      findings: [
        { line: 5, text: 'docs', message: 'created on line 3' },
        { line: 5, text: './testdata', message: 'created on line 3' },
      ],
    },
    {
      name: 'wget -O in one RUN, rm in the next',
      code: `FROM debian:12\nRUN wget -O /tmp/go.tgz ${URL}\nRUN tar -C /usr/local -xzf /tmp/go.tgz && rm /tmp/go.tgz\n`,
      findings: [{ line: 3, text: '/tmp/go.tgz', message: /created on line 2.*same RUN that creates it/ }],
    },
    {
      name: 'curl -fsSLo',
      code: `FROM alpine:3.20\nRUN curl -fsSLo /tmp/go.tgz ${URL}\nRUN rm -f /tmp/go.tgz\n`,
      findings: [{ line: 3, text: '/tmp/go.tgz' }],
    },
    {
      name: 'curl -O into WORKDIR',
      code: `FROM alpine:3.20\nWORKDIR /tmp\nRUN curl -fsSLO ${URL}\nRUN rm go1.23.0.linux-amd64.tar.gz\n`,
      findings: [{ line: 4, text: 'go1.23.0.linux-amd64.tar.gz', message: 'line 3' }],
    },
    {
      name: 'a redirection',
      code: `FROM alpine:3.20\nRUN curl -fsSL ${URL} > /tmp/go.tgz\nRUN rm /tmp/go.tgz\n`,
      findings: [{ line: 3, text: '/tmp/go.tgz' }],
    },
    {
      name: 'git clone, a glob under it',
      code: 'FROM alpine:3.20\nRUN git clone --depth 1 https://github.com/acme/tools.git /opt/tools\nRUN cd /opt/tools && rm -rf .git *.md\n',
      findings: [{ line: 3, text: '.git' }, { line: 3, text: '*.md' }],
    },
    {
      name: 'apt-get update in one RUN, lists removed in a later one',
      code: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates\nRUN rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 3, text: '/var/lib/apt/lists/*', message: 'created on line 2' }],
    },
    {
      name: 'apk index removed later',
      code: 'FROM alpine:3.20\nRUN apk add git\nRUN rm -rf /var/cache/apk/*\n',
      findings: [{ line: 3, text: '/var/cache/apk/*' }],
    },
    {
      name: 'Go module cache: go clean -modcache after go mod download',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /usr/local/bin/api . && go clean -modcache\n',
      findings: [{ line: 6, text: '-modcache', message: /module cache \(`\/go\/pkg\/mod`\) in a later RUN.*created on line 4/ }],
    },
    {
      name: 'Go build cache removed in a later RUN',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/api .\nRUN rm -rf /root/.cache/go-build\n',
      findings: [{ line: 5, text: '/root/.cache/go-build', message: 'created on line 4' }],
    },
    {
      name: 'GOCACHE from ENV',
      code: 'FROM golang:1.23\nENV GOCACHE=/tmp/gocache\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/api .\nRUN rm -rf /tmp/gocache\n',
      findings: [{ line: 6, text: '/tmp/gocache' }],
    },
    {
      name: 'created by an ancestor stage',
      code: 'FROM golang:1.23 AS base\nWORKDIR /src\nCOPY . .\nFROM base AS final\nRUN rm -rf /src/testdata\n',
      files: CTX,
      findings: [{ line: 5, text: '/src/testdata', severity: 'warning', message: 'created on line 3' }],
    },
    {
      name: 'created two stages up, through a stage that deletes nothing; a sibling stage is not followed',
      code: 'FROM golang:1.23 AS base\nWORKDIR /src\nCOPY . .\nFROM base AS mid\nRUN go vet ./...\nFROM base AS other\nRUN echo other\nFROM mid\nRUN rm -rf /src/testdata /src/docs\n',
      files: CTX,
      findings: [
        { line: 9, text: '/src/testdata', severity: 'warning', message: 'created on line 3' },
        { line: 9, text: '/src/docs', severity: 'warning', message: 'created on line 3' },
      ],
    },
    {
      name: 'a build stage the final image does not inherit from: info; stage copied --from by index',
      code: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN rm -rf .git\nRUN CGO_ENABLED=0 go build -o /out/api .\nFROM scratch\nCOPY --from=0 /out/api /api\n',
      files: { ...CTX, '.git/HEAD': 'ref: refs/heads/main\n' },
      findings: [{ line: 4, text: '.git', severity: 'info', message: 'build stage' }],
    },
    {
      name: 'COPY --link --chown of a folder of the context',
      code: 'FROM nginx:1.27\nCOPY --link --chown=101:101 dist/ /srv/www/\nRUN rm -f /srv/www/*.map\n',
      files: { 'dist/app.js': 'x', 'dist/app.js.map': '{}' },
      findings: [{ line: 3, text: '/srv/www/*.map' }],
    },
    {
      name: 'a file copied into /usr/local/bin/',
      code: 'FROM alpine:3.20\nCOPY install.sh /usr/local/bin/\nRUN install.sh && rm /usr/local/bin/install.sh\n',
      findings: [{ line: 3, text: '/usr/local/bin/install.sh', message: /keep it out of the copy/ }],
    },
    {
      name: 'heredoc RUN',
      code: 'FROM alpine:3.20\nCOPY . /src\nRUN <<EOF\nset -e\nrm -rf /src/docs\nEOF\n',
      files: CTX,
      findings: [{ line: 5, text: '/src/docs' }],
    },
    {
      name: 'continuation lines',
      code: 'FROM alpine:3.20\nCOPY . /src\nRUN set -eux; \\\n    rm -rf \\\n      /src/docs\n',
      files: CTX,
      findings: [{ line: 5, text: '/src/docs' }],
    },
    {
      name: 'ARG-driven FROM, ENV in the paths',
      code: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nENV SRC=/src\nCOPY . $SRC\nRUN rm -rf ${SRC}/docs\n',
      files: CTX,
      findings: [{ line: 5, text: '${SRC}/docs' }],
    },
    {
      name: 'removed together with its parent: every creating line named',
      code: 'FROM golang:1.23\nCOPY . /app\nRUN go build -o /app/bin/server ./cmd/server\nRUN cp /app/bin/server /usr/local/bin/server && rm -rf /app\n',
      findings: [{ line: 4, text: '/app', message: 'created on lines 2 and 3; its bytes stay in those layers' }],
    },
    {
      name: 'a folder from another stage, nothing written since',
      code: 'FROM golang:1.23 AS build\nRUN go build -o /app/api .\nFROM alpine:3.20\nCOPY --from=build /app /app\nRUN ls /app\nRUN rm -rf /app/testdata\n',
      findings: [{ line: 6, text: '/app/testdata', message: 'created on line 4' }],
    },
    {
      name: 'a clone built in the same RUN: its outputs are in that layer too',
      code: 'FROM alpine:3.20\nRUN git clone https://github.com/acme/tools.git /opt/tools && make -C /opt/tools\nRUN rm -rf /opt/tools/build\n',
      findings: [{ line: 3, text: '/opt/tools/build', message: 'created on line 2' }],
    },
    {
      name: 'only reported once: what is deleted is gone',
      code: 'FROM alpine:3.20\nCOPY big.bin /tmp/big.bin\nRUN rm /tmp/big.bin\nRUN rm -f /tmp/big.bin\n',
      findings: [{ line: 3, text: '/tmp/big.bin' }],
    },
  ],
});
