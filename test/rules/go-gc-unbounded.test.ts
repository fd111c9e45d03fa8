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
/** A container `api` with the given env items and extra keys (block style, non-indented sequences, 2 spaces). */
const api = (items: string, rest = '        resources:\n          limits:\n            memory: 1Gi\n') =>
  deploy(`      - name: api\n        image: ghcr.io/acme/api:1.4\n        env:\n${items}${rest}`);
const GC_OFF = '        - name: GOGC\n          value: "off"\n';
const ADDED = '        - name: GOMEMLIMIT\n          value: "921MiB"\n';
const GOMOD = { 'go.mod': 'module x\n\ngo 1.24\n' };

ruleTester(
  goGcUnbounded,
  {
    valid: [
      { name: 'GOGC off with a GOMEMLIMIT', code: api(GC_OFF + '        - name: GOMEMLIMIT\n          value: 900MiB\n') },
      { name: 'GOMEMLIMIT before GOGC', code: api('        - name: GOMEMLIMIT\n          value: "900MiB"\n' + GC_OFF) },
      {
        name: 'GOMEMLIMIT from the downward API',
        code: api(GC_OFF + '        - name: GOMEMLIMIT\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.memory\n'),
      },
      { name: 'a malformed GOMEMLIMIT is go-env-syntax\'s finding', code: api(GC_OFF + '        - name: GOMEMLIMIT\n          value: 900Mi\n') },
      { name: 'GOMEMLIMIT from a $(VAR) expansion', code: api('        - name: MEM\n          value: 900MiB\n' + GC_OFF + '        - name: GOMEMLIMIT\n          value: $(MEM)\n') },
      { name: 'GOGC a percentage', code: api('        - name: GOGC\n          value: "400"\n') },
      { name: 'upper-case OFF is not off (falls back to 100)', code: api('        - name: GOGC\n          value: "OFF"\n') },
      { name: 'GOGC from valueFrom', code: api('        - name: GOGC\n          valueFrom:\n            configMapKeyRef: {name: tuning, key: gogc}\n') },
      { name: 'GOGC from a $(VAR) expansion', code: api('        - name: GC\n          value: "off"\n        - name: GOGC\n          value: $(GC)\n') },
      { name: 'GOGC off overridden by a later entry', code: api(GC_OFF + '        - name: GOGC\n          value: "100"\n') },
      { name: 'automemlimit in go.mod', code: api(GC_OFF), files: { 'go.mod': 'module x\n\ngo 1.24\n\nrequire github.com/KimMachineGun/automemlimit v0.7.0\n' } },
      { name: 'envFrom a ConfigMap defined elsewhere', code: api(GC_OFF, '        envFrom:\n        - configMapRef:\n            name: tuning\n') },
      {
        name: 'envFrom a ConfigMap of this file that sets GOMEMLIMIT',
        code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuning\ndata:\n  GOMEMLIMIT: 900MiB\n---\n' + api(GC_OFF, '        envFrom:\n        - configMapRef: {name: tuning}\n'),
      },
      { name: 'the command line sets GOMEMLIMIT', code: api(GC_OFF, '        args: ["-c", "GOMEMLIMIT=900MiB exec /app"]\n        command: [sh]\n') },
      { name: 'pragma on the line before the GOGC env item', code: api('        # container-tuner ignore=go-gc-unbounded\n' + GC_OFF) },
      { name: 'pragma before the env key', code: deploy('      - name: api\n        image: x:1\n        # container-tuner ignore=go-gc-unbounded\n        env: [{name: GOGC, value: "off"}]\n') },
      { name: 'helm template', code: api(GC_OFF, '        resources:\n          limits:\n            memory: {{ .Values.memory }}\n') },
      { name: 'GOGC off in a ConfigMap is not a container env', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\ndata:\n  GOGC: "off"\n' },
    ],
    invalid: [
      {
        name: 'block style, 1Gi limit: GOMEMLIMIT appended to env (preferred), comments kept',
        code: api(GC_OFF.replace('"off"', '"off" # throughput first') + '        - name: TZ\n          value: UTC\n'),
        files: GOMOD,
        findings: [{ line: 13, text: '"off"', severity: 'warning', message: /no `GOMEMLIMIT` is set.*`921MiB` for `1Gi`/ }],
        output: api(GC_OFF.replace('"off"', '"off" # throughput first') + '        - name: TZ\n          value: UTC\n' + ADDED),
        fixes: [
          {
            title: 'Add GOMEMLIMIT=921MiB (90 % of the 1Gi memory limit)',
            output: api(GC_OFF.replace('"off"', '"off" # throughput first') + '        - name: TZ\n          value: UTC\n' + ADDED),
          },
        ],
      },
      {
        name: 'flow style env and resources',
        code: deploy('      - name: api\n        image: x:1\n        env: [{name: GOGC, value: "off"}]\n        resources: {limits: {memory: 512Mi, cpu: 500m}}\n'),
        findings: [{ line: 11, text: '"off"' }],
        output: deploy('      - name: api\n        image: x:1\n        env: [{name: GOGC, value: "off"}, {name: GOMEMLIMIT, value: "460MiB"}]\n        resources: {limits: {memory: 512Mi, cpu: 500m}}\n'),
      },
      {
        name: 'no memory limit: no fix, the message says to set one',
        code: api(GC_OFF, '        resources:\n          requests:\n            memory: 256Mi\n'),
        findings: [{ line: 13, text: '"off"', message: 'Set a memory limit on this container' }],
        output: null,
      },
      {
        name: 'an invalid memory limit: no fix',
        code: api(GC_OFF, '        resources:\n          limits:\n            memory: 1GB\n'),
        findings: [{ line: 13, text: '"off"', message: 'about 90 % of the container memory limit (' }],
        output: null,
      },
      {
        name: '4-space indentation, indented sequences, a negative GOGC, 2Gi limit',
        code: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: x:1\n                  env:\n                      - name: GOGC\n                        value: "-1"\n                  resources:\n                      limits:\n                          memory: 2Gi\n',
        findings: [{ line: 13, text: '"-1"' }],
        output: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: x:1\n                  env:\n                      - name: GOGC\n                        value: "-1"\n                      - name: GOMEMLIMIT\n                        value: "1843MiB"\n                  resources:\n                      limits:\n                          memory: 2Gi\n',
      },
      {
        name: 'GOMEMLIMIT explicitly off: its value is set',
        code: api(GC_OFF + '        - name: GOMEMLIMIT\n          value: "off"\n'),
        findings: [{ line: 13, text: '"off"', message: '`GOMEMLIMIT: "off"` sets no limit' }],
        output: api(GC_OFF + '        - name: GOMEMLIMIT\n          value: "921MiB"\n'),
        fixes: [{ title: 'Set GOMEMLIMIT=921MiB (90 % of the 1Gi memory limit)', output: api(GC_OFF + '        - name: GOMEMLIMIT\n          value: "921MiB"\n') }],
      },
      {
        name: 'GOMEMLIMIT empty: its value is set; only the container without a limit of its own is reported',
        code: deploy(
          '      - name: api\n        image: x:1\n        env:\n        - name: GOMEMLIMIT\n          value: ""\n        - name: GOGC\n          value: "off"\n        resources: {limits: {memory: 512Mi}}\n' +
            '      - name: sidecar\n        image: y:1\n        env: [{name: GOGC, value: "off"}, {name: GOMEMLIMIT, value: 100MiB}]\n',
        ),
        findings: [{ line: 15, text: '"off"', message: '`GOMEMLIMIT: ""` sets no limit' }],
        output: deploy(
          '      - name: api\n        image: x:1\n        env:\n        - name: GOMEMLIMIT\n          value: "460MiB"\n        - name: GOGC\n          value: "off"\n        resources: {limits: {memory: 512Mi}}\n' +
            '      - name: sidecar\n        image: y:1\n        env: [{name: GOGC, value: "off"}, {name: GOMEMLIMIT, value: 100MiB}]\n',
        ),
      },
      {
        name: 'GOMEMLIMIT named without a value: reported, no fix',
        code: api(GC_OFF + '        - name: GOMEMLIMIT\n'),
        findings: [{ line: 13, text: '"off"', message: '`GOMEMLIMIT: ""` sets no limit' }],
        output: null,
      },
      {
        name: 'a plain off: Kubernetes reads a boolean, the message says so',
        code: api('        - name: GOGC\n          value: off\n'),
        findings: [{ line: 13, text: 'off', message: 'as a boolean' }],
        output: api('        - name: GOGC\n          value: off\n' + ADDED),
      },
      {
        name: 'multi-document file, init container, SI memory limit',
        code:
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' +
          'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: load\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: load\n        image: x:1\n        env:\n        - {name: GOGC, value: "off"}\n        resources: {limits: {memory: 1G}}\n      containers:\n      - name: main\n        image: x:1\n',
        findings: [{ line: 17, text: '"off"' }],
        output:
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' +
          'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: load\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: load\n        image: x:1\n        env:\n        - {name: GOGC, value: "off"}\n        - name: GOMEMLIMIT\n          value: "858MiB"\n        resources: {limits: {memory: 1G}}\n      containers:\n      - name: main\n        image: x:1\n',
      },
      {
        name: 'envFrom a ConfigMap of this file without GOMEMLIMIT',
        code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuning\ndata:\n  TZ: UTC\n---\n' + api(GC_OFF, '        envFrom:\n        - configMapRef: {name: tuning}\n        resources:\n          limits:\n            memory: 1Gi\n'),
        findings: [{ line: 20, text: '"off"' }],
        output: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuning\ndata:\n  TZ: UTC\n---\n' + api(GC_OFF + ADDED, '        envFrom:\n        - configMapRef: {name: tuning}\n        resources:\n          limits:\n            memory: 1Gi\n'),
      },
      {
        name: 'pragma for another rule does not hide it',
        code: api('        # container-tuner ignore=go-env-syntax\n' + GC_OFF),
        findings: [{ line: 14, text: '"off"' }],
        output: api('        # container-tuner ignore=go-env-syntax\n' + GC_OFF + ADDED),
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
