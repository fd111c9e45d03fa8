// fast-check generators for the fuzz suite: Dockerfiles of Go services (and
// of everything a half-typed buffer can hold), Kubernetes manifests written in
// every style the YAML reader must follow, and byte-level mutations of the
// real-world corpus files. Each generator yields a FuzzDoc: the text, the path
// it is linted under and the files around it (go.mod, .dockerignore).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';

export interface FuzzDoc {
  kind: 'dockerfile' | 'yaml';
  /** Absolute path the text is linted under. */
  path: string;
  text: string;
  /** Other files of the workspace (absolute paths). */
  files?: Record<string, string>;
  /** A mutated corpus file: how to rebuild the text (corpus text is never copied into the project). */
  origin?: { corpus: string; mutations: Mutation[]; goMod?: string };
}

const ROOT = '/fuzz/svc';

// ---------------------------------------------------------------- helpers

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const joinWith = (parts: fc.Arbitrary<string>[], sep: fc.Arbitrary<string>) =>
  fc.tuple(fc.tuple(...parts), fc.array(sep, { minLength: parts.length, maxLength: parts.length })).map(([ps, ss]) =>
    ps.map((p, i) => (i ? ss[i] : '') + p).join(''),
  );

/** Characters that break naive regexes and hand-written scanners. */
export const NASTY = [' ', '  ', '\t', '\\', '\\\\', '"', "'", '`', '$', '${', '$(', ')', '}', '{', '[', ']', '=', '-', '--', '#', ':', ',', '&&', '||', ';', '|', '<<', '>', '\n', '\r\n', '\r', '\0', '\uFEFF', 'é', '😀', '\u2028', '%', '*', '&', '!', '@', '/', '.', '~'];
const nastyPiece = fc.oneof(pick(...NASTY), fc.string({ maxLength: 4 }));
/** A short run of nasty characters (sometimes empty). */
export const junk = fc.array(nastyPiece, { maxLength: 6 }).map((a) => a.join(''));

// ---------------------------------------------------------------- byte-level mutations

const INSERTS = ['\\\n', '\\\r\n', '\r', '\n', '\r\n', '\0', '\uFEFF', '"', "'", '`', '${', '$(', '-', ':', ' ', '\t', '---\n', '&a ', '*a', '{', '[', '#', '\\', ' \\', '<<EOF\n', 'EOF\n', '- ', ': ', '\xff', 'é', '😀'].map((s) => Buffer.from(s, s === '\xff' ? 'latin1' : 'utf8'));

export type Mutation =
  | { op: 'delete'; at: number; len: number }
  | { op: 'insert'; at: number; what: number }
  | { op: 'byte'; at: number; value: number }
  | { op: 'dup'; at: number; len: number }
  | { op: 'truncate'; at: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'indent'; line: number; delta: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), what: fc.nat(INSERTS.length - 1) }),
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), line: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
);

