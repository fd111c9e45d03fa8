// `container-tuner analyze` on hand-built archives: formats, dive-compatible
// gates and exit codes, argument errors.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGates, runAnalyze } from '../../server/src/cli/analyze';
import type { CliIO } from '../../server/src/cli/main';
import { parseSize } from '../../server/src/engine/image/units';
import { GO_MODINFO, imageConfig, legacyArchive, makeElf, ociDir, tarOf } from './fixtures';

const BIN = path.resolve(__dirname, '../../bin/container-tuner.js');
let dir: string;
let archive: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-analyze-cli-'));
  // the worked case of dive.test.ts: efficiency 2170/7290, wasted 5220, user size 5130
  const layers = await Promise.all(
    [
      [
        { name: 'bin/busybox', size: 1000 },
        { name: 'etc/conf', size: 100 },
        { name: 'data/', type: 'directory' as const },
        { name: 'data/a', size: 300 },
        { name: 'data/b', size: 200 },
        { name: 'tmp/x', size: 50 },
      ],
      [
        { name: 'etc/conf', size: 120 },
        { name: 'big', size: 5000 },
      ],
      [
        { name: '.wh.big', size: 0 },
        { name: 'data/', type: 'directory' as const },
        { name: 'data/.wh..wh..opq', size: 0 },
        { name: 'data/c', size: 10 },
      ],
      [{ name: '.wh.data', size: 0 }],
      [{ name: 'app', content: makeElf({ modinfo: GO_MODINFO({ path: 'example.com/svc', build: ['CGO_ENABLED=0'] }) }) }],
    ].map(tarOf),
  );
  // + a fifth layer with a Go binary (it appears once: the figures of dive.test.ts do not change)
  archive = path.join(dir, 'svc.tar');
  fs.writeFileSync(archive, await legacyArchive(layers, imageConfig(layers, { env: ['GOMEMLIMIT=1G'], entrypoint: ['/app'] }), { tags: ['svc:1'] }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir, readStdin: () => '', isTTY: false };
  const code = await runAnalyze(args, io);
  return { code, out, err };
}

