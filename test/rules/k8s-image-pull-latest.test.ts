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
      { name: "ko's import path, resolved by ko at deploy", code: deploy('      - name: api\n        image: ko://github.com/acme/api/cmd/api\n') },
      {
        name: 'the kustomization next to the file pins the tag (images: newTag)',
        code: deploy('      - name: api\n        image: registry.k8s.io/external-dns/external-dns\n'),
        files: { 'deploy/kustomization.yaml': 'resources:\n- app.yaml\nimages:\n- name: registry.k8s.io/external-dns/external-dns\n  newTag: v0.15.0\n' },
      },
      {
        name: 'the kustomization next to the file pins a digest, Docker Hub spelled differently',
        code: deploy('      - name: api\n        image: docker.io/library/nginx:latest\n'),
        files: { 'deploy/kustomization.yml': 'resources: [app.yaml]\nimages:\n- name: nginx\n  newName: ghcr.io/acme/nginx\n  digest: sha256:0123\n' },
      },
      {
        name: 'skaffold builds the image and deploys it tagged (skaffold.yaml at the repository root, in a profile)',
        code: deploy('      - name: api\n        image: checkoutservice\n'),
        files: { '.git/HEAD': 'ref: refs/heads/main\n', 'skaffold.yaml': 'apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: frontend\n---\napiVersion: skaffold/v4beta6\nkind: Config\nprofiles:\n- name: gcb\n  build:\n    artifacts:\n    - image: checkoutservice\n      context: src/checkoutservice\n' },
      },
      {
        name: "Tilt's docker_build names the image",
        code: deploy('      - name: api\n        image: example-go-image\n'),
        files: { 'Tiltfile': "k8s_yaml('deploy/app.yaml')\ndocker_build('example-go-image', '.', dockerfile='deployments/Dockerfile')\n" },
      },
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
        name: 'the kustomization next to the file does not list it, or leaves the tag as it is, or sets latest',
        code: deploy('      - name: api\n        image: nginx\n      - name: side\n        image: ghcr.io/acme/side\n      - name: third\n        image: ghcr.io/acme/third:latest\n'),
        files: { 'deploy/kustomization.yaml': 'resources:\n- app.yaml\nimages:\n- name: ghcr.io/acme/side\n  newName: ghcr.io/acme/side2\n- name: ghcr.io/acme/third\n  newTag: latest\n', 'deploy/other/kustomization.yaml': 'resources:\n- ../app.yaml\nimages:\n- name: nginx\n  newTag: "1.27"\n' },
        findings: [{ line: 10, text: 'nginx' }, { line: 12, text: 'ghcr.io/acme/side' }, { line: 14, text: 'ghcr.io/acme/third:latest' }],
        output: null,
      },
      {
        name: 'skaffold and Tilt build other images; a skaffold.yaml above the repository root is not read',
        code: deploy('      - name: api\n        image: nginx\n'),
        files: { 'deploy/.git/HEAD': 'ref: refs/heads/main\n', 'skaffold.yaml': 'build:\n  artifacts:\n  - image: nginx\n', 'deploy/Tiltfile': "docker_build('api', '.')\n", 'deploy/skaffold.yaml': 'build:\n  artifacts:\n  - image: frontend\n' },
        findings: [{ line: 10, text: 'nginx' }],
        output: null,
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
