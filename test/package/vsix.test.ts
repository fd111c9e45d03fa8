// The packaged extension: what `npm run package` puts into the .vsix, and the manifest
// VS Code reads from it. Packages in a temporary copy of the tree (test/e2e/harness/package.ts),
// the same bundles and .vscodeignore as `npm run package`, so it never rewrites dist/ under
// the other tests.
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeVsix, packageVsix, type PackagedVsix } from '../e2e/harness/package';
import { ROOT, VSCODE_VERSION } from '../e2e/harness/paths';
import { readZipEntry } from '../e2e/harness/zip';

const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** `^1.100.0`-style ranges only (what vsce accepts for engines.vscode): does `version` satisfy it? */
function caretAccepts(range: string, version: string): boolean {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) throw new Error(`engines.vscode ${range}: expected ^major.minor.patch`);
  const [maj, min, pat] = m.slice(1).map(Number);
  const [vMaj, vMin, vPat] = version.split('.').map(Number);
  if (vMaj !== maj) return false;
  return vMin > min || (vMin === min && vPat >= pat);
}

describe('the packaged .vsix', () => {
  let pkg: PackagedVsix;
  let files: string[];

  beforeAll(async () => {
    pkg = await packageVsix();
    files = pkg.files;
  }, 240_000);

  afterAll(() => disposeVsix());

  it('is built the way `npm run package` builds it', () => {
    expect(rootPkg.scripts.package).toContain('scripts/build.mjs --production');
    expect(rootPkg.scripts.package).toContain('vsce package --no-dependencies');
  });

  it('holds the bundles, manifest, README, LICENSE, icon, grammars and walkthrough media', () => {
    const m = pkg.manifest;
    const want = [
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/dist/client.js',
      'extension/dist/server.js',
      // what the two load through the V8 code cache (server/src/codeCache.ts)
      'extension/dist/extension.js',
      'extension/dist/server-main.js',
      'extension/readme.md', // vsce's names for README.md and LICENSE
      'extension/LICENSE.txt',
      `extension/${path.posix.normalize(m.icon)}`,
      `extension/${path.posix.normalize(m.main).replace(/(\.js)?$/, '.js')}`,
      ...m.contributes.grammars.map((g: { path: string }) => `extension/${path.posix.normalize(g.path)}`),
      ...m.contributes.walkthroughs.flatMap((w: { steps: { media: Record<string, unknown> }[] }) =>
        w.steps.flatMap((s) => Object.entries(s.media).filter(([k]) => k === 'markdown' || k === 'image' || k === 'svg').map(([, v]) => `extension/${path.posix.normalize(String(v))}`)),
      ),
    ];
    for (const f of want) expect(files, `${f} in the .vsix`).toContain(f);
    expect(files.filter((f) => f.startsWith('extension/syntaxes/')).length).toBeGreaterThanOrEqual(2);
  });

  it('ships no sources, tests, dependencies, source maps or local tool caches', () => {
    const bad = files.filter(
      (f) =>
        /^extension\/(src|client|server|test|scripts|node_modules|examples|\.e2e|\.git|\.ci|coverage)\//.test(f) ||
        /\.(map|ts|mts|tsbuildinfo|vsix)$/.test(f) ||
        /(^|\/)(\.vscodeignore|tsconfig\.json|vitest\.config\.mts|package-lock\.json)$/.test(f) ||
        f.includes('/screenshots/'),
    );
    expect(bad).toEqual([]);
    // the bundles are self-contained: the server needs nothing from node_modules
    const server = readZipEntry(pkg.vsix, 'extension/dist/server.js').toString('utf8');
    expect(server).not.toMatch(/sourceMappingURL/);
  });

  it('ships every bundle the bundles load at run time (lazily required ones included)', () => {
    const bundles = files.filter((f) => /^extension\/dist\/[^/]+\.js$/.test(f));
    expect(bundles).toEqual(expect.arrayContaining(['extension/dist/client.js', 'extension/dist/server.js']));
    for (const b of bundles) {
      const text = readZipEntry(pkg.vsix, b).toString('utf8');
      expect(text, `${b}: no source map`).not.toMatch(/sourceMappingURL/);
      // relative requires resolve next to the bundle in the installed extension
      for (const m of text.matchAll(/\brequire\((["'])(\.{1,2}\/[^"']+)\1\)/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(b), m[2]));
        expect(files, `${b} requires ${m[2]}`).toContain(target.endsWith('.js') ? target : `${target}.js`);
      }
      // and nothing from node_modules (the .vsix has none): only Node's modules and `vscode`
      for (const m of text.matchAll(/\brequire\((["'])([^"'.][^"']*)\1\)/g)) {
        const id = m[2].replace(/^node:/, '');
        expect(id === 'vscode' || builtinModules.includes(id) || builtinModules.includes(id.split('/')[0]), `${b} requires ${m[2]}`).toBe(true);
      }
    }
  });

  it('bundles client/src/semver.ts instead of the semver package (scripts/build.mjs)', () => {
    const client = readZipEntry(pkg.vsix, 'extension/dist/extension.js').toString('utf8');
    expect(client).toContain('client/src/semver.ts: unsupported range');
    expect(client).not.toContain('Invalid Version');
  });

  it('targets the VS Code the e2e tests run, activates only on its languages, commands and views', () => {
    const m = pkg.manifest;
    expect(caretAccepts(m.engines.vscode, VSCODE_VERSION), `engines.vscode ${m.engines.vscode} must accept VS Code ${VSCODE_VERSION} (code-server 4.100.3)`).toBe(true);
    expect(m.engines.vscode).toBe('^1.100.0');

    const commands = new Map<string, { title?: string; category?: string }>(m.contributes.commands.map((c: { command: string }) => [c.command, c]));
    const views = new Set<string>(Object.values((m.contributes.views ?? {}) as Record<string, { id: string }[]>).flat().map((v) => v.id));
    expect(m.activationEvents).not.toContain('*');
    for (const e of m.activationEvents as string[]) {
      const ok =
        e === 'onLanguage:dockerfile' ||
        e === 'onLanguage:yaml' ||
        (e.startsWith('onCommand:') && commands.has(e.slice('onCommand:'.length))) ||
        (e.startsWith('onView:') && views.has(e.slice('onView:'.length)));
      expect(ok, `activation event ${e}`).toBe(true);
    }
    expect(m.activationEvents).toEqual(expect.arrayContaining(['onLanguage:dockerfile', 'onLanguage:yaml']));
    for (const [id, c] of commands) {
      expect(c.title, `${id} has a title`).toBeTruthy();
      expect(c.category, `${id} has a category`).toBe('Container Tuner');
    }
    expect(m.capabilities?.untrustedWorkspaces).toBeTruthy();
  });

  it('has a walkthrough whose steps run commands that exist', () => {
    const m = pkg.manifest;
    const commands = new Set<string>(m.contributes.commands.map((c: { command: string }) => c.command));
    const walkthroughs = m.contributes.walkthroughs as { id: string; title: string; steps: { id: string; title: string; description: string; completionEvents?: string[] }[] }[];
    expect(walkthroughs.length).toBeGreaterThan(0);
    for (const w of walkthroughs) {
      expect(w.steps.length).toBeGreaterThan(0);
      for (const s of w.steps) {
        expect(s.title).toBeTruthy();
        // a shipped walkthrough promises nothing that is not there yet
        expect(s.description).not.toMatch(/coming|soon|TODO/i);
        for (const link of s.description.matchAll(/\(command:([\w.]+)/g)) {
          if (link[1].startsWith('containerTuner.')) expect(commands.has(link[1]), `${s.id} links to ${link[1]}`).toBe(true);
        }
        for (const ev of s.completionEvents ?? []) {
          if (ev.startsWith('onCommand:containerTuner.')) expect(commands.has(ev.slice('onCommand:'.length)), `${s.id}: ${ev}`).toBe(true);
        }
      }
    }
  });
});