describe('container-tuner analyze', () => {
  it('text: summary, layers, wasted paths, Go binaries, findings', async () => {
    const r = await run(['svc.tar']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Image  svc\.tar \([0-9a-f]{12}\)  linux\/amd64  base: scratch/);
    expect(r.out).toContain('\nLayers\n');
    expect(r.out).toContain('5.00 kB  /big  added in layer 2, deleted in layer 3');
    expect(r.out).toContain('\nGo binaries\n  /app ');
    expect(r.out).toContain('go1.22.5  example.com/svc (devel)');
    expect(r.out).toContain('error    go-env-syntax  `GOMEMLIMIT=1G`');
    expect(r.out).not.toContain('\x1b[');
    expect(r.out).not.toContain('Gates');
  });

  it('json: the report with its gates', async () => {
    const r = await run(['svc.tar', '--format', 'json', '--min-efficiency', '0.1']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.version).toBe(1);
    expect(j.source).toMatchObject({ input: 'svc.tar', kind: 'archive', format: 'docker-legacy' });
    expect(j.image.repoTags).toEqual(['svc:1']);
    expect(j.layers).toHaveLength(5);
    expect(j.goBinaries[0].path).toBe('/app');
    expect(j.gates).toEqual([{ name: 'min-efficiency', threshold: 0.1, value: j.waste.efficiency, passed: true }]);
    expect(j.findings.map((f: { id: string }) => f.id)).toContain('go-env-invalid');
  });

  it('--verify hashes the layers: the same report, with digests computed from the content', async () => {
    const fast = JSON.parse((await run(['svc.tar', '--format', 'json'])).out);
    const r = await run(['svc.tar', '--format', 'json', '--verify']);
    expect(r.code).toBe(0);
    const verified = JSON.parse(r.out);
    expect(fast.layers.map((l: { digestVerified: boolean }) => l.digestVerified)).toEqual([false, false, false, false, false]);
    expect(verified.layers.map((l: { digestVerified: boolean }) => l.digestVerified)).toEqual([true, true, true, true, true]);
    // the config's diff_ids are right here: nothing else differs
    const strip = (j: { layers: { digestVerified?: boolean }[] }) => ({ ...j, layers: j.layers.map(({ digestVerified: _, ...l }) => l) });
    expect(strip(verified)).toEqual(strip(fast));
  });

  it('markdown', async () => {
    const r = await run(['svc.tar', '--format', 'markdown', '--max-wasted-bytes', '1kB']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^# Image report: svc\.tar\n/);
    expect(r.out).toContain('## Gates\n\n- ❌ fail: wasted 5.22 kB > 1.00 kB');
  });

  it('gates fail on strict < and > like dive', async () => {
    const j = JSON.parse((await run(['svc.tar', '--format', 'json'])).out);
    const eff = j.waste.efficiency as number;
    const wasted = j.waste.wastedBytes as number;
    const pct = j.waste.userWastedPercent as number;
    expect(wasted).toBe(5220);
    // equal to the threshold passes
    expect((await run(['svc.tar', '--min-efficiency', String(eff)])).code).toBe(0);
    expect((await run(['svc.tar', '--max-wasted-bytes', String(wasted)])).code).toBe(0);
    expect((await run(['svc.tar', '--max-wasted-percent', String(pct)])).code).toBe(0);
    // past it fails
    expect((await run(['svc.tar', '--min-efficiency', String(eff + 0.001)])).code).toBe(1);
    expect((await run(['svc.tar', '--max-wasted-bytes', String(wasted - 1)])).code).toBe(1);
    expect((await run(['svc.tar', '--max-wasted-percent', '0.1'])).code).toBe(1);
    // disabled
    expect((await run(['svc.tar', '--max-wasted-percent', 'disabled', '--max-wasted-bytes', 'disabled'])).code).toBe(0);
    const t = await run(['svc.tar', '--min-efficiency', '0.9', '--max-wasted-bytes', '20MB', '--max-wasted-percent', '10%']);
    expect(t.code).toBe(1);
    expect(t.out).toContain('FAIL  efficiency');
    expect(t.out).toContain('PASS  wasted 5.22 kB ≤ 20.0 MB');
    expect(t.out).toContain('FAIL  wasted ');
  });

  it('user wasted percent with nothing above the first layer: NaN passes, +Inf fails (as in Go)', () => {
    const base = { waste: { efficiency: 1, wastedBytes: 0, userWastedPercent: null } } as unknown as Parameters<typeof evaluateGates>[0];
    expect(evaluateGates(base, { maxWastedPercent: 0.1 })[0].passed).toBe(true);
    const inf = { waste: { efficiency: 0.5, wastedBytes: 10, userWastedPercent: null } } as unknown as Parameters<typeof evaluateGates>[0];
    expect(evaluateGates(inf, { maxWastedPercent: 0.1 })[0]).toEqual({ name: 'max-wasted-percent', threshold: 0.1, value: null, passed: false });
  });

  it('sizes as dive reads them (go-humanize)', () => {
    expect(parseSize('20MB')).toBe(20_000_000);
    expect(parseSize('20 MiB')).toBe(20 * 1024 * 1024);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
    expect(parseSize('1000')).toBe(1000);
    expect(parseSize('20 parsecs')).toBeUndefined();
  });

  it('an OCI layout directory', async () => {
    const layer = await tarOf([{ name: 'a', size: 10 }]);
    const d = path.join(dir, 'oci');
    ociDir(d, [{ tar: layer, compression: 'gzip' }], imageConfig([layer], { user: '1000' }));
    const r = await run(['oci', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).source).toMatchObject({ kind: 'oci-dir', format: 'oci-dir' });
  });

  it('errors exit 2 with a message: bad options, truncated archive', async () => {
    for (const args of [[], ['a', 'b'], ['svc.tar', '--format', 'xml'], ['svc.tar', '--min-efficiency', '2'], ['svc.tar', '--max-wasted-bytes', 'lots'], ['svc.tar', '--bogus']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^container-tuner analyze: /);
    }
    const buf = fs.readFileSync(archive);
    fs.writeFileSync(path.join(dir, 'cut.tar'), buf.subarray(0, Math.floor(buf.length / 2)));
    const r = await run(['cut.tar']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^container-tuner analyze: .*cut\.tar.*(truncated|not in the archive)/);
    expect((await run(['--help'])).out).toContain('Usage: container-tuner analyze');
  });

  it('through the bin script: exit status set when the analysis ends', async () => {
    if (!fs.existsSync(path.resolve(__dirname, '../../dist/cli.js'))) {
      console.warn('\n*** SKIPPED: dist/cli.js is not built (npm run build)\n');
      return;
    }
    const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'analyze', archive, '--format', 'json', '--max-wasted-bytes', '1kB'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (c) => (out += c));
      p.on('close', (code) => resolve({ code, out }));
    });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out).gates[0]).toMatchObject({ name: 'max-wasted-bytes', passed: false });
  }, 60_000);
});
