// Pure helpers of `npm run demo` (scripts/demo.mjs): statistics, Kubernetes
// quantities and downward-API values, the service's start-up log line, the
// registry manifest, and the docs/impact.md page. No I/O here: unit-tested in
// test/demo/lib.test.ts.
import YAML from 'yaml';

/** Median, min and max of a list of numbers (the median of an even count is the mean of the middle two). */
export function stats(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!xs.length) return { n: 0, median: null, min: null, max: null, values: [] };
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { n: xs.length, median, min: xs[0], max: xs[xs.length - 1], values: [...values] };
}

/** after / before, or null when either is missing or before is 0. */
export function ratio(before, after) {
  if (typeof before !== 'number' || typeof after !== 'number' || !before) return null;
  return after / before;
}

const BIN = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes resource quantity (`500m`, `1.5`, `512Mi`, `1G`, `1e3`) as a number; undefined when malformed. */
export function parseQuantity(q) {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E))?$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * BIN[m[2]];
  if (m[3]) return n * 10 ** Number(m[3].slice(1));
  return n * DEC[m[4] ?? ''];
}

/** The value Kubernetes puts in an env var from `resourceFieldRef`: ceil(quantity / divisor), as a string. */
export function downwardValue(quantity, divisor = '1') {
  const q = parseQuantity(quantity);
  const d = parseQuantity(divisor);
  if (q === undefined || d === undefined || d <= 0) return undefined;
  // quantities are exact decimals: round away float noise before the ceiling (0.5/0.001 = 500.00000000000006)
  return String(Math.ceil(Number((q / d).toPrecision(12))));
}

/** GOMEMLIMIT as the Go runtime reads it: bytes, `null` for `off`, undefined when malformed (the runtime aborts). */
export function parseGoMemLimit(s) {
  if (s === 'off') return null;
  const m = /^([0-9]+)((?:[KMGT]i)?B)?$/.exec(s ?? '');
  if (!m) return undefined;
  const unit = { undefined: 1, B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[String(m[2])];
  return Number(m[1]) * unit;
}

/**
 * What `docker run` needs to run the first container of the first workload in
 * `manifestText` the way Kubernetes would: `--cpus` from limits.cpu, `--memory`
 * from limits.memory (bytes), and the env with downward-API values resolved
 * against the container's limits (requests when asked for).
 */
export function runSpecFromManifest(manifestText) {
  const docs = YAML.parseAllDocuments(manifestText).map((d) => d.toJS());
  const workload = docs.find((d) => d && typeof d === 'object' && d.spec);
  if (!workload) throw new Error('no workload in the manifest');
  const pod = workload.spec.template?.spec ?? workload.spec.jobTemplate?.spec?.template?.spec ?? workload.spec;
  const c = pod.containers?.[0];
  if (!c) throw new Error('no container in the manifest');
  const res = c.resources ?? {};
  const limits = res.limits ?? {};
  const requests = res.requests ?? {};
  const cpus = limits.cpu !== undefined ? parseQuantity(String(limits.cpu)) : undefined;
  const memoryBytes = limits.memory !== undefined ? parseQuantity(String(limits.memory)) : undefined;
  const env = {};
  const unresolved = [];
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.resourceFieldRef) {
      const { resource, divisor } = e.valueFrom.resourceFieldRef;
      const [kind, what] = String(resource).split('.');
      const source = kind === 'limits' ? limits : kind === 'requests' ? requests : {};
      const v = source[what] !== undefined ? downwardValue(String(source[what]), divisor !== undefined ? String(divisor) : '1') : undefined;
      if (v === undefined) unresolved.push(`${e.name} (${resource}: not set, Kubernetes would give the node's allocatable)`);
      else env[e.name] = v;
    } else unresolved.push(`${e.name} (valueFrom ${Object.keys(e.valueFrom ?? {}).join(', ')})`);
  }
  return { name: c.name, image: c.image, cpus, memoryBytes, limits, requests, env, unresolved };
}

/** `docker run` flags for a run spec: --cpus, --memory, -e NAME=VALUE (sorted). */
export function dockerRunArgs(spec) {
  const args = [];
  if (spec.cpus !== undefined) args.push('--cpus', String(spec.cpus));
  if (spec.memoryBytes !== undefined) args.push('--memory', String(Math.floor(spec.memoryBytes)));
  for (const k of Object.keys(spec.env).sort()) args.push('-e', `${k}=${spec.env[k]}`);
  return args;
}

