// The pure helpers of `npm run demo` (scripts/demo/lib.mjs): statistics,
// Kubernetes quantities and downward-API values, log and output parsing, and
// the docs/impact.md page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countFindings,
  dockerRunArgs,
  downwardValue,
  fmtBytes,
  fmtMs,
  fmtRatio,
  figureRow,
  manifestBytes,
  parseContainerId,
  parseGoMemLimit,
  parseQuantity,
  parseStartupLog,
  ratio,
  renderImpact,
  runSpecFromManifest,
  stats,
} from '../../scripts/demo/lib.mjs';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'demo-service');

describe('stats', () => {
  it('median, min, max of odd and even counts; keeps the raw values in order', () => {
    expect(stats([5, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 5, values: [5, 1, 3] });
    expect(stats([4, 1, 3, 2])).toMatchObject({ n: 4, median: 2.5, min: 1, max: 4 });
    expect(stats([7])).toMatchObject({ n: 1, median: 7, min: 7, max: 7 });
  });
  it('ignores non-numbers; empty gives nulls', () => {
    expect(stats([NaN, 2, Infinity])).toMatchObject({ n: 1, median: 2 });
    expect(stats([])).toMatchObject({ n: 0, median: null, min: null, max: null });
  });
  it('does not sort the caller\'s array', () => {
    const xs = [3, 1, 2];
    stats(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
  it('ratio: after / before, null when it cannot be computed', () => {
    expect(ratio(200, 50)).toBe(0.25);
    expect(ratio(0, 5)).toBeNull();
    expect(ratio(undefined, 5)).toBeNull();
    expect(ratio(5, null)).toBeNull();
  });
});

describe('Kubernetes quantities and the downward API', () => {
  it.each([
    ['500m', 0.5],
    ['1500m', 1.5],
    ['2', 2],
    ['0.25', 0.25],
    ['.5', 0.5],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['128M', 128e6],
    ['1e3', 1000],
    ['100k', 1e5],
  ])('%s = %d', (q, n) => expect(parseQuantity(q)).toBeCloseTo(n, 9));

  it.each(['', '1.5.5', '12 Mi', 'Mi', '1MiB', '1ki', 'abc'])('%j is malformed', (q) => expect(parseQuantity(q)).toBeUndefined());

  it('resourceFieldRef values: ceil(quantity / divisor), as Kubernetes gives them', () => {
    expect(downwardValue('250m')).toBe('1');
    expect(downwardValue('500m')).toBe('1');
    expect(downwardValue('1500m')).toBe('2');
    expect(downwardValue('2')).toBe('2');
    expect(downwardValue('500m', '1m')).toBe('500');
    expect(downwardValue('512Mi')).toBe(String(512 * 2 ** 20));
    expect(downwardValue('512Mi', '1Mi')).toBe('512');
    expect(downwardValue('1Gi', '1M')).toBe('1074');
    expect(downwardValue('nope')).toBeUndefined();
    expect(downwardValue('1', '0')).toBeUndefined();
  });

  it('GOMEMLIMIT as the Go runtime reads it', () => {
    expect(parseGoMemLimit('460MiB')).toBe(460 * 2 ** 20);
    expect(parseGoMemLimit('1GiB')).toBe(2 ** 30);
    expect(parseGoMemLimit('1000')).toBe(1000);
    expect(parseGoMemLimit('1000B')).toBe(1000);
    expect(parseGoMemLimit('off')).toBeNull();
    for (const bad of ['512Mi', '1G', '512MB', '1.5GiB', '', 'OFF']) expect(parseGoMemLimit(bad)).toBeUndefined();
  });
});

describe('the manifest as docker run flags', () => {
  const fixed = `apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          env:
            - name: PORT
              value: "8080"
            - name: GOMAXPROCS
              valueFrom:
                resourceFieldRef:
                  resource: limits.cpu
            - name: GOMEMLIMIT
              value: "460MiB"
            - name: MEM_MB
              valueFrom:
                resourceFieldRef: {resource: limits.memory, divisor: 1Mi}
            - name: REQ
              valueFrom:
                resourceFieldRef: {resource: requests.cpu, divisor: 1m}
            - name: POD
              valueFrom:
                fieldRef: {fieldPath: metadata.name}
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: 1500m, memory: 512Mi}
`;
  it('resolves the downward API against the limits and requests', () => {
    const spec = runSpecFromManifest(fixed);
    expect(spec.cpus).toBe(1.5);
    expect(spec.memoryBytes).toBe(512 * 2 ** 20);
    expect(spec.env).toEqual({ PORT: '8080', GOMAXPROCS: '2', GOMEMLIMIT: '460MiB', MEM_MB: '512', REQ: '250' });
    expect(spec.unresolved).toEqual(['POD (valueFrom fieldRef)']);
    expect(dockerRunArgs(spec)).toEqual([
      '--cpus', '1.5', '--memory', String(512 * 2 ** 20),
      '-e', 'GOMAXPROCS=2', '-e', 'GOMEMLIMIT=460MiB', '-e', 'MEM_MB=512', '-e', 'PORT=8080', '-e', 'REQ=250',
    ]);
  });

  it('a resourceFieldRef on a limit that is not set is reported, not invented', () => {
    const spec = runSpecFromManifest(fixed.replace('limits: {cpu: 1500m, memory: 512Mi}', 'limits: {memory: 512Mi}'));
    expect(spec.cpus).toBeUndefined();
    expect(spec.env.GOMAXPROCS).toBeUndefined();
    expect(spec.unresolved[0]).toMatch(/^GOMAXPROCS \(limits\.cpu: not set/);
    expect(dockerRunArgs(spec).slice(0, 2)).toEqual(['--memory', String(512 * 2 ** 20)]);
  });

  it('the naive example manifest: limits and no Go runtime settings', () => {
    const spec = runSpecFromManifest(fs.readFileSync(path.join(EXAMPLE, 'k8s', 'deployment.yaml'), 'utf8'));
    expect(spec.cpus).toBeGreaterThan(0);
    expect(spec.memoryBytes).toBeGreaterThan(0);
    expect(spec.env.GOMAXPROCS).toBeUndefined();
    expect(spec.env.GOMEMLIMIT).toBeUndefined();
    expect(spec.image).not.toMatch(/:[\w.-]+$/); // untagged, as the issue wants
  });

  it('a file with no workload is an error', () => {
    expect(() => runSpecFromManifest('apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n')).toThrow(/no workload/);
  });
});

describe('parsing what the tools print', () => {
  it('the service\'s start-up line', () => {
    const log = '2026/01/01 10:00:00 starting: GOMAXPROCS=1 GOMEMLIMIT=482344960 NumCPU=8 go=go1.19.8\n2026/01/01 listening on 127.0.0.1:8080\n';
    expect(parseStartupLog(log)).toEqual({ gomaxprocs: 1, gomemlimit: 482344960, numCPU: 8, go: 'go1.19.8' });
    expect(parseStartupLog('x starting: GOMAXPROCS=8 GOMEMLIMIT=none NumCPU=8')).toEqual({ gomaxprocs: 8, gomemlimit: null, numCPU: 8, go: null });
    expect(parseStartupLog('panic: malformed GOMEMLIMIT')).toBeUndefined();
  });

  it('the bytes a pull transfers, from a registry manifest', () => {
    const m = { schemaVersion: 2, config: { size: 1000 }, layers: [{ size: 20 }, { size: 300 }] };
    expect(manifestBytes(m)).toBe(1320);
    expect(manifestBytes(JSON.stringify(m))).toBe(1320);
    expect(() => manifestBytes({ manifests: [] })).toThrow(/no layers/);
  });

  it('a container id from docker run -d', () => {
    const id = 'a'.repeat(64);
    expect(parseContainerId(`${id}\n`)).toBe(id);
    expect(parseContainerId(`Unable to find image\n${id}\n`)).toBe(id);
    expect(parseContainerId('docker: Error response from daemon: x\n')).toBeUndefined();
  });

  it('lint --format json: totals, fixable, a flat list', () => {
    const report = [
      { file: 'Dockerfile', findings: [{ rule: 'a', severity: 'warning', line: 2, fixable: true }, { rule: 'b', severity: 'info', line: 3, fixable: false }] },
      { file: 'k8s/d.yaml', findings: [] },
    ];
    expect(countFindings(JSON.stringify(report))).toEqual({
      total: 2,
      fixable: 1,
      findings: [
        { file: 'Dockerfile', rule: 'a', severity: 'warning', line: 2, fixable: true },
        { file: 'Dockerfile', rule: 'b', severity: 'info', line: 3, fixable: false },
      ],
    });
  });
});

describe('formatting', () => {
  it('bytes in decimal units like Docker, durations, ratios', () => {
    expect(fmtBytes(892_000_000)).toBe('892 MB');
    expect(fmtBytes(4_940_000)).toBe('4.94 MB');
    expect(fmtBytes(12_400_000)).toBe('12.4 MB');
    expect(fmtBytes(999)).toBe('999 B');
    expect(fmtBytes(undefined)).toBe('—');
    expect(fmtMs(87.4)).toBe('87 ms');
    expect(fmtMs(1234)).toBe('1.23 s');
    expect(fmtMs(48_120)).toBe('48.1 s');
    expect(fmtRatio(0.0055)).toBe('0.55 % (182× less)');
    expect(fmtRatio(0.4)).toBe('40 % (2.5× less)');
    expect(fmtRatio(2)).toBe('200 % (2.0× more)');
    expect(fmtRatio(null)).toBe('—');
  });

  it('a table row shows median (min–max) when there is a spread', () => {
    const b = stats([100, 300, 200]);
    const a = stats([10, 30, 20]);
    expect(figureRow('x', b, a, fmtMs)).toBe('| x | 200 ms (100 ms–300 ms) | 20 ms (10 ms–30 ms) | 10 % (10× less) |');
    expect(figureRow('size', 1e9, 5e6, fmtBytes)).toBe('| size | 1.00 GB | 5.00 MB | 0.50 % (200× less) |');
  });
});

describe('renderImpact', () => {
  const s = (xs: number[]) => stats(xs);
  const results = {
    generatedAt: '2026-01-02T03:04:05.000Z',
    mode: 'full',
    runs: 3,
    machine: { cpus: 2, cpuModel: 'Test CPU', memBytes: 8e9, kernel: '6.1', os: 'Debian 12' },
    docker: { server: '20.10.24', client: '20.10.24', storageDriver: 'overlay2', cgroupVersion: '2', buildkitCli: '/usr/bin/docker' },
    toolchain: { tag: 'golang:1.19', how: 'reused', size: 885e6, goVersion: '1.19.8' },
    lint: {
      before: { total: 2, fixable: 1, findings: [{ file: 'Dockerfile', rule: 'go-single-stage', severity: 'warning', line: 2, fixable: true }, { file: 'k8s/d.yaml', rule: 'k8s-image-pull-latest', severity: 'warning', line: 9, fixable: false }] },
      passes: 1,
      converged: true,
      after: { total: 1, fixable: 0, findings: [{ file: 'k8s/d.yaml', rule: 'k8s-image-pull-latest', severity: 'warning', line: 9, fixable: false }] },
      diff: '--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-FROM golang:1.19\n+FROM golang:1.19 AS build\n',
      classicDiff: '',
    },
    builds: { list: [{ image: 'before', builder: 'buildkit', ok: true, ms: 1700, size: 892e6, layers: 5 }, { image: 'after', builder: 'classic', ok: false, ms: 100, error: 'the --mount option requires BuildKit' }], afterClassicNote: 'it stops.' },
    analyze: { before: '5 layers', after: '2 layers' },
    figures: {
      size: { before: 892e6, after: 4.94e6 },
      layers: { before: 5, after: 2 },
      compressedBytes: { before: 296e6, after: 2.19e6 },
      push: { before: s([48000, 47000, 49000]), after: s([400, 390, 410]) },
      pull: { before: s([14000, 13000, 15000]), after: s([220, 210, 230]) },
      coldRun: { before: s([1100, 1000, 1200]), after: s([200, 190, 210]) },
      coldStart: { before: s([15100, 14000, 16200]), after: s([420, 400, 440]) },
      warmStart: { before: s([260, 250, 270]), after: s([170, 160, 180]) },
      rebuild: { buildkit: { before: s([1200]), after: s([850]) }, classic: { before: s([1700]), after: s([34000]) } },
      cleanBuild: { buildkit: { before: 1700, after: 31000 }, classic: { before: 2100, after: 38000 } },
      stop: { before: s([10100]), after: s([83]) },
    },
    proofs: {
      healthz: { before: '200 {"status":"ok"}', after: '200 {"status":"ok"}' },
      sigterm: { before: { ms: 10100, exitCode: 137, graceful: false }, after: { ms: 83, exitCode: 0, graceful: true } },
      limits: {
        manifest: { cpu: '500m', memory: '512Mi' },
        beforeArgs: ['--cpus', '0.5'],
        afterArgs: ['--cpus', '0.5', '-e', 'GOMAXPROCS=1'],
        expected: { gomaxprocs: 1, gomemlimit: 482344960 },
        before: { gomaxprocs: 2, gomemlimit: null, numCPU: 2 },
        after: { gomaxprocs: 1, gomemlimit: 482344960, numCPU: 2 },
        distinguishable: true,
      },
    },
    checks: { 'fixes converged': true, 'after image < 5 % of before': true },
  };

  it('has the headline table, the proofs, the diff, the machine and the caveats', () => {
    const page = renderImpact(results);
    expect(page).toContain('| image size (uncompressed, `docker image inspect`) | 892 MB | 4.94 MB | 0.55 % (181× less) |');
    expect(page).toContain('| push to an empty registry | 48.0 s (47.0 s–49.0 s) | 400 ms (390 ms–410 ms) |');
    expect(page).toContain('3 runs of each measurement');
    expect(page).toContain('```diff\n--- a/Dockerfile');
    expect(page).toContain('Docker Engine 20.10.24 (storage driver `overlay2`');
    expect(page).toContain('The registry is on loopback');
    expect(page).toContain('**The classic builder cannot build the fixed Dockerfile**');
    expect(page).toContain('Why the fixed Dockerfile builds slower from scratch here');
    expect(page).toContain('| GOMAXPROCS logged under the manifest\'s limits | 2 (the machine\'s CPUs: 2) | 1 (expected 1) |');
    expect(page).toContain('[go-single-stage](rules/go-single-stage.md)');
    expect(page).not.toContain('cannot tell before from after');
    expect(page).not.toMatch(/undefined|NaN/);
  });

  it('says so when the machine cannot tell GOMAXPROCS before from after', () => {
    const r = structuredClone(results);
    r.proofs.limits.distinguishable = false;
    expect(renderImpact(r)).toContain('cannot tell before from after here');
  });
});
