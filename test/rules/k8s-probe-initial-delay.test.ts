import { k8sProbeInitialDelay } from '../../server/src/engine/rules/k8s-probe-initial-delay';
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

const head = '      - name: api\n        image: api:1\n';

const LIVE_FIXED = deploy(
  head +
    '        livenessProbe: # restart when stuck\n          httpGet:\n            path: /healthz\n            port: http # named port\n        startupProbe:\n          httpGet:\n            path: /healthz\n            port: http # named port\n          periodSeconds: 1\n          failureThreshold: 60\n        env:\n        - name: A\n          value: b\n',
);

ruleTester(
  k8sProbeInitialDelay,
  {
    valid: [
      { name: 'short delay', code: deploy(head + '        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          initialDelaySeconds: 5\n') },
      { name: 'no delay', code: deploy(head + '        readinessProbe:\n          tcpSocket: {port: 8080}\n') },
      {
        name: 'a startupProbe is already there',
        code: deploy(head + '        startupProbe:\n          httpGet: {path: /healthz, port: 8080}\n        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          initialDelaySeconds: 30\n'),
      },
      { name: 'delay from a placeholder', code: deploy(head + '        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          initialDelaySeconds: ${DELAY}\n') },
      {
        name: 'init containers are exempt',
        code: deploy(head).replace('      containers:\n', '      initContainers:\n      - name: proxy\n        image: proxy:1\n        restartPolicy: Always\n        livenessProbe:\n          tcpSocket: {port: 15000}\n          initialDelaySeconds: 30\n      containers:\n'),
      },
      { name: 'a patch without image: the base may have a startupProbe', code: deploy('      - name: api\n        livenessProbe:\n          initialDelaySeconds: 60\n') },
      { name: 'other probe fields are not the delay', code: deploy(head + '        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          periodSeconds: 30\n          timeoutSeconds: 10\n') },
      { name: 'pragma before the probe', code: deploy(head + '        # container-tuner ignore=k8s-probe-initial-delay\n        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          initialDelaySeconds: 30\n') },
      { name: 'helm template', code: deploy(head + '        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          initialDelaySeconds: {{ .Values.delay }}\n') },
    ],
    invalid: [
      {
        name: 'liveness, block style, 2 spaces: delay replaced by a startupProbe with the same handler (budget 30 + 3 x 10)',
        code: deploy(head + '        livenessProbe: # restart when stuck\n          httpGet:\n            path: /healthz\n            port: http # named port\n          initialDelaySeconds: 30\n        env:\n        - name: A\n          value: b\n'),
        findings: [{ line: 15, text: '30', severity: 'info', message: '`initialDelaySeconds: 30` on the livenessProbe has to be sized for the slowest start' }],
        output: LIVE_FIXED,
        fixes: [{ title: 'Replace initialDelaySeconds with a startupProbe (periodSeconds: 1, failureThreshold: 60)', output: LIVE_FIXED }],
      },
      {
        name: 'both probes delayed: one startupProbe from the liveness handler, both delays removed, one consistent result',
        code: deploy(
          head +
            '        readinessProbe:\n          initialDelaySeconds: 20 # warm-up\n          httpGet: {path: /ready, port: 8080}\n          periodSeconds: 5\n          failureThreshold: 2\n        livenessProbe:\n          tcpSocket:\n            port: 8080\n          initialDelaySeconds: "45"\n          periodSeconds: 20\n',
        ),
        findings: [
          { line: 12, text: '20', message: 'keeps every new pod out of its Service for 20 s or more' },
          { line: 19, text: '"45"', message: 'initialDelaySeconds: 45' },
        ],
        // budget: max(45 + 3 x 20, 20 + 2 x 5) = 105
        output: deploy(
          head +
            '        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n          periodSeconds: 5\n          failureThreshold: 2\n        livenessProbe:\n          tcpSocket:\n            port: 8080\n          periodSeconds: 20\n        startupProbe:\n          tcpSocket:\n            port: 8080\n          periodSeconds: 1\n          failureThreshold: 105\n',
        ),
      },
      {
        name: 'readiness delayed, liveness not: liveness handler, budget covers both',
        code: deploy(head + '        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n          initialDelaySeconds: 15\n'),
        findings: [{ line: 15, text: '15' }],
        output: deploy(head + '        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n        startupProbe:\n          httpGet: {path: /healthz, port: 8080}\n          periodSeconds: 1\n          failureThreshold: 45\n        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n'),
      },
      {
        name: 'readiness only: the startupProbe would add restarts, so it is not preferred',
        code: deploy(head + '        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n          initialDelaySeconds: 10\n'),
        findings: [{ line: 13, text: '10' }],
        output: null,
        fixes: [
          {
            title: 'Replace initialDelaySeconds with a startupProbe (periodSeconds: 1, failureThreshold: 40) — it restarts the container if it has not started after 40 s',
            output: deploy(head + '        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n        startupProbe:\n          httpGet: {path: /ready, port: 8080}\n          periodSeconds: 1\n          failureThreshold: 40\n'),
          },
        ],
      },
      {
        name: 'exec handler over several lines, 4-space indentation, indented sequences, timeoutSeconds copied',
        code: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: postgres:16\n                  livenessProbe:\n                      exec:\n                          command:\n                              - pg_isready\n                              - -U\n                              - postgres\n                      initialDelaySeconds: 60\n                      timeoutSeconds: 5\n                  ports:\n                      - containerPort: 5432\n',
        findings: [{ line: 17, text: '60' }],
        output:
          'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n    name: db\nspec:\n    template:\n        spec:\n            containers:\n                - name: db\n                  image: postgres:16\n                  livenessProbe:\n                      exec:\n                          command:\n                              - pg_isready\n                              - -U\n                              - postgres\n                      timeoutSeconds: 5\n                  startupProbe:\n                      exec:\n                          command:\n                              - pg_isready\n                              - -U\n                              - postgres\n                      periodSeconds: 1\n                      failureThreshold: 90\n                      timeoutSeconds: 5\n                  ports:\n                      - containerPort: 5432\n',
      },
      {
        name: 'flow probe in a block container: offered, not preferred',
        code: deploy(head + '        livenessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 30, periodSeconds: 5}\n'),
        findings: [{ line: 11, text: '30' }],
        output: null,
        fixes: [
          {
            title: 'Replace initialDelaySeconds with a startupProbe (periodSeconds: 1, failureThreshold: 45)',
            output: deploy(head + '        livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}\n        startupProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1, failureThreshold: 45}\n'),
          },
        ],
      },
      {
        name: 'flow container, delay first in the probe',
        code: deploy('      - {name: api, image: "api:1", livenessProbe: {initialDelaySeconds: 12, grpc: {port: 9090}}}\n'),
        findings: [{ line: 9, text: '12' }],
        output: null,
        fixes: [
          {
            title: /failureThreshold: 42\)$/,
            output: deploy('      - {name: api, image: "api:1", livenessProbe: {grpc: {port: 9090}}, startupProbe: {grpc: {port: 9090}, periodSeconds: 1, failureThreshold: 42}}\n'),
          },
        ],
      },
      {
        name: 'multi-document, Go workload, CRLF-safe; a probe with no handler gets no fix',
        files: { 'go.mod': 'module x\n\ngo 1.24\n' },
        code: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\n' + deploy(head + '        livenessProbe:\n          initialDelaySeconds: 30\n'),
        findings: [{ line: 17, text: '30', message: 'a service ready in ~100 ms (a typical Go binary) gains nothing' }],
        output: null,
      },
      {
        name: 'readiness shares the liveness probe through an anchor: reported once, no fix',
        code: deploy(head + '        livenessProbe: &probe\n          httpGet: {path: /healthz, port: 8080}\n          initialDelaySeconds: 30\n        readinessProbe: *probe\n'),
        findings: [{ line: 13, text: '30' }],
        output: null,
      },
      {
        name: 'the probe last in the file without a final newline',
        code: deploy(head + '        livenessProbe:\n          tcpSocket: {port: 8080}\n          initialDelaySeconds: 10'),
        findings: [{ line: 13, text: '10' }],
        output: deploy(head + '        livenessProbe:\n          tcpSocket: {port: 8080}\n        startupProbe:\n          tcpSocket: {port: 8080}\n          periodSeconds: 1\n          failureThreshold: 40'),
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
