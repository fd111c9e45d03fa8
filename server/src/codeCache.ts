// Loads a bundle (dist/extension.js, dist/server-main.js) the way `require` does,
// but through V8's code cache: the first start compiles the bundle and writes what
// V8 compiled into `cacheDir`; later starts read it back and skip parsing and
// compiling the ~0.6–1 MB of JavaScript (vscode-languageclient/-server, the
// engine). Measured on the client: about a third of the time from loading the
// extension to starting the server (bench/RESULTS.md section 2).
//
// The cache is keyed by a hash of the bundle's text and by the V8 version and
// architecture: V8 itself checks only the source's length (and its own version and
// flags), so a rebuilt bundle of the same length must not find the old cache. V8
// rejects data it cannot use: then we compile as usual and write a new cache. Anything that goes wrong with the cache (no folder, not
// writable, unreadable) only costs the compile; the module is loaded either way.
// No `cacheDir` (the CLI, a server started by another editor): a plain compile.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** Environment variable with the folder the server's code cache lives in (set by the VS Code client). */
export const CODE_CACHE_ENV = 'CONTAINER_TUNER_CODE_CACHE';

export type CacheState = 'off' | 'miss' | 'hit' | 'rejected';

export interface CachedModule<T> {
  exports: T;
  /** off: no cache folder; miss: none yet; hit: V8 used it; rejected: V8 refused it (it is rewritten). */
  state: CacheState;
  /** Writes the cache unless V8 used the one it read (call it once the start-up code has run: V8 saves what is compiled by then). */
  save(): void;
}

/** `require(file)` through V8's code cache in `cacheDir` (absolute; created on the first save). */
export function loadWithCodeCache<T>(file: string, cacheDir: string | undefined): CachedModule<T> {
  const bytes = fs.readFileSync(file);
  const source = bytes.toString('utf8');
  const base = path.basename(file);
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  if (cacheDir && path.isAbsolute(cacheDir)) {
    try {
      // sha256 of the bytes: under a millisecond for the server bundle
      const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 20);
      const key = `${process.versions.v8}-${process.arch}-${hash}`.replace(/[^\w.-]/g, '_');
      cacheFile = path.join(cacheDir, `${base}.${key}.cache`);
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // no cache yet (or no folder): compile, and save() writes one
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const state: CacheState = !cacheFile ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  // the module's own `require` resolves from its file, as Node's loader would do it
  // (VS Code's extension host answers `require('vscode')` by the requiring file's path)
  const mod = { exports: {} as T, filename: file, id: file, loaded: false };
  const fn = script.runInThisContext({ displayErrors: true }) as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  let saved = false;
  return {
    get exports() {
      return mod.exports;
    },
    state,
    save() {
      if (saved || !cacheFile || !cacheDir || state === 'hit') return;
      saved = true;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(cacheDir, { recursive: true });
        // atomically: a concurrent start reads the old file or the new one, never half of one
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, cacheFile);
        // caches of this bundle's earlier builds (or another runtime) are dead weight
        for (const f of fs.readdirSync(cacheDir)) {
          if (f.startsWith(`${base}.`) && f.endsWith('.cache') && f !== path.basename(cacheFile)) fs.rmSync(path.join(cacheDir, f), { force: true });
        }
      } catch {
        // a read-only or full disk: the next start compiles again
      }
    },
  };
}

/** The code cache folder in VS Code's global storage for this extension, if the host gives one (a file path). */
export function codeCacheFolder(context: { globalStorageUri?: { fsPath?: unknown; scheme?: unknown } }): string | undefined {
  const uri = context.globalStorageUri;
  const p = uri?.fsPath;
  if (uri?.scheme !== 'file' || typeof p !== 'string' || !path.isAbsolute(p)) return undefined;
  return path.join(p, 'code-cache');
}
