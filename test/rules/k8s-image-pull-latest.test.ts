import { k8sImagePullLatest } from '../../server/src/engine/rules/k8s-image-pull-latest';
import { ruleTester } from '../helpers/ruleTester';

const deploy = (container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${container}`;

ruleTester(
  k8sImagePullLatest,
  {
    valid: [
      { name: 'tagged', code: deploy('      - name: api\n        image: ghcr.io/acme/api:1.4.2\n') },
      { name: 'digest', code: deploy('      - name: api\n        image: ghcr.io/acme/api@sha256:0123\n') },
      { name: 'explicit policy', code: deploy('      - name: api\n        image: ghcr.io/acme/api:latest\n        imagePullPolicy: Always\n') },
      { name: 'placeholder', code: deploy('      - name: api\n        image: ${IMAGE}\n') },
      { name: 'not a workload', code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: nginx\n' },
      { name: 'compose file', path: 'docker-compose.yaml', code: 'services:\n  api:\n    image: nginx\n' },
      { name: 'helm template', code: deploy('      - name: api\n        image: {{ .Values.image }}\n') },
      { name: 'pragma before the container', code: deploy('      # container-tuner ignore=k8s-image-pull-latest\n      - name: api\n        image: nginx\n') },
    ],
    invalid: [
      {
        name: 'no tag, block style',
        code: deploy('      - name: api\n        image: nginx # the web server\n        ports:\n        - containerPort: 80\n'),
        findings: [{ line: 10, text: 'nginx', severity: 'warning', message: 'has no tag' }],
        output: null,
        fixes: [
          {
            title: 'Set imagePullPolicy: IfNotPresent',
            output: deploy('      - name: api\n        image: nginx # the web server\n        imagePullPolicy: IfNotPresent\n        ports:\n        - containerPort: 80\n'),
          },
        ],
      },
      {
        name: ':latest in a flow map, in a multi-document file',
        code: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n' + deploy('      - {name: api, image: "ghcr.io/acme/api:latest"}\n'),
        findings: [{ line: 13, text: '"ghcr.io/acme/api:latest"', message: 'uses `:latest`' }],
        output: null,
        fixes: [{ title: /IfNotPresent/, output: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n' + deploy('      - {name: api, image: "ghcr.io/acme/api:latest", imagePullPolicy: IfNotPresent}\n') }],
      },
      {
        name: 'CronJob, 4-space indentation, init container',
        code: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n    name: job\nspec:\n    jobTemplate:\n        spec:\n            template:\n                spec:\n                    initContainers:\n                        - name: init\n                          image: busybox\n                    containers:\n                        - name: job\n                          image: ghcr.io/acme/job:2\n',
        findings: [{ line: 12, text: 'busybox' }],
        output: null,
        fixes: [{ title: /IfNotPresent/, output: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n    name: job\nspec:\n    jobTemplate:\n        spec:\n            template:\n                spec:\n                    initContainers:\n                        - name: init\n                          image: busybox\n                          imagePullPolicy: IfNotPresent\n                    containers:\n                        - name: job\n                          image: ghcr.io/acme/job:2\n' }],
      },
      {
        name: 'kind: List items',
        code: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    containers:\n    - name: c\n      image: redis\n',
        findings: [{ line: 11, text: 'redis' }],
        output: null,
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