export function mutate(bytes: Buffer, muts: Mutation[]): Buffer {
  let b = bytes;
  for (const m of muts) {
    const n = b.length;
    const at = n ? ('at' in m ? m.at % (n + 1) : 0) : 0;
    switch (m.op) {
      case 'delete': b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + m.len))]); break;
      case 'insert': b = Buffer.concat([b.subarray(0, at), INSERTS[m.what], b.subarray(at)]); break;
      case 'byte': if (n) { b = Buffer.from(b); b[at % n] = m.value; } break;
      case 'dup': b = Buffer.concat([b.subarray(0, at), b.subarray(at, Math.min(n, at + m.len)), b.subarray(at)]); break;
      case 'truncate': if (n) b = b.subarray(0, Math.max(1, at)); break;
      case 'swapLines':
      case 'indent': {
        const lines = b.toString('latin1').split('\n');
        if (m.op === 'swapLines') {
          const i = m.a % lines.length, j = m.b % lines.length;
          [lines[i], lines[j]] = [lines[j], lines[i]];
        } else {
          const i = m.line % lines.length;
          lines[i] = m.delta > 0 ? ' '.repeat(m.delta) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-m.delta}}`), '');
        }
        b = Buffer.from(lines.join('\n'), 'latin1');
        break;
      }
    }
  }
  return b;
}

/** Most generated documents are left whole; some get 1–3 byte-level mutations (half-typed, pasted, corrupted). */
const someMutations = fc.oneof({ weight: 2, arbitrary: fc.constant([] as Mutation[]) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) });

// ---------------------------------------------------------------- Dockerfiles

const goVersion = pick('1.20', '1.21', '1.22', '1.22.5', '1.23', '1.24', '1.25', '1.26', '1', 'latest', '${GO_VERSION}', '$GO_VERSION', '1.22rc1', '');
const goImage = goVersion.chain((v) =>
  pick(
    `golang:${v}`,
    `golang:${v}-alpine`,
    `golang:${v}-alpine3.20`,
    `golang:${v}-bookworm`,
    `docker.io/library/golang:${v}`,
    `golang:${v}-windowsservercore-ltsc2022`,
    `golang:${v}-nanoserver`,
    'golang',
    'golang@sha256:' + 'a'.repeat(64),
  ),
);
const runtimeImage = pick(
  'scratch',
  'alpine',
  'alpine:3.20',
  'alpine:latest',
  'gcr.io/distroless/static-debian12:nonroot',
  'gcr.io/distroless/base-debian12',
  'gcr.io/distroless/static',
  'debian:bookworm-slim',
  'ubuntu:24.04',
  'ubuntu',
  'busybox:1.36',
  'mcr.microsoft.com/windows/servercore:ltsc2022',
  'mcr.microsoft.com/windows/nanoserver:ltsc2022',
  'mcr.microsoft.com/windows/servercore:1809',
  'mcr.microsoft.com/windows/nanoserver:ltsc2019',
  '${BASE}',
  '$BASE',
  '${BASE:-alpine:3.20}',
  'registry.example.com:5000/team/img:1.0',
  'localhost/img',
  'alpine:3.20@sha256:' + 'b'.repeat(64),
);
const imageRef = fc.oneof({ weight: 3, arbitrary: goImage }, { weight: 3, arbitrary: runtimeImage }, { weight: 1, arbitrary: junk });

const ldflagValue = pick('-s -w', '-s', '-w', '-X main.version=1.0', '-s -w -X main.v=$(git describe --tags)', '-extldflags "-static"', '', '-X "main.v=a b"', '-w -s -buildid=');
const ldflags = ldflagValue.chain((v) =>
  pick(`-ldflags="${v}"`, `-ldflags='${v}'`, `-ldflags "${v}"`, `-ldflags '${v}'`, `-ldflags=${v.split(' ')[0]}`, '-ldflags', `"-ldflags=${v}"`, `-ldflags=\\"${v}\\"`),
);
const goFlag = fc.oneof(
  ldflags,
  pick('-trimpath', '-v', '-a', '-installsuffix cgo', '-tags netgo', '-tags "netgo osusergo"', '-mod=vendor', '-buildvcs=false', '-race', '-gcflags=all=-N -l', '-p 4', '-buildmode=pie', '-x'),
);
const goOutput = pick('-o /x', '-o /out/app', '-o=/app/server', '-o bin/', '-o ./app', '-o $OUT/app', '-o "/out/my app"', '-o C:\\app\\app.exe', '-o /go/bin/app', '');
const goPkg = pick('./cmd/y', '.', './...', 'main.go', './cmd/server/main.go', 'github.com/acme/svc/cmd/x@latest', '', '"./cmd/a b"');
const goEnvAssign = pick('CGO_ENABLED=0', 'CGO_ENABLED=1', 'GOOS=linux', 'GOARCH=amd64', 'GOARCH=$TARGETARCH', 'GOOS=${TARGETOS}', 'GOFLAGS=-mod=mod', 'GOOS=windows', 'GOAMD64=v3', 'CGO_ENABLED="0"');
const goBuild = fc
  .tuple(fc.array(goEnvAssign, { maxLength: 3 }), pick('go', '/usr/local/go/bin/go', 'go.exe'), pick('build', 'install', 'build', 'build'), fc.array(goFlag, { maxLength: 3 }), goOutput, goPkg)
  .map(([env, go, sub, flags, out, pkg]) => [...env, go, sub, ...flags, out, pkg].filter(Boolean).join(' '));
const shellCmd = fc.oneof(
  { weight: 5, arbitrary: goBuild },
  {
    weight: 4,
    arbitrary: pick(
      'go mod download',
      'go mod download -x',
      'go mod tidy',
      'go mod verify',
      'go test ./...',
      'go generate ./...',
      'go version',
      'apk add git',
      'apk add --no-cache ca-certificates tzdata',
      'apk update && apk add make',
      'apk --update add curl',
      'apt-get update',
      'apt-get install -y curl',
      'apt-get install -y --no-install-recommends ca-certificates',
      'apt-get -qq install -y git',
      'rm -rf /var/lib/apt/lists/*',
      'rm -rf /tmp/*',
      'upx --best /x',
      'upx /out/app',
      'cd /src',
      'cd cmd/y',
      'mkdir -p /out',
      'chmod +x /x',
      'useradd -u 10001 app',
      'adduser -D -u 1000 app',
      'echo "$(date)" > /build-date',
      "sh -c 'go build -o /x .'",
      'env CGO_ENABLED=0 go build ./...',
      'curl -fsSL https://example.com/x.tgz | tar -xz -C /usr/local',
      'make build',
      'powershell -Command "Invoke-WebRequest x"',
      'true',
      ':',
    ),
  },
  { weight: 1, arbitrary: junk },
);
const shellSep = pick(' && ', ' && ', '; ', ' || ', ' | ', ' &&\\\n    ', ' \\\n    && ', ';\\\n\t', ' && \\\r\n  ', ' \\  \n  && ', ' \\\n# comment in the middle\n    && ', ' \\\n\n    && ');
const shellScript = fc.array(shellCmd, { minLength: 1, maxLength: 4 }).chain((cmds) => joinWith(cmds.map((c) => fc.constant(c)), shellSep));

const memValue = pick('512MiB', '512Mi', '1GiB', '1Gi', '1.5GiB', '1G', '1GB', '1e9', '100', '0', '-1', 'off', 'OFF', '9223372036854775807', '99999999999999999999999', '512 MiB', '"512Mi"', "'1G'", '"768MiB"', '$LIMIT', '${LIMIT}', '', '1KiB', '1TiB', '0x10', '512mib', '512M', '1_000');
const procsValue = pick('1', '2', '4', '500m', '0', '-1', '1.5', '"4"', 'abc', '99999999999', '1e3', '$(nproc)', '', ' 2', '2 ');
const gcValue = pick('off', 'OFF', '100', '50', '1.5', '-1', '50%', '1e2', '"off"', '0', '', 'Off');
const envPair = fc.oneof(
  memValue.map((v) => ['GOMEMLIMIT', v]),
  procsValue.map((v) => ['GOMAXPROCS', v]),
  gcValue.map((v) => ['GOGC', v]),
  pick(['GODEBUG', 'madvdontneed=1'], ['PATH', '/go/bin:$PATH'], ['CGO_ENABLED', '0'], ['APP_ENV', 'production'], ['GOFLAGS', '-mod=vendor'], ['X', '"a b"']),
);
const envInstr = fc.oneof(
  fc.array(envPair, { minLength: 1, maxLength: 3 }).chain((ps) =>
    pick(' ', ' \\\n    ', '\t').map((sep) => 'ENV ' + ps.map(([k, v]) => `${k}=${v}`).join(sep)),
  ),
  envPair.map(([k, v]) => `ENV ${k} ${v}`),
);

const copyInstr = fc.oneof(
  pick('COPY . .', 'COPY go.mod go.sum ./', 'COPY go.mod ./', 'COPY go.* ./', 'COPY ./ /src/', 'COPY cmd/ cmd/', 'COPY ["go.mod", "go.sum", "./"]', 'ADD . /src', 'ADD https://example.com/x.tgz /tmp/', 'ADD app.tar.gz /', 'COPY --link . .', 'COPY --chown=app:app . /app', 'COPY --chmod=755 entry.sh /'),
  fc.tuple(pick('build', 'builder', '0', '1', 'golang:1.22', '${STAGE}', ''), pick('/x', '/out/app', '/app/server', '/go/bin/app', 'C:\\app\\app.exe', '/etc/ssl/certs/ca-certificates.crt'), pick('/x', '/app', '/usr/local/bin/', '.', 'C:\\app\\'))
    .map(([from, src, dst]) => `COPY --from=${from} ${src} ${dst}`),
);
const mountFlag = pick(
  '--mount=type=cache,target=/root/.cache/go-build',
  '--mount=type=cache,target=/go/pkg/mod',
  '--mount=type=cache,id=gomod,target=/go/pkg/mod,sharing=locked',
  '--mount=type=bind,source=.,target=/src',
  '--mount=type=secret,id=netrc,target=/root/.netrc',
  '--mount=type=cache,target="/root/.cache/go-build"',
  '--network=none',
  '--mount',
  '--mount=',
);
const runInstr = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.array(mountFlag, { maxLength: 2 }), shellScript).map(([m, s]) => ['RUN', ...m, s].join(' ')) },
  { weight: 1, arbitrary: fc.array(pick('go', 'build', '-o', '/x', '.', 'apk', 'add', 'git', '-ldflags=-s -w', '"'), { minLength: 1, maxLength: 6 }).map((a) => `RUN ${JSON.stringify(a)}`) },
  {
    weight: 2,
    arbitrary: fc.tuple(pick('EOF', 'SCRIPT', '"EOF"', '-EOF'), fc.array(shellCmd, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean()).map(([tag, cmds, shebang, closed]) => {
      const name = tag.replace(/["-]/g, '');
      return `RUN <<${tag}\n${shebang ? '#!/bin/sh\nset -e\n' : ''}${cmds.join('\n')}\n${closed ? name : ''}`;
    }),
  },
  { weight: 1, arbitrary: fc.tuple(shellScript, fc.array(fc.tuple(pick('\\\n', '\\\r\n', '\\ \n'), pick('', '  ', '\t', '    '), shellCmd), { maxLength: 3 })).map(([s, more]) => 'RUN ' + s + more.map(([c, ind, cmd]) => ` ${c}${ind}&& ${cmd}`).join('')) },
);
const cmdInstr = fc.tuple(pick('CMD', 'ENTRYPOINT'), fc.oneof(
  pick('["/x"]', '["/app/server", "--port", "8080"]', '[ "/x" ]', '["./app"]', '/x', '/app/server --port 8080', './app', 'exec /x', 'sh -c "/x"', '["sh", "-c", "/x"]', '[]', '["/x",]', '[/x]', '["C:\\\\app\\\\app.exe"]', 'C:\\app\\app.exe', '"/x"'),
  junk,
)).map(([k, v]) => `${k} ${v}`);
const otherInstr = fc.oneof(
  pick('WORKDIR /src', 'WORKDIR /app', 'WORKDIR src', 'WORKDIR "/my dir"', 'WORKDIR C:\\app', 'WORKDIR $HOME/x', 'WORKDIR'),
  pick('EXPOSE 8080', 'EXPOSE 8080/tcp 9090', 'USER nonroot:nonroot', 'USER 65532', 'USER root', 'USER app', 'LABEL org.opencontainers.image.source="https://x"', 'LABEL a=b \\\n      c="d e"', 'HEALTHCHECK CMD ["/x", "health"]', 'HEALTHCHECK NONE', 'STOPSIGNAL SIGTERM', 'VOLUME ["/data"]', 'VOLUME /data', 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'SHELL ["powershell", "-Command"]', 'ONBUILD RUN go build ./...', 'MAINTAINER me', 'ARG VERSION', 'ARG TARGETOS TARGETARCH', 'ARG GO_VERSION=1.22', 'ARG BASE=alpine:3.20', 'ARG CGO_ENABLED=0'),
  fc.tuple(pick('WORKDIR', 'USER', 'LABEL', 'EXPOSE', 'ARG', 'ENV', 'COPY', 'RUN', 'FROM', 'CMD', 'onbuild', 'run', 'from', 'Env', 'HEALTHCHECK', 'SHELL', 'ADD'), junk).map(([k, j]) => `${k} ${j}`),
);
const comment = pick(
  '# a comment',
  '#',
  '# container-tuner ignore=apk-no-cache',
  '# container-tuner ignore=all',
  '# container-tuner ignore-file=go-maxprocs',
  '# container-tuner ignore=go-strip-symbols,exec-form-cmd',
  '# hadolint ignore=DL3019,DL3025',
  '# hadolint global ignore=DL3007',
  '   # indented comment',
  '# syntax=docker/dockerfile:1',
  '# escape=`',
  '',
  '   ',
  '\t',
);
const instruction = fc.oneof(
  { weight: 6, arbitrary: runInstr },
  { weight: 3, arbitrary: copyInstr },
  { weight: 3, arbitrary: envInstr },
  { weight: 2, arbitrary: cmdInstr },
  { weight: 3, arbitrary: otherInstr },
  { weight: 2, arbitrary: comment },
);
const fromInstr = fc.tuple(pick('', '--platform=$BUILDPLATFORM ', '--platform=linux/amd64 ', '--platform=${TARGETPLATFORM} ', '--platform '), imageRef, pick('', ' AS build', ' AS builder', ' as runtime', ' AS', ' AS final extra'), pick('FROM', 'FROM', 'from', 'From')).map(([p, img, as, kw]) => `${kw} ${p}${img}${as}`);
const stage: fc.Arbitrary<string[]> = fc.tuple(fromInstr, fc.array(instruction, { maxLength: 8 })).map(([f, ins]) => [f, ...ins]);

