import { k8sGoMemlimitOverLimit } from '../../server/src/engine/rules/k8s-go-memlimit-over-limit';
import { ruleTester } from '../helpers/ruleTester';

const deploy = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${containers}`;

/** Container with `GOMEMLIMIT: <value>` (line 13) and a memory limit. */
const api = (value: string, memory: string) => `      - name: api
        image: ghcr.io/acme/api:1.4.2
        env:
        - name: GOMEMLIMIT
          value: ${value}
        resources:
          limits:
            memory: ${memory}
`;

ruleTester(
  k8sGoMemlimitOverLimit,
  {
    valid: [
      { name: '90 %', code: deploy(api('"921MiB"', '1Gi')) },
      { name: '94.9 %', code: deploy(api('972MiB', '1Gi')) },
      { name: 'exactly 95 %', code: deploy(api('"950B"', '1000')) },
      { name: 'off', code: deploy(api('"off"', '1Gi')) },
      { name: 'empty', code: deploy(api('""', '1Gi')) },
      { name: 'malformed is go-env-syntax business', code: deploy(api('1Gi', '1Gi')) },
      { name: 'no memory limit', code: deploy('      - name: api\n        image: ghcr.io/acme/api:1\n        env: [{name: GOMEMLIMIT, value: 4GiB}]\n        resources: {requests: {memory: 1Gi}}\n') },
      { name: 'memory limit placeholder', code: deploy(api('4GiB', '${MEM}')) },
      { name: 'from the downward API', code: deploy('      - name: api\n        image: ghcr.io/acme/api:1\n        env:\n        - name: GOMEMLIMIT\n          valueFrom: {resourceFieldRef: {resource: limits.memory}}\n        resources: {limits: {memory: 1Gi}}\n') },
      { name: 'duplicates: the last one counts', code: deploy(api('2GiB', '1Gi').replace('        resources:', '        - name: GOMEMLIMIT\n          value: 900MiB\n        resources:')) },
      {
        name: 'init container is exempt',
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: warm\n    image: ghcr.io/acme/api:1\n    env: [{name: GOMEMLIMIT, value: 1GiB}]\n    resources: {limits: {memory: 512Mi}}\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:1\n',
      },
      { name: 'pragma before env', code: deploy(api('2GiB', '1Gi').replace('        env:', '        # container-tuner ignore=k8s-go-memlimit-over-limit\n        env:')) },
      { name: 'ignore-file', code: '# container-tuner ignore-file=k8s-go-memlimit-over-limit\n' + deploy(api('2GiB', '1Gi')) },
    ],
    invalid: [
      {
        name: 'equal to the limit: error',
        code: deploy(api('1GiB', '1Gi')),
        findings: [{ line: 13, text: '1GiB', severity: 'error', message: /`GOMEMLIMIT=1GiB` \(1073741824 bytes\) is not below this container's memory limit `1Gi` \(1073741824 bytes\).*`921MiB`/ }],
        output: deploy(api('"921MiB"', '1Gi')),
      },
      {
        name: 'above the limit, decimal limit, double quotes kept',
        code: deploy(api('"2GiB"', '1G')),
        findings: [{ line: 13, text: '"2GiB"', severity: 'error' }],
        output: deploy(api('"858MiB"', '1G')),
      },
      {
        name: 'above 95 %: warning',
        code: deploy(api('1000MiB', '1Gi')),
        findings: [{ line: 13, text: '1000MiB', severity: 'warning', message: '97.7 % of this container\'s memory limit `1Gi`' }],
        output: deploy(api('"921MiB"', '1Gi')),
      },
      {
        name: 'just above 95 %',
        code: deploy(api('"951B"', '1000')),
        findings: [{ line: 13, severity: 'warning' }],
        output: null,
      },
      {
        name: 'plain bytes as a YAML number, comment kept',
        code: deploy(api('1073741824 # all of it', '"1Gi"')),
        findings: [{ line: 13, text: '1073741824', severity: 'error' }],
        output: deploy(api('"921MiB" # all of it', '"1Gi"')),
      },
      {
        name: 'single quotes kept',
        code: deploy(api("'500MiB'", '512Mi')),
        findings: [{ line: 13, text: "'500MiB'", severity: 'warning' }],
        output: deploy(api("'460MiB'", '512Mi')),
      },
      {
        name: 'flow style, no go.mod needed (GOMEMLIMIT is the Go signal)',
        code: deploy('      - {name: api, image: ghcr.io/acme/api:1, env: [{name: GOMEMLIMIT, value: 256MiB}], resources: {limits: {memory: 256Mi}}}\n'),
        findings: [{ line: 9, text: '256MiB', severity: 'error' }],
        output: deploy('      - {name: api, image: ghcr.io/acme/api:1, env: [{name: GOMEMLIMIT, value: "230MiB"}], resources: {limits: {memory: 256Mi}}}\n'),
      },
      {
        name: '4-space indentation, indented sequence, multi-document, comment kept',
        code: `apiVersion: v1
kind: Service
metadata:
    name: x
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
    name: db
spec:
    template:
        spec:
            containers:
                - name: db
                  image: ghcr.io/acme/db:2
                  env:
                      - name: GOMEMLIMIT  # soft limit
                        value: 4GiB
                  resources:
                      limits:
                          memory: 4Gi
`,
        findings: [{ line: 18, text: '4GiB', severity: 'error' }],
        output: `apiVersion: v1
kind: Service
metadata:
    name: x
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
    name: db
spec:
    template:
        spec:
            containers:
                - name: db
                  image: ghcr.io/acme/db:2
                  env:
                      - name: GOMEMLIMIT  # soft limit
                        value: "3686MiB"
                  resources:
                      limits:
                          memory: 4Gi
`,
      },
      {
        name: 'duplicates: the last one is reported',
        code: deploy(api('900MiB', '1Gi').replace('        resources:', '        - name: GOMEMLIMIT\n          value: 1GiB\n        resources:')),
        findings: [{ line: 15, text: '1GiB', severity: 'error' }],
        output: deploy(api('900MiB', '1Gi').replace('        resources:', '        - name: GOMEMLIMIT\n          value: "921MiB"\n        resources:')),
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
