import { k8sGoMaxprocs } from '../../server/src/engine/rules/k8s-go-maxprocs';
import { ruleTester } from '../helpers/ruleTester';

const GO124 = { 'go.mod': 'module example.com/api\n\ngo 1.24\n' };
const GO125 = { 'go.mod': 'module example.com/api\n\ngo 1.25.0\n' };

const deploy = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${containers}`;

/** A block container with CPU resources, 2-space indentation, flush sequence. */
const api = (resources: string, extra = '') => `      - name: api
        image: ghcr.io/acme/api:1.4.2
${extra}        resources:
${resources}`;

const LIMIT2 = '          limits:\n            cpu: "2"\n            memory: 1Gi\n';
const REQUEST = '          requests:\n            cpu: 500m\n';

const downward = (resource: string, col = 8) => {
  const p = ' '.repeat(col);
  return `${p}env:\n${p}- name: GOMAXPROCS\n${p}  valueFrom:\n${p}    resourceFieldRef:\n${p}      resource: ${resource}\n`;
};

ruleTester(
  k8sGoMaxprocs,
  {
    valid: [
      { name: 'go 1.25 line: the runtime reads the CPU limit', files: GO125, code: deploy(api(LIMIT2)) },
      { name: 'go 1.26.1 line', files: { 'go.mod': 'module x\n\ngo 1.26.1\n' }, code: deploy(api(LIMIT2)) },
      { name: 'go 1.25rc1 line', files: { 'go.mod': 'module x\n\ngo 1.25rc1\n' }, code: deploy(api(LIMIT2)) },
      {
        name: 'automaxprocs required',
        files: { 'go.mod': 'module x\n\ngo 1.22\n\nrequire (\n\tgo.uber.org/automaxprocs v1.6.0\n)\n' },
        code: deploy(api(LIMIT2)),
      },
      { name: 'literal GOMAXPROCS', files: GO124, code: deploy(api(LIMIT2, '        env:\n        - name: GOMAXPROCS\n          value: "2"\n')) },
      { name: 'invalid literal GOMAXPROCS is go-env-syntax business', files: GO124, code: deploy(api(LIMIT2, '        env:\n        - name: GOMAXPROCS\n          value: 500m\n')) },
      { name: 'empty GOMAXPROCS', files: GO124, code: deploy(api(LIMIT2, '        env:\n        - name: GOMAXPROCS\n          value: ""\n')) },
      { name: 'GOMAXPROCS from limits.cpu with a CPU limit', files: GO124, code: deploy(api(LIMIT2, downward('limits.cpu'))) },
      { name: 'GOMAXPROCS from requests.cpu with a CPU limit', files: GO124, code: deploy(api(LIMIT2 + REQUEST, downward('requests.cpu'))) },
      {
        name: 'GOMAXPROCS from a ConfigMap',
        files: GO124,
        code: deploy(api(LIMIT2, '        env:\n        - name: GOMAXPROCS\n          valueFrom:\n            configMapKeyRef: {name: rt, key: procs}\n')),
      },
      { name: 'no Go signal at all', code: deploy(api(LIMIT2)) },
      { name: 'no resources', files: GO124, code: deploy('      - name: api\n        image: ghcr.io/acme/api:1.4.2\n') },
      { name: 'memory limit only, no CPU request', files: GO124, code: deploy(api('          limits:\n            memory: 1Gi\n')) },
      { name: 'CPU limit 0', files: GO124, code: deploy(api('          limits:\n            cpu: "0"\n')) },
      { name: 'CPU limit placeholder', files: GO124, code: deploy(api('          limits:\n            cpu: ${CPU_LIMIT}\n')) },
      {
        name: 'init container is exempt',
        files: GO124,
        code: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: migrate
    image: ghcr.io/acme/api:1.4.2
    resources:
      limits: {cpu: "1"}
  containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2
`,
      },
      {
        name: 'request only, but a LimitRange of the file sets a default CPU limit',
        files: GO124,
        code: `apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default:
      cpu: "1"
---
${deploy(api(REQUEST))}`,
      },
      { name: 'request only, pod-level resources', files: GO124, code: deploy(api(REQUEST)).replace('    spec:\n      containers:', '    spec:\n      resources:\n        limits: {cpu: "4"}\n      containers:') },
      { name: 'envFrom a ConfigMap not in this file', files: GO124, code: deploy(api(LIMIT2, '        envFrom:\n        - configMapRef:\n            name: runtime\n')) },
      {
        name: 'envFrom a ConfigMap of this file that sets GOMAXPROCS (with a prefix)',
        files: GO124,
        code: `apiVersion: v1
kind: ConfigMap
metadata:
  name: runtime
data:
  MAXPROCS: "2"
---
${deploy(api(LIMIT2, '        envFrom:\n        - prefix: GO\n          configMapRef:\n            name: runtime\n'))}`,
      },
      { name: 'shell command sets it', files: GO124, code: deploy(api(LIMIT2, '        command: ["sh", "-c", "GOMAXPROCS=2 exec /app"]\n')) },
      { name: 'a flag sets it (node_exporter)', files: GO124, code: deploy(api(LIMIT2, '        args: [--runtime.gomaxprocs=1]\n')) },
      { name: 'GODEBUG containermaxprocs=1 on an older go line', files: GO124, code: deploy(api(LIMIT2, '        env:\n        - name: GODEBUG\n          value: "http2client=0,containermaxprocs=1"\n')) },
      { name: 'GODEBUG from a ConfigMap', files: GO124, code: deploy(api(LIMIT2, '        env:\n        - name: GODEBUG\n          valueFrom:\n            configMapKeyRef: {name: rt, key: godebug}\n')) },
      { name: 'go.mod godebug block turns it on', files: { 'go.mod': 'module x\n\ngo 1.24\n\ngodebug (\n\tcontainermaxprocs=1\n)\n' }, code: deploy(api(LIMIT2)) },
      { name: 'container without image: a kustomize patch', files: GO124, code: deploy('      - name: api\n        resources:\n          limits:\n            cpu: 250m\n') },
      {
        name: 'file applied as a patch by kustomization.yaml',
        files: { ...GO124, 'deploy/kustomization.yaml': 'resources:\n- ../base\npatches:\n- path: app.yaml\n' },
        code: deploy(api(LIMIT2)),
      },
      { name: 'nginx sidecar in a Go repository', files: GO124, code: deploy('      - name: web\n        image: nginx:1.27\n        resources:\n          limits: {cpu: 500m}\n') },
      {
        name: 'GOMAXPROCS from limits.cpu, no CPU limit nor request (resources come from an overlay)',
        files: GO124,
        code: deploy('      - name: api\n        image: ghcr.io/acme/api:1.4.2\n' + downward('limits.cpu')),
      },
      { name: 'helm template', files: GO124, code: deploy(api(LIMIT2, '        command: [{{ .Values.cmd }}]\n')) },
      { name: 'pragma before the container', files: GO124, code: deploy('      # container-tuner ignore=k8s-go-maxprocs\n' + api(LIMIT2)) },
      {
        name: 'pragma before env covers the resourceFieldRef finding',
        files: GO124,
        code: deploy(api(REQUEST, '        # container-tuner ignore=k8s-go-maxprocs\n' + downward('limits.cpu'))),
      },
      { name: 'ignore-file', files: GO124, code: '# container-tuner ignore-file=k8s-go-maxprocs\n' + deploy(api(LIMIT2)) },
    ],
    invalid: [
      {
        name: 'go 1.24, CPU limit, no env: block style',
        files: GO124,
        code: deploy(api(LIMIT2)),
        findings: [{ line: 9, text: 'api', severity: 'warning', message: '`go.mod` says `go 1.24`, older than 1.25' }],
        output: deploy(api(LIMIT2) + downward('limits.cpu')),
      },
      {
        name: 'message carries the numbers',
        files: GO124,
        code: deploy(api('          limits:\n            cpu: 1500m\n')),
        findings: [{ line: 9, message: /limit \(`1500m`\): a pod limited to 2 CPUs on a 64-core node runs 64 Ps.*`250m` → 1, `1500m` → 2.*a `toolchain` line is not enough/ }],
        output: deploy(api('          limits:\n            cpu: 1500m\n') + downward('limits.cpu')),
      },
      {
        name: 'toolchain go1.25 is not enough',
        files: { 'go.mod': 'module x\n\ngo 1.23\n\ntoolchain go1.25.1\n' },
        code: deploy(api(LIMIT2)),
        findings: [{ line: 9, severity: 'warning', message: 'the `toolchain go1.25.1` line is not enough' }],
        output: deploy(api(LIMIT2) + downward('limits.cpu')),
      },
      {
        name: 'go.mod without a go line means go 1.16',
        files: { 'go.mod': 'module x\n' },
        code: deploy(api(LIMIT2)),
        findings: [{ line: 9, severity: 'warning', message: 'no `go` line (Go then assumes 1.16)' }],
        output: deploy(api(LIMIT2) + downward('limits.cpu')),
      },
      {
        name: 'go 1.25 but GODEBUG turns containermaxprocs off',
        files: GO125,
        code: deploy(api(LIMIT2, '        env:\n        - name: GODEBUG\n          value: containermaxprocs=0\n')),
        findings: [{ line: 9, severity: 'warning', message: '`GODEBUG` sets `containermaxprocs=0`' }],
        output: deploy(api(LIMIT2, '        env:\n        - name: GODEBUG\n          value: containermaxprocs=0\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.cpu\n')),
      },
      {
        name: 'go 1.25 but go.mod godebug line turns it off',
        files: { 'go.mod': 'module x\n\ngo 1.25\n\ngodebug containermaxprocs=0\n' },
        code: deploy(api(LIMIT2)),
        findings: [{ line: 9, severity: 'warning', message: '`go.mod` sets `godebug containermaxprocs=0`' }],
        output: deploy(api(LIMIT2) + downward('limits.cpu')),
      },
      {
        name: 'unknown Go version (no go.mod, a Go env var): info, fix not preferred, appended to env',
        code: deploy(api(LIMIT2, '        env:\n        - name: GOMEMLIMIT # soft limit\n          value: 900MiB\n')),
        findings: [{ line: 9, text: 'api', severity: 'info', message: 'The Go version is unknown' }],
        output: null,
        fixes: [
          {
            title: 'Set GOMAXPROCS from the CPU limit (downward API limits.cpu)',
            output: deploy(api(LIMIT2, '        env:\n        - name: GOMEMLIMIT # soft limit\n          value: 900MiB\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.cpu\n')),
          },
        ],
      },
      {
        name: 'image listed in goImages: unknown version',
        config: { goImages: ['ghcr.io/acme/*'] },
        code: deploy(api(LIMIT2)),
        findings: [{ line: 9, severity: 'info' }],
        output: null,
        fixes: [{ title: /limits\.cpu/, output: deploy(api(LIMIT2) + downward('limits.cpu')) }],
      },
      {
        name: 'CPU request, no limit: even go 1.25 uses every node CPU',
        files: GO125,
        code: deploy(api(REQUEST)),
        findings: [{ line: 9, text: 'api', severity: 'warning', message: 'requests `500m` CPU and sets no CPU limit' }],
        output: deploy(api(REQUEST) + downward('requests.cpu')),
      },
      {
        name: 'CPU request, no limit, unknown version: still a warning',
        code: deploy(api(REQUEST, '        env: [{name: GOGC, value: "200"}]\n')),
        findings: [{ line: 9, severity: 'warning' }],
        output: deploy(api(REQUEST, '        env: [{name: GOGC, value: "200"}, {name: GOMAXPROCS, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}]\n')),
      },
      {
        name: 'flow-style container',
        files: GO124,
        code: deploy('      - {name: api, image: "ghcr.io/acme/api:1.4.2", resources: {limits: {cpu: 500m}}}\n'),
        findings: [{ line: 9, text: 'api' }],
        output: deploy('      - {name: api, image: "ghcr.io/acme/api:1.4.2", resources: {limits: {cpu: 500m}}, env: [{name: GOMAXPROCS, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}]}\n'),
      },
      {
        name: '4-space indentation, indented sequence, comments kept',
        files: GO124,
        code: `apiVersion: apps/v1
kind: StatefulSet
metadata:
    name: db
spec:
    template:
        spec:
            containers:
                - name: "db"  # the database proxy
                  image: ghcr.io/acme/db:2
                  resources:
                      limits:
                          cpu: 2 # two cores
                  # trailing comment
`,
        findings: [{ line: 9, text: '"db"' }],
        output: `apiVersion: apps/v1
kind: StatefulSet
metadata:
    name: db
spec:
    template:
        spec:
            containers:
                - name: "db"  # the database proxy
                  image: ghcr.io/acme/db:2
                  resources:
                      limits:
                          cpu: 2 # two cores
                  env:
                      - name: GOMAXPROCS
                        valueFrom:
                            resourceFieldRef:
                                resource: limits.cpu
                  # trailing comment
`,
      },
      {
        name: 'multi-document file, indented sequence, second container only',
        files: GO124,
        code: `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: proxy
          image: envoyproxy/envoy:v1.31
          resources:
            limits: {cpu: "1"}
        - name: api
          image: ghcr.io/acme/api:1.4.2
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            limits: {cpu: "1"}
`,
        findings: [{ line: 20, text: 'api' }],
        output: `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: proxy
          image: envoyproxy/envoy:v1.31
          resources:
            limits: {cpu: "1"}
        - name: api
          image: ghcr.io/acme/api:1.4.2
          env:
            - name: LOG_LEVEL
              value: info
            - name: GOMAXPROCS
              valueFrom:
                resourceFieldRef:
                  resource: limits.cpu
          resources:
            limits: {cpu: "1"}
`,
      },
      {
        name: 'CronJob',
        files: GO124,
        code: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: ghcr.io/acme/report:3
            resources: {limits: {cpu: 250m}}
`,
        findings: [{ line: 13, text: 'report' }],
        output: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: report
            image: ghcr.io/acme/report:3
            resources: {limits: {cpu: 250m}}
            env:
            - name: GOMAXPROCS
              valueFrom:
                resourceFieldRef:
                  resource: limits.cpu
`,
      },
      {
        name: 'envFrom a ConfigMap of this file without the key',
        files: GO124,
        code: `apiVersion: v1
kind: ConfigMap
metadata:
  name: runtime
data:
  LOG_LEVEL: info
---
${deploy(api(LIMIT2, '        envFrom:\n        - configMapRef:\n            name: runtime\n'))}`,
        findings: [{ line: 16, text: 'api' }],
        output: `apiVersion: v1
kind: ConfigMap
metadata:
  name: runtime
data:
  LOG_LEVEL: info
---
${deploy(api(LIMIT2, '        envFrom:\n        - configMapRef:\n            name: runtime\n') + downward('limits.cpu'))}`,
      },
      {
        name: 'nginx sidecar skipped, Go app reported',
        files: GO124,
        code: deploy('      - name: web\n        image: nginx:1.27\n        resources:\n          limits: {cpu: 500m}\n' + api(LIMIT2)),
        findings: [{ line: 13, text: 'api' }],
        output: deploy('      - name: web\n        image: nginx:1.27\n        resources:\n          limits: {cpu: 500m}\n' + api(LIMIT2) + downward('limits.cpu')),
      },
      {
        name: '`env:` with no value: reported without a fix',
        files: GO124,
        code: deploy(api(LIMIT2, '        env:\n')),
        findings: [{ line: 9, text: 'api' }],
        output: null,
      },
      {
        name: 'GOMAXPROCS from limits.cpu without a CPU limit: use requests.cpu',
        files: GO124,
        code: deploy(api(REQUEST, downward('limits.cpu'))),
        findings: [{ line: 15, text: 'limits.cpu', severity: 'warning', message: /no CPU limit: the downward API then yields the node's allocatable CPUs.*`500m` → 1/ }],
        output: deploy(api(REQUEST, downward('requests.cpu'))),
      },
      {
        name: 'resourceFieldRef without a limit: quotes kept, automaxprocs does not help, go 1.25 neither',
        files: { 'go.mod': 'module x\n\ngo 1.25\n\nrequire go.uber.org/automaxprocs v1.6.0\n' },
        code: deploy(api('          requests: {cpu: 1500m}\n', "        env:\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef: {resource: 'limits.cpu', divisor: '1'}\n")),
        findings: [{ line: 14, text: "'limits.cpu'", message: '`1500m` → 2' }],
        output: deploy(api('          requests: {cpu: 1500m}\n', "        env:\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef: {resource: 'requests.cpu', divisor: '1'}\n")),
      },
      {
        name: 'resourceFieldRef on another container without a CPU limit',
        files: GO124,
        code: deploy(
          api(LIMIT2, '        env:\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              containerName: worker\n              resource: limits.cpu\n') +
            '      - name: worker\n        image: ghcr.io/acme/worker:1\n        resources:\n          requests: {cpu: "3"}\n        env: [{name: GOMAXPROCS, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}]\n',
        ),
        findings: [{ line: 16, text: 'limits.cpu', message: 'container `worker` has no CPU limit' }],
        output: deploy(
          api(LIMIT2, '        env:\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              containerName: worker\n              resource: requests.cpu\n') +
            '      - name: worker\n        image: ghcr.io/acme/worker:1\n        resources:\n          requests: {cpu: "3"}\n        env: [{name: GOMAXPROCS, valueFrom: {resourceFieldRef: {resource: requests.cpu}}}]\n',
        ),
      },
      {
        name: 'duplicate GOMAXPROCS: the last one counts',
        files: GO124,
        code: deploy(api(REQUEST, '        env:\n        - name: GOMAXPROCS\n          value: "2"\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.cpu\n')),
        findings: [{ line: 17, text: 'limits.cpu' }],
        output: deploy(api(REQUEST, '        env:\n        - name: GOMAXPROCS\n          value: "2"\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              resource: requests.cpu\n')),
      },
      {
        name: 'kind: List item',
        files: GO124,
        code: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: ghcr.io/acme/c:1\n      resources:\n        limits:\n          cpu: 100m\n',
        findings: [{ line: 10, text: 'c' }],
        output: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: ghcr.io/acme/c:1\n      resources:\n        limits:\n          cpu: 100m\n      env:\n      - name: GOMAXPROCS\n        valueFrom:\n          resourceFieldRef:\n            resource: limits.cpu\n',
      },
      {
        // fuzz regression (fuzz/failures): the inserted lines used the stray CR as their line break and broke the YAML
        name: 'a stray CR in a comment does not set the line break of the fix',
        files: GO124,
        code: '#\r Copyright\n' + deploy(api(LIMIT2)),
        // editors (LSP) count the lone CR as a line break
        findings: [{ line: 11, text: 'api' }],
        output: '#\r Copyright\n' + deploy(api(LIMIT2) + downward('limits.cpu')),
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
