// Workspace views: the real file system (with editor buffers on top) and an
// in-memory one for tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workspace } from './types';

/** Files larger than this are treated as unreadable by rules (go.mod, .dockerignore are small). */
const MAX_READ = 4 * 1024 * 1024;

/**
 * stat, or undefined when the path does not exist or cannot be reached. Most
 * lookups are misses (go.mod, .git, config files asked in every parent
 * folder): no exception thrown and caught for those.
 */
function statOrUndefined(abs: string): fs.Stats | undefined {
  try {
    return fs.statSync(abs, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES, ELOOP, a name too long
  }
}

export class FsWorkspace implements Workspace {
  /** Open editor documents by absolute path: read from here, not from disk. */
  readonly overlay = new Map<string, string>();

  readFile(p: string): string | undefined {
    const abs = path.resolve(p);
    const open = this.overlay.get(abs);
    if (open !== undefined) return open;
    try {
      const st = statOrUndefined(abs);
      if (!st || !st.isFile() || st.size > MAX_READ) return undefined;
      return fs.readFileSync(abs, 'utf8');
    } catch {
      return undefined;
    }
  }

  exists(p: string): boolean {
    const abs = path.resolve(p);
    if (this.overlay.has(abs)) return true;
    return statOrUndefined(abs) !== undefined;
  }

  isDirectory(p: string): boolean {
    return !!statOrUndefined(path.resolve(p))?.isDirectory();
  }

  listDir(p: string): string[] {
    try {
      return fs.readdirSync(path.resolve(p));
    } catch {
      return [];
    }
  }
}

/** What a stat told: file or folder, and the size. */
interface StatFacts {
  file: boolean;
  dir: boolean;
  size: number;
}

/**
 * The file system as one CLI run sees it: every stat, read and listing is
 * done once and remembered (nothing but the linted files changes during a
 * run, and `--fix` reads and writes those directly). Linting thousands of
 * files otherwise repeats the same go.mod / .dockerignore / config lookups
 * for each of them.
 *
 * With `maxAgeMs`, what is remembered is asked again once it is older than
 * that (the language server: a burst of keystrokes reads the disk once, and
 * a change made outside the editor is seen at most `maxAgeMs` later, at once
 * after `invalidate()` — the server calls it when the client reports changed
 * files). Editor buffers (`overlay`) are never cached.
 */
export class CachedFsWorkspace extends FsWorkspace {
  /** What a stat said (not the whole fs.Stats: a server keeps up to thousands of these). */
  private readonly stats = new Map<string, { v: StatFacts | null; at: number }>();
  private readonly reads = new Map<string, { v: string | undefined; at: number }>();
  private readonly dirs = new Map<string, { v: string[]; at: number }>();

  constructor(private readonly maxAgeMs = Infinity) {
    super();
  }

  /** Forgets everything read so far. */
  invalidate(): void {
    this.stats.clear();
    this.reads.clear();
    this.dirs.clear();
  }

  /** The remembered entry when it is still fresh. */
  private fresh<T>(m: Map<string, { v: T; at: number }>, key: string): { v: T; at: number } | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    if (this.maxAgeMs !== Infinity && Date.now() - e.at > this.maxAgeMs) return undefined;
    return e;
  }

  private remember<T>(m: Map<string, { v: T; at: number }>, key: string, v: T): T {
    // a long-lived server: paths asked once a long time ago go away
    if (this.maxAgeMs !== Infinity && m.size >= 20_000) m.clear();
    m.set(key, { v, at: this.maxAgeMs === Infinity ? 0 : Date.now() });
    return v;
  }

  private stat(abs: string): StatFacts | null {
    const e = this.fresh(this.stats, abs);
    if (e) return e.v;
    const st = statOrUndefined(abs);
    return this.remember(this.stats, abs, st ? { file: st.isFile(), dir: st.isDirectory(), size: st.size } : null);
  }

  override readFile(p: string): string | undefined {
    const abs = path.resolve(p);
    const open = this.overlay.get(abs);
    if (open !== undefined) return open;
    const e = this.fresh(this.reads, abs);
    if (e) return e.v;
    const st = this.stat(abs);
    let text: string | undefined;
    if (st && st.file && st.size <= MAX_READ) {
      try {
        text = fs.readFileSync(abs, 'utf8');
      } catch {
        text = undefined;
      }
    }
    return this.remember(this.reads, abs, text);
  }

  override exists(p: string): boolean {
    const abs = path.resolve(p);
    return this.overlay.has(abs) || this.stat(abs) !== null;
  }

  override isDirectory(p: string): boolean {
    return !!this.stat(path.resolve(p))?.dir;
  }

  override listDir(p: string): string[] {
    const abs = path.resolve(p);
    const e = this.fresh(this.dirs, abs);
    return e ? e.v : this.remember(this.dirs, abs, super.listDir(abs));
  }
}

/** A workspace made of a map of absolute paths to contents; directories are implied. */
export class MemoryWorkspace implements Workspace {
  private readonly files = new Map<string, string>();
  constructor(files: Record<string, string> = {}) {
    for (const [p, c] of Object.entries(files)) this.files.set(path.resolve(p), c);
  }
  set(p: string, content: string): void {
    this.files.set(path.resolve(p), content);
  }
  readFile(p: string): string | undefined {
    const v = this.files.get(path.resolve(p));
    return v;
  }
  exists(p: string): boolean {
    const abs = path.resolve(p);
    return this.files.has(abs) || this.isDirectory(abs);
  }
  isDirectory(p: string): boolean {
    const prefix = path.resolve(p).replace(/\/?$/, '/');
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
  listDir(p: string): string[] {
    const prefix = path.resolve(p).replace(/\/?$/, '/');
    const out = new Set<string>();
    for (const k of this.files.keys()) if (k.startsWith(prefix)) out.add(k.slice(prefix.length).split('/')[0]);
    return [...out];
  }
}

/**
 * One lint's view of a workspace: each read, stat and listing asked of
 * `inner` is done once and remembered for as long as this object lives (one
 * lint: rules ask for the same go.mod, context folders and ignore files again
 * for every command). The file system is taken not to change during a lint.
 */
export class LintWorkspace implements Workspace {
  private readonly reads = new Map<string, string | undefined>();
  private readonly existing = new Map<string, boolean>();
  private readonly dirs = new Map<string, boolean>();
  private readonly listings = new Map<string, string[]>();
  constructor(readonly inner: Workspace) {}

  /** A new view of `ws`, or `ws` itself when it is one already. */
  static of(ws: Workspace): Workspace {
    return ws instanceof LintWorkspace ? ws : new LintWorkspace(ws);
  }

  readFile(p: string): string | undefined {
    if (this.reads.has(p)) return this.reads.get(p);
    const v = this.inner.readFile(p);
    this.reads.set(p, v);
    return v;
  }

  exists(p: string): boolean {
    let v = this.existing.get(p);
    if (v === undefined) this.existing.set(p, (v = this.inner.exists(p)));
    return v;
  }

  isDirectory(p: string): boolean {
    let v = this.dirs.get(p);
    if (v === undefined) this.dirs.set(p, (v = this.inner.isDirectory(p)));
    return v;
  }

  listDir(p: string): string[] {
    let v = this.listings.get(p);
    if (v === undefined) this.listings.set(p, (v = this.inner.listDir(p)));
    return v.slice();
  }
}
