import { containerMaxProcsSetting, goModGodebug } from '../go';
import { isMap, isScalar, isSeq, type Document, type Scalar, type YAMLMap } from 'yaml';
import type { Config } from '../config';
import { goAtLeast } from '../go';
import { parseImageRef } from '../images';
import { addEnvVar, replaceScalar, trimmedSpan, type Entry } from '../k8s/edit';
import { getMap, getNode, getPair, getScalar, scalarString, type Container, type EnvVar, type ManifestModel, type Workload } from '../k8s/model';
import { GO_ENV, goVersion, isGoContainer, requiresModule } from '../k8s/workload';
import { rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, Range } from '../types';
import { isPartialWorkload } from './k8s-resources-missing';

// ---------------------------------------------------------------------------
// Helpers shared by k8s-go-maxprocs, k8s-go-maxprocs-over-limit, k8s-go-memlimit
// and k8s-go-memlimit-over-limit.

/**
 * Last path segment of images of well-known programs that are not written in Go:
 * a go.mod in the repository does not make an nginx sidecar a Go container.
 */
const NOT_GO_IMAGES = new Set([
  'nginx', 'nginx-unprivileged', 'openresty', 'httpd', 'haproxy', 'envoy', 'envoy-distroless', 'varnish', 'squid',
  'redis', 'valkey', 'memcached', 'postgres', 'postgresql', 'mysql', 'mariadb', 'mongo', 'mongodb', 'rabbitmq', 'elasticsearch', 'opensearch', 'kibana',
  'kafka', 'zookeeper', 'cassandra', 'solr', 'fluentd', 'fluent-bit',
  'busybox', 'alpine', 'ubuntu', 'debian', 'centos', 'fedora', 'python', 'node', 'openjdk', 'eclipse-temurin', 'amazoncorretto', 'ruby', 'php',
]);

/**
 * A regular container of a Go workload these rules look at. Init containers
 * (usually short-lived) are exempt; a partial workload (a container without
 * `image`, or a file kustomization.yaml applies as a patch) is skipped unless
 * `partialOk` (a value and the limit it is compared with, both in the patch,
 * are both final): the env may live in the base. Well-known non-Go images
 * count only with an explicit Go signal.
 */
export function goRuntimeContainer(model: ManifestModel, w: Workload, c: Container, config: Config, partialOk = false): boolean {
  if (c.init) return false;
  if (!partialOk && (!scalarString(c.image) || isPartialWorkload(model, w))) return false;
  if (!isGoContainer(model, c, config)) return false;
  if (c.env.some((e) => GO_ENV.includes(e.name))) return true;
  if (model.goMod && scalarString(c.image) && !isGoContainer({ ...model, goMod: undefined }, c, config)) {
    const repo = parseImageRef(scalarString(c.image)!).repository;
    if (NOT_GO_IMAGES.has(repo.split('/').pop()!.toLowerCase())) return false;
  }
  return true;
}

/** The env entry that takes effect for `name` (Kubernetes: the last one of duplicates wins). */
export function effectiveEnv(c: Container, name: string): EnvVar | undefined {
  for (let i = c.env.length - 1; i >= 0; i--) if (c.env[i].name === name) return c.env[i];
  return undefined;
}

/** A literal env value as the container sees it: strings as is, YAML numbers as written, null as "". */
export function literalValue(model: ManifestModel, s: Scalar): string | undefined {
  if (s.value === null || s.value === undefined) return '';
  if (typeof s.value === 'string') return s.value;
  if (typeof s.value === 'number' || typeof s.value === 'boolean') return s.range ? model.text.slice(s.range[0], s.range[1]).trim() : String(s.value);
  return undefined;
}

/** Top-level objects of every document (items of `kind: List` included). */
function objects(model: ManifestModel): { doc: Document; root: YAMLMap }[] {
  const out: { doc: Document; root: YAMLMap }[] = [];
  for (const doc of model.docs) {
    if (doc.errors.length || !isMap(doc.contents)) continue;
    const root = doc.contents as YAMLMap;
    const items = getNode(doc, root, 'items');
    if (isSeq(items) && /List$/.test(scalarString(getScalar(doc, root, 'kind')) ?? '')) {
      for (const it of items.items) if (isMap(it)) out.push({ doc, root: it as YAMLMap });
    } else out.push({ doc, root });
  }
  return out;
}