/** The usual shape of a Go service's Dockerfile, every part optional or varied: where most rules fire and fix. */
const goServiceLines = fc
  .record({
    builder: goImage,
    as: pick(' AS build', ' AS builder', ' as build', ''),
    platform: pick('', '--platform=$BUILDPLATFORM '),
    workdir: pick('WORKDIR /src', 'WORKDIR /app', 'WORKDIR /go/src/app', ''),
    modFirst: pick('none', 'copy+download', 'download-later', 'copy-only'),
    mount: pick('', '--mount=type=cache,target=/root/.cache/go-build ', '--mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build '),
    apk: pick('', 'RUN apk add git', 'RUN apk add --no-cache git make', 'RUN apt-get update && apt-get install -y git'),
    build: fc.oneof(goBuild, pick('CGO_ENABLED=0 go build -o /out/app ./cmd/app', 'go build -o /out/app .', 'CGO_ENABLED=0 go build -ldflags="-s -w" -o /out/app ./cmd/app', 'go build -trimpath -o /app ./cmd/server', 'CGO_ENABLED=1 go build -o /out/app .')),
    runtime: fc.option(runtimeImage, { nil: undefined, freq: 3 }),
    copyFrom: pick('COPY --from=build /out/app /app', 'COPY --from=builder /out/app /app', 'COPY --from=0 /x /x', 'COPY --from=build /go/bin/app /usr/local/bin/app', ''),
    env: fc.array(envInstr, { maxLength: 2 }),
    user: pick('', 'USER nonroot:nonroot', 'USER 65532', 'USER root'),
    entry: pick('ENTRYPOINT ["/app"]', 'ENTRYPOINT /app', 'CMD ["/x"]', 'CMD /x --port 8080', 'CMD ["sh", "-c", "/app"]', ''),
    extra: fc.array(fc.tuple(fc.nat(), fc.oneof(instruction, comment)), { maxLength: 3 }),
  })
  .map((r) => {
    const lines: string[] = [`FROM ${r.platform}${r.builder}${r.as}`];
    if (r.apk) lines.push(r.apk);
    if (r.workdir) lines.push(r.workdir);
    if (r.modFirst === 'copy+download') lines.push('COPY go.mod go.sum ./', 'RUN go mod download');
    if (r.modFirst === 'copy-only') lines.push('COPY go.mod go.sum ./');
    lines.push('COPY . .');
    if (r.modFirst === 'download-later') lines.push('RUN go mod download');
    lines.push(`RUN ${r.mount}${r.build}`);
    if (r.runtime !== undefined) lines.push(`FROM ${r.runtime}`, ...(r.copyFrom ? [r.copyFrom] : []));
    lines.push(...r.env);
    if (r.user) lines.push(r.user);
    lines.push('EXPOSE 8080');
    if (r.entry) lines.push(r.entry);
    for (const [at, l] of r.extra) lines.splice(1 + (at % lines.length), 0, l);
    return lines;
  });

