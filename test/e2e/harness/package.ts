// Packages the extension exactly as `npm run package` does (production bundles, then
// `vsce package --no-dependencies` under the repository's .vscodeignore), but in a
// temporary copy of the work tree: the tests never rewrite the dist/ that other
// tests run at the same time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './proc';
import { ROOT } from './paths';
import { readZipEntry, zipEntryNames } from './zip';

/** Top-level entries never copied (the rest goes through .vscodeignore, as in a real `npm run package`). */
const SKIP_TOP = new Set(['node_modules', '.git', '.e2e', 'dist', 'coverage']);

export interface PackagedVsix {
  vsix: string;
  /** entry names in the zip, e.g. `extension/dist/client.js` */
  files: string[];
  /** extension/package.json as packaged */
  manifest: any;
  /** vsce's output (warnings included) */
  log: string;
}

let cached: Promise<PackagedVsix> | undefined;
let workDir: string | undefined;

/** Packages once per test process; disposeVsix() (or the process's exit) removes it. */
export function packageVsix(): Promise<PackagedVsix> {
  cached ??= doPackage();
  return cached;
}

export function disposeVsix(): void {
  if (workDir && process.env.E2E_KEEP !== '1') fs.rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
  cached = undefined;
}

async function doPackage(): Promise<PackagedVsix> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-vsix-'));
  workDir = work;
  process.once('exit', disposeVsix);
  const tree = path.join(work, 'tree');
  fs.cpSync(ROOT, tree, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(ROOT, src);
      if (!rel) return true;
      const top = rel.split(path.sep)[0];
      if (SKIP_TOP.has(top)) return false;
      if (!rel.includes(path.sep) && rel.endsWith('.vsix')) return false;
      return !rel.startsWith(path.join('test', 'e2e', 'screenshots'));
    },
  });
  // esbuild and vsce resolve from the copy's node_modules
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  const build = await run(process.execPath, ['scripts/build.mjs', '--production'], { cwd: tree, env, timeoutMs: 120_000 });
  const vsix = path.join(work, 'container-tuner.vsix');
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const pack = await run(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix], { cwd: tree, env, timeoutMs: 180_000 });
  const files = zipEntryNames(vsix);
  const manifest = JSON.parse(readZipEntry(vsix, 'extension/package.json').toString('utf8'));
  return { vsix, files, manifest, log: [build.stdout, build.stderr, pack.stdout, pack.stderr].join('\n') };
}