/** The service's start-up line: `starting: GOMAXPROCS=2 GOMEMLIMIT=none NumCPU=8 go=go1.19.8`. */
export function parseStartupLog(text) {
  const m = /starting: GOMAXPROCS=(\d+) GOMEMLIMIT=(none|\d+) NumCPU=(\d+)(?: go=(\S+))?/.exec(text ?? '');
  if (!m) return undefined;
  return { gomaxprocs: Number(m[1]), gomemlimit: m[2] === 'none' ? null : Number(m[2]), numCPU: Number(m[3]), go: m[4] ?? null };
}

/** Bytes a pull transfers: config + layer blobs of a registry image manifest (Docker v2 schema 2 or OCI). */
export function manifestBytes(manifest) {
  const m = typeof manifest === 'string' ? JSON.parse(manifest) : manifest;
  if (!m || !Array.isArray(m.layers)) throw new Error('not an image manifest (no layers)');
  return (m.config?.size ?? 0) + m.layers.reduce((s, l) => s + (l.size ?? 0), 0);
}

/** `docker stop` output, `docker run -d` output etc.: the 64-hex container id on the last non-empty line. */
export function parseContainerId(stdout) {
  const lines = String(stdout).trim().split(/\r?\n/).filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  return /^[0-9a-f]{64}$/.test(last.trim()) ? last.trim() : undefined;
}

/** Fixable findings in `lint --format json` output (array of {file, findings[]}). */
export function countFindings(report) {
  const files = typeof report === 'string' ? JSON.parse(report) : report;
  let total = 0;
  let fixable = 0;
  const list = [];
  for (const f of files) {
    for (const x of f.findings ?? []) {
      total++;
      if (x.fixable) fixable++;
      list.push({ file: f.file, rule: x.rule, severity: x.severity, line: x.line, fixable: !!x.fixable });
    }
  }
  return { total, fixable, findings: list };
}

// ---- formatting -------------------------------------------------------------

/** Decimal units like Docker: 892 MB, 4.6 MB. */
export function fmtBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

/** Milliseconds as `87 ms` or `12.4 s`. */
export function fmtMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `0.5 %`, `12 %`, or `1/195` style: the after/before ratio as a percentage and a factor. */
export function fmtRatio(r) {
  if (typeof r !== 'number' || !Number.isFinite(r)) return '—';
  const pct = r * 100;
  const p = pct < 1 ? pct.toFixed(2) : pct < 10 ? pct.toFixed(1) : pct.toFixed(0);
  const factor = r > 0 && r < 1 ? ` (${(1 / r).toFixed(1 / r >= 10 ? 0 : 1)}× less)` : r > 1 ? ` (${r.toFixed(1)}× more)` : '';
  return `${p} %${factor}`;
}