/** Dockerfile lines -> text: line endings, indentation, BOM, directives. */
function assembleDockerfile(lines: string[], o: { eol: string; mixed: boolean; bom: boolean; backtick: boolean; trailing: boolean; indent: string }): string {
  let out = lines.map((l, i) => (i && o.indent && !l.startsWith('#') ? o.indent + l : l));
  if (o.backtick) out = ['# escape=`', ...out.map((l) => l.replace(/\\(\r?\n)/g, '`$1'))];
  let text = '';
  out.forEach((l, i) => {
    const eol = o.mixed && i % 3 === 1 ? (o.eol === '\n' ? '\r\n' : '\n') : o.eol;
    const body = eol === '\n' ? l.replace(/\r\n/g, '\n') : l.replace(/\r?\n/g, eol);
    text += body + (i < out.length - 1 || o.trailing ? eol : '');
  });
  return (o.bom ? '\uFEFF' : '') + text;
}

const goMod = pick(
  undefined,
  'module example.com/svc\n\ngo 1.22\n',
  'module example.com/svc\n\ngo 1.25\n',
  'module example.com/svc\n\ngo 1.21\n\nrequire go.uber.org/automaxprocs v1.5.3\n',
  'module example.com/svc\r\n\r\ngo 1.23.4\r\n\r\ntoolchain go1.24.1\r\n',
  'module x\n\ngo\n',
  'garbage \0 \uFFFD',
);
const dockerignore = pick(undefined, '.git\n', '*\n!go.mod\n!go.sum\n!cmd/\n', '**\n', '# nothing\n');

