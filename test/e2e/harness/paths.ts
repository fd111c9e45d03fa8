// Where the end-to-end tools live (installed by scripts/e2e-setup.sh) and whether they are there.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
export const E2E_DIR = path.join(ROOT, '.e2e');
export const CODE_SERVER_VERSION = '4.100.3';
/** VS Code inside that code-server: what `engines.vscode` must accept. */
export const VSCODE_VERSION = '1.100.3';
export const CODE_SERVER_PKG = path.join(E2E_DIR, 'code-server', 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_PKG, 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test', 'e2e', 'screenshots');
export const FIXTURES = path.join(ROOT, 'test', 'e2e', 'fixtures');
export const CLI = path.join(ROOT, 'bin', 'container-tuner.js');

/** VS Code's built-in extensions shipped with code-server (base grammars live there). */
export function builtinExtensionsDir(): string | undefined {
  const dir = path.join(CODE_SERVER_PKG, 'lib', 'vscode', 'extensions');
  return fs.existsSync(dir) ? dir : undefined;
}

/** An executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Says loudly why an e2e suite cannot run. With REQUIRE_E2E=1 that is a failure
 * (thrown at collection, so the run goes red); otherwise a warning and a skip.
 * Returns true when the suite must skip.
 */
export function skipUnlessPresent(suite: string, missing: string[]): boolean {
  if (!missing.length) return false;
  const why = `${suite} SKIPPED: missing ${missing.join(', ')} — run \`bash scripts/e2e-setup.sh\` (npm run test:e2e does)`;
  if (process.env.REQUIRE_E2E === '1') throw new Error(`${why}; REQUIRE_E2E=1 makes this a failure`);
  console.warn(`\n!!!!! ${why}\n`);
  return true;
}
