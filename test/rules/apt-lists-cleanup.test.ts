import { aptListsCleanup } from '../../server/src/engine/rules/apt-lists-cleanup';
import { ruleTester } from '../helpers/ruleTester';

const D = 'FROM debian:12-slim\n';

ruleTester(aptListsCleanup, {
  valid: [
    { name: 'both present', code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'lists dir without glob, flags after packages', code: D + 'RUN apt-get update && apt-get install -y ca-certificates --no-install-recommends && rm -rf /var/lib/apt/lists\n' },
    { name: 'apt-get clean then rm', code: D + 'RUN apt-get update \\\n && apt-get install -y --no-install-recommends git \\\n && apt-get clean \\\n && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'rm -fr with other paths', code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git && rm -fr /tmp/* /var/lib/apt/lists/* /var/cache/apt/*\n' },
    { name: 'apt-get distclean', code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git && apt-get distclean\n' },
    { name: 'apt dist-clean alias', code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git && apt dist-clean\n' },
    { name: 'cache mount on the lists', code: D + 'RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y --no-install-recommends git\n' },
    { name: 'cache mount on /var/lib/apt', code: D + 'RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends git\n' },
    { name: 'APT option instead of the flag', code: D + 'RUN apt-get update && apt-get install -y -o APT::Install-Recommends=false git && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'apt config written earlier in the stage', code: D + 'RUN echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/99norecommends\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'apt config copied in', code: D + 'COPY 99norecommends /etc/apt/apt.conf.d/\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'no update anywhere: the lists are not in this layer', code: D + 'RUN apt-get install -y --no-install-recommends ./pkg.deb\n' },
    { name: 'apt-get update only', code: D + 'RUN apt-get update\n' },
    { name: 'apt-get words in an echo', code: D + 'RUN echo "apt-get install git"\n' },
    { name: 'exec form is not parsed', code: D + 'RUN ["apt-get", "install", "-y", "git"]\n' },
    { name: 'xx-apt wrapper is another tool', code: D + 'RUN xx-apt install -y gcc\n' },
    { name: 'apt-get upgrade is not install', code: D + 'RUN apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*\n' },
    { name: 'heredoc with everything', code: D + 'RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends git\nrm -rf /var/lib/apt/lists/*\nEOF\n' },
    { name: 'pragma', code: D + '# container-tuner ignore=apt-lists-cleanup\nRUN apt-get update && apt-get install -y git\n' },
    { name: 'hadolint pragmas', code: D + '# hadolint ignore=DL3009,DL3015\nRUN apt-get update && apt-get install -y git\n' },
  ],
  invalid: [
    {
      name: 'both missing',
      code: D + 'RUN apt-get update && apt-get install -y ca-certificates\n',
      findings: [{ line: 2, text: 'apt-get install', severity: 'warning', message: /--no-install-recommends.*rm -rf \/var\/lib\/apt\/lists/ }],
      output: D + 'RUN apt-get update && apt-get install --no-install-recommends -y ca-certificates && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'only the cleanup missing',
      code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git\n',
      findings: [{ line: 2, text: 'apt-get install', message: 'tens of MB' }],
      output: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'only --no-install-recommends missing',
      code: D + 'RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, text: 'apt-get install', message: 'recommended packages' }],
      output: D + 'RUN apt-get update && apt-get install --no-install-recommends -y git && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'options before the subcommand, apt',
      code: D + 'RUN apt update && apt -y -o Dpkg::Options::=--force-confold install git && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, text: 'apt -y -o Dpkg::Options::=--force-confold install' }],
      output: D + 'RUN apt update && apt -y -o Dpkg::Options::=--force-confold install --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'multi-line continuation: cleanup after the last word, continuation kept',
      code: D + 'RUN apt-get update && \\\n    apt-get install -y \\\n      git \\\n      make\n',
      findings: [{ line: 3, text: 'apt-get install' }],
      output: D + 'RUN apt-get update && \\\n    apt-get install --no-install-recommends -y \\\n      git \\\n      make && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'two installs in one RUN: one cleanup',
      code: D + 'RUN apt-get update && apt-get install -y git && apt-get install -y make\n',
      findings: [
        { line: 2, text: 'apt-get install' },
        { line: 2, text: 'apt-get install' },
      ],
      output: D + 'RUN apt-get update && apt-get install --no-install-recommends -y git && apt-get install --no-install-recommends -y make && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'two installs, recommends already off: identical cleanup edits',
      code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git; apt-get install -y --no-install-recommends make\n',
      findings: [{ line: 2 }, { line: 2 }],
      output: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git; apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'trailing semicolon: cleanup before it',
      code: D + 'RUN set -eux; apt-get update; apt-get install -y --no-install-recommends git;\n',
      findings: [{ line: 2 }],
      output: D + 'RUN set -eux; apt-get update; apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*;\n',
    },
    {
      name: 'trailing redirection: no cleanup fix, the recommends fix still applies',
      code: D + 'RUN apt-get update && apt-get install -y git > /dev/null\n',
      findings: [{ line: 2 }],
      output: D + 'RUN apt-get update && apt-get install --no-install-recommends -y git > /dev/null\n',
    },
    {
      name: 'trailing redirection, recommends off: no fix at all',
      code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git > /dev/null\n',
      findings: [{ line: 2 }],
      output: null,
    },
    {
      name: 'heredoc: the cleanup goes on a new line before the terminator',
      code: D + 'RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends git\nEOF\n',
      findings: [{ line: 5, text: 'apt-get install' }],
      output: D + 'RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends git\nrm -rf /var/lib/apt/lists/*\nEOF\n',
    },
    {
      name: 'heredoc with indentation (<<-)',
      code: D + 'RUN <<-EOT\n\tapt-get update\n\tapt-get install -y git\n\tEOT\n',
      findings: [{ line: 4, text: 'apt-get install' }],
      output: D + 'RUN <<-EOT\n\tapt-get update\n\tapt-get install --no-install-recommends -y git\n\trm -rf /var/lib/apt/lists/*\n\tEOT\n',
    },
    {
      name: 'separate RUN apt-get update: the lists are in that layer, no cleanup fix',
      code: D + 'RUN apt-get update\nRUN apt-get install -y --no-install-recommends git\n',
      findings: [{ line: 3, text: 'apt-get install', message: 'separate `RUN apt-get update` on line 2' }],
      output: null,
    },
    {
      name: 'later install relies on the lists: cleanup not added',
      code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git\nRUN apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*\n',
      findings: [{ line: 2, message: 'relies on these lists' }],
      output: null,
    },
    {
      name: 'a later xx-apt install in a stage built on this one relies on the lists',
      code: 'FROM golang:1.22 AS base\nRUN apt-get update && apt-get install -y clang lld\nFROM base AS build\nRUN xx-apt install -y gcc\nFROM scratch\nCOPY --from=build /app /app\n',
      findings: [{ line: 2, severity: 'info', message: /--no-install-recommends.*relies on these lists/ }],
      output: 'FROM golang:1.22 AS base\nRUN apt-get update && apt-get install --no-install-recommends -y clang lld\nFROM base AS build\nRUN xx-apt install -y gcc\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'build stage the final image does not inherit: info',
      code: 'FROM golang:1.22 AS build\nRUN apt-get update && apt-get install -y --no-install-recommends upx\nFROM scratch\nCOPY --from=build /app /app\n',
      findings: [{ line: 2, severity: 'info', message: 'not part of the final image' }],
      output: 'FROM golang:1.22 AS build\nRUN apt-get update && apt-get install -y --no-install-recommends upx && rm -rf /var/lib/apt/lists/*\nFROM scratch\nCOPY --from=build /app /app\n',
    },
    {
      name: 'stage the final image inherits: warning',
      code: D + 'FROM debian:12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends tzdata\nFROM base\nCMD ["/app"]\n',
      findings: [{ line: 3, severity: 'warning' }],
      output: D + 'FROM debian:12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends tzdata && rm -rf /var/lib/apt/lists/*\nFROM base\nCMD ["/app"]\n',
    },
    {
      name: 'full path to apt-get, DEBIAN_FRONTEND assignment',
      code: D + 'RUN apt-get update && DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get install -yq tzdata\n',
      findings: [{ line: 2, text: '/usr/bin/apt-get install' }],
      output: D + 'RUN apt-get update && DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get install --no-install-recommends -yq tzdata && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'cleanup before the install does not count',
      code: D + 'RUN apt-get update && rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y --no-install-recommends git\n',
      findings: [{ line: 2 }],
      output: D + 'RUN apt-get update && rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'comment after the command: no cleanup fix',
      code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git # tools\n',
      findings: [{ line: 2 }],
      output: null,
    },
    // fuzz regressions (fuzz/failures): a half-typed quote or expansion runs to the end of the
    // script; the cleanup appended there would land inside it (and used to land on the next line)
    {
      name: 'unterminated double quote over continuation lines: no cleanup fix, nothing past the RUN',
      code: D + 'RUN apt-get update && apt-get install "-y --no-install-recommends \\\n        git\nCOPY . .\n',
      findings: [{ line: 2, text: 'apt-get install' }],
      output: null,
    },
    {
      name: 'unterminated ${ at the end: no cleanup fix',
      code: D + 'RUN apt-get update && apt-get install -y --no-install-recommends git=${\n',
      findings: [{ line: 2 }],
      output: null,
    },
    {
      name: 'unterminated quote in a heredoc body: no cleanup fix',
      code: D + 'RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends "git\nEOF\n',
      findings: [{ line: 4 }],
      output: null,
    },
    {
      name: 'an apostrophe in a heredoc comment is not a quote',
      code: D + "RUN <<EOF\n# let's install git\napt-get update\napt-get install -y --no-install-recommends git\nEOF\n",
      findings: [{ line: 5 }],
      output: D + "RUN <<EOF\n# let's install git\napt-get update\napt-get install -y --no-install-recommends git\nrm -rf /var/lib/apt/lists/*\nEOF\n",
    },
  ],
});