export const dockerfileDoc: fc.Arbitrary<FuzzDoc> = fc
  .record({
    preamble: fc.array(fc.oneof(pick('ARG GO_VERSION=1.22', 'ARG BASE=alpine:3.20', 'ARG GO_VERSION', 'ARG BASE=golang:1.24-alpine', '# syntax=docker/dockerfile:1.7'), comment), { maxLength: 3 }),
    stages: fc.oneof(
      { weight: 1, arbitrary: fc.array(stage, { minLength: 0, maxLength: 4 }) },
      { weight: 1, arbitrary: fc.tuple(goServiceLines, fc.array(stage, { maxLength: 1 })).map(([g, more]) => [g, ...more]) },
    ),
    eol: pick('\n', '\n', '\r\n'),
    mixed: fc.boolean(),
    bom: fc.boolean(),
    backtick: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    trailing: fc.boolean(),
    indent: pick('', '', '', '  ', '\t'),
    name: pick('Dockerfile', 'Containerfile', 'build/Dockerfile', 'app.Dockerfile', 'Dockerfile.prod'),
    goMod,
    dockerignore,
    mutations: someMutations,
  })
  .map((r) => {
    const file = path.posix.join(ROOT, r.name);
    const files: Record<string, string> = {};
    if (r.goMod !== undefined) files[path.posix.join(ROOT, 'go.mod')] = r.goMod;
    if (r.dockerignore !== undefined) files[path.posix.join(ROOT, '.dockerignore')] = r.dockerignore;
    let text = assembleDockerfile([...r.preamble, ...r.stages.flat()], r);
    if (r.mutations.length) text = mutate(Buffer.from(text, 'utf8'), r.mutations).toString('utf8');
    files[file] = text;
    return { kind: 'dockerfile' as const, path: file, text, files };
  });

