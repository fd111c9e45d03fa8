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

// --- Kubernetes manifests -------------------------------------------------------------

const deploy = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${containers}`;
/** A container `api` with the given env items (block style, non-indented sequences, 2 spaces). */
const withEnv = (items: string) => deploy(`      - name: api\n        image: ghcr.io/acme/api:1.4\n        env:\n${items}`);
const GOMOD = { 'go.mod': 'module x\n\ngo 1.24\n' };

ruleTester(
  goEnvSyntax,
  {
    valid: [
      { name: 'valid values', code: withEnv('        - name: GOMEMLIMIT\n          value: 460MiB\n        - name: GOMAXPROCS\n          value: "2"\n        - name: GOGC\n          value: "off"\n') },
      { name: 'valid bytes, quoted', code: withEnv('        - name: GOMEMLIMIT\n          value: "482344960"\n') },
      { name: 'empty values', code: withEnv('        - name: GOMEMLIMIT\n          value: ""\n        - name: GOGC\n          value:\n') },
      {
        name: 'valueFrom is never judged here',
        code: withEnv('        - name: GOMEMLIMIT\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.memory\n              divisor: 1Mi\n'),
      },
      { name: '$(VAR) expansion is not judged', code: withEnv('        - name: LIMIT\n          value: "512"\n        - name: GOMEMLIMIT\n          value: $(LIMIT)Mi\n') },
      { name: 'envsubst placeholder', code: withEnv('        - name: GOMEMLIMIT\n          value: "${GOMEMLIMIT}"\n') },
      { name: 'a later duplicate wins', code: withEnv('        - name: GOMEMLIMIT\n          value: 512Mi\n        - name: GOMEMLIMIT\n          value: 512MiB\n') },
      { name: 'other names', code: withEnv('        - name: MEMORY_LIMIT\n          value: 512Mi\n        - name: gomaxprocs\n          value: 500m\n') },
      { name: 'an alias is not judged', code: withEnv('        - name: MEM\n          value: &mem 512Mi\n        - name: GOMEMLIMIT\n          value: *mem\n') },
      {
        name: 'the command line sets it itself',
        code: deploy('      - name: api\n        image: alpine:3.20\n        command: ["sh", "-c", "GOMEMLIMIT=1GiB exec /app"]\n        env:\n        - name: GOMEMLIMIT\n          value: 1Gi\n'),
      },
      { name: 'pragma on the line before the env item', code: withEnv('        - name: GOGC\n          value: "200"\n        # container-tuner ignore=go-env-syntax\n        - name: GOMEMLIMIT\n          value: 768Mi\n') },
      { name: 'pragma before the container', code: deploy('      # container-tuner ignore=go-env-syntax\n      - name: api\n        image: x:1\n        env: [{name: GOMAXPROCS, value: 500m}]\n') },
      { name: 'ignore-file pragma', code: '# container-tuner ignore-file=go-env-syntax\n' + withEnv('        - name: GOMEMLIMIT\n          value: 768Mi\n') },
      { name: 'helm template', code: withEnv('        - name: GOMEMLIMIT\n          value: {{ .Values.memlimit }}\n        - name: GOGC\n          value: 200%\n') },
      { name: 'not a workload', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\ndata:\n  GOMEMLIMIT: 512Mi\n' },
      { name: 'compose file', path: 'docker-compose.yaml', code: 'services:\n  api:\n    image: x\n    environment:\n      GOMEMLIMIT: 512Mi\n' },
    ],
    invalid: [
      {
        name: 'plain 768Mi, comment kept, Go repository',
        code: withEnv('        - name: GOMEMLIMIT\n          value: 768Mi # 75 % of the limit\n        resources:\n          limits:\n            memory: 1Gi\n'),
        files: GOMOD,
        findings: [{ line: 13, text: '768Mi', severity: 'error', message: 'malformed GOMEMLIMIT' }],
        output: withEnv('        - name: GOMEMLIMIT\n          value: 768MiB # 75 % of the limit\n        resources:\n          limits:\n            memory: 1Gi\n'),
      },
      {
        name: 'double-quoted value keeps its quotes',
        code: withEnv('        - name: GOMEMLIMIT\n          value: "768Mi"\n'),
        findings: [{ line: 13, text: '"768Mi"', severity: 'error', message: '`GOMEMLIMIT: "768Mi"`' }],
        output: withEnv('        - name: GOMEMLIMIT\n          value: "768MiB"\n'),
      },
      {
        name: 'single-quoted value keeps its quotes',
        code: withEnv("        - value: '1Gi'\n          name: GOMEMLIMIT\n"),
        findings: [{ line: 12, text: "'1Gi'" }],
        output: withEnv("        - value: '1GiB'\n          name: GOMEMLIMIT\n"),
      },
      {
        name: 'flow-style env list',
        code: deploy('      - name: api\n        image: x:1\n        env: [{name: GOMEMLIMIT, value: 768Mi}]\n'),
        findings: [{ line: 11, text: '768Mi', severity: 'error' }],
        output: deploy('      - name: api\n        image: x:1\n        env: [{name: GOMEMLIMIT, value: 768MiB}]\n'),
      },
      {
        name: 'flow-style container: a CPU quantity becomes a quoted integer',
        code: deploy('      - {name: api, image: "x:1", env: [{name: GOMAXPROCS, value: 500m}], resources: {limits: {cpu: 500m}}}\n'),
        findings: [{ line: 9, text: '500m', severity: 'warning', message: 'Kubernetes CPU quantity' }],
        output: deploy('      - {name: api, image: "x:1", env: [{name: GOMAXPROCS, value: "1"}], resources: {limits: {cpu: 500m}}}\n'),
      },
      {
        name: '4-space indentation, indented sequences',
        code: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: x:1\n                  env:\n                      - name: GOMAXPROCS\n                        value: "1500m"\n',
        findings: [{ line: 13, text: '"1500m"', severity: 'warning' }],
        output: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: x:1\n                  env:\n                      - name: GOMAXPROCS\n                        value: "2"\n',
      },
      {
        name: 'a YAML number 0: ignored by Go, rejected by Kubernetes, no rewrite',
        code: withEnv('        - name: GOMAXPROCS\n          value: 0\n'),
        findings: [{ line: 13, text: '0', severity: 'warning', message: /silently ignored.*Kubernetes also rejects the manifest/ }],
        output: null,
      },
      {
        name: 'SI unit: exact bytes (quoted: a plain number is not a string), 1024-based reading as another fix',
        code: withEnv('        - name: GOMEMLIMIT\n          value: 1G\n'),
        findings: [{ line: 13, text: '1G', message: '1000000000 bytes' }],
        output: withEnv('        - name: GOMEMLIMIT\n          value: "1000000000"\n'),
        fixes: [{ title: 'Change GOMEMLIMIT to 1GiB', output: withEnv('        - name: GOMEMLIMIT\n          value: 1GiB\n') }],
      },
      {
        name: 'Docker-style 400m: ambiguous, no preferred fix',
        code: withEnv('        - name: GOMEMLIMIT\n          value: "400m"\n'),
        findings: [{ line: 13, text: '"400m"', severity: 'error', message: 'Docker' }],
        output: null,
        fixes: [
          { title: 'Change GOMEMLIMIT to 400MiB', output: withEnv('        - name: GOMEMLIMIT\n          value: "400MiB"\n') },
          { title: 'Change GOMEMLIMIT to 400000000', output: withEnv('        - name: GOMEMLIMIT\n          value: "400000000"\n') },
        ],
      },
      {
        name: 'plain OFF for GOGC: a boolean to Kubernetes; turning the GC off is not preferred',
        code: withEnv('        - name: GOGC\n          value: OFF\n'),
        findings: [{ line: 13, text: 'OFF', severity: 'warning', message: /GOGC=100.*as a boolean/ }],
        output: null,
        fixes: [{ title: 'Change GOGC to off', output: withEnv('        - name: GOGC\n          value: "off"\n') }],
      },
      {
        name: 'upper-case OFF for GOMEMLIMIT, single-quoted',
        code: withEnv("        - name: GOMEMLIMIT\n          value: 'OFF'\n"),
        findings: [{ line: 13, text: "'OFF'", severity: 'error' }],
        output: withEnv("        - name: GOMEMLIMIT\n          value: 'off'\n"),
      },
      {
        name: 'three in one container, each judged, two fixed',
        code: withEnv('        - name: GOMAXPROCS\n          value: "1.5"\n        - name: GOMEMLIMIT\n          value: 2Gi\n        - name: GOGC\n          value: 200%\n        - name: TZ\n          value: UTC\n'),
        findings: [
          { line: 13, text: '"1.5"', severity: 'warning' },
          { line: 15, text: '2Gi', severity: 'error' },
          { line: 17, text: '200%', severity: 'warning' },
        ],
        output: withEnv('        - name: GOMAXPROCS\n          value: "2"\n        - name: GOMEMLIMIT\n          value: 2GiB\n        - name: GOGC\n          value: "200"\n        - name: TZ\n          value: UTC\n'),
      },
      {
        name: 'only the entry that takes effect (the last duplicate) is judged',
        code: withEnv('        - name: GOMEMLIMIT\n          value: 512MiB\n        - name: GOMEMLIMIT\n          value: 512Mi\n'),
        findings: [{ line: 15, text: '512Mi' }],
        output: withEnv('        - name: GOMEMLIMIT\n          value: 512MiB\n        - name: GOMEMLIMIT\n          value: 512MiB\n'),
      },
      {
        name: 'multi-document file, init container, not Go-gated',
        code:
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' +
          'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          image: alpine:3.20\n          env:\n            - {name: GOMEMLIMIT, value: 64Mi}\n      containers:\n        - name: agent\n          image: alpine:3.20\n',
        findings: [{ line: 17, text: '64Mi' }],
        output:
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' +
          'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          image: alpine:3.20\n          env:\n            - {name: GOMEMLIMIT, value: 64MiB}\n      containers:\n        - name: agent\n          image: alpine:3.20\n',
      },
      {
        name: 'CronJob, decimal binary quantity',
        code: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job\nspec:\n  schedule: "@hourly"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: job\n            image: x:1\n            env:\n            - name: GOMEMLIMIT\n              value: 1.5Gi\n',
        findings: [{ line: 16, text: '1.5Gi', message: '`1536MiB`' }],
        output: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job\nspec:\n  schedule: "@hourly"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: job\n            image: x:1\n            env:\n            - name: GOMEMLIMIT\n              value: 1536MiB\n',
      },
      {
        name: 'kind: List items',
        code: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: x:1\n      env:\n      - name: GOMEMLIMIT\n        value: 100M\n',
        findings: [{ line: 14, text: '100M' }],
        output: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: x:1\n      env:\n      - name: GOMEMLIMIT\n        value: "100000000"\n',
      },
      {
        name: 'a block scalar is reported without a fix (its trailing newline is part of the value)',
        code: withEnv('        - name: GOMEMLIMIT\n          value: |\n            512MiB\n'),
        findings: [{ line: 13, text: '|', severity: 'error', message: 'spaces and quotes' }],
        output: null,
      },
      {
        name: 'pragma for another rule does not hide it',
        code: withEnv('        # container-tuner ignore=go-gc-unbounded\n        - name: GOMEMLIMIT\n          value: 768Mi\n'),
        findings: [{ line: 14, text: '768Mi' }],
        output: withEnv('        # container-tuner ignore=go-gc-unbounded\n        - name: GOMEMLIMIT\n          value: 768MiB\n'),
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
