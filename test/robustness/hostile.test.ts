// Hostile and huge inputs (issue 8): alias bombs, 10,000-deep nesting, 50 MB
// files, binary and invalid UTF-8, NUL bytes, 100,000-line files. Every case
// runs in a child process (child.ts) with a generous kill timeout per case: a
// case that would hang fails instead of hanging the suite. No assertion is
// about time; the durations are printed for the record (docs/robustness.md).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FILE_SIZE, lint, sizeLimitFinding } from '../../server/src/engine/lint';
import { MemoryWorkspace } from '../../server/src/engine/workspace';
import { settingsFrom } from '../../server/src/server';
import { CASES } from './cases';
import { runCases, type ChildRun } from './child';

/** Far above what any case needs on a slow machine; only a hang reaches it. */
const CASE_KILL_MS = 90_000;
const GROUPS = [...new Set(CASES.map((c) => c.group))];
describe.each(GROUPS)('hostile inputs: %s', (group) => {
  const cases = CASES.filter((c) => c.group === group);
  let run: ChildRun;
  // one group at a time (each case in turn in its child): the durations printed are not skewed by the others
  beforeAll(async () => {
    run = await runCases(cases.map((c) => c.name), CASE_KILL_MS);
    const lines = cases.map((c) => {
      const d = run.done.get(c.name) as { ms?: number; bytes?: number; findings?: number; fixPasses?: number } | undefined;
      return d ? `  ${String(Math.round(d.ms ?? 0)).padStart(6)} ms  ${((d.bytes ?? 0) / 1048576).toFixed(1).padStart(5)} MB  ${String(d.findings).padStart(7)} findings${d.fixPasses !== undefined ? `, fix-all ${d.fixPasses} pass(es)` : ''}  ${c.name}` : `  ${run.hung.includes(c.name) ? 'HUNG' : 'CRASHED'}  ${c.name}`;
    });
    console.log(`hostile inputs (${group}):\n${lines.join('\n')}`);
  }, CASE_KILL_MS * cases.length + 60_000);

  it.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    expect(run.hung, `"${name}" was still running after ${CASE_KILL_MS / 1000} s and was killed`).not.toContain(name);
    const crash = run.crashed.find((x) => x.name === name);
    expect(crash?.detail, 'the child process died').toBeUndefined();
    const r = run.done.get(name) as { ok: boolean; problems: string[]; findings: number; rules: string[] } | undefined;
    expect(r, 'no result').toBeTruthy();
    expect(r!.problems).toEqual([]);
    if (c.expect?.skipped) {
      expect(r!.findings).toBe(1);
      expect(r!.rules).toEqual(['container-tuner']);
    }
    if (c.expect?.none) expect(r!.findings).toBe(0);
    if (c.expect?.atLeast) expect(r!.findings).toBeGreaterThanOrEqual(c.expect.atLeast);
  });
});

describe('the size limit (containerTuner.maxFileSize, --max-file-size)', () => {
  const CLI = path.resolve(__dirname, '../../bin/container-tuner.js');
  const big = 'FROM alpine:3.20\n' + '# padding padding\n'.repeat(180_000) + 'RUN apk add git\n'; // 3.2 MB

  function cli(args: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('the CLI skips a file above the limit with one info finding, lints it with --max-file-size 0, rejects a bad value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-size-'));
    try {
      const file = path.join(dir, 'Dockerfile');
      fs.writeFileSync(file, big);
      const skipped = cli([file]);
      expect(skipped.code, skipped.err).toBe(0);
      const findings = JSON.parse(skipped.out)[0].findings;
      expect(findings.map((f: { rule: string; severity: string; fixable: boolean }) => [f.rule, f.severity, f.fixable])).toEqual([['container-tuner', 'info', false]]);
      expect(findings[0].message).toMatch(/^Not linted: this file is 3\.\d MB, above the 2\.0 MB limit/);
      const lifted = cli(['--max-file-size', '0', '--fail-on', 'none', file]);
      expect(lifted.code, lifted.err).toBe(0);
      expect(JSON.parse(lifted.out)[0].findings.map((f: { rule: string }) => f.rule)).toEqual(['apk-no-cache']);
      const small = cli(['--max-file-size', '100', file]);
      expect(JSON.parse(small.out)[0].findings[0].message).toMatch(/above the 100 bytes limit/);
      const bad = cli(['--max-file-size', '2MB', file]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--max-file-size takes a number of bytes/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('the engine: default 2 MB, 0 = none; YAML without a workload is skipped silently; the server reads the setting', () => {
    const ws = new MemoryWorkspace({});
    expect(lint({ text: big, path: '/x/Dockerfile' }, ws).findings.map((f) => f.rule)).toEqual(['container-tuner']);
    expect(lint({ text: 'FROM alpine:3.20\nRUN apk add git\n', path: '/x/Dockerfile' }, ws, { maxFileSize: 10 }).findings.map((f) => f.rule)).toEqual(['container-tuner']);
    expect(lint({ text: 'FROM alpine:3.20\nRUN apk add git\n', path: '/x/Dockerfile' }, ws, { maxFileSize: 0 }).findings.map((f) => f.rule)).toEqual(['apk-no-cache']);
    expect(lint({ text: 'openapi: 3.0.0\n' + '# x\n'.repeat(10), path: '/x/api.yaml' }, ws, { maxFileSize: 10 }).findings).toEqual([]);
    expect(lint({ text: 'kind: Deployment\n' + '# x\n'.repeat(10), path: '/x/deploy.yaml' }, ws, { maxFileSize: 10 }).findings.map((f) => f.rule)).toEqual(['container-tuner']);
    // multi-byte text is measured in UTF-8 bytes
    expect(sizeLimitFinding('FROM é\n', 'dockerfile', 7)).toBeTruthy();
    expect(sizeLimitFinding('FROM e\n', 'dockerfile', 7)).toBeUndefined();
    expect(settingsFrom({ maxFileSize: 1000 }).maxFileSize).toBe(1000);
    expect(settingsFrom({ maxFileSize: 0 }).maxFileSize).toBe(0);
    expect(settingsFrom({ maxFileSize: -5 }).maxFileSize).toBe(DEFAULT_MAX_FILE_SIZE);
    expect(settingsFrom({}).maxFileSize).toBe(DEFAULT_MAX_FILE_SIZE);
    expect(DEFAULT_MAX_FILE_SIZE).toBe(2 * 1024 * 1024);
    // package.json declares the setting with the same default
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(pkg.contributes.configuration.properties['containerTuner.maxFileSize'].default).toBe(DEFAULT_MAX_FILE_SIZE);
  });
});