// ---------------------------------------------------------------- YAML manifests

/** A YAML value to emit: maps and sequences keep their order; `flow` asks for {…}/[…] style. */
export type Y = { t: 'map'; entries: [string, Y][]; flow?: boolean; comment?: string } | { t: 'seq'; items: Y[]; flow?: boolean } | { t: 's'; v: string };
const S = (v: string): Y => ({ t: 's', v });
const M = (entries: [string, Y | undefined][], flow?: boolean): Y => ({ t: 'map', entries: entries.filter((e): e is [string, Y] => !!e[1]), flow });
const Q = (v: string) => fc.constantFrom(S(v), S(`"${v}"`), S(`'${v}'`));

interface YamlStyle { unit: number; seqIndent: boolean; eol: string }

function emitFlow(y: Y): string {
  if (y.t === 's') return y.v;
  if (y.t === 'seq') return `[${y.items.map(emitFlow).join(', ')}]`;
  return `{${y.entries.map(([k, v]) => `${k}: ${emitFlow(v)}`).join(', ')}}`;
}

/** Lines of a block-style node at `indent` (a map's keys, or a sequence's dashes). */
function emitBlock(y: Y, indent: number, st: YamlStyle): string[] {
  const pad = ' '.repeat(indent);
  if (y.t === 's') return [pad + y.v];
  if (y.t === 'seq') {
    if (y.flow || !y.items.length) return [pad + emitFlow(y)];
    const out: string[] = [];
    for (const it of y.items) {
      if (it.t === 'map' && !it.flow && it.entries.length) {
        const inner = emitBlock(it, indent + 2, st);
        out.push(pad + '- ' + inner[0].slice(indent + 2), ...inner.slice(1));
      } else if (it.t === 's' || it.flow) out.push(pad + '- ' + emitFlow(it));
      else out.push(pad + '-', ...emitBlock(it, indent + st.unit, st));
    }
    return out;
  }
  if (y.flow || !y.entries.length) return [pad + emitFlow(y)];
  const out: string[] = [];
  if (y.comment) out.push(pad + '# ' + y.comment);
  for (const [k, v] of y.entries) {
    if (v.t === 's' || v.flow || (v.t === 'map' && !v.entries.length) || (v.t === 'seq' && !v.items.length)) out.push(`${pad}${k}: ${emitFlow(v)}`);
    else if (v.t === 'seq') out.push(`${pad}${k}:`, ...emitBlock(v, indent + (st.seqIndent ? st.unit : 0), st));
    else out.push(`${pad}${k}:`, ...emitBlock(v, indent + st.unit, st));
  }
  return out;
}

