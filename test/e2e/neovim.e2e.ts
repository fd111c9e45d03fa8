// The language server in an editor nobody here wrote: Neovim's built-in LSP client (Debian's
// nvim 0.7), headless, configured with exactly the Lua snippet the README shows
// (fixtures/neovim/init.lua), `container-tuner` on PATH. It opens copies of the fixture
// files, waits for diagnostics, requests a code action at the cursor, applies the workspace
// edit with the client's offset encoding, waits for the re-lint, writes the file; the test
// compares the written text exactly. The Dockerfile fix lands after non-ASCII text on its line,
// so a client/server disagreement on position encodings would corrupt it.
// Skips loudly without nvim (run `bash scripts/e2e-setup.sh`), fails with REQUIRE_E2E=1.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, ROOT, skipUnlessPresent, which } from './harness/paths';
import { run } from './harness/proc';

const nvim = which('nvim');
const skip = skipUnlessPresent('Neovim e2e', nvim ? [] : ['nvim (Debian package neovim)']);

interface Job {
  file: string;
  code: string;
  title: string;
}

interface Diag {
  code: string;
  lnum: number;
  col: number;
}
interface TextEdit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}
interface WorkspaceEdit {
  documentChanges?: { textDocument: { uri: string; version: number | null }; edits: TextEdit[] }[];
  changes?: Record<string, TextEdit[]>;
}

/** The text edits of a workspace edit, whichever form the server chose. */
function editsOf(e: WorkspaceEdit): TextEdit[] {
  return e.documentChanges ? e.documentChanges.flatMap((c) => c.edits) : Object.values(e.changes ?? {}).flat();
}

interface Result {
  error?: string;
  jobs: {
    file: string;
    filetype: string;
    offset_encoding: string;
    /** whether this Neovim announces workspaceEdit.documentChanges (0.7 does not) */
    document_changes: boolean;
    /** the server's textDocumentSync.change (2 = incremental) */
    sync: number;
    /** Neovim's view: 0-based line, 0-based byte column */
    diagnostics: Diag[];
    after: Diag[];
    titles: string[];
    edit: WorkspaceEdit;
  }[];
}

describe.skipIf(skip)('Neovim (built-in LSP client) with `container-tuner lsp --stdio`', () => {
  let dir: string;

  beforeAll(() => {
    expect(fs.existsSync(path.join(ROOT, 'dist', 'cli.js')), 'run `npm run build` first (npm run test:e2e does)').toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-nvim-'));
  });

  afterAll(() => {
    if (dir && process.env.E2E_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
  });

  async function drive(jobs: Job[]): Promise<Result> {
    const work = path.join(dir, 'work');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    // `container-tuner` on PATH, as after `npm install -g`
    if (!fs.existsSync(path.join(bin, 'container-tuner'))) fs.symlinkSync(CLI, path.join(bin, 'container-tuner'));
    const xdg = Object.fromEntries(['CONFIG', 'DATA', 'CACHE', 'STATE'].map((k) => [`XDG_${k}_HOME`, path.join(dir, 'xdg', k.toLowerCase())]));
    for (const d of Object.values(xdg)) fs.mkdirSync(d, { recursive: true });
    const jobsFile = path.join(dir, 'jobs.json');
    const resultFile = path.join(dir, 'result.json');
    fs.writeFileSync(jobsFile, JSON.stringify(jobs));
    fs.rmSync(resultFile, { force: true });
    const r = await run(
      nvim!,
      ['--headless', '-u', path.join(FIXTURES, 'neovim', 'init.lua'), '-i', 'NONE', '-n', '-c', `luafile ${path.join(FIXTURES, 'neovim', 'drive.lua')}`],
      {
        cwd: work,
        env: {
          ...process.env,
          ...xdg,
          PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
          NVIM_LOG_FILE: path.join(dir, 'nvim.log'),
          CT_JOBS: jobsFile,
          CT_RESULT: resultFile,
        },
        timeoutMs: 90_000,
        allowFail: true,
      },
    );
    const result: Result | undefined = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : undefined;
    const log = fs.existsSync(path.join(dir, 'nvim.log')) ? fs.readFileSync(path.join(dir, 'nvim.log'), 'utf8').slice(-4000) : '';
    const context = `nvim exited ${r.code}\nresult: ${JSON.stringify(result, null, 1)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nnvim.log: ${log}`;
    expect(result?.error, context).toBeUndefined();
    expect(r.code, context).toBe(0);
    return result!;
  }

  it('lints a Dockerfile and a manifest, and applies quick-fixes with versioned edits in UTF-16 positions', async () => {
    const work = path.join(dir, 'work');
    fs.cpSync(path.join(FIXTURES, 'workspace'), work, { recursive: true });
    const dockerfile = path.join(work, 'Dockerfile');
    const manifest = path.join(work, 'k8s', 'deployment.yaml');
    const dockerBefore = fs.readFileSync(dockerfile, 'utf8');
    const manifestBefore = fs.readFileSync(manifest, 'utf8');

    const result = await drive([
      { file: dockerfile, code: 'go-env-syntax', title: 'GOMEMLIMIT' },
      { file: manifest, code: 'k8s-image-pull-latest', title: 'imagePullPolicy: IfNotPresent' },
    ]);

    const [docker, yaml] = result.jobs;
    expect(docker.filetype).toBe('dockerfile');
    expect(yaml.filetype).toBe('yaml');
    expect(docker.offset_encoding).toBe('utf-16');
    expect(docker.sync, 'incremental sync').toBe(2);
    // line 11: ENV GREETING="héllo wörld" GOMEMLIMIT=64Mi — the value starts at UTF-16
    // character 38 (the server's positions) and at byte 40 (Neovim's columns)
    expect(docker.diagnostics).toContainEqual({ code: 'go-env-syntax', lnum: 10, col: 40 });
    expect(editsOf(docker.edit)).toEqual([{ range: { start: { line: 10, character: 38 }, end: { line: 10, character: 42 } }, newText: '64MiB' }]);
    // a versioned edit exactly when the client announces documentChanges
    if (docker.document_changes) expect(docker.edit.documentChanges?.[0].textDocument.version).toEqual(expect.any(Number));
    else expect(docker.edit.documentChanges).toBeUndefined();
    // after the incremental didChange the server sees the same text as Neovim: only the fixed finding is gone
    expect(docker.after).toEqual(docker.diagnostics.filter((d) => d.code !== 'go-env-syntax'));
    expect(docker.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['apk-no-cache', 'exec-form-cmd']));
    expect(yaml.after).toEqual(yaml.diagnostics.filter((d) => d.code !== 'k8s-image-pull-latest'));

    expect(fs.readFileSync(dockerfile, 'utf8')).toBe(dockerBefore.replace('GOMEMLIMIT=64Mi\n', 'GOMEMLIMIT=64MiB\n'));
    expect(fs.readFileSync(manifest, 'utf8')).toBe(
      manifestBefore.replace(
        '          image: registry.example.com/hello:latest\n',
        '          image: registry.example.com/hello:latest\n          imagePullPolicy: IfNotPresent\n',
      ),
    );
  });

  it('uses the Lua configuration the README shows', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const init = fs.readFileSync(path.join(FIXTURES, 'neovim', 'init.lua'), 'utf8').trim();
    expect(readme, 'README "Other editors (LSP)" must show test/e2e/fixtures/neovim/init.lua verbatim').toContain(init);
  });
});
