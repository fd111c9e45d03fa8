import { apkNoCache } from '../../server/src/engine/rules/apk-no-cache';
import { ruleTester } from '../helpers/ruleTester';

ruleTester(apkNoCache, {
  valid: [
    { name: 'already --no-cache', code: 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n' },
    { name: '--no-cache after the packages', code: 'FROM alpine:3.20\nRUN apk add git --no-cache\n' },
    { name: 'apk update only', code: 'FROM alpine:3.20\nRUN apk update\n' },
    { name: 'index removed in the same RUN', code: 'FROM alpine:3.20\nRUN apk add git && rm -rf /var/cache/apk/*\n' },
    { name: 'cache mount', code: 'FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add git\n' },
    { name: 'the word apk in an echo', code: 'FROM alpine:3.20\nRUN echo "apk add git"\n' },
    { name: 'exec form is not parsed as shell', code: 'FROM alpine:3.20\nRUN ["apk", "add", "--no-cache", "git"]\n' },
    { name: 'pragma', code: 'FROM alpine:3.20\n# container-tuner ignore=apk-no-cache\nRUN apk add git\n' },
    { name: 'hadolint pragma', code: 'FROM alpine:3.20\n# hadolint ignore=DL3019\nRUN apk add git\n' },
  ],
  invalid: [
    {
      name: 'plain apk add',
      code: 'FROM alpine:3.20\nRUN apk add ca-certificates\n',
      findings: [{ line: 2, text: 'apk add', severity: 'warning' }],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n',
    },
    {
      name: 'global option before the applet, continuation lines, `apk update` before it: dropped too',
      code: 'FROM alpine:3.20\nRUN apk update && \\\n    apk --update add \\\n      git tzdata\n',
      findings: [{ line: 3, text: 'apk --update add', message: 'drop `apk update`' }],
      output: 'FROM alpine:3.20\nRUN apk --update add --no-cache \\\n      git tzdata\n',
    },
    {
      name: 'global option, no `apk update`',
      code: 'FROM alpine:3.20\nRUN apk --update add \\\n      git tzdata\n',
      findings: [{ line: 2, text: 'apk --update add', message: /^(?![\s\S]*apk update)/ }],
      output: 'FROM alpine:3.20\nRUN apk --update add --no-cache \\\n      git tzdata\n',
    },
    {
      name: '`apk update` and two `apk add`: one update dropped, both get --no-cache',
      code: 'FROM alpine:3.20\nRUN apk update; apk add git && apk add make\n',
      findings: [{ line: 2, text: 'apk add' }, { line: 2, text: 'apk add' }],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache git && apk add --no-cache make\n',
    },
    {
      name: '`apk update` in a heredoc',
      code: 'FROM alpine:3.20\nRUN <<EOF\nset -e\napk update\napk add git\nEOF\n',
      findings: [{ line: 5, text: 'apk add', message: 'drop `apk update`' }],
      output: 'FROM alpine:3.20\nRUN <<EOF\nset -e\napk add --no-cache git\nEOF\n',
    },
    {
      name: '`apk update` with a redirection is not deleted blindly: the fix is only offered',
      code: 'FROM alpine:3.20\nRUN apk update > /dev/null && apk add git\n',
      findings: [{ line: 2, text: 'apk add', message: 'rm -rf /var/cache/apk/*' }],
      output: null,
      fixes: [{ title: 'Add --no-cache', output: 'FROM alpine:3.20\nRUN apk update > /dev/null && apk add --no-cache git\n' }],
    },
    {
      name: '`apk upgrade` needs the index `apk update` fetched: no fix applied, the message says to remove the index',
      code: 'FROM alpine:3.20\nRUN apk update && apk upgrade && apk add make\n',
      findings: [{ line: 2, text: 'apk add', message: 'rm -rf /var/cache/apk/*' }],
      output: null,
      fixes: [{ title: 'Add --no-cache', output: 'FROM alpine:3.20\nRUN apk update && apk upgrade && apk add --no-cache make\n' }],
    },
    {
      name: 'two apk add in one RUN',
      code: 'FROM alpine:3.20\nRUN apk add git; apk add make\n',
      findings: [{ line: 2, text: 'apk add' }, { line: 2, text: 'apk add' }],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache git; apk add --no-cache make\n',
    },
    {
      name: 'heredoc RUN',
      code: 'FROM alpine:3.20\nRUN <<EOF\nset -e\napk add git\nEOF\n',
      findings: [{ line: 4, text: 'apk add' }],
      output: 'FROM alpine:3.20\nRUN <<EOF\nset -e\napk add --no-cache git\nEOF\n',
    },
    {
      name: 'file-level pragma for another rule does not hide it',
      code: '# container-tuner ignore-file=apt-lists-cleanup\nFROM alpine:3.20\nRUN apk add git\n',
      findings: [{ line: 3 }],
      output: '# container-tuner ignore-file=apt-lists-cleanup\nFROM alpine:3.20\nRUN apk add --no-cache git\n',
    },
  ],
});

ruleTester(apkNoCache, {
  valid: [],
  invalid: [
    {
      name: 'in a build stage the final image does not inherit: info',
      code: 'FROM alpine:3.20 AS tools\nRUN apk add git\nFROM scratch\nCOPY --from=tools /usr/bin/git /git\n',
      findings: [{ line: 2, text: 'apk add', severity: 'info', message: 'build stage' }],
      output: 'FROM alpine:3.20 AS tools\nRUN apk add --no-cache git\nFROM scratch\nCOPY --from=tools /usr/bin/git /git\n',
    },
    {
      name: 'in a stage the final stage inherits: warning',
      code: 'FROM alpine:3.20 AS base\nRUN apk add git\nFROM base\nCMD ["git"]\n',
      findings: [{ line: 2, severity: 'warning' }],
      output: 'FROM alpine:3.20 AS base\nRUN apk add --no-cache git\nFROM base\nCMD ["git"]\n',
    },
  ],
});
