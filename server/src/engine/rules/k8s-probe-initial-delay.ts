import { isAlias, isMap, isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { columnOf, edit, insertIntoMap, trimmedSpan } from '../k8s/edit';
import { getPair, type Container, type ManifestModel } from '../k8s/model';
import { rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';
import { isPartialWorkload } from './k8s-resources-missing';

const HANDLERS = ['httpGet', 'tcpSocket', 'exec', 'grpc'];
/** Kubernetes defaults of a probe. */
const DEFAULT_PERIOD = 10;
const DEFAULT_FAILURES = 3;
/** Delays from here on are worth a startupProbe. */
const MIN_DELAY = 10;

type ProbeKey = 'livenessProbe' | 'readinessProbe';

interface Probe {
  key: ProbeKey;
  pair: Pair;
  map: YAMLMap;
  /** The `initialDelaySeconds` pair and its value, when set to a whole number. */
  delayPair?: Pair;
  delayNode?: Scalar;
  delay: number;
  /** undefined when written as something else than a whole number (no fix then). */
  period: number | undefined;
  failures: number | undefined;
}

/** A whole number written as a YAML int or a numeric string; null when absent; undefined when something else. */
function wholeNumber(node: unknown): number | null | undefined {
  if (node === undefined || node === null) return null;
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null) return null;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && /^[0-9]+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function readProbe(c: Container, key: ProbeKey): Probe | undefined {
  const pair = getPair(c.node, key);
  const map = pair?.value as Node | null | undefined;
  // an alias shares the probe written elsewhere: that one is reported
  if (!pair || !map || isAlias(map) || !isMap(map)) return undefined;
  const delayPair = getPair(map, 'initialDelaySeconds');
  const delay = wholeNumber(delayPair?.value);
  const period = wholeNumber(getPair(map, 'periodSeconds')?.value);
  const failures = wholeNumber(getPair(map, 'failureThreshold')?.value);
  return {
    key,
    pair,
    map: map as YAMLMap,
    delayPair: delayPair && typeof delay === 'number' ? delayPair : undefined,
    delayNode: delayPair && typeof delay === 'number' ? (delayPair.value as Scalar) : undefined,
    delay: typeof delay === 'number' ? delay : 0,
    period: period === null ? DEFAULT_PERIOD : period,
    failures: failures === null ? DEFAULT_FAILURES : failures,
  };
}

/** The probe's one handler pair (httpGet, tcpSocket, exec or grpc), if it has exactly one. */
function handlerOf(p: Probe): Pair | undefined {
  const found = p.map.items.filter((x) => isScalar(x.key) && HANDLERS.includes(String(x.key.value)));
  return found.length === 1 && (found[0].value as Node | null)?.range ? found[0] : undefined;
}

function lineOf(model: ManifestModel, offset: number): number {
  return model.index.positionAt(offset).line;
}

/** The text of a pair from its key to the end of its value. */
function pairText(model: ManifestModel, pair: Pair): string | undefined {
  const k = pair.key as Node | null;
  const v = pair.value as Node | null;
  if (!k?.range || !v?.range) return undefined;
  return model.text.slice(k.range[0], trimmedSpan(model, v)[1]);
}

/** Deletes one pair of a block map: its line and the line break before it (so an insertion at its end stays valid). */
function deleteBlockPair(model: ManifestModel, pair: Pair): TextEdit | undefined {
  const k = pair.key as Node | null;
  const v = pair.value as Node | null;
  if (!k?.range || !v?.range) return undefined;
  const line = lineOf(model, k.range[0]);
  if (line === 0 || model.text.slice(model.index.lineStarts[line], k.range[0]).trim() !== '') return undefined;
  const end = model.index.lineEnd(lineOf(model, trimmedSpan(model, v)[1]));
  return edit(model, model.index.lineEnd(line - 1), end, '');
}

/** Deletes one pair of a flow map with the comma that separates it from its neighbour. */
function deleteFlowPair(model: ManifestModel, map: YAMLMap, pair: Pair): TextEdit | undefined {
  const i = map.items.indexOf(pair);
  const k = pair.key as Node | null;
  const v = pair.value as Node | null;
  if (i < 0 || !k?.range || !v?.range) return undefined;
  if (i > 0) {
    const prev = map.items[i - 1].value as Node | null;
    if (!prev?.range) return undefined;
    return edit(model, trimmedSpan(model, prev)[1], trimmedSpan(model, v)[1], '');
  }
  const next = map.items[i + 1]?.key as Node | null | undefined;
  if (!next?.range) return undefined;
  return edit(model, k.range[0], next.range[0], '');
}

function deleteDelay(model: ManifestModel, p: Probe): TextEdit | undefined {
  return p.map.flow ? deleteFlowPair(model, p.map, p.delayPair!) : deleteBlockPair(model, p.delayPair!);
}

/**
 * One fix for the whole container: a startupProbe with the liveness handler (else
 * the readiness one), periodSeconds 1 and a failureThreshold that covers the old
 * time budget, and every long initialDelaySeconds removed.
 */
function buildFix(model: ManifestModel, c: Container, live: Probe | undefined, ready: Probe | undefined, firing: Probe[]): Fix | undefined {
  const source = live && handlerOf(live) ? live : ready && handlerOf(ready) ? ready : undefined;
  if (!source) return undefined;
  const handler = handlerOf(source)!;
  const handlerText = pairText(model, handler);
  if (handlerText === undefined) return undefined;
  // the time the old probes allowed before acting: a startup slower than this was already restarted (liveness)
  let budget = 0;
  for (const p of [live, ...firing]) {
    if (!p) continue;
    if (p.period === undefined || p.failures === undefined) return undefined;
    budget = Math.max(budget, p.delay + p.failures * Math.max(1, p.period));
  }
  if (source.map.anchor || firing.some((p) => p.map.anchor)) return undefined;
  const timeout = getPair(source.map, 'timeoutSeconds');
  const timeoutText = timeout ? pairText(model, timeout) : undefined;
  const tail = [`periodSeconds: 1`, `failureThreshold: ${budget}`, ...(timeoutText && typeof wholeNumber(timeout!.value) === 'number' ? [timeoutText] : [])];
  const edits: TextEdit[] = [];
  for (const p of firing) {
    const d = deleteDelay(model, p);
    if (!d) return undefined;
    edits.push(d);
  }
  let simple = false;
  if (c.node.flow) {
    edits.push(insertIntoMap(model, c.node, [['startupProbe', `{${[handlerText, ...tail].join(', ')}}`]]));
  } else {
    const keyNode = source.pair.key as Node;
    const col = columnOf(model, keyNode.range![0]);
    const at = model.index.lineEnd(lineOf(model, trimmedSpan(model, source.map)[1]));
    if (source.map.flow) {
      edits.push(edit(model, at, at, model.eol + ' '.repeat(col) + `startupProbe: {${[handlerText, ...tail].join(', ')}}`));
    } else {
      // the handler is copied verbatim at its own column: nested lines keep their indentation
      const hcol = columnOf(model, (handler.key as Node).range![0]);
      if (hcol <= col) return undefined;
      const pad = model.eol + ' '.repeat(hcol);
      edits.push(edit(model, at, at, model.eol + ' '.repeat(col) + 'startupProbe:' + pad + handlerText + tail.map((t) => pad + t).join('')));
      simple = firing.every((p) => !p.map.flow);
    }
  }
  // without a liveness probe nothing restarted a slow start before: the startupProbe would
  const restarts = !live;
  return {
    title: `Replace initialDelaySeconds with a startupProbe (periodSeconds: 1, failureThreshold: ${budget})${restarts ? ` — it restarts the container if it has not started after ${budget} s` : ''}`,
    edits,
    preferred: simple && !restarts,
  };
}

/** A long initialDelaySeconds on a liveness or readiness probe, with no startupProbe. */
export const k8sProbeInitialDelay: Rule = {
  id: 'k8s-probe-initial-delay',
  defaultSeverity: 'info',
  summary: 'initialDelaySeconds ≥ 10 on a liveness or readiness probe without a startupProbe: every rollout and scale-out waits that long.',
  checkManifest({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      if (isPartialWorkload(model, w)) continue;
      for (const c of w.containers) {
        if (c.init) continue;
        if (getPair(c.node, 'startupProbe')) continue;
        const live = readProbe(c, 'livenessProbe');
        const ready = readProbe(c, 'readinessProbe');
        const firing = [live, ready].filter((p): p is Probe => !!p && !!p.delayNode && p.delay >= MIN_DELAY);
        if (!firing.length) continue;
        firing.sort((a, b) => a.delayNode!.range![0] - b.delayNode!.range![0]);
        const fix = buildFix(model, c, live, ready, firing);
        for (const p of firing) {
          const [s, e] = trimmedSpan(model, p.delayNode!);
          const effect =
            p.key === 'readinessProbe'
              ? `keeps every new pod out of its Service for ${p.delay} s or more, however fast it starts: a service ready in ~100 ms (a typical Go binary) gains nothing, and every rollout step and scale-out waits`
              : `has to be sized for the slowest start: a service ready in ~100 ms (a typical Go binary) gains nothing, and a start that hangs is noticed only after it`;
          out.push({
            message: `\`initialDelaySeconds: ${p.delay}\` on the ${p.key} ${effect}. A startupProbe with \`periodSeconds: 1\` waits exactly as long as the start takes, within the same time budget.`,
            range: rangeOf(model, s, e),
            fixes: fix ? [{ ...fix, edits: [...fix.edits] }] : [],
          });
        }
      }
    }
    return out;
  },
};
