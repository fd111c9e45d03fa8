import { isMap, isSeq, type Document, type YAMLMap } from 'yaml';
import { insertAfterPair, insertIntoMap, type Entry } from '../k8s/edit';
import { getMap, getNode, getPair, getScalar, scalarString, SERVING_KINDS, type Container, type ManifestModel, type Workload } from '../k8s/model';
import type { Rule, RuleFinding } from '../rule';
import { containerAnchor, isPartialWorkload } from './k8s-resources-missing';

interface Port {
  number?: number;
  name?: string;
  tcp: boolean;
}

function ports(doc: Document, c: Container): Port[] {
  const seq = getNode(doc, c.node, 'ports');
  if (!isSeq(seq)) return [];
  const out: Port[] = [];
  for (const p of seq.items) {
    if (!isMap(p)) continue;
    const protocol = scalarString(getScalar(doc, p, 'protocol'));
    const raw = scalarString(getScalar(doc, p, 'containerPort'));
    const n = raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : undefined;
    out.push({ number: n !== undefined && n >= 1 && n <= 65535 ? n : undefined, name: scalarString(getScalar(doc, p, 'name')), tcp: protocol === undefined || protocol.toUpperCase() === 'TCP' });
  }
  return out;
}

/** Ports that only export metrics: Prometheus scrapes pods whether they are ready or not. */
const METRICS_PORT = /metrics|prom|exporter/i;

/** The pod template's labels. */
function podLabels(w: Workload): Record<string, string> | undefined {
  const meta = w.kind === 'Pod' ? getMap(w.doc, w.root, 'metadata') : getMap(w.doc, w.root, 'spec', 'template', 'metadata');
  const labels = getMap(w.doc, meta, 'labels');
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const p of labels.items) {
    const k = scalarString(p.key as never);
    const v = scalarString(p.value as never);
    if (k !== undefined && v !== undefined) out[k] = v;
  }
  return out;
}

/** Whether a Service of the same file selects the workload's pods. */
function selectedByService(model: ManifestModel, w: Workload): boolean {
  const labels = podLabels(w);
  if (!labels) return false;
  const roots: { doc: Document; map: YAMLMap }[] = [];
  for (const doc of model.docs) {
    if (doc.errors.length || !isMap(doc.contents)) continue;
    const root = doc.contents as YAMLMap;
    const items = getNode(doc, root, 'items');
    if (isSeq(items)) for (const it of items.items) if (isMap(it)) roots.push({ doc, map: it as YAMLMap });
    roots.push({ doc, map: root });
  }
  for (const { doc, map } of roots) {
    if (scalarString(getScalar(doc, map, 'kind')) !== 'Service') continue;
    const svcNs = scalarString(getScalar(doc, getMap(doc, map, 'metadata'), 'namespace'));
    const podNs = scalarString(getScalar(w.doc, getMap(w.doc, w.root, 'metadata'), 'namespace'));
    if (svcNs !== undefined && podNs !== undefined && svcNs !== podNs) continue;
    const selector = getMap(doc, map, 'spec', 'selector');
    if (!selector || !selector.items.length) continue;
    let all = true;
    for (const p of selector.items) {
      const k = scalarString(p.key as never);
      const v = scalarString(p.value as never);
      if (k === undefined || v === undefined || labels[k] !== v) all = false;
    }
    if (all) return true;
  }
  return false;
}

/** A serving container (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Pod) without a readinessProbe. */
export const k8sReadinessProbeMissing: Rule = {
  id: 'k8s-readiness-probe-missing',
  defaultSeverity: 'warning',
  summary: 'A container that serves traffic has no readinessProbe: it receives requests before it is ready.',
  checkManifest({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      if (!SERVING_KINDS.has(w.kind)) continue;
      if (w.kind === 'Pod') {
        // a run-to-completion pod serves nothing
        const policy = scalarString(getScalar(w.doc, w.podSpec, 'restartPolicy'));
        if (policy === 'Never' || policy === 'OnFailure') continue;
      }
      if (isPartialWorkload(model, w)) continue;
      const regular = w.containers.filter((c) => !c.init); // init containers run before the app (native sidecars are left alone)
      const probed = regular.filter((o) => getPair(o.node, 'readinessProbe'));
      const siblingProbed = (c: Container) => probed.length > 1 || (probed.length === 1 && probed[0] !== c);
      let selected: boolean | undefined;
      for (const c of regular) {
        if (getPair(c.node, 'readinessProbe')) continue; // even `readinessProbe:` being typed
        const declared = ports(w.doc, c);
        const serving = declared.filter((p) => p.tcp && !(p.name && METRICS_PORT.test(p.name)));
        if (!serving.length) {
          // no port it serves on: only a Service selecting a pod whose other containers are not probed says it serves
          if (declared.length || siblingProbed(c)) continue;
          selected ??= selectedByService(model, w);
          if (!selected) continue;
        }
        const port = serving.find((p) => p.number !== undefined)?.number;
        const who = c.name ? `Container \`${c.name}\`` : 'This container';
        const finding: RuleFinding = {
          message: `${who} has no readinessProbe: it counts as ready as soon as it is running, so Services send it requests before it listens, and rolling updates and scale-out move on before it can serve. Probe the port or health endpoint it answers on once it is ready.`,
          range: containerAnchor(model, c, w.doc),
          fixes: [],
        };
        if (port !== undefined) {
          const probe: Entry[] = [
            ['tcpSocket', [['port', String(port)]]],
            ['periodSeconds', '5'],
          ];
          const e = c.node.flow ? insertIntoMap(model, c.node, [['readinessProbe', probe]]) : insertAfterPair(model, c.node, 'ports', [['readinessProbe', probe]]);
          finding.fixes!.push({ title: `Add a tcpSocket readinessProbe on port ${port} (edit it to an httpGet on your health path)`, edits: [e] });
        }
        out.push(finding);
      }
    }
    return out;
  },
};
