// The packaged extension in the real VS Code workbench: code-server 4.100.3 (VS Code 1.100.3)
// driven by Debian's Chromium through playwright-core.
//   1. package the .vsix, start code-server with a fresh profile, install it, open the fixture workspace
//   2. open the Dockerfile and read our diagnostics back from the Problems view (rule ids, lines)
//   3. apply a quick-fix from the Ctrl+. menu and check the saved text
//   4. TODO(issue 7): "Container Tuner: Analyze Image" on an image built by the real Docker Engine
//   5. TODO(issue 6): the layer panel shows the built sizes
//   6. a screenshot per step under test/e2e/screenshots/ (vscode-NN-<step>.png)
// Skips loudly without code-server or Chromium (run `bash scripts/e2e-setup.sh`), fails with REQUIRE_E2E=1.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExtensions, startCodeServer, type CodeServer } from './harness/codeserver';
import { disposeVsix, packageVsix, type PackagedVsix } from './harness/package';
import { CHROMIUM, CLI, CODE_SERVER_ENTRY, FIXTURES, SCREENSHOTS, skipUnlessPresent } from './harness/paths';
import { run, waitUntil } from './harness/proc';
import { launchBrowser, SQUIGGLE, Workbench, type Problem } from './harness/workbench';
import { readZipEntry } from './harness/zip';

const missing = [
  ...(fs.existsSync(CODE_SERVER_ENTRY) ? [] : [`code-server (${path.relative(process.cwd(), CODE_SERVER_ENTRY)})`]),
  ...(fs.existsSync(CHROMIUM) ? [] : [`chromium (${CHROMIUM})`]),
];
const skip = skipUnlessPresent('VS Code e2e (code-server in Chromium)', missing);

interface CliFinding {
  rule: string;
  severity: string;
  line: number;
  column: number;
  message: string;
}

/** What the engine finds in a file, via the CLI (the same engine the packaged server bundles). */
async function cliFindings(file: string): Promise<CliFinding[]> {
  const r = await run(process.execPath, [CLI, 'lint', '--format', 'json', '--fail-on', 'none', file], { timeoutMs: 60_000 });
  const out = JSON.parse(r.stdout) as { file: string; findings: CliFinding[] }[];
  return out.flatMap((f) => f.findings);
}

const key = (x: { code?: string; rule?: string; line: number }) => `${x.line}:${x.code ?? x.rule}`;

