import { k8sResourcesMissing } from '../../server/src/engine/rules/k8s-resources-missing';
import { ruleTester } from '../helpers/ruleTester';

// line 9 is the first line of `container`
const deploy = (container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${container}`;

const ALL = 'Add requests.cpu: 100m, requests.memory: 128Mi, limits.memory: 256Mi (defaults from configuration: adjust them)';

ruleTester(
  k8sResourcesMissing,
  {
    valid: [
      {
        name: 'all three set',
        code: deploy('      - name: api\n        image: ghcr.io/acme/api:1.4.2\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi\n'),
      },
      {
        name: 'limits only: Kubernetes copies them into the requests',
        code: deploy('      - name: api\n        image: api:1\n        resources:\n          limits:\n            cpu: "1"\n            memory: 1Gi\n'),
      },
      {
        name: 'a CPU limit is optional',
        code: deploy('      - name: api\n        image: api:1\n        resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {memory: 512Mi}}\n'),
      },
      {
        name: 'init containers are exempt',
        code: deploy('      - name: api\n        image: api:1\n        resources: {limits: {cpu: 1, memory: 1Gi}}\n').replace('      containers:\n', '      initContainers:\n      - name: migrate\n        image: migrate:1\n      containers:\n'),
      },
      {
        name: 'not a workload',
        code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  resources: none\n',
      },
      {
        name: 'Service and workload in one file, workload complete',
        code: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n---\n' + deploy('      - name: api\n        image: api:1\n        resources: {limits: {memory: 1Gi}, requests: {cpu: 1}}\n'),
      },
      { name: 'helm template', code: deploy('      - name: api\n        image: api:1\n        resources: {{ toYaml .Values.resources | nindent 10 }}\n') },
      { name: 'resources from a placeholder are not ours to judge', code: deploy('      - name: api\n        image: api:1\n        resources: ${RESOURCES}\n') },
      { name: 'pragma before the container', code: deploy('      # container-tuner ignore=k8s-resources-missing\n      - name: api\n        image: api:1\n') },
      { name: 'file-wide pragma', code: '# container-tuner ignore-file=k8s-resources-missing\n' + deploy('      - name: api\n        image: api:1\n') },
      { name: 'rule off in configuration', config: { rules: { 'k8s-resources-missing': 'off' } }, code: deploy('      - name: api\n        image: api:1\n') },
      { name: 'half-typed YAML says nothing', code: deploy('      - name: api\n        image: [api:1\n') },
    ],
    invalid: [
      {
        name: 'no resources at all, block style, 2 spaces, non-indented sequence',
        code: deploy('      - name: api # the API\n        image: ghcr.io/acme/api:1.4.2\n        ports:\n        - containerPort: 8080\n'),
        findings: [{ line: 9, text: 'api', severity: 'warning', message: 'sets no `requests.cpu`, `requests.memory`, `limits.memory`: with no requests or limits the pod is BestEffort' }],
        output: null,
        fixes: [
          {
            title: ALL,
            output: deploy(
              '      - name: api # the API\n        image: ghcr.io/acme/api:1.4.2\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi\n',
            ),
          },
        ],
      },
      {
        name: 'message explains BestEffort and, for a Go service (go.mod above), GOMEMLIMIT',
        code: deploy('      - name: api\n        image: api:1\n'),
        files: { 'go.mod': 'module example.com/api\n\ngo 1.22\n' },
        findings: [{ line: 9, text: 'api', message: /BestEffort[\s\S]*GOMEMLIMIT \(about 90 % of the limit\)/ }],
        output: null,
      },
      {
        name: 'no GOMEMLIMIT in the message of a container that is not a Go service (nginx next to a go.mod; no go.mod at all)',
        code: deploy('      - name: web\n        image: nginx:1.27\n'),
        files: { 'go.mod': 'module example.com/api\n\ngo 1.22\n' },
        findings: [{ line: 9, text: 'web', message: /^(?![\s\S]*GOMEMLIMIT)[\s\S]*without a memory limit one leak can take the node's memory\.$/ }],
        output: null,
      },
      {
        name: 'no GOMEMLIMIT in the message when nothing says the container runs Go',
        code: deploy('      - name: api\n        image: ghcr.io/acme/api:1\n'),
        findings: [{ line: 9, text: 'api', message: /^(?![\s\S]*GOMEMLIMIT)/ }],
        output: null,
      },
      {
        name: 'only the memory limit is missing; fix goes into the existing limits map (comments kept)',
        code: deploy('      - name: api\n        image: api:1\n        resources:\n          requests: # what it needs\n            cpu: 100m\n            memory: 200Mi\n          limits:\n            cpu: "2" # burst\n'),
        findings: [{ line: 9, text: 'api', message: 'sets no `limits.memory`: without a memory limit' }],
        output: null,
        fixes: [
          {
            title: 'Add limits.memory: 256Mi (defaults from configuration: adjust them)',
            output: deploy('      - name: api\n        image: api:1\n        resources:\n          requests: # what it needs\n            cpu: 100m\n            memory: 200Mi\n          limits:\n            cpu: "2" # burst\n            memory: 256Mi\n'),
          },
        ],
      },
      {
        name: 'the inserted limit is never below the existing request',
        code: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n            cpu: 100m\n            memory: 1Gi\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [
          {
            title: 'Add limits.memory: 1Gi (defaults from configuration: adjust them)',
            output: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n            cpu: 100m\n            memory: 1Gi\n          limits:\n            memory: 1Gi\n'),
          },
        ],
      },
      {
        name: 'CPU limit only: request cpu defaults to it; requests map created before the existing limits end',
        code: deploy('      - name: api\n        image: api:1\n        resources:\n          limits:\n            cpu: 500m\n        env:\n        - name: A\n          value: b\n'),
        findings: [{ line: 9, text: 'api', message: 'sets no `requests.memory`, `limits.memory`' }],
        output: null,
        fixes: [
          {
            title: 'Add requests.memory: 128Mi, limits.memory: 256Mi (defaults from configuration: adjust them)',
            output: deploy('      - name: api\n        image: api:1\n        resources:\n          limits:\n            cpu: 500m\n            memory: 256Mi\n          requests:\n            memory: 128Mi\n        env:\n        - name: A\n          value: b\n'),
          },
        ],
      },
      {
        name: 'flow style: flow maps stay flow',
        code: deploy('      - name: api\n        image: api:1\n        resources: {limits: {cpu: 500m}}\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [
          {
            title: /requests\.memory: 128Mi, limits\.memory: 256Mi/,
            output: deploy('      - name: api\n        image: api:1\n        resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {memory: 128Mi}}\n'),
          },
        ],
      },
      {
        name: 'resources: {} gets the keys inside',
        code: deploy('      - name: api\n        image: api:1\n        resources: {}\n        ports:\n        - containerPort: 80\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [{ title: ALL, output: deploy('      - name: api\n        image: api:1\n        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n        ports:\n        - containerPort: 80\n') }],
      },
      {
        name: 'resources: with no value becomes a block (no second resources key)',
        code: deploy('      - name: api\n        resources:\n        image: api:1\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [{ title: ALL, output: deploy('      - name: api\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi\n        image: api:1\n') }],
      },
      {
        name: 'resources: ~ with a comment: the null goes, the comment stays',
        code: deploy('      - name: api\n        image: api:1\n        resources: ~ # TODO\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [{ title: ALL, output: deploy('      - name: api\n        image: api:1\n        resources: # TODO\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi\n') }],
      },
      {
        name: 'resources: as the last key of the last container, at the end of the file without a newline',
        code: deploy('      - name: api\n        image: api:1\n        resources:'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [{ title: ALL, output: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi') }],
      },
      {
        name: 'requests: with no value is filled in place',
        code: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n          limits:\n            cpu: 1\n'),
        findings: [{ line: 9, text: 'api', message: 'sets no `requests.memory`, `limits.memory`' }],
        output: null,
        fixes: [{ title: /requests\.memory: 128Mi, limits\.memory: 256Mi/, output: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n            memory: 128Mi\n          limits:\n            cpu: 1\n            memory: 256Mi\n') }],
      },
      {
        name: 'a memory key with no value: reported, but no second key is added',
        code: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n            cpu: 100m\n            memory:\n          limits:\n            memory: 256Mi\n'.replace('          limits:\n            memory: 256Mi\n', '')),
        findings: [{ line: 9, text: 'api', message: 'sets no `requests.memory`, `limits.memory`' }],
        output: null,
      },
      {
        name: 'flow container in an indented sequence, 4-space indentation, unnamed second container',
        code: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - {name: db, image: "postgres:16", resources: {requests: {cpu: 1, memory: 1Gi}, limits: {memory: 1Gi}}}\n                - image: exporter:1\n                  args: [--x]\n',
        findings: [{ line: 10, text: 'image' }],
        output: null,
        fixes: [
          {
            title: ALL,
            output: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - {name: db, image: "postgres:16", resources: {requests: {cpu: 1, memory: 1Gi}, limits: {memory: 1Gi}}}\n                - image: exporter:1\n                  args: [--x]\n                  resources:\n                      requests:\n                          cpu: 100m\n                          memory: 128Mi\n                      limits:\n                          memory: 256Mi\n',
          },
        ],
      },
      {
        name: 'flow container without resources',
        code: deploy('      - {name: api, image: "api:1"}\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [{ title: ALL, output: deploy('      - {name: api, image: "api:1", resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}}\n') }],
      },
      {
        name: 'CronJob (jobs are included), 4-space indentation, indented sequence; init container skipped',
        code: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n    name: job\nspec:\n    schedule: "0 * * * *"\n    jobTemplate:\n        spec:\n            template:\n                spec:\n                    restartPolicy: OnFailure\n                    initContainers:\n                        - name: init\n                          image: busybox\n                    containers:\n                        - name: job\n                          image: ghcr.io/acme/job:2\n                          resources:\n                              limits:\n                                  memory: 64Mi\n',
        findings: [{ line: 16, text: 'job', message: 'sets no `requests.cpu`: without a CPU request the scheduler counts it as needing no CPU' }],
        output: null,
        fixes: [
          {
            title: 'Add requests.cpu: 100m (defaults from configuration: adjust them)',
            output: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n    name: job\nspec:\n    schedule: "0 * * * *"\n    jobTemplate:\n        spec:\n            template:\n                spec:\n                    restartPolicy: OnFailure\n                    initContainers:\n                        - name: init\n                          image: busybox\n                    containers:\n                        - name: job\n                          image: ghcr.io/acme/job:2\n                          resources:\n                              limits:\n                                  memory: 64Mi\n                              requests:\n                                  cpu: 100m\n',
          },
        ],
      },
      {
        name: 'values from .container-tuner.yaml',
        config: { resourceDefaults: { requestsCpu: '250m', requestsMemory: '512Mi', limitsMemory: '1Gi' } },
        code: deploy('      - name: api\n        image: api:1\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [
          {
            title: 'Add requests.cpu: 250m, requests.memory: 512Mi, limits.memory: 1Gi (defaults from configuration: adjust them)',
            output: deploy('      - name: api\n        image: api:1\n        resources:\n          requests:\n            cpu: 250m\n            memory: 512Mi\n          limits:\n            memory: 1Gi\n'),
          },
        ],
      },
      {
        name: 'multi-document file, two containers, comments between them kept; Go workload signal',
        files: { 'go.mod': 'module x\n\ngo 1.24\n' },
        code:
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' +
          deploy('      - name: api\n        image: api:1\n        resources:\n          requests: {cpu: 100m, memory: 64Mi}\n          limits: {memory: 128Mi}\n      # the sidecar\n      - name: proxy\n        image: envoy:1\n'),
        findings: [{ line: 20, text: 'proxy' }],
        output: null,
        fixes: [
          {
            title: ALL,
            output:
              'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' +
              deploy(
                '      - name: api\n        image: api:1\n        resources:\n          requests: {cpu: 100m, memory: 64Mi}\n          limits: {memory: 128Mi}\n      # the sidecar\n      - name: proxy\n        image: envoy:1\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi\n',
              ),
          },
        ],
      },
      {
        name: 'bare Pod, kind: List items',
        code: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: redis:7\n',
        findings: [{ line: 10, text: 'c' }],
        output: null,
        fixes: [{ title: ALL, output: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: redis:7\n      resources:\n        requests:\n          cpu: 100m\n          memory: 128Mi\n        limits:\n          memory: 256Mi\n' }],
      },
      {
        name: 'resources shared through an anchor: reported, no fix (it would change other containers)',
        code: deploy('      - name: a\n        image: a:1\n        resources: &r\n          requests: {cpu: 100m}\n      - name: b\n        image: b:1\n        resources: *r\n'),
        findings: [
          { line: 9, text: 'a', message: 'sets no `requests.memory`, `limits.memory`' },
          { line: 13, text: 'b', message: 'sets no `requests.memory`, `limits.memory`' },
        ],
        output: null,
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
