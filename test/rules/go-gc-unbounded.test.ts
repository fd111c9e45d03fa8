import { goGcUnbounded } from '../../server/src/engine/rules/go-gc-unbounded';
import { ruleTester } from '../helpers/ruleTester';

const GO = 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n';
const TITLE = /^Add ENV GOMEMLIMIT=460MiB/;

ruleTester(goGcUnbounded, {
  valid: [
    { name: 'GOGC=off with GOMEMLIMIT in the same ENV', code: `${GO}ENV GOGC=off GOMEMLIMIT=460MiB\n` },
    { name: 'GOMEMLIMIT in a later ENV', code: `${GO}ENV GOGC=off\nENV GOMEMLIMIT=900MiB\nCMD ["/app"]\n` },
    { name: 'GOMEMLIMIT before GOGC', code: `${GO}ENV GOMEMLIMIT=1GiB\nENV GOGC=off\n` },
    { name: 'GOMEMLIMIT from an expansion', code: `${GO}ARG LIMIT\nENV GOGC=off GOMEMLIMIT=$LIMIT\n` },
    { name: 'GOMEMLIMIT as an ARG of the final stage', code: `${GO}ARG GOMEMLIMIT=900MiB\nENV GOGC=off\n` },
    { name: 'a malformed GOMEMLIMIT is go-env-syntax\'s finding', code: `${GO}ENV GOGC=off GOMEMLIMIT=512Mi\n` },
    { name: 'GOGC=off only in a build stage', code: 'FROM golang:1.24 AS build\nENV GOGC=off\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n' },
    { name: 'GOGC=off only on the build command', code: 'FROM golang:1.24 AS build\nRUN GOGC=off go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n' },
    { name: 'GOGC=off as an ARG (not in the runtime environment)', code: `${GO}ARG GOGC=off\n` },
    { name: 'GOGC a percentage', code: `${GO}ENV GOGC=400\n` },
    { name: 'GOGC from an expansion', code: `${GO}ARG GC=off\nENV GOGC=$GC\n` },
    { name: 'GOGC=off overridden later', code: `${GO}ENV GOGC=off\nENV GOGC=200\n` },
    { name: 'upper-case OFF is not off (falls back to 100)', code: `${GO}ENV GOGC=OFF\n` },
    {
      name: 'automemlimit in go.mod',
      code: `${GO}ENV GOGC=off\n`,
      files: { 'go.mod': 'module example.com/app\n\ngo 1.22\n\nrequire github.com/KimMachineGun/automemlimit v0.6.1\n' },
    },
    {
      name: 'GOMEMLIMIT in the final stage, GOGC=off in its parent',
      code: 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM alpine:3.20 AS base\nENV GOGC=off\nFROM base\nENV GOMEMLIMIT=1GiB\nCOPY --from=build /app /app\n',
    },
    { name: 'pragma', code: `${GO}# container-tuner ignore=go-gc-unbounded\nENV GOGC=off\n` },
  ],
  invalid: [
    {
      name: 'GOGC=off alone',
      code: `${GO}ENV GOGC=off\nCMD ["/app"]\n`,
      findings: [{ line: 5, text: 'off', severity: 'warning', message: 'OOM-killed' }],
      output: null,
      fixes: [{ title: TITLE, output: `${GO}ENV GOGC=off\nENV GOMEMLIMIT=460MiB\nCMD ["/app"]\n` }],
    },
    {
      name: 'quoted, legacy form',
      code: `${GO}ENV GOGC "off"\n`,
      findings: [{ line: 5, text: '"off"' }],
      output: null,
      fixes: [{ title: TITLE, output: `${GO}ENV GOGC "off"\nENV GOMEMLIMIT=460MiB\n` }],
    },
    {
      name: 'a negative GOGC turns the GC off too',
      code: `${GO}ENV GOGC=-1\n`,
      findings: [{ line: 5, text: '-1' }],
      fixes: [{ title: TITLE, output: `${GO}ENV GOGC=-1\nENV GOMEMLIMIT=460MiB\n` }],
    },
    {
      name: 'multi-line ENV: the new line goes after the whole instruction',
      code: `${GO}ENV APP_PORT=8080 \\\n    GOGC=off \\\n    TZ=UTC\nUSER nonroot\n`,
      findings: [{ line: 6, text: 'off' }],
      fixes: [{ title: TITLE, output: `${GO}ENV APP_PORT=8080 \\\n    GOGC=off \\\n    TZ=UTC\nENV GOMEMLIMIT=460MiB\nUSER nonroot\n` }],
    },
    {
      name: 'explicit GOMEMLIMIT=off after it: the new line goes after that',
      code: `${GO}ENV GOGC=off\nENV GOMEMLIMIT=off\n`,
      findings: [{ line: 5, text: 'off', message: '`GOMEMLIMIT=off` sets no limit' }],
      fixes: [{ title: TITLE, output: `${GO}ENV GOGC=off\nENV GOMEMLIMIT=off\nENV GOMEMLIMIT=460MiB\n` }],
    },
    {
      name: 'inherited from the stage the final stage is built on',
      code: 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM alpine:3.20 AS base\nENV GOGC=off\nFROM base\nCOPY --from=build /app /app\n',
      findings: [{ line: 4, text: 'off' }],
      fixes: [
        {
          title: TITLE,
          output: 'FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM alpine:3.20 AS base\nENV GOGC=off\nENV GOMEMLIMIT=460MiB\nFROM base\nCOPY --from=build /app /app\n',
        },
      ],
    },
    {
      name: 'no final newline',
      code: `${GO}ENV GOGC=off`,
      findings: [{ line: 5, text: 'off' }],
      fixes: [{ title: TITLE, output: `${GO}ENV GOGC=off\nENV GOMEMLIMIT=460MiB` }],
    },
    {
      name: 'ARG-driven FROM, prebuilt binary',
      code: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nCOPY app /app\nENV GOGC=off\n',
      findings: [{ line: 4, text: 'off' }],
      fixes: [{ title: TITLE, output: 'ARG BASE=alpine:3.20\nFROM ${BASE}\nCOPY app /app\nENV GOGC=off\nENV GOMEMLIMIT=460MiB\n' }],
    },
    {
      name: 'Windows escape character',
      code: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app.exe C:\\app\\app.exe\nENV APP_HOME=C:\\app `\n    GOGC=off\nCMD ["C:\\\\app\\\\app.exe"]\n',
      findings: [{ line: 5, text: 'off' }],
      fixes: [
        {
          title: TITLE,
          output: '# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app.exe C:\\app\\app.exe\nENV APP_HOME=C:\\app `\n    GOGC=off\nENV GOMEMLIMIT=460MiB\nCMD ["C:\\\\app\\\\app.exe"]\n',
        },
      ],
    },
  ],
});
