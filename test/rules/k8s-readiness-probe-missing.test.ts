import { k8sReadinessProbeMissing } from '../../server/src/engine/rules/k8s-readiness-probe-missing';
import { ruleTester } from '../helpers/ruleTester';

// line 9 is the first line of `container`
const deploy = (container: string, kind = 'Deployment') => `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: api
spec:
  template:
    spec:
      containers:
${container}`;

const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector:\n    app: api\n  ports:\n  - port: 80\n    targetPort: 8080\n---\n';
const labelled = (container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
${container}`;

const title = (n: number) => `Add a tcpSocket readinessProbe on port ${n} (edit it to an httpGet on your health path)`;

ruleTester(
  k8sReadinessProbeMissing,
  {
    valid: [
      {
        name: 'has a readinessProbe',
        code: deploy('      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n'),
      },
      { name: 'readinessProbe being typed', code: deploy('      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n        readinessProbe:\n') },
      {
        name: 'Job and CronJob are not serving kinds',
        code: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: j\n        image: j:1\n        ports:\n        - containerPort: 8080\n',
      },
      {
        name: 'run-to-completion bare Pod',
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  restartPolicy: OnFailure\n  containers:\n  - name: p\n    image: p:1\n    ports:\n    - containerPort: 8080\n',
      },
      {
        name: 'init containers cannot have readiness probes',
        code: deploy('      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n        readinessProbe: {tcpSocket: {port: 8080}}\n').replace('      containers:\n', '      initContainers:\n      - name: init\n        image: busybox:1\n        ports:\n        - containerPort: 9000\n      containers:\n'),
      },
      { name: 'a worker with no port and no Service', code: deploy('      - name: worker\n        image: worker:1\n        args: [--queue=jobs]\n') },
      { name: 'only a metrics port', code: deploy('      - name: controller\n        image: ctl:1\n        ports:\n        - name: http-metrics\n          containerPort: 8080\n') },
      { name: 'only UDP ports', code: deploy('      - name: dns\n        image: dns:1\n        ports:\n        - containerPort: 53\n          protocol: UDP\n') },
      {
        name: 'a helper container without ports next to a probed one, Service or not',
        code:
          service +
          labelled(
            '      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n        readinessProbe: {tcpSocket: {port: 8080}}\n      - name: shutdown-manager\n        image: contour:1\n',
          ),
      },
      {
        name: 'Service in another namespace',
        code: service.replace('  name: api\n', '  name: api\n  namespace: other\n') + labelled('      - name: api\n        image: api:1\n').replace('  name: api\nspec:\n  template', '  name: api\n  namespace: prod\nspec:\n  template'),
      },
      { name: 'Service selecting other pods', code: service.replace('app: api', 'app: web') + labelled('      - name: api\n        image: api:1\n') },
      {
        name: 'kustomize patch (no image): the base has the probe',
        code: deploy('      - name: api\n        resources:\n          limits: {memory: 1Gi}\n        ports:\n        - containerPort: 8080\n'),
      },
      {
        name: 'listed as a patch in the kustomization next to it',
        files: { 'deploy/kustomization.yaml': 'resources:\n- ../base\npatches:\n- path: app.yaml\n' },
        code: deploy('      - name: api\n        image: api:2\n        ports:\n        - containerPort: 8080\n'),
      },
      { name: 'pragma before the container', code: deploy('      # container-tuner ignore=k8s-readiness-probe-missing\n      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n') },
      { name: 'helm template', code: deploy('      - name: api\n        image: {{ .Values.image }}\n        ports:\n        - containerPort: 8080\n') },
    ],
    invalid: [
      {
        name: 'block style, 2 spaces, non-indented sequences; probe goes after ports, comments kept',
        code: deploy('      - name: api # the API\n        image: api:1\n        ports:\n        - name: http\n          containerPort: 8080 # main port\n        env:\n        - name: A\n          value: b\n'),
        findings: [{ line: 9, text: 'api', severity: 'warning', message: 'has no readinessProbe: it counts as ready as soon as it is running' }],
        output: null,
        fixes: [
          {
            title: title(8080),
            output: deploy(
              '      - name: api # the API\n        image: api:1\n        ports:\n        - name: http\n          containerPort: 8080 # main port\n        readinessProbe:\n          tcpSocket:\n            port: 8080\n          periodSeconds: 5\n        env:\n        - name: A\n          value: b\n',
            ),
          },
        ],
      },
      {
        name: 'flow container, first TCP port (UDP and metrics ports skipped)',
        code: deploy('      - {name: api, image: "api:1", ports: [{containerPort: 53, protocol: UDP}, {name: metrics, containerPort: 9090}, {containerPort: 8443, protocol: TCP}]}\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
        fixes: [
          {
            title: title(8443),
            output: deploy('      - {name: api, image: "api:1", ports: [{containerPort: 53, protocol: UDP}, {name: metrics, containerPort: 9090}, {containerPort: 8443, protocol: TCP}], readinessProbe: {tcpSocket: {port: 8443}, periodSeconds: 5}}\n'),
          },
        ],
      },
      {
        name: 'StatefulSet, 4-space indentation, indented sequence, multi-document',
        code: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: c\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: postgres:16\n                  ports:\n                      - containerPort: 5432\n                  volumeMounts:\n                      - {name: data, mountPath: /var/lib/postgresql}\n',
        findings: [{ line: 14, text: 'db' }],
        output: null,
        fixes: [
          {
            title: title(5432),
            output: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: c\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: postgres:16\n                  ports:\n                      - containerPort: 5432\n                  readinessProbe:\n                      tcpSocket:\n                          port: 5432\n                      periodSeconds: 5\n                  volumeMounts:\n                      - {name: data, mountPath: /var/lib/postgresql}\n',
          },
        ],
      },
      {
        name: 'no port, but a Service of the same file selects the pod: reported without a fix',
        code: service + labelled('      - name: api\n        image: api:1\n'),
        findings: [{ line: 23, text: 'api' }],
        output: null,
      },
      {
        name: 'bare Pod with restartPolicy Always; unnamed container anchored on its first key',
        code: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  restartPolicy: Always\n  containers:\n  - image: nginx:1.27\n    ports:\n    - containerPort: 80\n',
        findings: [{ line: 8, text: 'image' }],
        output: null,
        fixes: [{ title: title(80), output: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  restartPolicy: Always\n  containers:\n  - image: nginx:1.27\n    ports:\n    - containerPort: 80\n    readinessProbe:\n      tcpSocket:\n        port: 80\n      periodSeconds: 5\n' }],
      },
      {
        name: 'DaemonSet, ReplicaSet and ReplicationController; a port that is not a number gets no fix',
        code:
          deploy('      - name: a\n        image: a:1\n        ports:\n        - containerPort: 9100\n', 'DaemonSet') +
          '---\n' +
          deploy('      - name: b\n        image: b:1\n        ports:\n        - containerPort: ${PORT}\n', 'ReplicaSet') +
          '---\n' +
          deploy('      - name: c\n        image: c:1\n        ports: [{containerPort: 8080}]\n', 'ReplicationController'),
        findings: [{ line: 9, text: 'a' }, { line: 22, text: 'b' }, { line: 35, text: 'c' }],
        output: null,
        fixes: [
          {
            title: title(8080),
            output:
              deploy('      - name: a\n        image: a:1\n        ports:\n        - containerPort: 9100\n', 'DaemonSet') +
              '---\n' +
              deploy('      - name: b\n        image: b:1\n        ports:\n        - containerPort: ${PORT}\n', 'ReplicaSet') +
              '---\n' +
              deploy('      - name: c\n        image: c:1\n        ports: [{containerPort: 8080}]\n        readinessProbe:\n          tcpSocket:\n            port: 8080\n          periodSeconds: 5\n', 'ReplicationController'),
          },
        ],
      },
      {
        name: 'two serving containers: both reported; the probed sibling does not excuse a serving port',
        files: { 'go.mod': 'module x\n\ngo 1.24\n' },
        code: deploy('      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n        readinessProbe: {tcpSocket: {port: 8080}}\n      - name: admin\n        image: admin:1\n        ports:\n        - containerPort: 9000\n'),
        findings: [{ line: 14, text: 'admin' }],
        output: null,
        fixes: [
          {
            title: title(9000),
            output: deploy('      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n        readinessProbe: {tcpSocket: {port: 8080}}\n      - name: admin\n        image: admin:1\n        ports:\n        - containerPort: 9000\n        readinessProbe:\n          tcpSocket:\n            port: 9000\n          periodSeconds: 5\n'),
          },
        ],
      },
      {
        name: 'a kustomization next to it that lists the file as a resource, not a patch',
        files: { 'deploy/kustomization.yaml': 'resources:\n- app.yaml\n' },
        code: deploy('      - name: api\n        image: api:1\n        ports:\n        - containerPort: 8080\n'),
        findings: [{ line: 9, text: 'api' }],
        output: null,
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