const quantityCpu = pick('100m', '250m', '500m', '1', '2', '1.5', '4', '0.5', '2000m', '0', '-1', 'abc', '1e3', '"1"', "'500m'", '');
const quantityMem = pick('64Mi', '128Mi', '256Mi', '512Mi', '1Gi', '1.5Gi', '2G', '1000000000', '1e9', '0', 'abc', '"1Gi"', '512M', '1Ti', '100Ki', '');
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const resources = fc.record({ rc: maybe(quantityCpu), rm: maybe(quantityMem), lc: maybe(quantityCpu), lm: maybe(quantityMem), flow: fc.boolean() }).map(({ rc, rm, lc, lm, flow }) =>
  M([
    ['requests', rc !== undefined || rm !== undefined ? M([['cpu', rc !== undefined ? S(rc) : undefined], ['memory', rm !== undefined ? S(rm) : undefined]]) : undefined],
    ['limits', lc !== undefined || lm !== undefined ? M([['cpu', lc !== undefined ? S(lc) : undefined], ['memory', lm !== undefined ? S(lm) : undefined]]) : undefined],
  ], flow),
);
const envItem = fc.oneof(
  fc.tuple(pick('GOMEMLIMIT', 'GOMAXPROCS', 'GOGC', 'GODEBUG', 'APP', 'gomemlimit'), fc.oneof(memValue, procsValue, gcValue), fc.boolean()).chain(([n, v, flow]) =>
    (v === '' ? fc.constant(S('""')) : v.startsWith('"') || v.startsWith("'") || v.startsWith('$') ? fc.constant(S(JSON.stringify(v))) : Q(v)).map((val) => M([['name', S(n)], ['value', val]], flow)),
  ),
  fc.tuple(pick('GOMAXPROCS', 'GOMEMLIMIT'), pick('limits.cpu', 'requests.cpu', 'limits.memory'), pick(undefined, '1', '1Mi')).map(([n, res, div]) =>
    M([['name', S(n)], ['valueFrom', M([['resourceFieldRef', M([['resource', S(res)], ['divisor', div ? S(div) : undefined]])]])]]),
  ),
  fc.constant(M([['name', S('FOO')]])),
  fc.tuple(pick('GOMEMLIMIT', 'GOMAXPROCS', 'GOGC'), junk).map(([n, j]) => M([['name', S(n)], ['value', S(JSON.stringify(j))]])),
  fc.constant(S('"junk"')),
);
const probe = fc.record({
  kind: pick('httpGet', 'tcpSocket', 'exec', 'grpc'),
  delay: maybe(pick('0', '5', '10', '30', '120', '"15"', '-1')),
  flow: fc.boolean(),
}).map(({ kind, delay, flow }) =>
  M([
    [kind, kind === 'httpGet' ? M([['path', S('/healthz')], ['port', S('8080')]]) : kind === 'tcpSocket' ? M([['port', S('http')]]) : kind === 'grpc' ? M([['port', S('9090')]]) : M([['command', { t: 'seq', items: [S('/x'), S('health')] }]])],
    ['initialDelaySeconds', delay !== undefined ? S(delay) : undefined],
    ['periodSeconds', S('10')],
  ], flow),
);
const k8sImage = pick('ghcr.io/acme/svc:1.2.3', 'ghcr.io/acme/svc', 'ghcr.io/acme/svc:latest', 'golang:1.22', 'nginx', 'app@sha256:' + 'c'.repeat(64), '"quoted/img:1"', 'registry:5000/x/y:2', '');
const container = fc.record({
  name: pick('app', 'server', 'sidecar', '"quoted"', 'init'),
  image: maybe(k8sImage),
  env: maybe(fc.array(envItem, { maxLength: 4 })),
  envFlow: fc.boolean(),
  resources: maybe(resources),
  ports: maybe(pick('8080', '80', '9090')),
  readiness: maybe(probe),
  liveness: maybe(probe),
  startup: maybe(probe),
  flow: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  comment: maybe(pick('the app', 'container-tuner ignore=k8s-go-memlimit', 'container-tuner ignore=all')),
}).map((c) => {
  const m = M([
    ['name', S(c.name)],
    ['image', c.image !== undefined ? S(c.image) : undefined],
    ['ports', c.ports ? { t: 'seq', items: [M([['containerPort', S(c.ports)]])] } : undefined],
    ['env', c.env ? { t: 'seq', items: c.env, flow: c.envFlow && c.env.length > 0 } : undefined],
    ['resources', c.resources],
    ['readinessProbe', c.readiness],
    ['livenessProbe', c.liveness],
    ['startupProbe', c.startup],
  ], c.flow);
  if (c.comment && m.t === 'map') m.comment = c.comment;
  return m;
});
const podSpec = fc.record({
  containers: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 8, arbitrary: fc.array(container, { minLength: 1, maxLength: 3 }) }),
  init: maybe(fc.array(container, { maxLength: 1 })),
  grace: maybe(pick('30', '60', '120', '300', '10', '"45"')),
  spot: maybe(pick('cloud.google.com/gke-spot', 'cloud.google.com/gke-preemptible', 'eks.amazonaws.com/capacityType', 'kubernetes.azure.com/scalesetpriority', 'karpenter.sh/capacity-type')),
}).map((p) =>
  M([
    ['terminationGracePeriodSeconds', p.grace !== undefined ? S(p.grace) : undefined],
    ['nodeSelector', p.spot ? M([[p.spot, S(p.spot.includes('capacity') ? 'spot' : p.spot.includes('azure') ? 'spot' : '"true"')]]) : undefined],
    ['initContainers', p.init?.length ? { t: 'seq', items: p.init } : undefined],
    ['containers', { t: 'seq', items: [...p.containers] }],
  ]),
);
const workload = fc.tuple(pick('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'ReplicationController', 'ConfigMap', 'Service'), podSpec, pick('apps/v1', 'v1', 'batch/v1')).map(([kind, spec, api]) => {
  const template = M([['metadata', M([['labels', M([['app', S('svc')]])]])], ['spec', spec]]);
  const body =
    kind === 'Pod' ? spec : kind === 'CronJob' ? M([['schedule', S('"*/5 * * * *"')], ['jobTemplate', M([['spec', M([['template', template]])]])]]) : kind === 'ConfigMap' ? undefined : M([['replicas', S('2')], ['template', template]]);
  return M([
    ['apiVersion', S(api)],
    ['kind', S(kind)],
    ['metadata', M([['name', S('svc')]])],
    ['spec', body],
    ['data', kind === 'ConfigMap' ? M([['GOMEMLIMIT', S('512Mi')]]) : undefined],
  ]);
});

