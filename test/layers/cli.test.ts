// `container-tuner layers`: usage, text and JSON output, estimates without
// Docker, and the real engine through the built CLI when there is one.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersCommand } from '../../server/src/cli/layers';
import type { CliIO } from '../../server/src/cli/main';
import type { LayerTable } from '../../server/src/engine/layers/estimate';
import { build, BUSYBOX, cleanup, dockerUnavailable, RUN_TAG, skipLoudly } from './docker-env';

const BIN = path.resolve(__dirname, '../../bin/container-tuner.js');
let dir: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir, readStdin: () => '', isTTY: false };
  const code = await layersCommand(args, io);
  return { code, out, err };
}

function runBin(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-layers-cli-'));
  fs.writeFileSync(path.join(dir, 'blob'), Buffer.alloc(2500));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch AS one\nCOPY blob /blob\n\nFROM one AS two\nRUN ["/x"]\nCMD ["/blob"]\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('container-tuner layers', () => {
  it('usage errors exit 2', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['Dockerfile', '--format', 'xml'])).err).toContain('--format must be text or json');
    expect((await run(['missing/Dockerfile'])).err).toContain('no such file');
    const stage = await run(['Dockerfile', '--stage', 'nope']);
    expect(stage.code).toBe(2);
    expect(stage.err).toContain('no stage nope in Dockerfile (stages: 0 (one), 1 (two))');
    expect((await run(['Dockerfile', '--timeout', '-5'])).code).toBe(2);
    expect((await run(['--help'])).out).toContain('Usage: container-tuner layers');
  });

  it('--no-docker: estimates as text, the stage by name or index', async () => {
    const r = await run(['Dockerfile', '--no-docker']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Dockerfile — stage 1 "two" of 2 (final)');
    expect(r.out).toContain('no-docker: --no-docker: estimates only.');
    expect(r.out).toMatch(/ {3}4 {2}FROM one AS two +2\.5 kB {2}base/);
    expect(r.out).toMatch(/ {3}5 {2}RUN \["\/x"\] +\? {2}unknown/);
    expect(r.err).toContain('container-tuner layers: no-docker');
    const one = await run(['Dockerfile', '--no-docker', '--stage', 'one']);
    expect(one.out).toMatch(/ {3}2 {2}COPY blob \/blob +2\.5 kB {2}context/);
    expect((await run(['Dockerfile', '--no-docker', '--stage', '0'])).out).toContain('stage 0 "one" of 2');
  });

  it('--format json prints the LayerTable; a missing docker is no-docker', async () => {
    const r = await run(['Dockerfile', '--format', 'json', '--docker', path.join(dir, 'no-docker-here')]);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.out) as LayerTable;
    expect(t).toMatchObject({ version: 1, state: 'no-docker', stage: 1, file: path.join(dir, 'Dockerfile') });
    expect(t.stages.map((s) => s.name)).toEqual(['one', 'two']);
    expect(t.rows[0]).toMatchObject({ keyword: 'FROM', source: 'base', size: 2500 });
    expect(r.err).toBe('');
  });

  it('the built CLI dispatches `layers` and sets the exit status when done', async () => {
    expect(fs.existsSync(BIN)).toBe(true);
    const r = await runBin(['layers', 'Dockerfile', '--no-docker', '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as LayerTable).state).toBe('no-docker');
    expect((await runBin(['layers'])).code).toBe(2);
    expect((await runBin(['--help'])).out).toContain('container-tuner layers <Dockerfile>');
  });
});

const why = await dockerUnavailable();
if (why) skipLoudly('container-tuner layers with the real Docker Engine (test/layers/cli.test.ts)', why);

describe.skipIf(!!why)('container-tuner layers with the real Docker Engine', () => {
  afterAll(() => cleanup(), 60_000);

  it('matches the image built from the Dockerfile; --image names one; a dead DOCKER_HOST is daemon-down', async () => {
    const ctx = fs.mkdtempSync(path.join(dir, 'ctx-'));
    fs.copyFileSync(BUSYBOX!, path.join(ctx, 'busybox'));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), `FROM scratch\nCOPY busybox /bin/busybox\nLABEL cli=${RUN_TAG}\n`);
    const tag = `${RUN_TAG}-cli:v1`;
    const id = await build(ctx, tag, 'classic');
    const file = path.relative(dir, path.join(ctx, 'Dockerfile'));
    const r = await runBin(['layers', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.out) as LayerTable;
    expect(t.state).toBe('ok');
    expect(t.image).toMatchObject({ id, refs: [tag], by: 'auto' });
    expect(t.rows[1]).toMatchObject({ source: 'built', size: fs.statSync(BUSYBOX!).size });
    const text = await runBin(['layers', file]);
    expect(text.out).toContain(`image: ${tag} ${id.slice(7, 19)}`);
    expect(text.out).toContain('classic builder, match 100% (auto)');
    const named = JSON.parse((await runBin(['layers', file, '--format', 'json', '--image', 'ct-no-such-image:1'])).out) as LayerTable;
    expect(named).toMatchObject({ state: 'no-image', message: expect.stringContaining('ct-no-such-image:1') });
    const down = await runBin(['layers', file], { ...process.env, DOCKER_HOST: `unix://${path.join(dir, 'dead.sock')}`, DOCKER_CONTEXT: '' });
    expect(down.code).toBe(0);
    expect(down.out).toContain('daemon-down: Docker is not running');
    expect(down.err).toContain('daemon-down');
  }, 120_000);
});
