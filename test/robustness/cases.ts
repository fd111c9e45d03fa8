// Hostile and huge inputs: each case builds its input (deterministically, in
// the child process that runs it) and says how to run it. The cases run in a
// child process with a kill timeout (hostile.test.ts), so an input that would
// hang the engine fails its test instead of hanging the suite.

export interface HostileInput {
  kind: 'dockerfile' | 'yaml';
  text: string;
  /** Lint options: the size limit (undefined = the default 2 MB; 0 = none). */
  maxFileSize?: number;
  /** Also run fixAll (every preferred fix, pass after pass). */
  fix?: boolean;
}

export interface HostileExpect {
  /** Exactly one finding, the size-limit info of rule `container-tuner`. */
  skipped?: boolean;
  /** No finding at all. */
  none?: boolean;
  /** At least this many findings. */
  atLeast?: number;
}

export interface HostileCase {
  name: string;
  group: string;
  build: () => HostileInput;
  expect?: HostileExpect;
}

/** Deterministic bytes (xorshift32), for "binary" inputs. */
export function pseudoRandomBytes(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const MB = 1024 * 1024;
const GO = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n';
const RUNTIME = 'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n';
const deployment = (containers: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bomb\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;
const container = (extra = '') => `      - name: app\n        image: ghcr.io/acme/app:1.0\n        resources:\n          limits:\n            cpu: "2"\n            memory: 1Gi\n${extra}`;

/** "Billion laughs": 9 levels of 9 aliases each (9^9 = 387 million leaves if expanded). */
function laughs(indent: string): string {
  let s = `${indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n`;
  for (let i = 1; i <= 9; i++) s += `${indent}l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
  return s;
}

const repeat = (line: string, n: number) => line.repeat(n);

export const CASES: HostileCase[] = [
  // ------------------------------------------------------------ YAML alias bombs
  {
    group: 'yaml-bombs', name: 'billion laughs as env of a Go container',
    build: () => ({ kind: 'yaml', text: `x-bomb:\n${laughs('  ')}---\n` + deployment(container('        env: *l9\n')) }),
  },
  {
    group: 'yaml-bombs', name: 'billion laughs in the same document, used as env, resources and probe',
    build: () => ({
      kind: 'yaml',
      text: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bomb\n  annotations:\n${laughs('    ')}spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/acme/app:1.0\n        env: *l9\n        resources: *l9\n        readinessProbe: *l9\n        ports: *l9\n`,
    }),
  },
  {
    group: 'yaml-bombs', name: 'billion laughs as the containers list and as List items',
    build: () => ({
      kind: 'yaml',
      text: `apiVersion: v1\nkind: List\nmeta:\n${laughs('  ')}items: *l9\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n${laughs('    ')}spec:\n  containers: *l9\n`,
    }),
  },
  {
    group: 'yaml-bombs', name: 'merge-key bomb (<<: *a) inside a container',
    build: () => {
      let s = '  m0: &m0 {a: 1, b: 2, c: 3}\n';
      for (let i = 1; i <= 12; i++) s += `  m${i}: &m${i}\n    <<: [*m${i - 1}, *m${i - 1}, *m${i - 1}]\n    k${i}: v\n`;
      return { kind: 'yaml', text: `x:\n${s}---\n` + deployment(container('        <<: *m12\n')) };
    },
  },
  {
    group: 'yaml-bombs', name: 'alias bomb with 2,000 anchors in a chain',
    build: () => {
      let s = '  a0: &a0 [x]\n';
      for (let i = 1; i < 2000; i++) s += `  a${i}: &a${i} [*a${i - 1}, *a${i - 1}]\n`;
      return { kind: 'yaml', text: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n${s.replace(/^  /gm, '    ')}spec:\n  containers:\n  - name: c\n    image: x\n    env: *a1999\n` };
    },
  },

  // ------------------------------------------------------------ deep nesting
  ...(['[', '{a: '] as const).map((open): HostileCase => ({
    group: 'nesting', name: `10,000-deep flow nesting ${open}… as a container's env value`,
    build: () => {
      const close = open === '[' ? ']' : '}';
      return { kind: 'yaml', text: deployment(container(`        env:\n        - name: GOMEMLIMIT\n          value: ${open.repeat(10_000)}1${close.repeat(10_000)}\n`)) };
    },
  })),
  {
    group: 'nesting', name: '10,000-deep flow nesting as the whole document',
    build: () => ({ kind: 'yaml', text: 'kind: Pod\napiVersion: v1\nspec: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n' }),
  },
  {
    group: 'nesting', name: '10,000-deep block sequence (- - - …) as containers',
    build: () => ({ kind: 'yaml', text: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  ${'- '.repeat(10_000)}x\n` }),
  },
  {
    group: 'nesting', name: '10,000-deep block mapping (1-space indentation)',
    build: () => {
      const lines: string[] = ['apiVersion: v1', 'kind: Pod', 'spec:'];
      for (let i = 1; i <= 10_000; i++) lines.push(' '.repeat(i) + 'a:');
      return { kind: 'yaml', text: lines.join('\n') + ' 1\n', maxFileSize: 0 };
    },
  },
  {
    group: 'nesting', name: '10,000-deep $( in a RUN',
    build: () => ({ kind: 'dockerfile', text: GO + 'RUN echo ' + '$('.repeat(10_000) + 'x' + ')'.repeat(10_000) + ' && go build -o /out/app .\n' + RUNTIME }),
  },
  {
    group: 'nesting', name: '10,000-deep ${a:- in ENV, ARG and FROM',
    build: () => {
      const v = '${a:-'.repeat(10_000) + 'x' + '}'.repeat(10_000);
      return { kind: 'dockerfile', text: `ARG B=${v}\nFROM ${v}\nENV GOMEMLIMIT=${v}\nRUN GOMAXPROCS=${v} go build -ldflags="${v}" -o /out/app .\n` };
    },
  },
  {
    group: 'nesting', name: '10,000-deep JSON array in CMD and RUN',
    build: () => ({ kind: 'dockerfile', text: GO + 'RUN ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n' + RUNTIME.replace('ENTRYPOINT ["/app"]', 'CMD ' + '['.repeat(10_000) + '"/app"' + ']'.repeat(10_000)) }),
  },
  {
    group: 'nesting', name: '10,000 nested quotes and subshells in a go build',
    build: () => ({ kind: 'dockerfile', text: GO + 'RUN go build -ldflags "' + '\\"$(echo '.repeat(10_000) + '" -o /out/app .\n' + RUNTIME }),
  },

  // ------------------------------------------------------------ huge files
  {
    group: 'huge', name: '50 MB Dockerfile: skipped with one info finding',
    build: () => ({ kind: 'dockerfile', text: repeat('RUN apk add --virtual build-deps git make gcc musl-dev && go build ./...\n', Math.ceil((50 * MB) / 72)) }),
    expect: { skipped: true },
  },
  {
    group: 'huge', name: '50 MB manifest: skipped with one info finding',
    build: () => ({ kind: 'yaml', text: deployment(repeat(container(), Math.ceil((50 * MB) / 130))) }),
    expect: { skipped: true },
  },
  {
    group: 'huge', name: '50 MB YAML with no workload (e.g. OpenAPI): silent',
    build: () => ({ kind: 'yaml', text: 'openapi: 3.0.0\npaths:\n' + repeat('  /x:\n    get:\n      description: a long path item\n', Math.ceil((50 * MB) / 48)) }),
    expect: { none: true },
  },
  {
    // hung (4 GB, killed after 120 s) before manifests that name no workload kind were skipped unparsed
    group: 'huge', name: '50 MB YAML with no workload, the limit lifted: silent, not parsed',
    build: () => ({ kind: 'yaml', text: 'openapi: 3.0.0\npaths:\n' + repeat('  /x:\n    get:\n      description: a long path item\n', Math.ceil((50 * MB) / 48)), maxFileSize: 0 }),
    expect: { none: true },
  },
  {
    group: 'huge', name: '50 MB on one line',
    build: () => ({ kind: 'dockerfile', text: 'RUN echo ' + 'a'.repeat(50 * MB) }),
    expect: { skipped: true },
  },
  {
    group: 'huge', name: '1.9 MB Go Dockerfile just under the limit: linted in full',
    build: () => {
      let s = GO;
      while (s.length < 1.9 * MB) s += 'RUN apk add git && CGO_ENABLED=0 go build -o /out/app ./cmd/app\nENV GOMEMLIMIT=512Mi GOGC=off\n';
      return { kind: 'dockerfile', text: s + RUNTIME };
    },
    expect: { atLeast: 1000 },
  },
  {
    group: 'huge', name: '5 MB manifest with the limit lifted: 5,000 documents and more',
    build: () => ({ kind: 'yaml', text: repeat('---\n' + deployment(container()), Math.ceil((5 * MB) / 260)), maxFileSize: 0 }),
    expect: { atLeast: 1000 },
  },

  // ------------------------------------------------------------ binary and broken text
  {
    group: 'binary', name: '1 MB of random bytes read as UTF-8 (Dockerfile)',
    build: () => ({ kind: 'dockerfile', text: pseudoRandomBytes(MB).toString('utf8'), fix: true }),
  },
  {
    group: 'binary', name: '1 MB of random bytes read as UTF-8 (YAML)',
    build: () => ({ kind: 'yaml', text: pseudoRandomBytes(MB, 7).toString('utf8'), fix: true }),
  },
  {
    group: 'binary', name: 'random bytes between valid instructions',
    build: () => {
      const junk = pseudoRandomBytes(400_000, 11).toString('latin1').replace(/\n/g, ' ');
      return { kind: 'dockerfile', text: GO + 'RUN go build -o /out/app .' + junk.slice(0, 100_000) + '\nRUN apk add ' + junk.slice(100_000) + '\n' + RUNTIME, fix: true };
    },
  },
  {
    group: 'binary', name: 'invalid UTF-8 sequences (lone continuation bytes, overlongs, surrogates) decoded',
    build: () => {
      const bad = Buffer.from([0x80, 0xbf, 0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80, 0xff, 0xfe]);
      const parts: Buffer[] = [];
      for (let i = 0; i < 20_000; i++) parts.push(Buffer.from(i % 3 ? 'RUN apk add ' : 'ENV GOMEMLIMIT='), bad, Buffer.from('\n'));
      return { kind: 'dockerfile', text: Buffer.concat([Buffer.from(GO), ...parts, Buffer.from(RUNTIME)]).toString('utf8'), fix: true, maxFileSize: 0 };
    },
  },
  {
    group: 'binary', name: 'lone surrogates and astral characters in words that fixes edit',
    build: () => ({ kind: 'dockerfile', text: GO + 'RUN apk add \ud800git\udfff && go build -ldflags="-X main.v=😀\ud83d" -o /out/😀 .\nENV GOMEMLIMIT=512Mi\ud800\n' + RUNTIME.replace('/app"', '/😀"'), fix: true }),
  },
  {
    group: 'binary', name: 'NUL bytes everywhere',
    build: () => ({ kind: 'dockerfile', text: (GO + 'RUN apk add git && go build -o /out/app .\nENV GOMEMLIMIT=512Mi\n' + RUNTIME).replace(/ /g, ' \0').repeat(200), fix: true }),
  },
  {
    group: 'binary', name: '1 MB of NUL bytes',
    build: () => ({ kind: 'dockerfile', text: '\0'.repeat(MB) }),
  },
  {
    group: 'binary', name: 'manifest with NUL bytes and C1 controls in scalars',
    build: () => ({ kind: 'yaml', text: deployment(container('        env:\n        - name: GOMEMLIMIT\n          value: "512Mi\\0\u0085"\n        - name: GOGC\n          value: off\0\n')).repeat(50), fix: true }),
  },
  {
    group: 'binary', name: 'UTF-16LE Dockerfile read as UTF-8',
    build: () => ({ kind: 'dockerfile', text: Buffer.from('\ufeff' + GO + 'RUN apk add git\n' + RUNTIME, 'utf16le').toString('utf8'), fix: true }),
  },
  {
    group: 'binary', name: 'an ELF binary named Dockerfile',
    build: () => ({ kind: 'dockerfile', text: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), pseudoRandomBytes(200_000, 3)]).toString('utf8') }),
  },

  // ------------------------------------------------------------ 100,000 lines
  ...([
    ['100,000 RUN apk add lines (100,000 findings, fix-all applies them)', () => 'FROM alpine:3.20\n' + repeat('RUN apk add git\n', 100_000)],
    // a chain of stages, each built on and copying from the one before: rules that walk each stage's ancestry are quadratic in its length (5,000 stages: seconds; 50,000: minutes)
    ['5,000 stages, each built on and copying from the previous one', () => { let s = 'FROM golang:1.22 AS s0\nRUN go build -o /x .\n'; for (let i = 1; i < 5_000; i++) s += `FROM s${i - 1} AS s${i}\nCOPY --from=s${i - 1} /x /x\n`; return s; }],
    ['100,000 ENV lines (Go runtime settings)', () => GO + repeat('ENV GOMEMLIMIT=512Mi GOMAXPROCS=500m GOGC=1.5\n', 100_000) + RUNTIME],
    ['one RUN of 100,000 continuation lines', () => GO + 'RUN apk add git \\\n' + repeat('    && go build -o /out/app . \\\n', 100_000) + '    && true\n' + RUNTIME],
    ['100,000 comment lines between continuations', () => GO + 'RUN apk add git \\\n' + repeat('# c\n', 100_000) + '    && go build -o /out/app .\n' + RUNTIME],
    ['100,000 pragma lines', () => GO + repeat('# container-tuner ignore=apk-no-cache\nRUN apk add git\n', 50_000) + RUNTIME],
    ['100,000 ARGs then an ARG-driven FROM', () => repeat('ARG A=golang:1.22\n', 100_000) + 'FROM ${A} AS build\nRUN go build -o /out/app .\n' + RUNTIME],
    ['100,000 heredoc lines', () => GO + 'RUN <<EOF\n' + repeat('apk add git\n', 100_000) + 'EOF\n' + RUNTIME],
    ['100,000 COPY . . lines before go mod download', () => GO + repeat('COPY . .\n', 100_000) + 'RUN go mod download && go build -o /out/app .\n' + RUNTIME],
  ] as [string, () => string][]).map(([name, make], i): HostileCase => ({
    group: 'lines', name,
    // fix-all too on the first ones (100,000 fixes at once; the rest: lint only, to keep the suite short)
    build: () => ({ kind: 'dockerfile', text: make(), maxFileSize: 0, fix: i < 3 }),
  })),
  {
    group: 'lines', name: '100,000-line Dockerfile with the default limit: skipped',
    build: () => ({ kind: 'dockerfile', text: 'FROM alpine:3.20\n' + repeat('RUN apk add git\n', 150_000) }),
    expect: { skipped: true },
  },
  {
    group: 'lines', name: 'a Deployment with 10,000 containers (100,000 lines)',
    build: () => ({ kind: 'yaml', text: deployment(repeat(container('        env:\n        - name: GOGC\n          value: "off"\n'), 10_000)), maxFileSize: 0, fix: true }),
    expect: { atLeast: 10_000 },
  },
  {
    group: 'lines', name: '20,000 documents of 5 lines',
    build: () => ({ kind: 'yaml', text: repeat('---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x, resources: {limits: {memory: 1Gi}}}]}\n', 20_000), maxFileSize: 0, fix: true }),
  },
  {
    group: 'lines', name: '100,000 pragma comments in a manifest',
    build: () => ({ kind: 'yaml', text: deployment(repeat('      # container-tuner ignore=k8s-go-memlimit\n' + container(), 5_000)).replace(/^(\s+)cpu/gm, '$1# container-tuner ignore=all\n$1cpu'), maxFileSize: 0, fix: true }),
  },
];

// ------------------------------------------------------------ pathological strings for every rule

/** Long runs that make naive regexes backtrack: each is tried inside every instruction kind. */
export const ADVERSARIAL: [string, (n: number) => string][] = [
  ['spaces', (n) => ' '.repeat(n) + '!'],
  ['tabs and spaces', (n) => ' \t'.repeat(n / 2) + '!'],
  ['backslashes', (n) => '\\'.repeat(n) + '!'],
  ['backslash-space', (n) => '\\ '.repeat(n / 2) + '!'],
  ['double quotes', (n) => '"'.repeat(n) + '!'],
  ['single quotes', (n) => "'".repeat(n) + '!'],
  ['escaped quotes', (n) => '\\"'.repeat(n / 2) + '!'],
  ['${', (n) => '${'.repeat(n / 2) + '!'],
  ['$(', (n) => '$('.repeat(n / 2) + '!'],
  ['backquotes', (n) => '`'.repeat(n) + '!'],
  ['dashes', (n) => '-'.repeat(n) + '!'],
  ['equals', (n) => '='.repeat(n) + '!'],
  ['a=', (n) => 'a='.repeat(n / 2) + '!'],
  ['-X a=b', (n) => '-X a=b '.repeat(n / 7) + '"'],
  ['-ldflags=', (n) => '-ldflags='.repeat(n / 9) + '!'],
  ['--mount commas', (n) => '--mount=type=cache,' + 'target=/x,'.repeat(n / 10) + '!'],
  ['colons', (n) => ':'.repeat(n) + '!'],
  ['slashes', (n) => '/'.repeat(n) + '!'],
  ['dots', (n) => '.'.repeat(n) + '!'],
  ['@sha256:', (n) => 'a@sha256:'.repeat(n / 9) + '!'],
  ['digits', (n) => '1'.repeat(n) + 'Mi!'],
  ['digit-dot', (n) => '1.'.repeat(n / 2) + 'GiB!'],
  ['&&', (n) => '&& '.repeat(n / 3) + '!'],
  ['<<', (n) => '<<'.repeat(n / 2) + 'EOF'],
  ['#', (n) => '#'.repeat(n) + '!'],
  ['commas', (n) => ','.repeat(n) + '!'],
  ['word runs', (n) => 'go build '.repeat(n / 9) + '!'],
  ['apk add', (n) => 'apk add '.repeat(n / 8) + '"'],
  ['GOMEMLIMIT=', (n) => 'GOMEMLIMIT='.repeat(n / 11) + '!'],
  ['pragma', (n) => 'container-tuner ignore=' + 'a '.repeat(n / 2) + '!'],
];

/** Where the adversarial string goes: the kinds of instruction (and places inside them) rules read. */
export const INSTRUCTION_SLOTS: [string, (s: string) => string][] = [
  ['FROM image', (s) => `FROM ${s} AS build\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['FROM --platform', (s) => `FROM --platform=${s} golang:1.22 AS build\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['FROM AS name', (s) => `FROM golang:1.22 AS ${s}\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['RUN go build flags', (s) => `${GO}RUN CGO_ENABLED=0 go build -ldflags="${s}" -o /out/app ./cmd/${s}\n${RUNTIME}`],
  ['RUN go build -o', (s) => `${GO}RUN go build -o ${s} .\n${RUNTIME}`],
  ['RUN shell', (s) => `${GO}RUN ${s} && go build -o /out/app .\n${RUNTIME}`],
  ['RUN apk/apt', (s) => `${GO}RUN apk add ${s} && apt-get update && apt-get install -y ${s}\n${RUNTIME}`],
  ['RUN --mount', (s) => `${GO}RUN --mount=${s} go build -o /out/app .\n${RUNTIME}`],
  ['RUN heredoc', (s) => `${GO}RUN <<EOF\n${s}\ngo build -o /out/app .\nEOF\n${RUNTIME}`],
  ['RUN exec form', (s) => `${GO}RUN ["go", "build", "${s}"]\n${RUNTIME}`],
  ['CMD shell', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}CMD ${s}\n`],
  ['ENTRYPOINT exec', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}ENTRYPOINT ["${s}"]\n`],
  ['ENV value', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}ENV GOMEMLIMIT=${s} GOMAXPROCS=${s} GOGC=${s}\n`],
  ['ENV key', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}ENV ${s}=1\n`],
  ['ARG default', (s) => `ARG GO_VERSION=${s}\nFROM golang:\${GO_VERSION} AS build\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['COPY', (s) => `${GO}COPY --from=${s} --chown=${s} ${s} /src/\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['ADD', (s) => `${GO}ADD ${s} /src/\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['WORKDIR', (s) => `${GO}WORKDIR ${s}\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['USER', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}USER ${s}\n`],
  ['LABEL', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}LABEL a="${s}" ${s}\n`],
  ['EXPOSE', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}EXPOSE ${s}\n`],
  ['HEALTHCHECK', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}HEALTHCHECK CMD ${s}\n`],
  ['SHELL', (s) => `${GO}SHELL ["${s}"]\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['ONBUILD', (s) => `${GO}ONBUILD RUN ${s}\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['VOLUME', (s) => `${GO}RUN go build -o /out/app .\n${RUNTIME}VOLUME ${s}\n`],
  ['comment', (s) => `# ${s}\n${GO}# ${s}\nRUN go build -o /out/app .\n${RUNTIME}`],
  ['escape directive', (s) => `# escape=${s}\n${GO}RUN go build -o /out/app .\n${RUNTIME}`],
  ['continuation', (s) => `${GO}RUN go build \\\n ${s} \\\n -o /out/app .\n${RUNTIME}`],
];

/** Places in a manifest where the adversarial string goes (as a plain or double-quoted scalar, or a comment). */
export const MANIFEST_SLOTS: [string, (s: string) => string][] = [
  ['image', (s) => deployment(`      - name: app\n        image: ${JSON.stringify(s)}\n`)],
  ['env value', (s) => deployment(container(`        env:\n        - name: GOMEMLIMIT\n          value: ${JSON.stringify(s)}\n        - name: GOMAXPROCS\n          value: ${JSON.stringify(s)}\n        - name: GOGC\n          value: ${JSON.stringify(s)}\n`))],
  ['env name', (s) => deployment(container(`        env:\n        - name: ${JSON.stringify(s)}\n          value: "1"\n`))],
  ['quantities', (s) => deployment(`      - name: app\n        image: x\n        resources:\n          limits:\n            cpu: ${JSON.stringify(s)}\n            memory: ${JSON.stringify(s)}\n          requests:\n            cpu: ${JSON.stringify(s)}\n`)],
  ['probe delay', (s) => deployment(container(`        readinessProbe:\n          initialDelaySeconds: ${JSON.stringify(s)}\n          tcpSocket: {port: 8080}\n`))],
  ['grace period and node selector', (s) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  terminationGracePeriodSeconds: ${JSON.stringify(s)}\n  nodeSelector:\n    cloud.google.com/gke-spot: ${JSON.stringify(s)}\n  containers:\n  - name: c\n    image: x\n`],
  ['comment', (s) => deployment(`      # ${s.replace(/[\r\n]/g, ' ')}\n` + container())],
  ['plain scalar', (s) => deployment(`      - name: app\n        image: x${s.replace(/[\r\n#]/g, ' ')}\n`)],
];

// ------------------------------------------------------------ growth with the input (regex.test.ts)

/**
 * Inputs whose lint time once grew faster than the input (a RUN of thousands
 * of continuation lines: seconds per 10,000 lines; WORKDIR of escaped quotes:
 * a go.mod walk re-resolving the whole path per level and per go command).
 * Each is linted at n and 4n: linear is x4 the time, quadratic x16.
 */
export const SCALING: { name: string; n: number; make: (n: number) => string }[] = [
  ...([['ENV value', '-X a=b'], ['WORKDIR', 'escaped quotes'], ['WORKDIR', 'backslash-space'], ['RUN go build flags', '-X a=b']] as const).map(([slot, adv]) => ({
    name: `dockerfile/${slot} × ${adv}`,
    n: 10_000,
    make: (n: number) => INSTRUCTION_SLOTS.find(([s]) => s === slot)![1](ADVERSARIAL.find(([a]) => a === adv)![1](n)),
  })),
  { name: 'one RUN of n continuation lines', n: 2_500, make: (n) => GO + 'RUN apk add git \\\n' + repeat('    && go build -o /out/app . \\\n', n) + '    && true\n' + RUNTIME },
  { name: 'n RUN go build + ENV lines', n: 1_000, make: (n) => GO + repeat('RUN apk add git && CGO_ENABLED=0 go build -o /out/app ./cmd/app\nENV GOMEMLIMIT=512Mi GOGC=off\n', n) + RUNTIME },
];
