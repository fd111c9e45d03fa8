import { upxStartup } from '../../server/src/engine/rules/upx-startup';
import { ruleTester } from '../helpers/ruleTester';

ruleTester(upxStartup, {
  valid: [
    { name: 'installing upx is not running it', code: 'FROM alpine:3.20\nRUN apk add --no-cache upx\n' },
    { name: 'version check', code: 'FROM alpine:3.20\nRUN upx --version\n' },
    { name: 'decompressing', code: 'FROM alpine:3.20\nRUN upx -d /usr/local/bin/tool\n' },
    { name: 'grouped -qd decompresses', code: 'FROM alpine:3.20\nRUN upx -qd /usr/local/bin/tool\n' },
    { name: 'testing or listing', code: 'FROM alpine:3.20\nRUN upx -t /app && upx -l /app\n' },
    { name: 'no file', code: 'FROM alpine:3.20\nRUN upx --best\n' },
    { name: 'the word in an echo', code: 'FROM alpine:3.20\nRUN echo "upx --best /app"\n' },
    { name: 'a file named like it', code: 'FROM alpine:3.20\nRUN cp /tmp/upx-4.2.4-amd64_linux/upx /usr/local/bin/upx\n' },
    { name: 'pragma', code: 'FROM alpine:3.20\n# container-tuner ignore=upx-startup\nRUN upx --best /app\n' },
  ],
  invalid: [
    {
      name: 'upx on the binary',
      code: 'FROM golang:1.23-alpine AS build\nRUN apk add --no-cache upx\nRUN go build -o /out/server . && upx --best --lzma /out/server\nFROM scratch\nCOPY --from=build /out/server /server\n',
      findings: [{ line: 3, text: 'upx', severity: 'info', message: 'slower cold start' }],
      output: null,
    },
    {
      name: 'absolute path to upx, continuation lines',
      code: 'FROM golang:1.23 AS build\nRUN go build -o /app . \\\n && /usr/local/bin/upx \\\n      -9 /app\n',
      findings: [{ line: 3, text: '/usr/local/bin/upx', message: 'shared between processes' }],
    },
    {
      name: 'heredoc RUN',
      code: 'FROM golang:1.23 AS build\nRUN <<EOF\nset -e\ngo build -o /app .\nupx -q /app\nEOF\n',
      findings: [{ line: 5, text: 'upx' }],
    },
    {
      name: 'exec form',
      code: 'FROM alpine:3.20\nRUN ["upx", "--best", "/app"]\n',
      findings: [{ line: 2, text: 'upx' }],
    },
    {
      name: 'through find -exec and xargs',
      code: 'FROM alpine:3.20\nRUN find /out -type f -exec upx -9 {} \\;\nRUN ls /out/* | xargs upx\n',
      findings: [{ line: 2, text: 'upx' }, { line: 3, text: 'upx' }],
    },
    {
      name: 'stage copied --from by index, ARG-driven FROM',
      code: 'ARG GO=golang:1.23\nFROM ${GO}\nRUN go build -o /app . && upx /app\nFROM scratch\nCOPY --from=0 /app /app\n',
      findings: [{ line: 3, text: 'upx' }],
    },
    {
      name: 'Windows file with backtick escape',
      code: '# escape=`\nFROM golang:1.23-windowsservercore-ltsc2022 AS build\nRUN go build -o C:\\out\\app.exe . && `\n    C:\\tools\\upx.exe --best C:\\out\\app.exe\n',
      findings: [{ line: 4, text: 'C:\\tools\\upx.exe' }],
    },
  ],
});
