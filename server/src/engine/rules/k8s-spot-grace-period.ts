import { isMap, isScalar, isSeq, type Document, type Scalar, type YAMLMap } from 'yaml';
import { insertIntoMap, replaceScalar, trimmedSpan } from '../k8s/edit';
import { getMap, getNode, getPair, getScalar, scalarString, type Workload } from '../k8s/model';
import { rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix } from '../types';

type Provider = 'gke' | 'azure' | 'aws';

/** Seconds an ordinary pod gets between the provider's notice and the node going away (domain notes §3). */
const FIGURE: Record<Provider, number> = { gke: 15, azure: 30, aws: 120 };

const NOTICE: Record<Provider, string> = {
  gke: "GKE gives ordinary pods only the first 15 s of a Spot/preemptible node's 30 s shutdown notice (by default)",
  azure: 'Azure evicts Spot nodes with as little as 30 s notice',
  aws: 'an EC2 Spot interruption notice is 2 minutes (120 s)',
};

/** Node labels that mark spot capacity, and the value they have on spot nodes. */
const LABELS: Record<string, { provider: Provider; spot: string }> = {
  'cloud.google.com/gke-spot': { provider: 'gke', spot: 'true' },
  'cloud.google.com/gke-preemptible': { provider: 'gke', spot: 'true' },
  'kubernetes.azure.com/scalesetpriority': { provider: 'azure', spot: 'spot' },
  'eks.amazonaws.com/capacityType': { provider: 'aws', spot: 'SPOT' },
  // Karpenter also runs outside AWS; 120 s is the largest figure, so it never over-reports there
  'karpenter.sh/capacity-type': { provider: 'aws', spot: 'spot' },
};

/** Taints the providers put on spot nodes: tolerating one means the pod may run there. */
const TAINT_KEYS = new Set(['cloud.google.com/gke-spot', 'cloud.google.com/gke-preemptible', 'kubernetes.azure.com/scalesetpriority']);

type How = 'nodeSelector' | 'required' | 'preferred' | 'toleration';

interface Signal {
  provider: Provider;
  key: string;
  /** The scalar that says "spot" (a label value, or the toleration's key with `operator: Exists`). */
  node: Scalar;
  how: How;
  /** The pod only runs on spot nodes (nodeSelector, or every required affinity term asks for spot). */
  hard: boolean;
}

const str = (n: unknown): string | undefined => (isScalar(n) ? scalarString(n) : undefined);

/** What one `matchExpressions` item says about spot: the value node asking for it, 'avoid', or nothing. */
function expression(doc: Document, e: unknown): { key: string; spot?: Scalar; avoid?: boolean } | undefined {
  if (!isMap(e)) return undefined;
  const key = scalarString(getScalar(doc, e, 'key'));
  const label = key ? LABELS[key] : undefined;
  if (!key || !label) return undefined;
  const op = scalarString(getScalar(doc, e, 'operator'));
  const values = getNode(doc, e, 'values');
  const items = isSeq(values) ? values.items.filter(isScalar) : [];
  const hit = items.find((v) => str(v) === label.spot);
  if (op === 'In') return hit ? { key, spot: hit as Scalar } : isSeq(values) ? { key, avoid: true } : undefined;
  if (op === 'NotIn') return hit ? { key, avoid: true } : undefined;
  if (op === 'DoesNotExist') return { key, avoid: true };
  return undefined; // Exists, Gt, Lt, or half-typed: no opinion
}

