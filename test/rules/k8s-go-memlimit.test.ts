import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixAll, lint } from '../../server/src/engine/lint';
import { k8sGoMaxprocs } from '../../server/src/engine/rules/k8s-go-maxprocs';
import { k8sGoMaxprocsOverLimit } from '../../server/src/engine/rules/k8s-go-maxprocs-over-limit';
import { k8sGoMemlimit, ninetyPercent } from '../../server/src/engine/rules/k8s-go-memlimit';
import { k8sGoMemlimitOverLimit } from '../../server/src/engine/rules/k8s-go-memlimit-over-limit';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { ROOT, ruleTester } from '../helpers/ruleTester';

const GO124 = { 'go.mod': 'module example.com/api\n\ngo 1.24\n' };

const deploy = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${containers}`;

const api = (resources: string, extra = '') => `      - name: api
        image: ghcr.io/acme/api:1.4.2
${extra}        resources:
${resources}`;

const mem = (q: string) => `          limits:\n            memory: ${q}\n`;
const gomemlimit = (v: string, col = 8) => `${' '.repeat(col)}env:\n${' '.repeat(col)}- name: GOMEMLIMIT\n${' '.repeat(col)}  value: ${v}\n`;
const DOWNWARD_TITLE = 'Set GOMEMLIMIT from the downward API (limits.memory: 100 % of the limit)';
const downward = (col = 8) => {
  const p = ' '.repeat(col);
  return `${p}env:\n${p}- name: GOMEMLIMIT\n${p}  valueFrom:\n${p}    resourceFieldRef:\n${p}      resource: limits.memory\n`;
};

describe('ninetyPercent', () => {
  it('writes 90 % in whole MiB', () => {
    expect(ninetyPercent(2 ** 30)).toBe('921MiB');
    expect(ninetyPercent(512 * 2 ** 20)).toBe('460MiB');
    expect(ninetyPercent(1e9)).toBe('858MiB');
    expect(ninetyPercent(2 ** 20)).toBeUndefined();
  });
});

ruleTester(
  k8sGoMemlimit,
  {
    valid: [
      { name: 'no memory limit, only a request', files: GO124, code: deploy(api('          requests:\n            memory: 1Gi\n')) },
      { name: 'GOMEMLIMIT set', files: GO124, code: deploy(api(mem('1Gi'), gomemlimit('900MiB'))) },
      { name: 'GOMEMLIMIT off is a decision', files: GO124, code: deploy(api(mem('1Gi'), gomemlimit('"off"'))) },
      { name: 'GOMEMLIMIT from the downward API', files: GO124, code: deploy(api(mem('1Gi'), downward())) },
      { name: 'downward API with divisor 1 (plain bytes)', files: GO124, code: deploy(api(mem('1Gi'), downward() + '              divisor: "1"\n')) },
      {
        name: 'downward API, no memory limit, but a LimitRange in the file gives a default one',
        files: GO124,
        code: 'apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec:\n  limits:\n  - type: Container\n    default: {memory: 512Mi}\n---\n' + deploy(api('          requests:\n            memory: 256Mi\n', downward())),
      },
      { name: 'downward API, neither a memory limit nor a request (resources set elsewhere)', files: GO124, code: deploy(api('          requests:\n            cpu: 100m\n', downward())) },
      { name: 'malformed GOMEMLIMIT is go-env-syntax business', files: GO124, code: deploy(api(mem('1Gi'), gomemlimit('900Mi'))) },
      {
        name: 'automemlimit required',
        files: { 'go.mod': 'module x\n\ngo 1.22\n\nrequire github.com/KimMachineGun/automemlimit v0.7.0 // indirect\n' },
        code: deploy(api(mem('1Gi'))),
      },
      { name: 'no Go signal', code: deploy(api(mem('1Gi'))) },
      { name: 'memory limit placeholder', files: GO124, code: deploy(api(mem('${MEMORY}'))) },
      { name: 'memory limit 0', files: GO124, code: deploy(api(mem('"0"'))) },
      { name: 'memory limit null', files: GO124, code: deploy(api(mem('~'))) },
      {
        name: 'init container is exempt',
        files: GO124,
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: migrate\n    image: ghcr.io/acme/api:1\n    resources: {limits: {memory: 128Mi}}\n  containers:\n  - name: api\n    image: ghcr.io/acme/api:1\n',
      },
      { name: 'envFrom a Secret not in this file', files: GO124, code: deploy(api(mem('1Gi'), '        envFrom:\n        - secretRef: {name: runtime}\n')) },
      {
        name: 'envFrom a Secret of this file with the key (stringData)',
        files: GO124,
        code: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: runtime\nstringData:\n  GOMEMLIMIT: 900MiB\n---\n${deploy(api(mem('1Gi'), '        envFrom:\n        - secretRef: {name: runtime}\n'))}`,
      },
      { name: 'shell sets it', files: GO124, code: deploy(api(mem('1Gi'), '        args:\n        - -c\n        - export GOMEMLIMIT=900MiB; exec /app\n')) },
      { name: 'container without image (kustomize patch)', files: GO124, code: deploy('      - name: api\n        resources:\n          limits: {memory: 100Mi}\n') },
      {
        name: 'file applied as a patch by kustomization.yaml',
        files: { ...GO124, 'deploy/kustomization.yaml': 'patchesStrategicMerge:\n- app.yaml\n' },
        code: deploy(api(mem('1Gi'))),
      },
      { name: 'redis sidecar in a Go repository', files: GO124, code: deploy('      - name: cache\n        image: redis:7-alpine\n' + '        resources:\n' + mem('256Mi')) },
      { name: 'pragma before resources', files: GO124, code: deploy(api(mem('1Gi')).replace('        resources:', '        # container-tuner ignore=k8s-go-memlimit\n        resources:')) },
      { name: 'pragma before the container', files: GO124, code: deploy('      # container-tuner ignore=k8s-go-memlimit\n' + api(mem('1Gi'))) },
    ],
    invalid: [
      {
        name: 'downward API with divisor 1Mi: the limit in MiB, read by Go as bytes (error; the fix removes the divisor)',
        files: GO124,
        code: deploy(api(mem('1Gi'), downward() + '              divisor: 1Mi # MiB\n')),
        findings: [{ line: 16, text: '1Mi', severity: 'error', message: /`1Gi` → `1024`[\s\S]*reads a bare number as bytes[\s\S]*`921MiB`/ }],
        output: deploy(api(mem('1Gi'), downward())),
      },
      {
        name: 'downward API on limits.memory of a container with no memory limit (and GOGC=off)',
        files: GO124,
        code: deploy(api('          requests:\n            memory: 256Mi\n', downward() + '        - name: GOGC\n          value: "off"\n')),
        findings: [{ line: 15, text: 'limits.memory', severity: 'warning', message: /no memory limit: the downward API then yields the node's allocatable memory[\s\S]*`GOGC=off` nothing bounds the heap/ }],
        output: null,
      },
      {
        name: '1Gi limit, no env: 921MiB',
        files: GO124,
        code: deploy(api(mem('1Gi'))),
        findings: [{ line: 13, text: '1Gi', severity: 'warning', message: 'memory limit of `1Gi` but no `GOMEMLIMIT`' }],
        output: deploy(api(mem('1Gi')) + gomemlimit('"921MiB"')),
        fixes: [
          { title: 'Set GOMEMLIMIT=921MiB (90 % of the 1Gi limit)', output: deploy(api(mem('1Gi')) + gomemlimit('"921MiB"')) },
          { title: DOWNWARD_TITLE, output: deploy(api(mem('1Gi')) + downward()) },
        ],
      },
      {
        name: 'decimal 1G, comment kept',
        files: GO124,
        code: deploy(api(mem('1G  # one gigabyte'))),
        findings: [{ line: 13, text: '1G', message: '`858MiB`' }],
        output: deploy(api(mem('1G  # one gigabyte')) + gomemlimit('"858MiB"')),
      },
      {
        name: 'quoted limit, 1.5Gi',
        files: GO124,
        code: deploy(api(mem('"1.5Gi"'))),
        findings: [{ line: 13, text: '"1.5Gi"' }],
        output: deploy(api(mem('"1.5Gi"')) + gomemlimit('"1382MiB"')),
      },
      {
        name: 'limit as a YAML number of bytes',
        files: GO124,
        code: deploy(api(mem('1073741824'))),
        findings: [{ line: 13, text: '1073741824' }],
        output: deploy(api(mem('1073741824')) + gomemlimit('"921MiB"')),
      },
      {
        name: 'flow resources in a block container, existing env with a comment',
        files: GO124,
        code: deploy(api('          limits: {cpu: 500m, memory: 512Mi}\n', '        env:\n        # logging\n        - name: LOG_LEVEL\n          value: debug # verbose\n')),
        findings: [{ line: 16, text: '512Mi' }],
        output: deploy(api('          limits: {cpu: 500m, memory: 512Mi}\n', '        env:\n        # logging\n        - name: LOG_LEVEL\n          value: debug # verbose\n        - name: GOMEMLIMIT\n          value: "460MiB"\n')),
      },
      {
        name: 'flow container',
        files: GO124,
        code: deploy('      - {name: api, image: ghcr.io/acme/api:1, resources: {limits: {memory: 256Mi}}}\n'),
        findings: [{ line: 9, text: '256Mi' }],
        output: deploy('      - {name: api, image: ghcr.io/acme/api:1, resources: {limits: {memory: 256Mi}}, env: [{name: GOMEMLIMIT, value: "230MiB"}]}\n'),
        fixes: [{ title: DOWNWARD_TITLE, output: deploy('      - {name: api, image: ghcr.io/acme/api:1, resources: {limits: {memory: 256Mi}}, env: [{name: GOMEMLIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory}}}]}\n') }],
      },
      {
        name: 'flow env list',
        files: GO124,
        code: deploy(api(mem('2Gi'), '        env: [{name: A, value: "1"}]\n')),
        findings: [{ line: 14, text: '2Gi' }],
        output: deploy(api(mem('2Gi'), '        env: [{name: A, value: "1"}, {name: GOMEMLIMIT, value: "1843MiB"}]\n')),
      },
      {
        name: '4-space indentation, indented sequence, multi-document',
        files: GO124,
        code: `apiVersion: v1
kind: Service
metadata:
    name: db
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
                  resources:
                      limits:
                          memory: 4Gi
`,
        findings: [{ line: 18, text: '4Gi' }],
        output: `apiVersion: v1
kind: Service
metadata:
    name: db
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
                  resources:
                      limits:
                          memory: 4Gi
                  env:
                      - name: GOMEMLIMIT
                        value: "3686MiB"
`,
      },
      {
        name: 'GOGC=off without GOMEMLIMIT, no go.mod (the Go env var is the signal)',
        code: deploy(api(mem('256Mi'), '        env:\n        - name: GOGC\n          value: "off"\n')),
        findings: [{ line: 16, message: 'with the GC off and no soft limit the heap grows until the kernel OOM-kills the container' }],
        output: deploy(api(mem('256Mi'), '        env:\n        - name: GOGC\n          value: "off"\n        - name: GOMEMLIMIT\n          value: "230MiB"\n')),
      },
      {
        name: 'a 1Mi limit: only the downward API fix',
        files: GO124,
        code: deploy(api(mem('1Mi'))),
        findings: [{ line: 13, text: '1Mi' }],
        output: null,
        fixes: [{ title: DOWNWARD_TITLE, output: deploy(api(mem('1Mi')) + downward()) }],
      },
      {
        name: '`env:` without a value: no fix',
        files: GO124,
        code: deploy(api(mem('1Gi'), '        env:\n')),
        findings: [{ line: 14, text: '1Gi' }],
        output: null,
      },
      {
        name: 'envFrom a ConfigMap of this file without the key',
        files: GO124,
        code: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: runtime\ndata:\n  GOGC: "50"\n---\n${deploy(api(mem('1Gi'), '        envFrom:\n        - configMapRef: {name: runtime}\n'))}`,
        findings: [{ line: 22, text: '1Gi' }],
        output: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: runtime\ndata:\n  GOGC: "50"\n---\n${deploy(api(mem('1Gi'), '        envFrom:\n        - configMapRef: {name: runtime}\n') + gomemlimit('"921MiB"'))}`,
      },
      {
        name: 'Pod, non-indented sequence, two Go containers',
        files: GO124,
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: ghcr.io/acme/a:1\n    resources: {limits: {memory: 64Mi}}\n  - name: b\n    image: ghcr.io/acme/b:1\n    resources: {limits: {memory: 128Mi}}\n',
        findings: [
          { line: 9, text: '64Mi' },
          { line: 12, text: '128Mi' },
        ],
        output:
          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: ghcr.io/acme/a:1\n    resources: {limits: {memory: 64Mi}}\n    env:\n    - name: GOMEMLIMIT\n      value: "57MiB"\n  - name: b\n    image: ghcr.io/acme/b:1\n    resources: {limits: {memory: 128Mi}}\n    env:\n    - name: GOMEMLIMIT\n      value: "115MiB"\n',
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);

// --fix / "fix all" with the four Go runtime rules: the GOMAXPROCS and GOMEMLIMIT
// fixes insert at the same offset; fixAll applies one per pass and re-lints.
describe('fixAll with the Go runtime rules', () => {
  const rules = [k8sGoMaxprocs, k8sGoMemlimit, k8sGoMaxprocsOverLimit, k8sGoMemlimitOverLimit];
  const crlf = (s: string) => s.replace(/\n/g, '\r\n');
  const run = (code: string) => {
    const file = path.join(ROOT, 'deploy/app.yaml');
    const ws = new MemoryWorkspace({ [path.join(ROOT, 'go.mod')]: GO124['go.mod'], [file]: code });
    const res = fixAll({ text: code, path: file }, ws, { rules });
    return { res, remaining: lint({ text: res.text, path: file }, ws, { rules }).findings };
  };
  const cases: { name: string; code: string; output: string }[] = [
    {
      name: 'block container missing both: one env list with both variables',
      code: deploy(api('          limits:\n            cpu: "2"\n            memory: 1Gi\n')),
      output: deploy(
        api('          limits:\n            cpu: "2"\n            memory: 1Gi\n') +
          '        env:\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.cpu\n        - name: GOMEMLIMIT\n          value: "921MiB"\n',
      ),
    },
    {
      name: 'flow container missing both',
      code: deploy('      - {name: api, image: ghcr.io/acme/api:1, resources: {limits: {cpu: 500m, memory: 256Mi}}}\n'),
      output: deploy(
        '      - {name: api, image: ghcr.io/acme/api:1, resources: {limits: {cpu: 500m, memory: 256Mi}}, env: [{name: GOMAXPROCS, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}, {name: GOMEMLIMIT, value: "230MiB"}]}\n',
      ),
    },
    {
      name: 'request-only CPU and over-limit values',
      code: deploy(api('          requests: {cpu: 250m}\n          limits: {memory: 512Mi}\n', '        env:\n        - name: GOMEMLIMIT\n          value: 1GiB\n')),
      output: deploy(
        api(
          '          requests: {cpu: 250m}\n          limits: {memory: 512Mi}\n',
          '        env:\n        - name: GOMEMLIMIT\n          value: "460MiB"\n        - name: GOMAXPROCS\n          valueFrom:\n            resourceFieldRef:\n              resource: requests.cpu\n',
        ),
      ),
    },
  ];
  for (const c of cases) {
    for (const [variant, code, output] of [
      ['LF', c.code, c.output],
      ['CRLF', crlf(c.code), crlf(c.output)],
    ] as const) {
      it(`${c.name} (${variant})`, () => {
        const { res, remaining } = run(code);
        expect(res.text).toBe(output);
        expect(remaining).toEqual([]);
      });
    }
  }
});
