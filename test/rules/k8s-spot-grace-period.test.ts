import { k8sSpotGracePeriod } from '../../server/src/engine/rules/k8s-spot-grace-period';
import { ruleTester } from '../helpers/ruleTester';

// A Deployment whose pod spec (at 6 spaces) is `podSpec`; its first line is line 8.
const deploy = (podSpec: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
${podSpec}`;

const CONTAINERS = '      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.4.2 # pinned\n';
const GKE_SELECTOR = '      nodeSelector:\n        cloud.google.com/gke-spot: "true"\n';
const GRACE = (n: number | string, comment = '') => `      terminationGracePeriodSeconds: ${n}${comment}\n`;
const TITLE15 = 'Set terminationGracePeriodSeconds to 15';
const TITLE30 = 'Set terminationGracePeriodSeconds to 30';
const TITLE120 = 'Set terminationGracePeriodSeconds to 120';

const KARPENTER_AFFINITY = (op: string, values: string) =>
  '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: karpenter.sh/capacity-type\n                operator: ' +
  op +
  '\n' +
  values;

ruleTester(
  k8sSpotGracePeriod,
  {
    valid: [
      { name: 'no spot label, long grace period', code: deploy(GRACE(300) + CONTAINERS) },
      { name: 'GKE Spot, 15 s', code: deploy(GKE_SELECTOR + GRACE(15) + CONTAINERS) },
      { name: 'GKE Spot, 10 s', code: deploy(GKE_SELECTOR + GRACE(10) + CONTAINERS) },
      { name: 'GKE Spot, 0 s', code: deploy(GKE_SELECTOR + GRACE(0) + CONTAINERS) },
      { name: 'EKS SPOT, default 30 s is within 120 s', code: deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: SPOT\n' + CONTAINERS) },
      { name: 'Karpenter spot, 120 s', code: deploy('      nodeSelector:\n        karpenter.sh/capacity-type: spot\n' + GRACE(120) + CONTAINERS) },
      { name: 'Azure Spot, default 30 s', code: deploy('      nodeSelector:\n        kubernetes.azure.com/scalesetpriority: spot\n' + CONTAINERS) },
      { name: 'Azure Spot, 30 s', code: deploy('      nodeSelector:\n        kubernetes.azure.com/scalesetpriority: spot\n' + GRACE(30) + CONTAINERS) },
      { name: 'Karpenter on-demand, 300 s', code: deploy('      nodeSelector:\n        karpenter.sh/capacity-type: on-demand\n' + GRACE(300) + CONTAINERS) },
      { name: 'GKE label "false"', code: deploy('      nodeSelector:\n        cloud.google.com/gke-spot: "false"\n' + GRACE(60) + CONTAINERS) },
      { name: 'EKS label value in the wrong case matches no node', code: deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: spot\n' + GRACE(300) + CONTAINERS) },
      { name: 'affinity NotIn spot', code: deploy(KARPENTER_AFFINITY('NotIn', '                values: [spot]\n') + GRACE(300) + CONTAINERS) },
      { name: 'affinity In on-demand', code: deploy(KARPENTER_AFFINITY('In', '                values:\n                - on-demand\n') + GRACE(300) + CONTAINERS) },
      { name: 'affinity Exists says nothing about spot', code: deploy(KARPENTER_AFFINITY('Exists', '') + GRACE(300) + CONTAINERS) },
      {
        name: 'GKE spot avoided by required affinity, despite a toleration',
        code: deploy(
          '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: cloud.google.com/gke-spot\n                operator: DoesNotExist\n      tolerations:\n      - key: cloud.google.com/gke-spot\n        operator: Exists\n' +
            GRACE(60) +
            CONTAINERS,
        ),
      },
      {
        name: 'Azure spot avoided by nodeSelector, despite a toleration',
        code: deploy('      nodeSelector:\n        kubernetes.azure.com/scalesetpriority: regular\n      tolerations:\n      - key: kubernetes.azure.com/scalesetpriority\n        value: spot\n' + GRACE(60) + CONTAINERS),
      },
      { name: 'a key-less toleration tolerates everything: not a spot signal', code: deploy('      tolerations:\n      - operator: Exists\n' + GRACE(300) + CONTAINERS) },
      { name: 'toleration with another value', code: deploy('      tolerations:\n      - key: cloud.google.com/gke-spot\n        value: "false"\n' + CONTAINERS) },
      { name: 'grace period quoted (invalid, the API rejects it)', code: deploy(GKE_SELECTOR + GRACE('"60"') + CONTAINERS) },
      { name: 'grace period placeholder', code: deploy(GKE_SELECTOR + GRACE('${GRACE}') + CONTAINERS) },
      { name: 'grace period half-typed', code: deploy(GKE_SELECTOR + '      terminationGracePeriodSeconds:\n' + CONTAINERS) },
      { name: 'probe-level grace period is not the pod one', code: deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: SPOT\n      containers:\n      - name: api\n        image: x:1\n        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n          terminationGracePeriodSeconds: 300\n') },
      {
        name: 'Karpenter NodePool is not a workload',
        code: 'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: spot\nspec:\n  template:\n    spec:\n      requirements:\n      - key: karpenter.sh/capacity-type\n        operator: In\n        values: [spot]\n',
      },
      { name: 'helm template', code: deploy(GKE_SELECTOR + '      terminationGracePeriodSeconds: {{ .Values.grace }}\n' + CONTAINERS) },
      { name: 'pragma before the key', code: deploy(GKE_SELECTOR + '      # container-tuner ignore=k8s-spot-grace-period\n' + GRACE(60) + CONTAINERS) },
      { name: 'pragma before the spot label', code: deploy('      nodeSelector:\n        # container-tuner ignore=k8s-spot-grace-period\n        cloud.google.com/gke-spot: "true"\n' + CONTAINERS) },
      { name: 'pragma before the workload', code: '# container-tuner ignore=k8s-spot-grace-period\n' + deploy(GKE_SELECTOR + GRACE(60) + CONTAINERS) },
      { name: 'ignore-file', code: deploy(GKE_SELECTOR + GRACE(60) + CONTAINERS) + '# container-tuner ignore-file=k8s-spot-grace-period\n' },
    ],
    invalid: [
      {
        name: 'GKE Spot nodeSelector, default grace period: info on the label value',
        code: deploy(GKE_SELECTOR + CONTAINERS),
        findings: [{ line: 9, text: '"true"', severity: 'info', message: /default terminationGracePeriodSeconds of 30 s.*first 15 s/ }],
        output: deploy(GKE_SELECTOR + CONTAINERS + GRACE(15)),
        fixes: [{ title: TITLE15, output: deploy(GKE_SELECTOR + CONTAINERS + GRACE(15)) }],
      },
      {
        name: 'GKE Spot nodeSelector, explicit 60 s: warning on the value, comment kept',
        code: deploy(GKE_SELECTOR + GRACE(60, ' # drain connections') + CONTAINERS),
        findings: [{ line: 10, text: '60', severity: 'warning', message: 'sets terminationGracePeriodSeconds: 60' }],
        output: deploy(GKE_SELECTOR + GRACE(15, ' # drain connections') + CONTAINERS),
      },
      {
        name: 'GKE preemptible, explicit 30 s is longer than 15 s',
        code: deploy('      nodeSelector:\n        cloud.google.com/gke-preemptible: "true"\n' + GRACE(30) + CONTAINERS),
        findings: [{ line: 10, text: '30', severity: 'warning' }],
        output: deploy('      nodeSelector:\n        cloud.google.com/gke-preemptible: "true"\n' + GRACE(15) + CONTAINERS),
      },
      {
        name: 'EKS managed node group SPOT, 300 s',
        code: deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: SPOT\n' + GRACE(300) + CONTAINERS),
        findings: [{ line: 10, text: '300', severity: 'warning', message: '2 minutes (120 s)' }],
        output: deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: SPOT\n' + GRACE(120) + CONTAINERS),
      },
      {
        name: 'Karpenter required node affinity, 180 s',
        code: deploy(KARPENTER_AFFINITY('In', '                values:\n                - spot\n') + GRACE(180) + CONTAINERS),
        findings: [{ line: 17, text: '180', severity: 'warning', message: 'required node affinity on `karpenter.sh/capacity-type`' }],
        output: deploy(KARPENTER_AFFINITY('In', '                values:\n                - spot\n') + GRACE(120) + CONTAINERS),
      },
      {
        name: 'required affinity with a spot term and an on-demand term: may run on spot, fix not preferred',
        code: deploy(KARPENTER_AFFINITY('In', '                values: [spot]\n            - matchExpressions:\n              - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}\n') + GRACE(180) + CONTAINERS),
        findings: [{ line: 18, text: '180', message: 'may run on EC2 Spot nodes' }],
        output: null,
        fixes: [{ title: TITLE120, output: deploy(KARPENTER_AFFINITY('In', '                values: [spot]\n            - matchExpressions:\n              - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}\n') + GRACE(120) + CONTAINERS) }],
      },
      {
        name: 'required affinity, every term spot (GKE Spot or preemptible), default: info on the first value',
        code: deploy(
          '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: cloud.google.com/gke-spot\n                operator: In\n                values: ["true"]\n            - matchExpressions:\n              - key: cloud.google.com/gke-preemptible\n                operator: In\n                values: ["true"]\n' +
            CONTAINERS,
        ),
        findings: [{ line: 15, text: '"true"', severity: 'info' }],
        output: deploy(
          '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: cloud.google.com/gke-spot\n                operator: In\n                values: ["true"]\n            - matchExpressions:\n              - key: cloud.google.com/gke-preemptible\n                operator: In\n                values: ["true"]\n' +
            CONTAINERS +
            GRACE(15),
        ),
      },
      {
        name: 'preferred node affinity: a finding, fix offered but not preferred',
        code: deploy(
          '      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            preference:\n              matchExpressions:\n              - key: cloud.google.com/gke-spot\n                operator: In\n                values:\n                - "true"\n' +
            CONTAINERS,
        ),
        findings: [{ line: 17, text: '"true"', severity: 'info', message: 'prefers GKE Spot/preemptible nodes' }],
        output: null,
        fixes: [
          {
            title: TITLE15,
            output: deploy(
              '      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            preference:\n              matchExpressions:\n              - key: cloud.google.com/gke-spot\n                operator: In\n                values:\n                - "true"\n' +
                CONTAINERS +
                GRACE(15),
            ),
          },
        ],
      },
      {
        name: 'GKE toleration with operator Exists, non-indented sequence: info on the key',
        code: deploy('      tolerations:\n      - key: cloud.google.com/gke-spot\n        operator: Exists\n        effect: NoSchedule\n' + CONTAINERS),
        findings: [{ line: 9, text: 'cloud.google.com/gke-spot', severity: 'info', message: 'tolerates the `cloud.google.com/gke-spot` taint' }],
        output: null,
        fixes: [{ title: TITLE15, output: deploy('      tolerations:\n      - key: cloud.google.com/gke-spot\n        operator: Exists\n        effect: NoSchedule\n' + CONTAINERS + GRACE(15)) }],
      },
      {
        name: 'Azure toleration only (indented sequence), 60 s: not preferred',
        code: deploy('      tolerations:\n        - key: kubernetes.azure.com/scalesetpriority\n          operator: Equal\n          value: spot\n          effect: NoSchedule\n' + GRACE(60) + CONTAINERS),
        findings: [{ line: 13, text: '60', severity: 'warning', message: 'as little as 30 s notice' }],
        output: null,
        fixes: [{ title: TITLE30, output: deploy('      tolerations:\n        - key: kubernetes.azure.com/scalesetpriority\n          operator: Equal\n          value: spot\n          effect: NoSchedule\n' + GRACE(30) + CONTAINERS) }],
      },
      {
        name: 'AKS spot pool: nodeSelector and toleration, 45 s',
        code: deploy('      nodeSelector:\n        kubernetes.azure.com/scalesetpriority: spot\n      tolerations:\n      - key: kubernetes.azure.com/scalesetpriority\n        value: spot\n' + GRACE(45) + CONTAINERS),
        findings: [{ line: 13, text: '45', message: '`kubernetes.azure.com/scalesetpriority` in its nodeSelector' }],
        output: deploy('      nodeSelector:\n        kubernetes.azure.com/scalesetpriority: spot\n      tolerations:\n      - key: kubernetes.azure.com/scalesetpriority\n        value: spot\n' + GRACE(30) + CONTAINERS),
      },
      {
        name: 'several providers: the smallest figure wins',
        code: deploy('      nodeSelector:\n        karpenter.sh/capacity-type: spot\n      tolerations:\n      - key: kubernetes.azure.com/scalesetpriority\n        value: spot\n' + GRACE(60) + CONTAINERS),
        findings: [{ line: 13, text: '60', message: 'Azure' }],
        output: null,
        fixes: [{ title: TITLE30, output: deploy('      nodeSelector:\n        karpenter.sh/capacity-type: spot\n      tolerations:\n      - key: kubernetes.azure.com/scalesetpriority\n        value: spot\n' + GRACE(30) + CONTAINERS) }],
      },
      {
        name: 'flow style pod spec',
        code: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {nodeSelector: {cloud.google.com/gke-spot: "true"}, containers: [{name: api, image: "x:1"}]}\n',
        findings: [{ line: 4, text: '"true"', severity: 'info' }],
        output: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {nodeSelector: {cloud.google.com/gke-spot: "true"}, containers: [{name: api, image: "x:1"}], terminationGracePeriodSeconds: 15}\n',
      },
      {
        name: 'flow style nodeSelector, explicit value',
        code: deploy('      nodeSelector: {eks.amazonaws.com/capacityType: SPOT}\n' + GRACE(600) + CONTAINERS),
        findings: [{ line: 9, text: '600' }],
        output: deploy('      nodeSelector: {eks.amazonaws.com/capacityType: SPOT}\n' + GRACE(120) + CONTAINERS),
      },
      {
        name: 'CronJob, 4-space indentation, indented sequences',
        code: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n    name: job\nspec:\n    schedule: "*/5 * * * *"\n    jobTemplate:\n        spec:\n            template:\n                spec:\n                    nodeSelector:\n                        cloud.google.com/gke-spot: "true"\n                    restartPolicy: Never\n                    containers:\n                        - name: job\n                          image: ghcr.io/acme/job:2\n',
        findings: [{ line: 12, text: '"true"', severity: 'info' }],
        output: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n    name: job\nspec:\n    schedule: "*/5 * * * *"\n    jobTemplate:\n        spec:\n            template:\n                spec:\n                    nodeSelector:\n                        cloud.google.com/gke-spot: "true"\n                    restartPolicy: Never\n                    containers:\n                        - name: job\n                          image: ghcr.io/acme/job:2\n                    terminationGracePeriodSeconds: 15\n',
      },
      {
        name: 'multi-document file, Go workload (go.mod), Service first',
        files: { 'go.mod': 'module x\n\ngo 1.24\n' },
        code: 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  ports: [{port: 80}]\n---\n' + deploy(GKE_SELECTOR + GRACE(45) + CONTAINERS) + '---\n' + deploy(GRACE(45) + CONTAINERS),
        findings: [{ line: 16, text: '45', severity: 'warning' }],
        output: 'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  ports: [{port: 80}]\n---\n' + deploy(GKE_SELECTOR + GRACE(15) + CONTAINERS) + '---\n' + deploy(GRACE(45) + CONTAINERS),
      },
      {
        name: 'two spot workloads in one file: one finding each',
        code: deploy(GKE_SELECTOR + CONTAINERS) + '---\n' + deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: SPOT\n' + GRACE(900) + CONTAINERS),
        findings: [
          { line: 9, text: '"true"', severity: 'info' },
          { line: 23, text: '900', severity: 'warning' },
        ],
        output: deploy(GKE_SELECTOR + CONTAINERS + GRACE(15)) + '---\n' + deploy('      nodeSelector:\n        eks.amazonaws.com/capacityType: SPOT\n' + GRACE(120) + CONTAINERS),
      },
      {
        name: 'no line break at the end of the file',
        code: deploy(GKE_SELECTOR + CONTAINERS).replace(/\n$/, ''),
        findings: [{ line: 9, text: '"true"', severity: 'info' }],
        output: deploy(GKE_SELECTOR + CONTAINERS + GRACE(15)).replace(/\n$/, ''),
      },
      {
        name: 'kind: List item',
        code: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeSelector:\n      cloud.google.com/gke-spot: "true"\n    terminationGracePeriodSeconds: 20\n    containers:\n    - name: c\n      image: redis:7\n',
        findings: [{ line: 11, text: '20' }],
        output: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n  spec:\n    nodeSelector:\n      cloud.google.com/gke-spot: "true"\n    terminationGracePeriodSeconds: 15\n    containers:\n    - name: c\n      image: redis:7\n',
      },
    ],
  },
  { path: 'deploy/app.yaml' },
);
