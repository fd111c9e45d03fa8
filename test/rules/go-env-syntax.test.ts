import { goEnvSyntax } from '../../server/src/engine/rules/go-env-syntax';
import { ruleTester } from '../helpers/ruleTester';

const GO = 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n';

ruleTester(goEnvSyntax, {
  valid: [
    { name: 'GOMEMLIMIT in MiB', code: `${GO}ENV GOMEMLIMIT=460MiB\n` },
    { name: 'GOMEMLIMIT in bytes', code: `${GO}ENV GOMEMLIMIT=482344960\n` },
    { name: 'GOMEMLIMIT off', code: `${GO}ENV GOMEMLIMIT=off\n` },
    { name: 'GOMEMLIMIT empty', code: `${GO}ENV GOMEMLIMIT=\n` },
    { name: 'GOMEMLIMIT GiB, legacy form', code: `${GO}ENV GOMEMLIMIT 7GiB\n` },
    { name: 'quoted valid value', code: `${GO}ENV GOMEMLIMIT="512MiB"\n` },
    { name: 'an expansion is never judged', code: `${GO}ARG LIMIT=512Mi\nENV GOMEMLIMIT=$LIMIT\n` },
    { name: 'a braced expansion with default is never judged', code: `${GO}ENV GOMEMLIMIT=\${LIMIT:-512Mi}\n` },
    { name: 'an expansion in double quotes is never judged', code: `${GO}ENV GOMEMLIMIT="\${LIMIT}Mi"\n` },
    { name: 'ARG without default', code: `ARG GOMEMLIMIT\n${GO}ARG GOMEMLIMIT\nENV GOMEMLIMIT=\${GOMEMLIMIT}\n` },
    { name: 'value split over a continuation line is not judged', code: `${GO}ENV GOMEMLIMIT=512\\\nMi\n` },
    { name: 'GOMAXPROCS integer', code: `${GO}ENV GOMAXPROCS=2\n` },
    { name: 'GOMAXPROCS with leading zero (atoi accepts it)', code: `${GO}ENV GOMAXPROCS=04\n` },
    { name: 'GOGC integer', code: `${GO}ENV GOGC=200\n` },
    { name: 'GOGC off', code: `${GO}ENV GOGC=off GOMEMLIMIT=1GiB\n` },
    { name: 'GOGC negative (GC off, valid)', code: `${GO}ENV GOGC=-1 GOMEMLIMIT=1GiB\n` },
    { name: 'GOGC 0 is a valid integer', code: `${GO}ENV GOGC=0\n` },
    { name: 'RUN assignments are not judged', code: `${GO}RUN GOMAXPROCS=500m ./app\n` },
    { name: 'exec form env is not judged', code: `${GO}ENTRYPOINT ["env", "GOMEMLIMIT=512Mi", "/app"]\n` },
    { name: 'other variable names', code: `${GO}ENV MEMORY_LIMIT=512Mi APP_GOGC=OFF MY_GOMAXPROCS=500m\n` },
    { name: 'variable names are case-sensitive', code: `${GO}ENV gomemlimit=512Mi\n` },
    { name: 'LABEL is not ENV', code: `${GO}LABEL GOMEMLIMIT=512Mi\n` },
    { name: 'pragma', code: `${GO}# container-tuner ignore=go-env-syntax\nENV GOMEMLIMIT=512Mi\n` },
  ],
  invalid: [
    {
      name: 'Kubernetes quantity 512Mi',
      code: `${GO}ENV GOMEMLIMIT=512Mi\n`,
      findings: [{ line: 5, text: '512Mi', severity: 'error', message: 'malformed GOMEMLIMIT' }],
      output: `${GO}ENV GOMEMLIMIT=512MiB\n`,
    },
    {
      name: 'double-quoted value keeps its quotes',
      code: `${GO}ENV GOMEMLIMIT="768Mi"\n`,
      findings: [{ line: 5, text: '"768Mi"', severity: 'error' }],
      output: `${GO}ENV GOMEMLIMIT="768MiB"\n`,
    },
    {
      name: 'single-quoted value keeps its quotes',
      code: `${GO}ENV GOMEMLIMIT='1Gi'\n`,
      findings: [{ line: 5, text: "'1Gi'" }],
      output: `${GO}ENV GOMEMLIMIT='1GiB'\n`,
    },
    {
      name: 'spaces inside the quotes are trimmed',
      code: `${GO}ENV GOMEMLIMIT=" 512MiB "\n`,
      findings: [{ line: 5, text: '" 512MiB "', message: 'spaces and quotes' }],
      output: `${GO}ENV GOMEMLIMIT="512MiB"\n`,
    },
    {
      name: 'legacy ENV form',
      code: `${GO}ENV GOMEMLIMIT 768Mi\n`,
      findings: [{ line: 5, text: '768Mi' }],
      output: `${GO}ENV GOMEMLIMIT 768MiB\n`,
    },
    {
      name: 'legacy ENV form with a space in the value',
      code: `${GO}ENV GOMEMLIMIT 512 Mi\n`,
      findings: [{ line: 5, text: '512 Mi' }],
      output: `${GO}ENV GOMEMLIMIT 512MiB\n`,
    },
    {
      name: 'SI unit on a continuation line: exact bytes, 1024-based reading as another fix',
      code: `${GO}ENV APP_PORT=8080 \\\n    GOMEMLIMIT=1G \\\n    GOGC=200\n`,
      findings: [{ line: 6, text: '1G', severity: 'error', message: '1000000000 bytes' }],
      output: `${GO}ENV APP_PORT=8080 \\\n    GOMEMLIMIT=1000000000 \\\n    GOGC=200\n`,
      fixes: [{ title: 'Change GOMEMLIMIT to 1GiB', output: `${GO}ENV APP_PORT=8080 \\\n    GOMEMLIMIT=1GiB \\\n    GOGC=200\n` }],
    },
    {
      name: 'SI bytes 512MB',
      code: `${GO}ENV GOMEMLIMIT=512MB\n`,
      findings: [{ line: 5, text: '512MB' }],
      output: `${GO}ENV GOMEMLIMIT=512000000\n`,
      fixes: [{ title: 'Change GOMEMLIMIT to 512MiB', output: `${GO}ENV GOMEMLIMIT=512MiB\n` }],
    },
    {
      name: 'decimal binary quantity',
      code: `${GO}ENV GOMEMLIMIT=1.5Gi\n`,
      findings: [{ line: 5, text: '1.5Gi' }],
      output: `${GO}ENV GOMEMLIMIT=1536MiB\n`,
    },
    {
      name: 'Docker-style 400m: ambiguous, no preferred fix',
      code: `${GO}ARG GOMEMLIMIT=400m\nENV GOMEMLIMIT=\${GOMEMLIMIT}\n`,
      findings: [{ line: 5, text: '400m', severity: 'error', message: 'Docker' }],
      output: null,
      fixes: [
        { title: 'Change GOMEMLIMIT to 400MiB', output: `${GO}ARG GOMEMLIMIT=400MiB\nENV GOMEMLIMIT=\${GOMEMLIMIT}\n` },
        { title: 'Change GOMEMLIMIT to 400000000', output: `${GO}ARG GOMEMLIMIT=400000000\nENV GOMEMLIMIT=\${GOMEMLIMIT}\n` },
      ],
    },
    {
      name: 'global ARG default before FROM',
      code: `ARG GOMEMLIMIT=2g\n${GO}ARG GOMEMLIMIT\nENV GOMEMLIMIT=$GOMEMLIMIT\n`,
      findings: [{ line: 1, text: '2g' }],
      output: null,
      fixes: [{ title: 'Change GOMEMLIMIT to 2GiB', output: `ARG GOMEMLIMIT=2GiB\n${GO}ARG GOMEMLIMIT\nENV GOMEMLIMIT=$GOMEMLIMIT\n` }],
    },
    {
      name: 'upper-case OFF crashes too',
      code: `${GO}ENV GOMEMLIMIT=OFF\n`,
      findings: [{ line: 5, text: 'OFF' }],
      output: `${GO}ENV GOMEMLIMIT=off\n`,
    },
    {
      name: 'a percentage: no rewrite',
      code: `${GO}ENV GOMEMLIMIT=90%\n`,
      findings: [{ line: 5, text: '90%', message: 'automemlimit' }],
      output: null,
    },
    {
      name: 'judged even where no Go is built (a prebuilt Go binary)',
      code: 'FROM alpine:3.20\nCOPY app /app\nENV GOMEMLIMIT=256Mi\n',
      findings: [{ line: 3, text: '256Mi', severity: 'error' }],
      output: 'FROM alpine:3.20\nCOPY app /app\nENV GOMEMLIMIT=256MiB\n',
    },
    {
      name: 'in the builder stage it crashes the go command itself',
      code: 'FROM golang:1.24 AS build\nENV GOMEMLIMIT=2Gi\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
      findings: [{ line: 2, text: '2Gi' }],
      output: 'FROM golang:1.24 AS build\nENV GOMEMLIMIT=2GiB\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'ARG-driven FROM',
      code: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nENV GOMEMLIMIT=64Mi\n',
      findings: [{ line: 3, text: '64Mi' }],
      output: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nENV GOMEMLIMIT=64MiB\n',
    },
    {
      name: 'no final newline',
      code: `${GO}ENV GOMEMLIMIT=512Mi`,
      findings: [{ line: 5, text: '512Mi' }],
      output: `${GO}ENV GOMEMLIMIT=512MiB`,
    },
    {
      name: 'GOMAXPROCS as a CPU quantity',
      code: `${GO}ENV GOMAXPROCS=500m\n`,
      findings: [{ line: 5, text: '500m', severity: 'warning', message: 'silently ignores' }],
      output: `${GO}ENV GOMAXPROCS=1\n`,
    },
    {
      name: 'GOMAXPROCS 0: ignored, no rewrite',
      code: `${GO}ENV GOMAXPROCS=0\n`,
      findings: [{ line: 5, text: '0', severity: 'warning', message: 'ignored' }],
      output: null,
    },
    {
      name: 'GOMAXPROCS negative',
      code: `${GO}ENV GOMAXPROCS=-1\n`,
      findings: [{ line: 5, text: '-1', severity: 'warning' }],
      output: null,
    },
    {
      name: 'three on one line: each judged, two fixed',
      code: `${GO}ENV GOMAXPROCS=1.5 GOMEMLIMIT=2Gi GOGC=off\n`,
      findings: [
        { line: 5, text: '1.5', severity: 'warning' },
        { line: 5, text: '2Gi', severity: 'error' },
      ],
      output: `${GO}ENV GOMAXPROCS=2 GOMEMLIMIT=2GiB GOGC=off\n`,
    },
    {
      name: 'GOGC with a percent sign',
      code: `${GO}ENV GOGC=200%\n`,
      findings: [{ line: 5, text: '200%', severity: 'warning', message: 'GOGC=100' }],
      output: `${GO}ENV GOGC=200\n`,
    },
    {
      name: 'GOGC=OFF falls back to 100; turning the GC off is not applied blindly',
      code: `${GO}ENV GOGC=OFF\n`,
      findings: [{ line: 5, text: 'OFF', severity: 'warning' }],
      output: null,
      fixes: [{ title: 'Change GOGC to off', output: `${GO}ENV GOGC=off\n` }],
    },
    {
      name: 'GOGC decimal: no rewrite',
      code: `${GO}ENV GOGC=1.5\n`,
      findings: [{ line: 5, text: '1.5' }],
      output: null,
    },
    {
      name: 'Windows escape character',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app.exe C:\\app\\app.exe\nENV APP_HOME=C:\\app `\n    GOMEMLIMIT=512Mi\n',
      findings: [{ line: 5, text: '512Mi' }],
      output: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app.exe C:\\app\\app.exe\nENV APP_HOME=C:\\app `\n    GOMEMLIMIT=512MiB\n',
    },
    {
      name: 'pragma for another rule does not hide it',
      code: `${GO}# container-tuner ignore=go-maxprocs\nENV GOMEMLIMIT=512Mi\n`,
      findings: [{ line: 6, text: '512Mi' }],
      output: `${GO}# container-tuner ignore=go-maxprocs\nENV GOMEMLIMIT=512MiB\n`,
    },
  ],
});

ruleTester(goEnvSyntax, {
  valid: [{ name: 'turned off in the config', code: `${GO}ENV GOMEMLIMIT=512Mi\n`, config: { rules: { 'go-env-syntax': 'off' } } }],
  invalid: [
    {
      name: 'config can lower the severity',
      code: `${GO}ENV GOMEMLIMIT=512Mi\n`,
      config: { rules: { 'go-env-syntax': 'warning' } },
      findings: [{ line: 5, severity: 'warning' }],
      output: `${GO}ENV GOMEMLIMIT=512MiB\n`,
    },
  ],
});
