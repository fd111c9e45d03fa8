// Workspace views: the real file system (with editor buffers on top) and an
// in-memory one for tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workspace } from './types';

/** Files larger than this are treated as unreadable by rules (go.mod, .dockerignore are small). */
const MAX_READ = 4 * 1024 * 1024;

export class FsWorkspace implements Workspace {
  /** Open editor documents by absolute path: read from here, not from disk. */
  readonly overlay = new Map<string, string>();

  readFile(p: string): string | undefined {
    const abs = path.resolve(p);
    const open = this.overlay.get(abs);
    if (open !== undefined) return open;
    try {
      const st = fs.statSync(abs);
      if (!st.isFile() || st.size > MAX_READ) return undefined;
      return fs.readFileSync(abs, 'utf8');
    } catch {
      return undefined;
    }
  }

  exists(p: string): boolean {
    const abs = path.resolve(p);
    if (this.overlay.has(abs)) return true;
    try {
      fs.statSync(abs);
      return true;
    } catch {
      return false;
    }
  }

  isDirectory(p: string): boolean {
    try {
      return fs.statSync(path.resolve(p)).isDirectory();
    } catch {
      return false;
    }
  }

  listDir(p: string): string[] {
    try {
      return fs.readdirSync(path.resolve(p));
    } catch {
      return [];
    }
  }
}

/**
 * The file system as one CLI run sees it: every stat, read and listing is
 * done once and remembered (nothing but the linted files changes during a
 * run, and `--fix` reads and writes those directly). Linting thousands of
 * files otherwise repeats the same go.mod / .dockerignore / config lookups
 * for each of them.
 */
export class CachedFsWorkspace extends FsWorkspace {
  private readonly stats = new Map<string, fs.Stats | null>();
  private readonly reads = new Map<string, string | undefined>();
  private readonly dirs = new Map<string, string[]>();

  private stat(abs: string): fs.Stats | null {
    let st = this.stats.get(abs);
    if (st === undefined) {
      try {
        st = fs.statSync(abs);
      } catch {
        st = null;
      }
      this.stats.set(abs, st);
    }
    return st;
  }

  override readFile(p: string): string | undefined {
    const abs = path.resolve(p);
    const open = this.overlay.get(abs);
    if (open !== undefined) return open;
    if (!this.reads.has(abs)) {
      const st = this.stat(abs);
      let text: string | undefined;
      if (st && st.isFile() && st.size <= MAX_READ) {
        try {
          text = fs.readFileSync(abs, 'utf8');
        } catch {
          text = undefined;
        }
      }
      this.reads.set(abs, text);
    }
    return this.reads.get(abs);
  }

  override exists(p: string): boolean {
    const abs = path.resolve(p);
    return this.overlay.has(abs) || this.stat(abs) !== null;
  }

  override isDirectory(p: string): boolean {
    return !!this.stat(path.resolve(p))?.isDirectory();
  }

  override listDir(p: string): string[] {
    const abs = path.resolve(p);
    let names = this.dirs.get(abs);
    if (!names) {
      names = super.listDir(abs);
      this.dirs.set(abs, names);
    }
    return names;
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
