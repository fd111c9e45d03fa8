import { k8sGoMaxprocsOverLimit } from '../../server/src/engine/rules/k8s-go-maxprocs-over-limit';
import { ruleTester } from '../helpers/ruleTester';

const GO125 = { 'go.mod': 'module example.com/api\n\ngo 1.25\n' };

const deploy = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${containers}`;

/** Container with `GOMAXPROCS: <value>` and a CPU limit; the value is on line 12. */
const api = (value: string, cpu: string) => `      - name: api
        image: ghcr.io/acme/api:1.4.2
        env:
        - name: GOMAXPROCS
          value: ${value}
        resources:
          limits:
            cpu: ${cpu}
`;

ruleTester(
  k8sGoMaxprocsOverLimit,
  {
    valid: [
      { name: 'equal to the limit', code: deploy(api('"2"', '"2"')) },
      { name: 'equal to the limit rounded up', code: deploy(api('"2"', '1500m')) },
      { name: 'one P for a fraction of a CPU', code: deploy(api('"1"', '100m')) },
      { name: 'below the limit', code: deploy(api('"2"', '"4"')) },
      { name: 'no CPU limit', code: deploy('      - name: api\n        image: ghcr.io/acme/api:1\n        env: [{name: GOMAXPROCS, value: "8"}]\n        resources: {requests: {cpu: 500m}}\n') },
      { name: 'CPU limit placeholder', code: deploy(api('"8"', '${CPU}')) },
      { name: 'invalid value is go-env-syntax business', code: deploy(api('2000m', '"2"')) },
      { name: 'zero is ignored by Go', code: deploy(api('"0"', '"2"')) },
      { name: 'negative is ignored by Go', code: deploy(api('"-4"', '"2"')) },
      { name: 'empty', code: deploy(api('""', '"2"')) },
      { name: 'from the downward API', code: deploy('      - name: api\n        image: ghcr.io/acme/api:1\n        env:\n        - name: GOMAXPROCS\n          valueFrom: {resourceFieldRef: {resource: limits.cpu}}\n        resources: {limits: {cpu: 500m}}\n') },
      { name: 'duplicates: the last one counts', code: deploy(api('"8"', '"2"').replace('        resources:', '        - name: GOMAXPROCS\n          value: "2"\n        resources:')) },
      {
        name: 'init container is exempt',
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: warm\n    image: ghcr.io/acme/api:1\n    env: [{name: GOMAXPROCS, value: "16"}]\n    resources: {limits: {cpu: "1"}}\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:1\n',
      },
      { name: 'pragma before env', code: deploy(api('"8"', '"2"').replace('        env:', '        # container-tuner ignore=k8s-go-maxprocs-over-limit\n        env:')) },
    ],
    invalid: [
      {
        name: 'kustomize patch with both the value and the limit',
        code: deploy('      - name: api\n        env: [{name: GOMAXPROCS, value: "8"}]\n        resources: {limits: {cpu: "1"}}\n'),
        findings: [{ line: 10, text: '"8"' }],
        output: deploy('      - name: api\n        env: [{name: GOMAXPROCS, value: "1"}]\n        resources: {limits: {cpu: "1"}}\n'),
      },
      {
        name: 'double-quoted 8 with a 2-CPU limit',
        code: deploy(api('"8"', '"2"')),
        findings: [{ line: 13, text: '"8"', severity: 'warning', message: /`GOMAXPROCS=8` is above this container's CPU limit \(`2`.*Set it to 2/ }],
        output: deploy(api('"2"', '"2"')),
      },
      {
        name: 'YAML number, fractional limit: quoted on the way (env values are strings)',
        files: GO125,
        code: deploy(api('4', '500m')),
        findings: [{ line: 13, text: '4', message: 'Set it to 1' }],
        output: deploy(api('"1"', '500m')),
      },
      {
        name: 'single quotes kept, 1500m rounds up to 2',
        code: deploy(api("'16'  # all of them", '1500m')),
        findings: [{ line: 13, text: "'16'" }],
        output: deploy(api("'2'  # all of them", '1500m')),
      },
      {
        name: 'plain string with 3 cores as a number',
        code: deploy(api('"64"', '3')),
        findings: [{ line: 13, text: '"64"' }],
        output: deploy(api('"3"', '3')),
      },
      {
        name: 'flow style',
        code: deploy('      - {name: api, image: ghcr.io/acme/api:1, env: [{name: GOMAXPROCS, value: "32"}], resources: {limits: {cpu: 2500m}}}\n'),
        findings: [{ line: 9, text: '"32"' }],
        output: deploy('      - {name: api, image: ghcr.io/acme/api:1, env: [{name: GOMAXPROCS, value: "3"}], resources: {limits: {cpu: 2500m}}}\n'),
      },
      {
        name: 'duplicates: the last one is reported',
        code: deploy(api('"2"', '"2"').replace('        resources:', '        - name: GOMAXPROCS\n          value: "6"\n        resources:')),
        findings: [{ line: 15, text: '"6"' }],
        output: deploy(api('"2"', '"2"').replace('        resources:', '        - name: GOMAXPROCS\n          value: "2"\n        resources:')),
      },
      {
        name: '4-space indentation, indented sequence, multi-document',
        code: `apiVersion: v1
kind: ConfigMap
metadata:
    name: x
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
    name: agent
spec:
    template:
        spec:
            containers:
                - name: agent
                  image: ghcr.io/acme/agent:1
                  env:
                      - name: GOMAXPROCS
                        value: "4"
                  resources:
                      limits:
                          cpu: 200m
`,
        findings: [{ line: 18, text: '"4"' }],
        output: `apiVersion: v1
kind: ConfigMap
metadata:
    name: x
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
    name: agent
spec:
    template:
        spec:
            containers:
                - name: agent
                  image: ghcr.io/acme/agent:1
                  env:
                      - name: GOMAXPROCS
                        value: "1"
                  resources:
                      limits:
                          cpu: 200m
`,
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