function cell(s, fmt) {
  if (!s || s.median === null || s.median === undefined) return '—';
  if (s.n === 1) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** One table row: figure, before, after, ratio of the medians. */
export function figureRow(label, before, after, fmt) {
  const b = typeof before === 'number' ? { n: 1, median: before } : before;
  const a = typeof after === 'number' ? { n: 1, median: after } : after;
  return `| ${label} | ${cell(b, fmt)} | ${cell(a, fmt)} | ${fmtRatio(ratio(b?.median, a?.median))} |`;
}

/** The docs/impact.md page from a results object (scripts/demo.mjs). */
export function renderImpact(r) {
  const f = r.figures;
  const L = [];
  const runsNote = r.runs === 1 ? 'one run of each measurement (`--quick`): no spread' : `${r.runs} runs of each measurement; cells show the median and (min–max)`;
  L.push('# Impact, measured: the fixes on a real Go service');
  L.push('');
  L.push(`Generated by \`npm run demo${r.mode === 'quick' ? ' -- --quick' : ''}\` on ${r.generatedAt.slice(0, 10)} (${runsNote}). The command writes this whole page; rerun it to reproduce the figures on your machine.`);
  L.push('');
  L.push('The service is [`examples/demo-service/`](../examples/demo-service/): a small orders API using only the Go standard library (a JSON endpoint, `/healthz`, graceful shutdown on SIGTERM), with a `Dockerfile` and a `k8s/deployment.yaml` written the naive way. The "after" files are exactly what `container-tuner lint --fix` made of them' + (r.lint.passes ? ` (${r.lint.passes} pass${r.lint.passes === 1 ? '' : 'es'} until nothing fixable was left)` : '') + '.');
  L.push('');
  L.push('## Headline');
  L.push('');
  L.push('| figure | before | after | after / before |');
  L.push('|---|---|---|---|');
  L.push(figureRow('image size (uncompressed, `docker image inspect`)', f.size.before, f.size.after, fmtBytes));
  L.push(figureRow('bytes a pull transfers (compressed layers + config)', f.compressedBytes.before, f.compressedBytes.after, fmtBytes));
  L.push(figureRow('layers', f.layers.before, f.layers.after, (n) => String(n)));
  L.push(figureRow('push to an empty registry', f.push.before, f.push.after, fmtMs));
  L.push(figureRow('new node: pull into an empty daemon', f.pull.before, f.pull.after, fmtMs));
  L.push(figureRow('new node: `docker run` → first HTTP 200 from `/healthz`', f.coldRun.before, f.coldRun.after, fmtMs));
  L.push(figureRow('**cold start: pull + run → first 200**', f.coldStart.before, f.coldStart.after, fmtMs));
  L.push(figureRow('warm start (image present): run → first 200', f.warmStart.before, f.warmStart.after, fmtMs));
  for (const b of ['buildkit', 'classic']) {
    const rb = f.rebuild[b];
    if (rb) L.push(figureRow(`rebuild after a one-line edit of \`main.go\` (${b === 'buildkit' ? 'BuildKit' : 'classic builder'})`, rb.before, rb.after, fmtMs));
  }
  for (const b of ['buildkit', 'classic']) {
    const cb = f.cleanBuild?.[b];
    if (cb) L.push(figureRow(`build with \`--no-cache\` (${b === 'buildkit' ? 'BuildKit' : 'classic builder'})`, cb.before, cb.after, fmtMs));
  }
  L.push(figureRow('`docker stop` (SIGTERM, then SIGKILL after 10 s)', f.stop.before, f.stop.after, fmtMs));
  L.push('');
  L.push('Push, pull and the start figures use the BuildKit-built images; the registry is Debian\'s `docker-registry` on 127.0.0.1, restarted empty before every push; each cold start pulls into a second, isolated `dockerd` whose images are all removed before every run.');
  L.push('');
  L.push('## Is the small image right? (proofs)');
  L.push('');
  const p = r.proofs;
  L.push('| check | before | after |');
  L.push('|---|---|---|');
  L.push(`| \`GET /healthz\` | ${p.healthz.before ?? '—'} | ${p.healthz.after ?? '—'} |`);
  const stopCell = (s) => (s ? `${fmtMs(s.ms)}, exit code ${s.exitCode}${s.graceful ? ', drained ("stopped" logged)' : ''}` : '—');
  L.push(`| \`docker stop\` (SIGTERM) | ${stopCell(p.sigterm.before)} | ${stopCell(p.sigterm.after)} |`);
  const lim = p.limits;
  const memCell = (v) => (v === null ? 'none (no soft limit)' : v === undefined ? '—' : `${v} bytes (${(v / 2 ** 20).toFixed(0)} MiB)`);
  L.push(`| GOMAXPROCS logged under the manifest's limits | ${lim.before?.gomaxprocs ?? '—'} (the machine's CPUs: ${lim.before?.numCPU ?? '?'}) | ${lim.after?.gomaxprocs ?? '—'} (expected ${lim.expected.gomaxprocs}) |`);
  L.push(`| GOMEMLIMIT logged under the manifest's limits | ${memCell(lim.before?.gomemlimit)} | ${memCell(lim.after?.gomemlimit)} (expected ${memCell(lim.expected.gomemlimit)}) |`);
  L.push('');
  L.push(`The manifest's limits became \`docker run ${lim.afterArgs.join(' ')}\` for the after image (\`limits.cpu: ${lim.manifest.cpu}\` → \`--cpus\`; downward-API \`resourceFieldRef\` values resolved as Kubernetes does, ceil(quantity / divisor); GOMEMLIMIT as the fix wrote it), and \`docker run ${lim.beforeArgs.join(' ')}\` for the before image (same limits, the naive manifest's env).` + (lim.distinguishable ? '' : ` **On this machine the CPU count (${lim.before?.numCPU}) equals the rounded-up limit, so the GOMAXPROCS proof cannot tell before from after here.**`));
  L.push('');
  L.push('Checks: ' + Object.entries(r.checks).map(([k, v]) => `${v ? '✔' : '✘'} ${k}`).join(' · '));
  L.push('');
  L.push('## What the fixes changed');
  L.push('');
  L.push(`Findings on the naive files (${r.lint.before.total}, ${r.lint.before.fixable} fixable with \`--fix\`):`);
  L.push('');
  L.push('| file | line | rule | severity | fixed by `--fix` |');
  L.push('|---|---|---|---|---|');
  for (const x of r.lint.before.findings) L.push(`| ${x.file} | ${x.line} | [${x.rule}](rules/${x.rule}.md) | ${x.severity} | ${x.fixable ? 'yes' : 'no'} |`);
  L.push('');
  L.push(`Left after \`--fix\` (${r.lint.after.total}, ${r.lint.after.fixable} fixable): ` + (r.lint.after.findings.length ? r.lint.after.findings.map((x) => `\`${x.rule}\` (${x.file}:${x.line}, ${x.severity})`).join(', ') : 'none') + '. These need a decision the tool cannot make (a version tag for the image; GOMAXPROCS is now set by the manifest, which the Dockerfile rule cannot see).');
  L.push('');
  L.push('```diff');
  L.push(r.lint.diff.trimEnd());
  L.push('```');
  if (r.builds.afterClassicNote) {
    L.push('');
    L.push(`**The classic builder cannot build the fixed Dockerfile**: ${r.builds.afterClassicNote} The classic-builder figures above use the \`--fix\` output with \`go-build-cache-mount: off\` in \`.container-tuner.yaml\` (the only difference: no \`--mount=type=cache\` flags):`);
    if (r.lint.classicDiff) {
      L.push('');
      L.push('```diff');
      L.push(r.lint.classicDiff.trimEnd());
      L.push('```');
    }
  }
  L.push('');
  L.push('## Every build');
  L.push('');
  L.push('Clean builds use `--no-cache`; before each BuildKit one the unused `RUN --mount=type=cache` contents are pruned (`docker builder prune --filter type=exec.cachemount`), since they survive `--no-cache`.');
  L.push('');
  L.push('| image | builder | build (`--no-cache`) | size | layers |');
  L.push('|---|---|---|---|---|');
  for (const b of r.builds.list) L.push(`| ${b.image} | ${b.builder} | ${b.ok ? fmtMs(b.ms) : 'failed: ' + b.error} | ${b.ok ? fmtBytes(b.size) : '—'} | ${b.ok ? b.layers : '—'} |`);
  const cbBk = f.cleanBuild?.buildkit;
  if (cbBk && typeof cbBk.before === 'number' && typeof cbBk.after === 'number' && cbBk.after > cbBk.before) {
    L.push('');
    L.push(`**Why the fixed Dockerfile builds slower from scratch here.** The toolchain image is Debian's Go 1.19, which ships the standard library precompiled for its default settings; the fixed build's \`CGO_ENABLED=0\` and \`-trimpath\` do not match them, so \`go build\` compiles the standard library packages the service uses. Go 1.20 and later ship no precompiled standard library, so there the naive build compiles it too and this difference mostly disappears. With BuildKit the cache mount pays it once: see the rebuild row. The classic builder has no cache mounts, so every classic rebuild of the fixed Dockerfile pays it again.`);
  }
  if (r.analyze) {
    L.push('');
    L.push('What `container-tuner analyze` reports on the two images (BuildKit):');
    L.push('');
    for (const k of ['before', 'after']) if (r.analyze[k]) L.push(`- **${k}**: ${r.analyze[k]}`);
  }
  L.push('');
  L.push('## Every run');
  L.push('');
  L.push('Raw values in milliseconds, in the order measured (also in [`demo/results.json`](../demo/results.json)):');
  L.push('');
  const raw = (label, s) => (s && s.values?.length ? `- ${label}: ${s.values.map((v) => Math.round(v)).join(', ')}` : null);
  for (const [label, s] of [
    ['push before', f.push.before], ['push after', f.push.after],
    ['pull before', f.pull.before], ['pull after', f.pull.after],
    ['cold run → 200 before', f.coldRun.before], ['cold run → 200 after', f.coldRun.after],
    ['warm start before', f.warmStart.before], ['warm start after', f.warmStart.after],
    ...['buildkit', 'classic'].flatMap((b) => (f.rebuild[b] ? [[`rebuild ${b} before`, f.rebuild[b].before], [`rebuild ${b} after`, f.rebuild[b].after]] : [])),
  ]) {
    const line = raw(label, s);
    if (line) L.push(line);
  }
  L.push('');
  L.push('## The machine');
  L.push('');
  const m = r.machine;
  L.push(`- ${m.cpus} × ${m.cpuModel}, ${fmtBytes(m.memBytes)} RAM, ${m.os}, kernel ${m.kernel}`);
  L.push(`- Docker Engine ${r.docker.server} (storage driver \`${r.docker.storageDriver}\`, cgroup ${r.docker.cgroupVersion ?? '?'}), CLI ${r.docker.client}; BuildKit through Debian's CLI \`${r.docker.buildkitCli}\``);
  L.push(`- Go toolchain image \`${r.toolchain.tag}\` (${r.toolchain.how}; ${fmtBytes(r.toolchain.size)}): Debian bookworm's Go ${r.toolchain.goVersion ?? '1.19'}, gcc, libc6-dev, ca-certificates, git — like the official \`golang\` image, which cannot be pulled here`);
  L.push(`- Runtime base: \`scratch\`, set in [\`examples/demo-service/.container-tuner.yaml\`](../examples/demo-service/.container-tuner.yaml) (\`runtimeBase: scratch\`). The default \`gcr.io/distroless/static-debian12:nonroot\` cannot be pulled here; with it the image would be about 2 MB larger (distroless static is ~2 MB) and the CA bundle and non-root user would come from the base instead of the two extra lines the fixes added.`);
  L.push('');
  L.push('## What this setup flatters, and what a real network adds');
  L.push('');
  const gbit = (bytes) => (typeof bytes === 'number' ? fmtMs((bytes * 8) / 1e9 * 1000) : '—');
  const mbit100 = (bytes) => (typeof bytes === 'number' ? fmtMs((bytes * 8) / 1e8 * 1000) : '—');
  L.push(`- **The registry is on loopback** (127.0.0.1, no TLS, the registry's files in the page cache): transfer costs almost nothing, so push and pull here are dominated by compressing (push) and decompressing and extracting (pull) the layers on this machine's disk. A real registry adds the transfer of the compressed bytes — at 1 Gbit/s about ${gbit(f.compressedBytes.before?.median ?? f.compressedBytes.before)} before vs ${gbit(f.compressedBytes.after?.median ?? f.compressedBytes.after)} after, at 100 Mbit/s about ${mbit100(f.compressedBytes.before?.median ?? f.compressedBytes.before)} vs ${mbit100(f.compressedBytes.after?.median ?? f.compressedBytes.after)} — plus TLS and authentication round trips (a few per layer), so the gap in absolute seconds grows on a real network while the ratio stays roughly that of the compressed sizes.`);
  L.push('- **The toolchain base is local.** A real first build also pulls `golang:1.19` (~300 MB compressed) unless the build machine has it; a real new node pulls only the final image, which is what the cold start measures.');
  L.push('- **One service, one node.** The start figures are for a single container on one machine, which was not reserved for the demo (other jobs may have run alongside: the spread shows how much that moves the figures); Kubernetes adds scheduling, image-pull-policy checks (the untagged image still makes every start ask the registry: `k8s-image-pull-latest` is left for you), probes and Service endpoint propagation. The probes the fix wrote (a `startupProbe` every second instead of `initialDelaySeconds: 30`) are what lets that fast start show: before, a new pod received traffic no sooner than 30 s after start, whatever the image.');
  L.push('- **The rebuild figures** include BuildKit\'s cache mounts only on this machine\'s warm cache; a CI runner without a persistent cache sees the `--no-cache` column instead.');
  L.push('');
  return L.join('\n') + '\n';
}
