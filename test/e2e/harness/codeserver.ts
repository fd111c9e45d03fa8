// code-server (the VS Code workbench as a web server) for the e2e tests, run hermetically:
// fresh user-data, extensions and XDG folders under a temporary work directory, bound to
// 127.0.0.1 on a port the OS picks. Recipe: /work/shared/docs/e2e-recipe.md.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODE_SERVER_ENTRY } from './paths';
import { exited, killGroup, run, waitUntil } from './proc';

export interface CodeServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** the temporary folder holding user data, extensions and XDG folders */
  workDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** XDG folders to hand to the browser too */
  xdgEnv: Record<string, string>;
  /** everything code-server printed so far */
  output(): string;
  stop(): Promise<void>;
}

/** User settings for a quiet, deterministic workbench. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.accessibilitySupport': 'off',
  'chat.commandCenter.enabled': false,
  'workbench.colorTheme': 'Default Light Modern',
};

export interface StartOptions {
  /** .vsix files to install before starting */
  vsixes: string[];
  /** extra user settings on top of QUIET_SETTINGS */
  settings?: Record<string, unknown>;
  /** folder to open */
  folder: string;
}

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-code-server-'));
  const userDataDir = path.join(workDir, 'user-data');
  const extensionsDir = path.join(workDir, 'extensions');
  const xdgEnv = {
    XDG_CONFIG_HOME: path.join(workDir, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(workDir, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(workDir, 'xdg', 'cache'),
  };
  const tmp = path.join(workDir, 'tmp');
  for (const d of [userDataDir, extensionsDir, tmp, ...Object.values(xdgEnv)]) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  const env: NodeJS.ProcessEnv = { ...process.env, ...xdgEnv, TMPDIR: tmp };
  // never let a surrounding VS Code's variables leak into the one under test
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];

  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  for (const vsix of opts.vsixes) {
    const r = await run(process.execPath, [CODE_SERVER_ENTRY, ...common, '--install-extension', vsix], { env, timeoutMs: 120_000 });
    if (!/successfully installed/i.test(r.stdout + r.stderr)) throw new Error(`installing ${vsix} into code-server failed:\n${r.stdout}\n${r.stderr}`);
  }

  let out = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      '--bind-addr', '127.0.0.1:0',
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...common,
      opts.folder,
    ],
    // detached: its own session and process group, so stop() takes the file watcher and
    // extension hosts with it
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = async () => {
    killGroup(child, 'SIGTERM');
    if (!(await exited(child, 10_000))) killGroup(child, 'SIGKILL');
    // stragglers of the group (file watcher) go too
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* group gone */
    }
    if (process.env.E2E_KEEP !== '1') fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const port = await waitUntil(
      'code-server to listen',
      () => {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${out}`);
        return /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      },
      60_000,
    );
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('code-server /healthz', () => httpStatus(`${url}/healthz`).then((s) => s === 200), 30_000);
    return { url, workDir, userDataDir, extensionsDir, xdgEnv, output: () => out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Lists installed extensions (`publisher.name@version`) of a code-server profile. */
export async function listExtensions(cs: Pick<CodeServer, 'userDataDir' | 'extensionsDir' | 'xdgEnv' | 'workDir'>): Promise<string[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...cs.xdgEnv, TMPDIR: path.join(cs.workDir, 'tmp') };
  const r = await run(
    process.execPath,
    [CODE_SERVER_ENTRY, '--user-data-dir', cs.userDataDir, '--extensions-dir', cs.extensionsDir, '--list-extensions', '--show-versions'],
    { env, timeoutMs: 60_000 },
  );
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => /^[\w.-]+@/.test(l));
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
