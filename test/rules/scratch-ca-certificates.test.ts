import { scratchCaCertificates } from '../../server/src/engine/rules/scratch-ca-certificates';
import { ruleTester } from '../helpers/ruleTester';

const BUILD = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n';
const CERT = 'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n';
const GOMOD = 'module example.com/app\n\ngo 1.22\n';

ruleTester(scratchCaCertificates, {
  valid: [
    { name: 'bundle copied from the builder', code: BUILD + 'FROM scratch\n' + CERT + 'COPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n' },
    { name: 'the whole certs directory', code: BUILD + 'FROM scratch\nCOPY --from=build /etc/ssl/certs /etc/ssl/certs\nCOPY --from=build /out/app /app\n' },
    { name: 'bundle copied from an image', code: BUILD + 'FROM scratch\nCOPY --from=alpine:3.20 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /out/app /app\n' },
    { name: 'bundle from the context', code: BUILD + 'FROM scratch\nCOPY ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /out/app /app\n' },
    { name: '/etc/ssl/cert.pem', code: BUILD + 'FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem\nCOPY --from=build /out/app /app\n' },
    { name: 'RHEL-style bundle', code: BUILD + 'FROM amazonlinux:2 AS al\nFROM scratch\nCOPY --from=al /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/\nCOPY --from=build /out/app /app\n' },
    {
      name: 'roots embedded with x509roots/fallback',
      code: BUILD + 'FROM scratch\nCOPY --from=build /out/app /app\n',
      files: { 'go.mod': GOMOD + '\nrequire golang.org/x/crypto/x509roots/fallback v0.0.0-20240318163159-6a1ea4a8d7ad\n' },
    },
    { name: 'SSL_CERT_FILE points elsewhere', code: BUILD + 'FROM scratch\nENV SSL_CERT_FILE=/config/ca.pem\nCOPY --from=build /out/app /app\n' },
    { name: 'SSL_CERT_DIR in the scratch stage the final one is built on', code: BUILD + 'FROM scratch AS base\nENV SSL_CERT_DIR=/certs\nFROM base\nCOPY --from=build /out/app /app\n' },
    { name: 'bundle in the scratch stage the final one is built on', code: BUILD + 'FROM scratch AS base\n' + CERT + 'FROM base\nCOPY --from=build /out/app /app\n' },
    { name: 'distroless has certificates', code: BUILD + 'FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/app /app\n' },
    { name: 'alpine final', code: BUILD + 'FROM alpine:3.20\nCOPY --from=build /out/app /app\n' },
    { name: 'no Go in this Dockerfile', code: 'FROM scratch\nCOPY hello /hello\nCMD ["/hello"]\n' },
    { name: 'only data copied from the Go stage', code: BUILD + 'FROM scratch\nCOPY --from=build /src/config.yaml /config.yaml\nCOPY app /app\n' },
    { name: 'a root file system added', code: BUILD + 'FROM scratch\nADD rootfs.tar.gz /\nCOPY --from=build /out/app /app\n' },
    { name: 'a directory copied over /', code: BUILD + 'FROM scratch\nCOPY --from=build /out/ /\n' },
    { name: 'sources from a variable', code: BUILD + 'FROM scratch\nARG CERTS\nCOPY --from=build ${CERTS} /\nCOPY --from=build /out/app /app\n' },
    { name: 'unresolved final base', code: 'ARG RUNTIME\n' + BUILD + 'FROM ${RUNTIME}\nCOPY --from=build /out/app /app\n' },
    { name: 'pragma', code: BUILD + '# container-tuner ignore=scratch-ca-certificates\nFROM scratch\nCOPY --from=build /out/app /app\n' },
  ],
  invalid: [
    {
      name: 'golang builder: preferred fix right after FROM',
      code: BUILD + 'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
      findings: [{ line: 5, text: 'scratch', severity: 'info', message: /`scratch` and ships a Go binary.*x509: certificate signed by unknown authority.*from the `build` stage/ }],
      output: BUILD + 'FROM scratch\n' + CERT + 'COPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    },
    {
      name: 'golang alpine builder, go.mod without the fallback module',
      code: BUILD.replace('golang:1.22', 'golang:1.22-alpine') + 'FROM scratch AS runtime\nCOPY --from=build /out/app /app\n',
      files: { 'go.mod': GOMOD + '\nrequire github.com/google/uuid v1.6.0\n' },
      findings: [{ line: 5, text: 'scratch' }],
      output: BUILD.replace('golang:1.22', 'golang:1.22-alpine') + 'FROM scratch AS runtime\n' + CERT + 'COPY --from=build /out/app /app\n',
    },
    {
      name: 'alpine builder that installs ca-certificates (heredoc RUN)',
      code: 'FROM alpine:3.20 AS build\nRUN <<EOF\napk add --no-cache go ca-certificates\nEOF\nCOPY . /src\nRUN cd /src && go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 7, text: 'scratch' }],
      output: 'FROM alpine:3.20 AS build\nRUN <<EOF\napk add --no-cache go ca-certificates\nEOF\nCOPY . /src\nRUN cd /src && go build -o /out/app .\nFROM scratch\n' + CERT + 'COPY --from=build /out/app /app\n',
    },
    {
      name: 'ca-certificates only in a virtual package that may be deleted: no fix',
      code: 'FROM alpine:3.20 AS build\nRUN apk add --no-cache --virtual .deps go ca-certificates\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 4, message: /Copy a CA bundle.*from a build stage that has one.*x509roots\/fallback/ }],
      output: null,
    },
    {
      name: 'Debian builder without ca-certificates: no fix',
      code: 'FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y golang\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 4 }],
      output: null,
    },
    {
      name: 'Debian builder that installs ca-certificates, continuation lines',
      code: 'FROM debian:bookworm AS build\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n      ca-certificates golang && \\\n    rm -rf /var/lib/apt/lists/*\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 7 }],
      output: 'FROM debian:bookworm AS build\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n      ca-certificates golang && \\\n    rm -rf /var/lib/apt/lists/*\nRUN go build -o /out/app .\nFROM scratch\n' + CERT + 'COPY --from=build /out/app /app\n',
    },
    {
      name: 'unnamed builder copied by index',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o main .\nFROM scratch\nCOPY --from=0 /app/main /main\nCMD ["/main"]\n',
      findings: [{ line: 5, text: 'scratch', message: 'from the `0` stage' }],
      output: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN CGO_ENABLED=0 go build -o main .\nFROM scratch\nCOPY --from=0 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=0 /app/main /main\nCMD ["/main"]\n',
    },
    {
      name: 'COPY --link --chown of the binary',
      code: BUILD + 'FROM scratch\nCOPY --link --chown=65532:65532 --from=build /out/app /app\nUSER 65532:65532\n',
      findings: [{ line: 5 }],
      output: BUILD + 'FROM scratch\n' + CERT + 'COPY --link --chown=65532:65532 --from=build /out/app /app\nUSER 65532:65532\n',
    },
    {
      name: 'ARG-driven final FROM',
      code: 'ARG RUNTIME=scratch\n' + BUILD + 'FROM ${RUNTIME}\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 6, text: '${RUNTIME}' }],
      output: 'ARG RUNTIME=scratch\n' + BUILD + 'FROM ${RUNTIME}\n' + CERT + 'COPY --from=build /out/app /app\n',
    },
    {
      name: 'builder built FROM a golang stage',
      code: 'FROM golang:1.22 AS base\nFROM base AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 4 }],
      output: 'FROM golang:1.22 AS base\nFROM base AS build\nRUN go build -o /out/app .\nFROM scratch\n' + CERT + 'COPY --from=build /out/app /app\n',
    },
    {
      name: 'the stage with the bundle is not the one with the binary',
      code:
        'FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y golang\nRUN go build -o /out/app .\n' +
        'FROM alpine:3.20 AS tz\nRUN apk add --no-cache tzdata ca-certificates\n' +
        'FROM scratch\nCOPY --from=tz /usr/share/zoneinfo /usr/share/zoneinfo\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 6, message: 'from the `tz` stage' }],
      output:
        'FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y golang\nRUN go build -o /out/app .\n' +
        'FROM alpine:3.20 AS tz\nRUN apk add --no-cache tzdata ca-certificates\n' +
        'FROM scratch\nCOPY --from=tz /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=tz /usr/share/zoneinfo /usr/share/zoneinfo\nCOPY --from=build /out/app /app\n',
    },
    {
      name: 'binary built by an exec-form RUN, copied from the Go stage',
      code: 'FROM golang:1.22 AS build\nRUN ["go", "build", "-o", "/out/app", "."]\nFROM scratch\nCOPY --from=build /out/app /app\n',
      findings: [{ line: 3, message: 'a program copied from the Go stage `build`' }],
      output: 'FROM golang:1.22 AS build\nRUN ["go", "build", "-o", "/out/app", "."]\nFROM scratch\n' + CERT + 'COPY --from=build /out/app /app\n',
    },
    {
      name: 'final FROM at the end of a file without a trailing newline',
      code: BUILD + 'FROM scratch AS final\nCOPY --from=build /out/app /app',
      findings: [{ line: 5 }],
      output: BUILD + 'FROM scratch AS final\n' + CERT + 'COPY --from=build /out/app /app',
    },
  ],
});
