import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../server/src/cli/main';

const BIN = path.resolve(__dirname, '../../bin/container-tuner.js');
let dir: string;

function run(args: string[], stdin = ''): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir, readStdin: () => stdin, isTTY: false };
  const code = main(args, io);
  return { code, out, err };
}

function write(rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const APK = 'FROM alpine:3.20\nRUN apk add git\n';

describe('container-tuner lint', () => {
  it('walks folders for Dockerfile names, skipping node_modules, .git and vendor', () => {
    write('Dockerfile', APK);
    write('svc/api.Dockerfile', APK);
    write('svc/Dockerfile.prod', APK);
    write('svc/Containerfile', APK);
    write('svc/README.md', APK);
    write('node_modules/x/Dockerfile', APK);
    write('vendor/y/Dockerfile', APK);
    write('.git/Dockerfile', APK);
    const r = run(['lint', '--format', 'json']);
    const files = JSON.parse(r.out).map((f: { file: string }) => f.file).sort();
    expect(files).toEqual(['Dockerfile', 'svc/Containerfile', 'svc/Dockerfile.prod', 'svc/api.Dockerfile'].map((f) => path.join('.', f)).sort());
  });

  it('prints JSON with 1-based positions and fixable flags', () => {
    write('Dockerfile', APK);
    const r = run(['lint', 'Dockerfile', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([
      {
        file: 'Dockerfile',
        findings: [
          { rule: 'apk-no-cache', severity: 'warning', message: expect.stringContaining('--no-cache'), line: 2, column: 5, endLine: 2, endColumn: 12, fixable: true },
        ],
      },
    ]);
  });

  it('prints text lines and a summary', () => {
    write('Dockerfile', APK);
    const r = run(['lint', 'Dockerfile']);
    expect(r.out).toMatch(/^Dockerfile:2:5 warning apk-no-cache .*--no-cache/m);
    expect(r.out).toMatch(/1 problem \(0 errors, 1 warning, 0 info\) in 1 file\. 1 fixable with --fix\./);
  });

  it('exits by --fail-on', () => {
    write('Dockerfile', APK);
    expect(run(['lint', 'Dockerfile']).code).toBe(0);
    expect(run(['lint', 'Dockerfile', '--fail-on', 'warning']).code).toBe(1);
    expect(run(['lint', 'Dockerfile', '--fail-on', 'info']).code).toBe(1);
    expect(run(['lint', 'Dockerfile', '--fail-on', 'bogus']).code).toBe(2);
    expect(run(['lint', 'Dockerfile', '--fail-on', 'none']).code).toBe(0);
    expect(run(['lint', '--format', 'xml']).code).toBe(2);
    expect(run(['lint', '--nope']).code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
  });

  it('--fix rewrites files in place, byte for byte elsewhere, and reports what is left', () => {
    const original = '# keep me\r\nFROM alpine:3.20\r\nRUN apk add git \\\r\n    make\r\n';
    write('Dockerfile', original);
    const r = run(['lint', '--fix', 'Dockerfile', '--format', 'json']);
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('# keep me\r\nFROM alpine:3.20\r\nRUN apk add --no-cache git \\\r\n    make\r\n');
    const json = JSON.parse(r.out);
    expect(json[0].fixed).toBe(1);
    expect(json[0].findings.filter((f: { rule: string }) => f.rule === 'apk-no-cache')).toEqual([]);
    // a second run changes nothing
    run(['lint', '--fix', 'Dockerfile']);
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('# keep me\r\nFROM alpine:3.20\r\nRUN apk add --no-cache git \\\r\n    make\r\n');
  });

  it('reports unreadable paths clearly, lints the rest, exits 2', () => {
    write('Dockerfile', APK);
    const r = run(['lint', 'missing/Dockerfile', 'Dockerfile']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/missing\/Dockerfile: error cannot read: no such file or directory/);
    expect(r.out).toMatch(/Dockerfile:2:5 warning apk-no-cache/);
  });

  it('reads stdin with --stdin-filename', () => {
    const r = run(['lint', '-', '--stdin-filename', 'build/Dockerfile', '--format', 'json'], APK);
    const json = JSON.parse(r.out);
    expect(json[0].file).toBe('build/Dockerfile');
    expect(json[0].findings[0].rule).toBe('apk-no-cache');
  });

  it('honours .container-tuner.yaml and --config', () => {
    write('Dockerfile', APK);
    write('.container-tuner.yaml', 'rules:\n  apk-no-cache: error\n');
    expect(run(['lint', 'Dockerfile']).code).toBe(1);
    write('other.yaml', 'rules:\n  apk-no-cache: off\nignorePaths: []\n');
    const r = run(['lint', 'Dockerfile', '--config', 'other.yaml', '--format', 'json']);
    expect(JSON.parse(r.out)[0].findings).toEqual([]);
    expect(run(['lint', '--config', 'nope.yaml']).code).toBe(2);
    write('.container-tuner.yaml', 'ignorePaths:\n  - Dockerfile\n');
    expect(JSON.parse(run(['lint', '.', '--format', 'json']).out).map((f: { file: string }) => f.file)).toEqual([path.join('.', 'other.yaml')]);
  });

  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    write('Dockerfile', APK);
    const r = run(['lint', '--format', 'sarif']);
    const log = JSON.parse(r.out);
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // the validator does reject a broken log
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
    const run0 = log.runs[0];
    expect(run0.tool.driver.rules.map((x: { id: string }) => x.id)).toContain('apk-no-cache');
    expect(run0.tool.driver.rules.every((x: { helpUri: string }) => /docs\/rules\/.+\.md$/.test(x.helpUri))).toBe(true);
    const res = run0.results[0];
    expect(res).toMatchObject({ ruleId: 'apk-no-cache', level: 'warning', locations: [{ physicalLocation: { artifactLocation: { uri: 'Dockerfile' }, region: { startLine: 2, startColumn: 5 } } }] });
    expect(run0.tool.driver.rules[res.ruleIndex].id).toBe('apk-no-cache');
  });

  it('runs as a process through bin/ (exit codes included)', () => {
    write('Dockerfile', APK);
    const r = spawnSync(process.execPath, [BIN, 'lint', 'Dockerfile', '--fail-on', 'warning'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/apk-no-cache/);
    const v = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('container-tuner lint on Kubernetes manifests', () => {
  const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: nginx\n';

  it('walks *.yaml/*.yml and ignores YAML that is not a workload', () => {
    write('k8s/deploy.yaml', DEPLOY);
    write('.github/workflows/ci.yml', 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n');
    write('compose.yaml', 'services:\n  web:\n    image: nginx\n');
    const json = JSON.parse(run(['lint', '--format', 'json']).out);
    const byFile = Object.fromEntries(json.map((f: { file: string; findings: { rule: string; line: number }[] }) => [f.file, f.findings.map((x) => `${x.rule}:${x.line}`)]));
    expect(byFile[path.join('.', 'k8s/deploy.yaml')]).toContain('k8s-image-pull-latest:10');
    expect(byFile[path.join('.', 'compose.yaml')]).toEqual([]);
    expect(byFile[path.join('.', '.github/workflows/ci.yml')]).toEqual([]);
  });

  it('names the Helm template from "# Source:" comments in rendered output on stdin', () => {
    const rendered = `---\n# Source: chart/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n# Source: chart/templates/deployment.yaml\n${DEPLOY}`;
    const json = JSON.parse(run(['lint', '-', '--format', 'json'], rendered).out);
    const dep = json.find((f: { file: string }) => f.file === 'chart/templates/deployment.yaml');
    expect(dep.findings.map((x: { rule: string; line: number }) => `${x.rule}:${x.line}`)).toContain('k8s-image-pull-latest:11');
    expect(json.find((f: { file: string }) => f.file === 'chart/templates/service.yaml').findings).toEqual([]);
  });

  it('reports a rendered manifest committed to the repository at its own path and lines, with its fixes', () => {
    // `# Source:` comments name templates elsewhere (or nowhere): only stdin is split by them
    write('deploy/rendered.yaml', `---\n# Source: chart/templates/deployment.yaml\n${DEPLOY}`);
    write('plain/deploy.yaml', DEPLOY);
    type Json = { file: string; findings: { rule: string; line: number; fixable: boolean }[] }[];
    const rendered: Json = JSON.parse(run(['lint', 'deploy', '--format', 'json']).out);
    const plain: Json = JSON.parse(run(['lint', 'plain', '--format', 'json']).out);
    expect(rendered.map((f) => f.file)).toEqual([path.join('deploy', 'rendered.yaml')]);
    // the same findings as without the two lines above the document, two lines down, as fixable
    expect(plain[0].findings.length).toBeGreaterThan(0);
    expect(rendered[0].findings.map((x) => `${x.rule}:${x.line}:${x.fixable}`)).toEqual(plain[0].findings.map((x) => `${x.rule}:${x.line + 2}:${x.fixable}`));
    expect(rendered[0].findings.map((x) => `${x.rule}:${x.line}`)).toContain('k8s-image-pull-latest:12');
  });

  it('skips Helm templates themselves without noise', () => {
    write('chart/Chart.yaml', 'apiVersion: v2\nname: chart\nversion: 0.1.0\n');
    write('chart/templates/deploy.yaml', DEPLOY);
    const json = JSON.parse(run(['lint', 'chart', '--format', 'json']).out);
    expect(json.flatMap((f: { findings: unknown[] }) => f.findings)).toEqual([]);
  });

  it('with --fix on stdin, prints the fixed text on stdout and the report on stderr', () => {
    const r = run(['lint', '-', '--fix', '--stdin-filename', 'Dockerfile'], 'FROM alpine:3.20\nRUN apk add git\n');
    expect(r.out).toBe('FROM alpine:3.20\nRUN apk add --no-cache git\n');
    expect(r.err).toMatch(/Fixed 1/);
  });
});

describe('the bundled examples (what examples/README.md says of each)', () => {
  const EXAMPLES = path.resolve(__dirname, '../../examples');
  const rulesOf = (folder: string) => {
    const r = run(['lint', path.join(EXAMPLES, folder), '--format', 'json', '--fail-on', 'none']);
    expect(r.code, r.err).toBe(0);
    return new Set((JSON.parse(r.out) as { findings: { rule: string }[] }[]).flatMap((f) => f.findings.map((x) => x.rule)));
  };

  it('tuned/ is what good looks like: no findings', () => {
    expect([...rulesOf('tuned')]).toEqual([]);
  });

  it('each other example shows the problems its row names', () => {
    expect([...rulesOf('naive-single-stage')]).toEqual(expect.arrayContaining(['go-single-stage', 'go-mod-cache-order', 'apt-lists-cleanup', 'exec-form-cmd']));
    expect([...rulesOf('multistage-scratch')]).toEqual(expect.arrayContaining(['go-static-binary', 'go-strip-symbols', 'go-env-syntax']));
    expect([...rulesOf('alpine-runtime')]).toEqual(expect.arrayContaining(['go-static-binary', 'base-image-unpinned', 'apk-no-cache', 'go-gc-unbounded', 'go-env-syntax']));
    expect([...rulesOf('windows-service')]).toEqual(expect.arrayContaining(['windows-servercore-runtime']));
  });
});