/** Every place the pod spec points at spot capacity, minus labels its hard constraints rule out. */
function spotSignals(w: Workload): Signal[] {
  const { doc, podSpec } = w;
  const out: Signal[] = [];
  const avoided = new Set<string>();

  const selector = getMap(doc, podSpec, 'nodeSelector');
  for (const pair of selector?.items ?? []) {
    const key = str(pair.key);
    const label = key ? LABELS[key] : undefined;
    if (!key || !label) continue;
    if (isScalar(pair.value) && str(pair.value) === label.spot) out.push({ provider: label.provider, key, node: pair.value, how: 'nodeSelector', hard: true });
    else avoided.add(key); // another value (on-demand, "false") keeps the pod off spot
  }

  const affinity = getMap(doc, podSpec, 'affinity', 'nodeAffinity');
  const terms = getNode(doc, getMap(doc, affinity, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
  if (isSeq(terms) && terms.items.length) {
    const perTerm = terms.items.map((t) => {
      const exprs = getNode(doc, t, 'matchExpressions');
      return (isSeq(exprs) ? exprs.items : []).map((e) => expression(doc, e)).filter((x) => x !== undefined);
    });
    const spotTerm = (es: (typeof perTerm)[number]) => es.some((e) => e.spot && !es.some((o) => o.key === e.key && o.avoid));
    // the terms are ORed: the pod is held on spot only when every term asks for it
    const hard = perTerm.every(spotTerm);
    for (const es of perTerm) {
      if (!spotTerm(es)) continue;
      for (const e of es) if (e.spot) out.push({ provider: LABELS[e.key].provider, key: e.key, node: e.spot, how: 'required', hard });
    }
    for (const key of Object.keys(LABELS)) if (perTerm.every((es) => es.some((e) => e.key === key && e.avoid))) avoided.add(key);
  }

  const preferred = getNode(doc, affinity, 'preferredDuringSchedulingIgnoredDuringExecution');
  if (isSeq(preferred)) {
    for (const p of preferred.items) {
      const exprs = getNode(doc, getMap(doc, p, 'preference'), 'matchExpressions');
      if (!isSeq(exprs)) continue;
      for (const e of exprs.items) {
        const x = expression(doc, e);
        if (x?.spot) out.push({ provider: LABELS[x.key].provider, key: x.key, node: x.spot, how: 'preferred', hard: false });
      }
    }
  }

  const tolerations = getNode(doc, podSpec, 'tolerations');
  if (isSeq(tolerations)) {
    for (const t of tolerations.items) {
      if (!isMap(t)) continue;
      const keyNode = getScalar(doc, t, 'key');
      const key = scalarString(keyNode);
      if (!keyNode || !key || !TAINT_KEYS.has(key)) continue; // a key-less `operator: Exists` tolerates everything: no signal
      const op = scalarString(getScalar(doc, t, 'operator')) ?? 'Equal';
      const valueNode = getScalar(doc, t, 'value');
      if (op === 'Exists') out.push({ provider: LABELS[key].provider, key, node: keyNode, how: 'toleration', hard: false });
      else if (op === 'Equal' && valueNode && scalarString(valueNode) === LABELS[key].spot) out.push({ provider: LABELS[key].provider, key, node: valueNode, how: 'toleration', hard: false });
    }
  }

  return out.filter((s) => !avoided.has(s.key));
}

function describe(s: Signal): string {
  const what = s.provider === 'gke' ? 'GKE Spot/preemptible nodes' : s.provider === 'azure' ? 'Azure Spot nodes' : 'EC2 Spot nodes';
  const where =
    s.how === 'nodeSelector'
      ? `\`${s.key}\` in its nodeSelector`
      : s.how === 'required'
        ? `required node affinity on \`${s.key}\``
        : s.how === 'preferred'
          ? `preferred node affinity on \`${s.key}\``
          : `it tolerates the \`${s.key}\` taint`;
  const verb = s.hard ? 'runs on' : s.how === 'preferred' ? 'prefers' : 'may run on';
  return `This pod ${verb} ${what} (${where})`;
}

/**
 * A pod on spot/preemptible nodes whose terminationGracePeriodSeconds is longer
 * than the provider's notice: the node goes away before the drain finishes.
 */
export const k8sSpotGracePeriod: Rule = {
  id: 'k8s-spot-grace-period',
  defaultSeverity: 'warning',
  summary: "A pod on spot/preemptible nodes has a terminationGracePeriodSeconds longer than the provider's shutdown notice: the drain is cut short.",
  checkManifest({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      const signals = spotSignals(w);
      if (!signals.length) continue;
      const figure = Math.min(...signals.map((s) => FIGURE[s.provider]));
      const decisive = signals
        .filter((s) => FIGURE[s.provider] === figure)
        .sort((a, b) => Number(b.hard) - Number(a.hard) || a.node.range![0] - b.node.range![0]);
      const first = decisive[0];
      // shortening the grace period is safe blindly only when the pod never runs elsewhere
      const preferred = decisive.some((s) => s.hard);
      const title = `Set terminationGracePeriodSeconds to ${figure}`;
      const pair = getPair(w.podSpec, 'terminationGracePeriodSeconds');
      if (pair) {
        const v = pair.value;
        // anything but a whole number (null, a string, a placeholder) is half-typed or invalid: say nothing
        if (!isScalar(v) || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value <= figure) continue;
        const [s, e] = trimmedSpan(model, v);
        const fix: Fix = { title, edits: [replaceScalar(model, v, String(figure))], preferred };
        out.push({
          message: `${describe(first)} and sets terminationGracePeriodSeconds: ${v.value}, but ${NOTICE[first.provider]}: on pre-emption the node shuts down before the grace period ends, so the drain never finishes. On spot nodes a fast start and a fast drain matter more than a long grace period; set it to ${figure} and make the shutdown fit.`,
          range: rangeOf(model, s, e),
          severity: 'warning',
          fixes: [fix],
        });
        continue;
      }
      const DEFAULT = 30; // Kubernetes' default terminationGracePeriodSeconds
      if (DEFAULT <= figure) continue;
      const [s, e] = trimmedSpan(model, first.node);
      const fix: Fix = { title, edits: [insertIntoMap(model, w.podSpec as YAMLMap, [['terminationGracePeriodSeconds', String(figure)]])], preferred };
      out.push({
        message: `${describe(first)} with the default terminationGracePeriodSeconds of ${DEFAULT} s, but ${NOTICE[first.provider]}: on pre-emption a drain that counts on ${DEFAULT} s is cut short. Set terminationGracePeriodSeconds: ${figure} and make start and shutdown fast.`,
        range: rangeOf(model, s, e),
        severity: 'info',
        fixes: [fix],
      });
    }
    return out;
  },
};