/**
 * Whether something other than the container's `env` may set `name`: a
 * command line naming it in any case (`sh -c "GOMAXPROCS=2 exec ./app"`, a
 * `--runtime.gomaxprocs=1` flag), or an `envFrom` source that
 * is not a ConfigMap/Secret of this file known to lack the key.
 */
export function setElsewhere(model: ManifestModel, w: Workload, c: Container, name: string): boolean {
  for (const key of ['command', 'args']) {
    const seq = getNode(w.doc, c.node, key);
    // also flags such as node_exporter's --runtime.gomaxprocs or Prometheus' --auto-gomemlimit
    if (isSeq(seq) && seq.items.some((it) => isScalar(it) && typeof it.value === 'string' && it.value.toUpperCase().includes(name))) return true;
  }
  const envFrom = getNode(w.doc, c.node, 'envFrom');
  if (!isSeq(envFrom)) return false;
  for (const item of envFrom.items) {
    if (!isMap(item)) return true;
    const prefix = scalarString(getScalar(w.doc, item, 'prefix')) ?? '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const cm = getMap(w.doc, item, 'configMapRef');
    const secret = getMap(w.doc, item, 'secretRef');
    const kind = cm ? 'ConfigMap' : secret ? 'Secret' : undefined;
    const refName = scalarString(getScalar(w.doc, cm ?? secret, 'name'));
    if (!kind || !refName) return true;
    const found = objects(model).filter(
      (o) => scalarString(getScalar(o.doc, o.root, 'kind')) === kind && scalarString(getScalar(o.doc, getMap(o.doc, o.root, 'metadata'), 'name')) === refName,
    );
    if (!found.length) return true;
    const sections = kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData'];
    for (const o of found) {
      for (const s of sections) {
        const data = getNode(o.doc, o.root, s);
        if (data && !isMap(data)) return true;
        if (getPair(data, key)) return true;
      }
    }
  }
  return false;
}

/**
 * Whether a CPU (or memory) limit may come from outside the container's own
 * resources: a LimitRange of this file with a default limit for it, or
 * pod-level `resources`.
 */
export function cpuLimitMayComeFromElsewhere(model: ManifestModel, w: Workload, resource: 'cpu' | 'memory' = 'cpu'): boolean {
  if (getNode(w.doc, w.podSpec, 'resources')) return true;
  for (const o of objects(model)) {
    if (scalarString(getScalar(o.doc, o.root, 'kind')) !== 'LimitRange') continue;
    const limits = getNode(o.doc, getMap(o.doc, o.root, 'spec'), 'limits');
    if (!isSeq(limits)) return true;
    for (const it of limits.items) if (getNode(o.doc, getMap(o.doc, it, 'default'), resource) !== undefined) return true;
  }
  return false;
}

/** Whole CPUs the downward API (default divisor 1) and Go 1.25 round a CPU quantity up to, at least 1. */
export function ceilCores(cores: number): number {
  return Math.max(1, Math.ceil(cores - 1e-9));
}

export function scalarRange(model: ManifestModel, s: Scalar): Range {
  const [a, b] = trimmedSpan(model, s);
  return rangeOf(model, a, b);
}

/** Where a finding about the whole container points: its `name` value (else its image). */
export function containerAnchor(model: ManifestModel, w: Workload, c: Container): Range {
  const s = getScalar(w.doc, c.node, 'name') ?? c.image!;
  return scalarRange(model, s);
}

/** The fix that adds an env var, or undefined when `env:` exists but is not a list (`env:` with no value). */
export function addEnvFix(model: ManifestModel, w: Workload, c: Container, title: string, item: Entry[], preferred: boolean): Fix | undefined {
  if (!c.envNode && getPair(c.node, 'env')) return undefined;
  return { title, edits: [addEnvVar(model, c.node, c.envNode, item)], preferred };
}