export const manifestDoc: fc.Arbitrary<FuzzDoc> = fc
  .record({
    docs: fc.array(workload, { minLength: 1, maxLength: 3 }),
    list: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    unit: pick(2, 4),
    seqIndent: fc.boolean(),
    eol: pick('\n', '\n', '\r\n'),
    leadingDashes: fc.boolean(),
    trailing: fc.boolean(),
    comments: fc.array(fc.tuple(fc.nat(), pick('# comment', '# container-tuner ignore=k8s-resources-missing', '#', '')), { maxLength: 3 }),
    goMod,
    name: pick('deploy.yaml', 'k8s/app.yml', 'manifests/all.yaml'),
    mutations: someMutations,
  })
  .map((r) => {
    const st: YamlStyle = { unit: r.unit, seqIndent: r.seqIndent, eol: r.eol };
    const docs = r.list ? [M([['apiVersion', S('v1')], ['kind', S('List')], ['items', { t: 'seq', items: r.docs }]])] : r.docs;
    const lines: string[] = [];
    docs.forEach((d, i) => {
      if (i || r.leadingDashes) lines.push('---');
      lines.push(...emitBlock(d, 0, st));
    });
    for (const [at, c] of r.comments) {
      const i = at % (lines.length + 1);
      const indent = /^ */.exec(lines[i] ?? '')![0];
      lines.splice(i, 0, c ? indent + c : c);
    }
    let text = lines.join(r.eol) + (r.trailing ? r.eol : '');
    if (r.mutations.length) text = mutate(Buffer.from(text, 'utf8'), r.mutations).toString('utf8');
    const file = path.posix.join(ROOT, r.name);
    const files: Record<string, string> = { [file]: text };
    if (r.goMod !== undefined) files[path.posix.join(ROOT, 'go.mod')] = r.goMod;
    return { kind: 'yaml' as const, path: file, text, files };
  });

// ---------------------------------------------------------------- corpus mutations

export const CORPUS_DIR = path.resolve(__dirname, '../../../shared/corpus');

export interface CorpusFile { name: string; kind: 'dockerfile' | 'yaml'; bytes: Buffer }

/** Every corpus file (read in place, never copied), or [] when the corpus is absent. */
export function corpusFiles(): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const [sub, kind] of [['dockerfiles', 'dockerfile'], ['k8s', 'yaml']] as const) {
    const dir = path.join(CORPUS_DIR, sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, f);
      if (fs.statSync(full).isFile() && (kind === 'dockerfile' || /\.ya?ml$/i.test(f))) out.push({ name: `${sub}/${f}`, kind, bytes: fs.readFileSync(full) });
    }
  }
  return out;
}

/** A corpus file with 1–6 byte-level mutations, decoded as UTF-8 the way the editor and CLI read it. */
export function corpusMutationDoc(files: CorpusFile[]): fc.Arbitrary<FuzzDoc> {
  return fc.tuple(fc.nat(files.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), goMod).map(([i, muts, gm]) => mutatedDoc(files[i], muts, gm));
}

export function mutatedDoc(f: CorpusFile, mutations: Mutation[], gm: string | undefined): FuzzDoc {
  const base = f.name.split('/').pop()!;
  const file = path.posix.join(ROOT, f.kind === 'dockerfile' ? (/dockerfile|containerfile/i.test(base) ? base : 'Dockerfile') : base);
  const text = mutate(f.bytes, mutations).toString('utf8');
  const ws: Record<string, string> = { [file]: text };
  if (gm !== undefined) ws[path.posix.join(ROOT, 'go.mod')] = gm;
  return { kind: f.kind, path: file, text, files: ws, origin: { corpus: f.name, mutations, goMod: gm } };
}
