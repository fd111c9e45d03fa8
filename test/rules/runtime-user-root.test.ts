import { describe, expect, it } from 'vitest';
import { nonrootTag, runtimeUserRoot } from '../../server/src/engine/rules/runtime-user-root';
import { ruleTester } from '../helpers/ruleTester';

const BUILD = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n';
const APP = 'COPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n';
const USER = 'USER 65532:65532';

describe('nonrootTag', () => {
  it('maps distroless root tags to their nonroot twins', () => {
    expect(nonrootTag(undefined)).toBe('nonroot');
    expect(nonrootTag('latest')).toBe('nonroot');
    expect(nonrootTag('debug')).toBe('debug-nonroot');
    expect(nonrootTag('latest-arm64')).toBe('nonroot-arm64');
    expect(nonrootTag('debug-amd64')).toBe('debug-nonroot-amd64');
    expect(nonrootTag('11')).toBeUndefined();
  });
});

ruleTester(runtimeUserRoot, {
  valid: [
    { name: 'numeric USER', code: BUILD + 'FROM scratch\n' + APP + USER + '\n' },
    { name: 'named USER', code: BUILD + 'FROM alpine:3.20\nRUN adduser -D app\nUSER app\n' + APP },
    { name: 'distroless nonroot', code: BUILD + 'FROM gcr.io/distroless/static-debian12:nonroot\n' + APP },
    { name: 'distroless debug-nonroot', code: BUILD + 'FROM gcr.io/distroless/base-debian12:debug-nonroot\n' + APP },
    { name: 'distroless pinned by digest only: it may be the nonroot image', code: BUILD + 'FROM gcr.io/distroless/static-debian12@sha256:' + 'c'.repeat(64) + '\n' + APP },
    { name: 'Chainguard static runs as nonroot', code: BUILD + 'FROM cgr.dev/chainguard/static:latest\n' + APP },
    { name: 'USER in the stage the final one is built on', code: 'FROM alpine:3.20 AS base\nRUN adduser -D app\nUSER app\n' + BUILD + 'FROM base\n' + APP },
    { name: 'USER from a build argument', code: BUILD + 'FROM scratch\nARG UID\nUSER ${UID}\n' + APP },
    { name: 'an image whose default user is unknown', code: BUILD + 'FROM example.com/platform/base:1.4\n' + APP },
    { name: 'a toolchain image, not a runtime image', code: 'FROM golang:1.22-alpine\nRUN apk add --no-cache git make\nWORKDIR /go/src\n' },
    { name: 'scratch with nothing to run', code: 'FROM scratch\nCOPY rootfs/ /\n' },
    { name: 'Windows Nano Server', code: '# escape=`\nFROM golang:1.22-nanoserver-ltsc2022 AS build\nRUN go build -o C:\\app.exe .\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY --from=build C:/app.exe C:/app.exe\nENTRYPOINT ["C:\\\\app.exe"]\n' },
    { name: 'a Windows image by platform', code: 'FROM --platform=windows/amd64 golang:1.22\nCMD ["go", "version"]\n' },
    { name: 'an entrypoint that drops privileges with su-exec', code: BUILD + 'FROM alpine:3.20\nRUN apk add --no-cache su-exec\nCOPY entrypoint.sh /entrypoint.sh\n' + APP.replace('["/app"]', '["/entrypoint.sh", "/app"]') },
    { name: 'gosu in the entrypoint', code: BUILD + 'FROM debian:bookworm-slim\nCOPY --from=build /out/app /app\nENTRYPOINT ["gosu", "app", "/app"]\n' },
    { name: 'pragma', code: BUILD + '# container-tuner ignore=runtime-user-root\nFROM scratch\n' + APP },
    { name: 'hadolint pragma on USER root', code: BUILD + 'FROM alpine:3.20\n' + APP + '# hadolint ignore=DL3002\nUSER root\n' },
  ],
  invalid: [
    {
      name: 'scratch without USER: preferred USER at the end',
      code: BUILD + 'FROM scratch\n' + APP,
      findings: [{ line: 5, text: 'scratch', severity: 'info', message: /runs as root: `scratch` has no USER.*runAsNonRoot.*USER 65532:65532/ }],
      output: BUILD + 'FROM scratch\n' + APP.replace(/\n$/, '') + '\n' + USER + '\n',
    },
    {
      name: 'scratch exposing port 80: fix not preferred',
      code: BUILD + 'FROM scratch\n' + APP + 'EXPOSE 80\n',
      findings: [{ line: 5, message: 'port below 1024' }],
      output: null,
      fixes: [{ title: 'Add USER 65532:65532 at the end of the final stage', output: BUILD + 'FROM scratch\n' + APP + 'EXPOSE 80\n' + USER + '\n' }],
    },
    {
      name: 'EXPOSE ${PORT} from an ENV above 1024: no low-port note, fix preferred',
      code: BUILD + 'FROM scratch\n' + APP + 'ENV ND_PORT=4533\nEXPOSE ${ND_PORT}\n',
      findings: [{ line: 5, message: /^(?![\s\S]*port below 1024)/ }],
      output: BUILD + 'FROM scratch\n' + APP + 'ENV ND_PORT=4533\nEXPOSE ${ND_PORT}\n' + USER + '\n',
    },
    {
      name: 'EXPOSE $PORT from an ENV below 1024: the note',
      code: BUILD + 'FROM scratch\n' + APP + 'ENV PORT=443\nEXPOSE $PORT/tcp\n',
      findings: [{ line: 5, message: 'port below 1024' }],
      output: null,
    },
    {
      name: 'EXPOSE of a variable with no known value: no note, and no fix applied blindly',
      code: BUILD + 'FROM scratch\n' + APP + 'ARG PORT\nEXPOSE ${PORT}\n',
      findings: [{ line: 5, message: /^(?![\s\S]*port below 1024)/ }],
      output: null,
    },
    {
      name: 'distroless without a tag: the nonroot tag',
      code: BUILD + 'FROM gcr.io/distroless/static-debian12\n' + APP,
      findings: [{ line: 5, text: 'gcr.io/distroless/static-debian12', message: '`gcr.io/distroless/static-debian12:latest` runs as root' }],
      output: BUILD + 'FROM gcr.io/distroless/static-debian12:nonroot\n' + APP,
      fixes: [{ title: 'Add USER 65532:65532 at the end of the final stage', output: BUILD + 'FROM gcr.io/distroless/static-debian12\n' + APP + USER + '\n' }],
    },
    {
      name: 'distroless :latest',
      code: BUILD + 'FROM gcr.io/distroless/static:latest AS runtime\n' + APP,
      findings: [{ line: 5, text: 'gcr.io/distroless/static:latest' }],
      output: BUILD + 'FROM gcr.io/distroless/static:nonroot AS runtime\n' + APP,
    },
    {
      name: 'distroless :debug',
      code: BUILD + 'FROM gcr.io/distroless/base-debian12:debug\n' + APP,
      findings: [{ line: 5 }],
      output: BUILD + 'FROM gcr.io/distroless/base-debian12:debug-nonroot\n' + APP,
    },
    {
      name: 'distroless :latest-arm64 with its digest: no tag edit, USER instead',
      code: BUILD + 'FROM gcr.io/distroless/static:latest-arm64@sha256:' + 'd'.repeat(64) + '\n' + APP,
      findings: [{ line: 5 }],
      output: BUILD + 'FROM gcr.io/distroless/static:latest-arm64@sha256:' + 'd'.repeat(64) + '\n' + APP + USER + '\n',
    },
    {
      name: 'distroless from an ARG default',
      code: 'ARG RUNTIME=gcr.io/distroless/static-debian12\n' + BUILD + 'FROM ${RUNTIME}\n' + APP,
      findings: [{ line: 6, text: '${RUNTIME}' }],
      output: 'ARG RUNTIME=gcr.io/distroless/static-debian12:nonroot\n' + BUILD + 'FROM ${RUNTIME}\n' + APP,
    },
    {
      name: 'distroless debug with a RUN: tag fix not preferred',
      code: BUILD + 'FROM gcr.io/distroless/base-debian12:debug\nRUN ["/busybox/sh", "-c", "mkdir /data"]\n' + APP,
      findings: [{ line: 5 }],
      output: null,
      fixes: [{ title: 'Use the nonroot variant (gcr.io/distroless/base-debian12:debug-nonroot)', output: BUILD + 'FROM gcr.io/distroless/base-debian12:debug-nonroot\nRUN ["/busybox/sh", "-c", "mkdir /data"]\n' + APP }],
    },
    {
      name: 'alpine: USER offered, not preferred',
      code: BUILD + 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n' + APP,
      findings: [{ line: 5, text: 'alpine:3.20', message: '`alpine` runs as root unless a USER says otherwise' }],
      output: null,
      fixes: [{ title: 'Add USER 65532:65532 at the end of the final stage', output: BUILD + 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n' + APP + USER + '\n' }],
    },
    {
      name: 'single-stage golang image',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /server .\nCMD ["/server"]\n',
      findings: [{ line: 1, text: 'golang:1.22' }],
      output: null,
    },
    {
      name: 'USER root last',
      code: BUILD + 'FROM alpine:3.20\n' + APP + 'USER root\n',
      findings: [{ line: 8, text: 'root', message: 'the last USER (line 8) is `root`' }],
      output: null,
      fixes: [{ title: /^Add USER 65532/, output: BUILD + 'FROM alpine:3.20\n' + APP + 'USER root\n' + USER + '\n' }],
    },
    {
      name: 'USER 0:0 after a non-root USER',
      code: BUILD + 'FROM gcr.io/distroless/static-debian12:nonroot\n' + APP + 'USER 0:0\n',
      findings: [{ line: 8, text: '0:0' }],
      output: null,
    },
    {
      name: 'USER root in the parent stage: reported on the final FROM',
      code: 'FROM alpine:3.20 AS base\nUSER root\n' + BUILD + 'FROM base\n' + APP,
      findings: [{ line: 7, text: 'base', message: 'the last USER (line 2)' }],
      output: null,
    },
    {
      name: 'unnamed builder copied by index, multi-line ENTRYPOINT last',
      code: 'FROM golang:1.22\nRUN go build -o /app .\nFROM scratch\nCOPY --from=0 /app /app\nENTRYPOINT ["/app", \\\n  "--serve"]\n',
      findings: [{ line: 3 }],
      output: 'FROM golang:1.22\nRUN go build -o /app .\nFROM scratch\nCOPY --from=0 /app /app\nENTRYPOINT ["/app", \\\n  "--serve"]\n' + USER + '\n',
    },
    {
      name: 'heredoc RUN as the last instruction: USER after its terminator',
      code: BUILD + 'FROM alpine:3.20\n' + APP + 'RUN <<EOF\nmkdir -p /data\nEOF\n',
      findings: [{ line: 5 }],
      output: null,
      fixes: [{ title: /^Add USER 65532/, output: BUILD + 'FROM alpine:3.20\n' + APP + 'RUN <<EOF\nmkdir -p /data\nEOF\n' + USER + '\n' }],
    },
    {
      name: 'COPY --link --chown does not change the user',
      code: BUILD + 'FROM scratch\nCOPY --link --chown=65532:65532 --from=build /out/app /app\nCMD ["/app"]\n',
      findings: [{ line: 5 }],
      output: BUILD + 'FROM scratch\nCOPY --link --chown=65532:65532 --from=build /out/app /app\nCMD ["/app"]\n' + USER + '\n',
    },
    // fuzz regressions (fuzz/failures): the appended USER line became part of an instruction that
    // ends with a continuation at the end of the file
    {
      name: 'last instruction ends with a continuation at the end of the file: no USER fix',
      code: BUILD + 'FROM scratch\nCOPY --from=build /out/app /app\nLABEL maintainer="me" \\\n',
      findings: [{ line: 5 }],
      output: null,
    },
    {
      name: 'a trailing escape without a newline: no USER fix',
      code: BUILD + 'FROM scratch\nCOPY --from=build /out/app /app\nCMD  \\',
      noCrlf: true,
      findings: [{ line: 5 }],
      output: null,
    },
  ],
});