describe.skipIf(skip)('VS Code (code-server 4.100.3 in Chromium) with the packaged .vsix', () => {
  let vsix: PackagedVsix;
  let cs: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let workspace: string;

  beforeAll(async () => {
    vsix = await packageVsix();
    // a copy of the fixture workspace: the test edits and saves files
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-e2e-ws-'));
    fs.cpSync(path.join(FIXTURES, 'workspace'), workspace, { recursive: true });
    fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
    cs = await startCodeServer({ vsixes: [vsix.vsix], folder: workspace });
    browser = await launchBrowser(cs.xdgEnv);
    wb = await Workbench.open(browser, cs.url, workspace, SCREENSHOTS, 'vscode');
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    if (workspace && process.env.E2E_KEEP !== '1') fs.rmSync(workspace, { recursive: true, force: true });
    disposeVsix();
  });

  it('1. installed the packaged extension into a fresh profile and opened the fixture workspace', async () => {
    const installed = await listExtensions(cs);
    expect(installed, `code-server output:\n${cs.output()}`).toContain(`container-tuner.container-tuner@${vsix.manifest.version}`);
    await wb.step('workspace', async () => {
      for (const name of ['Dockerfile', 'go.mod', 'k8s']) {
        await wb.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).waitFor();
      }
    });
  });

  it('2. shows our Dockerfile diagnostics in the Problems view: the rule ids and lines the engine finds', async () => {
    const file = path.join(workspace, 'Dockerfile');
    const expected = await cliFindings(file);
    // the fixture is built to trip these; the Problems view must show exactly what the engine finds
    expect(expected.map(key)).toEqual(expect.arrayContaining(['9:apk-no-cache', '11:go-env-syntax', '13:exec-form-cmd']));
    const problems = await wb.step('dockerfile-problems', async () => {
      await wb.openFile('Dockerfile');
      await wb.page.locator(SQUIGGLE).first().waitFor();
      return waitUntil(
        `the Problems view to list ${expected.map(key).join(', ')}`,
        async () => {
          const ps = (await wb.problems()).filter((p) => p.source === 'container-tuner' && p.file === 'Dockerfile');
          return sameKeys(ps, expected) ? ps : undefined;
        },
        30_000,
        250,
      ).catch(async (e) => {
        throw new Error(`${e.message}\nProblems view: ${JSON.stringify(await wb.problems(), null, 1)}`);
      });
    });
    const apk = problems.find((p) => p.code === 'apk-no-cache')!;
    expect(apk.severity).toBe('warning');
    expect(apk.column).toBe(5);
    expect(problems.find((p) => p.code === 'go-env-syntax')!.severity).toBe('error');
  });

  it('3. applies a quick-fix from the Ctrl+. menu and saves the exact text', async () => {
    const file = path.join(workspace, 'Dockerfile');
    const before = fs.readFileSync(file, 'utf8');
    const after = before.replace('RUN apk add ca-certificates\n', 'RUN apk add --no-cache ca-certificates\n');
    expect(after).not.toBe(before);
    const menu = await wb.step('quick-fix-menu', async () => {
      await wb.goTo(9, 6);
      return wb.openQuickFixMenu();
    });
    expect(menu).toContain('Add --no-cache');
    const saved = await wb.step('quick-fix-applied', async () => {
      await wb.chooseAction('Add --no-cache');
      const text = await wb.save(file, (t) => t !== before);
      await waitUntil(
        'apk-no-cache to leave the Problems view',
        async () => !(await wb.problems()).some((p) => p.code === 'apk-no-cache'),
        30_000,
        250,
      );
      return text;
    });
    expect(saved).toBe(after);
  });

  it('also lints the Kubernetes manifest (yaml activation) like the engine does', async () => {
    const file = path.join(workspace, 'k8s', 'deployment.yaml');
    const expected = await cliFindings(file);
    expect(expected.map(key)).toEqual(expect.arrayContaining(['17:k8s-image-pull-latest']));
    await wb.step('manifest-problems', async () => {
      await wb.openFile('k8s/deployment.yaml');
      await waitUntil(
        `the Problems view to list ${expected.map(key).join(', ')} for deployment.yaml`,
        async () => {
          const ps = (await wb.problems()).filter((p) => p.source === 'container-tuner' && p.file === 'k8s/deployment.yaml');
          return sameKeys(ps, expected);
        },
        30_000,
        250,
      ).catch(async (e) => {
        throw new Error(`${e.message}\nProblems view: ${JSON.stringify(await wb.problems(), null, 1)}`);
      });
    });
  });

  it('offers the walkthrough: its steps, and the markdown media the .vsix ships', async () => {
    const steps: { title: string; media: { markdown: string } }[] = vsix.manifest.contributes.walkthroughs[0].steps;
    await wb.step('walkthrough', async () => {
      await wb.runCommand('Welcome: Open Walkthrough...');
      await wb.page.keyboard.type('Container Tuner');
      await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Container Tuner' }).first().waitFor();
      await wb.page.keyboard.press('Enter');
      for (const s of steps) await wb.page.locator('.gettingStartedContainer .step-title', { hasText: s.title }).first().waitFor();
      // the first step is expanded; its media is our markdown, rendered in a webview
      const heading = readZipEntry(vsix.vsix, `extension/${steps[0].media.markdown}`).toString('utf8').split('\n')[0].replace(/^#\s*/, '');
      await wb.page
        .frameLocator('.getting-started-media iframe.webview.ready')
        .frameLocator('iframe#active-frame')
        .getByRole('heading', { name: heading })
        .waitFor();
    });
  });

  // TODO(issue 7): step 4 — build an image with the real Docker Engine (both builders, see
  // /work/shared/docs/docker-recipe.md), run `await wb.runCommand('Container Tuner: Analyze Image')`,
  // pick the image in the quick pick, then read the report webview with
  // wb.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame') inside
  // wb.step('analyze-image', …); skip loudly without Docker unless REQUIRE_DOCKER=1.
  // TODO(issue 6): step 5 — open the layer panel (its view id from package.json
  // contributes.views) inside wb.step('layer-panel', …) and check it lists the sizes
  // `docker history` reports for that image.
});

function sameKeys(problems: Problem[], findings: CliFinding[]): boolean {
  const a = problems.map(key).sort();
  const b = findings.map(key).sort();
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