// ---------------------------------------------------------------------------


const DOWNWARD = (resource: string): Entry[] => [
  ['name', 'GOMAXPROCS'],
  ['valueFrom', [['resourceFieldRef', [['resource', resource]]]]],
];

const THROTTLE = 'a pod limited to 2 CPUs on a 64-core node runs 64 Ps and the CFS quota throttles it (latency spikes)';
const DOWNWARD_NOTE = 'the downward API gives the value rounded up to whole CPUs (`250m` → 1, `1500m` → 2)';

interface Awareness {
  /** The runtime sizes GOMAXPROCS to the CPU limit by itself (or may: stay silent). */
  silent: boolean;
  /** We know it does not (the go.mod `go` line or a GODEBUG setting says so). */
  known: boolean;
  /** Sentence start explaining why, ending before "the runtime sets ...". */
  why: string;
  note: string;
}

function awareness(model: ManifestModel, w: Workload, c: Container): Awareness {
  const silent: Awareness = { silent: true, known: false, why: '', note: '' };
  const mod = model.goMod;
  // cmd/go: a go.mod without a `go` line means go 1.16
  const version = mod ? (goVersion(model) ?? '1.16') : undefined;
  const at125 = version !== undefined && goAtLeast(version, 25) === true;
  if (version !== undefined && goAtLeast(version, 25) === undefined) return silent;
  let setting: boolean | undefined;
  let settingSource = '';
  const modText = mod ? model.workspace.readFile(mod.path) : undefined;
  const fromMod = modText !== undefined ? goModGodebug(modText) : undefined;
  if (fromMod !== undefined) {
    setting = fromMod;
    settingSource = '`go.mod` sets `godebug containermaxprocs=0`';
  }
  const godebug = effectiveEnv(c, 'GODEBUG');
  if (godebug) {
    const v = godebug.value ? literalValue(model, godebug.value) : undefined;
    if (v === undefined) return silent; // from a ConfigMap or the like: cannot tell
    const s = containerMaxProcsSetting(v);
    if (s !== undefined) {
      setting = s;
      settingSource = '`GODEBUG` sets `containermaxprocs=0`';
    }
  } else if (setElsewhere(model, w, c, 'GODEBUG')) return silent;
  const aware = setting ?? at125;
  if (aware) return silent;
  if (setting === false) {
    return { silent: false, known: true, why: `${settingSource} (Go 1.25's container-aware default off), so`, note: '' };
  }
  if (version === undefined) {
    return {
      silent: false,
      known: false,
      why: 'The Go version is unknown (no go.mod was found): unless the binary was built from a go.mod with a `go 1.25` line or later,',
      note: '',
    };
  }
  const said = mod!.go ? `\`go.mod\` says \`go ${mod!.go}\`` : '`go.mod` has no `go` line (Go then assumes 1.16)';
  const tc = mod!.toolchain;
  const note =
    ' Go 1.25+ reads the CPU limit itself only when go.mod has a `go 1.25` line or later' +
    (tc && goAtLeast(tc, 25) ? ` (the \`toolchain go${tc}\` line is not enough: the default follows the \`go\` line).` : ' (a `toolchain` line is not enough).');
  return { silent: false, known: true, why: `${said}, older than 1.25, so`, note };
}

/** A Go container's GOMAXPROCS does not follow its CPU limit: the node's CPU count instead. */
export const k8sGoMaxprocs: Rule = {
  id: 'k8s-go-maxprocs',
  defaultSeverity: 'warning',
  summary: 'A Go container with a CPU limit (or only a CPU request) whose GOMAXPROCS follows the node\'s CPU count: set it from the downward API.',
  checkManifest({ model, config }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      for (const c of w.containers) {
        if (!goRuntimeContainer(model, w, c, config)) continue;
        const env = effectiveEnv(c, 'GOMAXPROCS');
        if (env) {
          const f = fromLimitWithoutLimit(model, w, c, env);
          if (f) out.push(f);
          continue;
        }
        if (setElsewhere(model, w, c, 'GOMAXPROCS')) continue;
        if (requiresModule(model, 'go.uber.org/automaxprocs')) continue;
        const limit = c.limits.cpu;
        if (limit) {
          if (!(limit.value !== undefined && limit.value > 0)) continue;
          const a = awareness(model, w, c);
          if (a.silent) continue;
          const fix = addEnvFix(model, w, c, 'Set GOMAXPROCS from the CPU limit (downward API limits.cpu)', DOWNWARD('limits.cpu'), a.known);
          out.push({
            message: `${a.why} the runtime sets GOMAXPROCS to the node's CPU count, not to this container's CPU limit (\`${limit.raw}\`): ${THROTTLE}. Set \`GOMAXPROCS\` from \`limits.cpu\`: ${DOWNWARD_NOTE}.${a.note}`,
            range: containerAnchor(model, w, c),
            severity: a.known ? 'warning' : 'info',
            fixes: fix ? [fix] : [],
          });
          continue;
        }
        const request = c.requests.cpu;
        if (!request || !(request.value !== undefined && request.value > 0)) continue;
        if (cpuLimitMayComeFromElsewhere(model, w)) continue;
        const fix = addEnvFix(model, w, c, 'Set GOMAXPROCS from the CPU request (downward API requests.cpu)', DOWNWARD('requests.cpu'), true);
        out.push({
          message: `This container requests \`${request.raw}\` CPU and sets no CPU limit: with no limit every Go version (1.25 included) sets GOMAXPROCS to the node's CPU count, so on a 64-core node it runs 64 Ps for a request of ${request.raw}, contending with its neighbours. Set \`GOMAXPROCS\` from \`requests.cpu\`: ${DOWNWARD_NOTE}.`,
          range: containerAnchor(model, w, c),
          severity: 'warning',
          fixes: fix ? [fix] : [],
        });
      }
    }
    return out;
  },
};

/**
 * An env entry set from the downward API on `resource` (`valueFrom: resourceFieldRef: {resource: limits.cpu}`):
 * its `resourceFieldRef` map, the `resource` scalar and the container it reads (`containerName`, else its own).
 */
export function downwardRef(w: Workload, c: Container, env: EnvVar, resource: string): { ref: YAMLMap; resource: Scalar; target: Container } | undefined {
  if (env.value !== undefined || !env.valueFrom) return undefined;
  const ref = getMap(w.doc, env.valueFrom, 'resourceFieldRef');
  const res = getScalar(w.doc, ref, 'resource');
  if (!ref || !res || scalarString(res) !== resource) return undefined;
  const containerName = scalarString(getScalar(w.doc, ref, 'containerName'));
  const target = containerName === undefined || containerName === c.name ? c : w.containers.find((x) => x.name === containerName);
  return target ? { ref, resource: res, target } : undefined;
}

/** `GOMAXPROCS` from `resourceFieldRef: limits.cpu` of a container with no CPU limit: the node's allocatable CPUs. */
function fromLimitWithoutLimit(model: ManifestModel, w: Workload, c: Container, env: EnvVar): RuleFinding | undefined {
  const d = downwardRef(w, c, env, 'limits.cpu');
  if (!d) return undefined;
  const { resource, target } = d;
  if (target.limits.cpu) return undefined;
  // with neither a CPU limit nor a request the resources are set elsewhere (a kustomize overlay, a LimitRange)
  const request = target.requests.cpu;
  if (!request || !(request.value !== undefined && request.value > 0)) return undefined;
  if (cpuLimitMayComeFromElsewhere(model, w)) return undefined;
  return {
    message: `\`GOMAXPROCS\` comes from \`limits.cpu\`, but ${target === c ? 'this container' : `container \`${target.name}\``} has no CPU limit: the downward API then yields the node's allocatable CPUs (about 64 on a 64-core node), the same oversized default the variable was meant to replace. Use \`requests.cpu\` (\`${request.raw}\` → ${ceilCores(request.value)}).`,
    range: scalarRange(model, resource),
    severity: 'warning',
    fixes: [{ title: 'Take GOMAXPROCS from requests.cpu', edits: [replaceScalar(model, resource, 'requests.cpu')], preferred: true }],
  };
}
