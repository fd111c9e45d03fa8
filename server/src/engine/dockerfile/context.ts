// The build context as Docker sends it: the context folder (the Dockerfile's
// folder, the module root above it, or what `contexts` in
// .container-tuner.yaml says — see `contextFor` in config.ts), minus what the
// `.dockerignore` in effect excludes.
//
// Which ignore file applies follows Docker (BuildKit) exactly:
//   1. `<Dockerfile name>.dockerignore` next to the Dockerfile
//      (`build/api.Dockerfile` -> `build/api.Dockerfile.dockerignore`), if present;
//   2. otherwise `.dockerignore` at the root of the context.
// Patterns are matched with @balena/dockerignore, a port of Docker's own Go
// matcher (moby `builder/dockerignore` + `pkg/fileutils`): `*` stays inside one
// path segment, `**` spans segments, a pattern matches from the context root
// only (`abc` is `./abc`, not `x/abc`), leading/trailing slashes are dropped,
// `!` re-includes (the last matching line wins) and an excluded directory
// excludes everything below it. Matching is case-sensitive like Docker
// (`ignorecase: false`; the library's default is case-insensitive).
//
// Everything here reads through `model.workspace` (editor buffers included),
// never the file system directly, and walking is bounded so that a huge
// context (a repository with node_modules, a home folder) never hangs the
// linter. Rules use `isIgnored`/`dockerignoreFor`; later features (layer size
// estimates) can use `contextFiles`.
import * as path from 'node:path';
import ignore, { type Ignore } from '@balena/dockerignore';
import type { DockerfileModel } from './model';
import { KeyMemo } from '../memo';

/** Entries examined at most by `contextFiles` (files and folders, ignored ones included). */
export const CONTEXT_ENTRY_LIMIT = 20_000;
/** Folder depth at most walked by `contextFiles` (symbolic-link loops end here or at the limit). */
const MAX_DEPTH = 64;

export interface DockerIgnoreFile {
  /** Absolute path of the ignore file in effect. */
  path: string;
  /** `dockerfile`: `<Dockerfile>.dockerignore` next to it; `context`: `<context>/.dockerignore`. */
  kind: 'dockerfile' | 'context';
  text: string;
  /** Pattern lines as written (comments and blank lines dropped, whitespace trimmed). */
  patterns: string[];
  /** Some pattern starts with `!` (an excluded folder may still hold included files). */
  hasExceptions: boolean;
  matcher: Ignore;
}

/** Where Docker looks for the ignore file of this Dockerfile, in order. */
export function dockerignoreCandidates(model: DockerfileModel): { path: string; kind: DockerIgnoreFile['kind'] }[] {
  const abs = path.resolve(model.path);
  return [
    { path: abs + '.dockerignore', kind: 'dockerfile' },
    { path: path.join(model.contextDir, '.dockerignore'), kind: 'context' },
  ];
}

/** Parses ignore-file text into Docker's pattern list (BOM, comments, blank lines and surrounding whitespace dropped). */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (const line of lines) {
    if (line.startsWith('#')) continue; // Docker: a comment only when '#' is the first character
    const t = line.trim();
    if (t) out.push(t);
  }
  return out;
}

/** A matcher with Docker's semantics for a list of patterns. */
export function dockerignoreMatcher(patterns: string[]): Ignore {
  return ignore({ ignorecase: false }).add(patterns);
}

const cache = new KeyMemo<DockerfileModel, DockerIgnoreFile | null>();

/** The ignore file in effect for the model's build, or undefined when there is none. */
export function dockerignoreFor(model: DockerfileModel): DockerIgnoreFile | undefined {
  const hit = cache.get(model);
  if (hit !== undefined) return hit ?? undefined;
  let found: DockerIgnoreFile | undefined;
  for (const c of dockerignoreCandidates(model)) {
    const text = model.workspace.readFile(c.path);
    if (text === undefined) continue;
    const patterns = parseDockerignore(text);
    found = {
      path: c.path,
      kind: c.kind,
      text,
      patterns,
      hasExceptions: patterns.some((p) => p.startsWith('!')),
      matcher: dockerignoreMatcher(patterns),
    };
    break;
  }
  cache.set(model, found ?? null);
  return found;
}

/** The context folder exists in the workspace (otherwise nothing about it can be known). */
export function contextKnown(model: DockerfileModel): boolean {
  return model.workspace.isDirectory(model.contextDir);
}

/**
 * A path as Docker matches it: relative to the context root, `/`-separated,
 * without `./`, `..` or leading/trailing slashes; '' for the root itself. An
 * absolute workspace path inside the context folder is made relative to it;
 * any other absolute path is read the way Docker reads an absolute COPY
 * source: relative to the context root (`/go.mod` is `go.mod`).
 */
export function contextRelative(model: DockerfileModel, p: string): string {
  let s = p.replace(/\\/g, '/');
  const ctx = path.resolve(model.contextDir).split(path.sep).join('/').replace(/(?<!\/)\/+$/, '');
  if (ctx && (s === ctx || s.startsWith(ctx + '/'))) s = s.slice(ctx.length);
  s = path.posix.normalize('/' + s).slice(1).replace(/(?<!\/)\/+$/, '');
  return s === '.' ? '' : s;
}

/**
 * Whether `relPath` (relative to the context root; `./x`, `/x` and `x\y` are
 * accepted) is excluded from the build context. The root is never excluded.
 * Without an ignore file nothing is.
 */
export function isIgnored(model: DockerfileModel, relPath: string): boolean {
  const ig = dockerignoreFor(model);
  if (!ig) return false;
  const rel = contextRelative(model, relPath);
  return rel !== '' && ig.matcher.ignores(rel);
}

export interface ContextEntry {
  /** Relative to the context root, `/`-separated. */
  path: string;
  /** Absolute path in the workspace. */
  abs: string;
  dir: boolean;
}

export interface ContextListing {
  /** Entries sent to the builder: a folder's entries sorted by name, each folder's contents after the folder. */
  entries: ContextEntry[];
  /** The walk stopped at the limit: `entries` is incomplete. */
  truncated: boolean;
  /** Entries examined, ignored ones included. */
  examined: number;
}

export interface ContextWalkOptions {
  /** Stop after examining this many entries (default CONTEXT_ENTRY_LIMIT). */
  limit?: number;
  /** Also list folders that are sent (default: files only). */
  dirs?: boolean;
  /** Walk only below this context-relative folder. */
  under?: string;
}

/**
 * The files (and optionally folders) Docker sends as the build context,
 * walking the context through the workspace and skipping what the ignore file
 * excludes. An excluded folder is not entered unless the ignore file has `!`
 * exceptions (which may re-include something below it, as Docker allows); then
 * its entries are matched one by one. Bounded by `limit` entries examined.
 */
export function contextFiles(model: DockerfileModel, opts: ContextWalkOptions | number = {}): ContextListing {
  const o: ContextWalkOptions = typeof opts === 'number' ? { limit: opts } : opts;
  const limit = o.limit ?? CONTEXT_ENTRY_LIMIT;
  const ws = model.workspace;
  const ig = dockerignoreFor(model);
  const out: ContextListing = { entries: [], truncated: false, examined: 0 };
  if (!contextKnown(model)) return out;
  const startRel = o.under ? contextRelative(model, o.under) : '';
  const stack: { rel: string; depth: number }[] = [{ rel: startRel, depth: 0 }];
  while (stack.length) {
    const { rel, depth } = stack.pop()!;
    const absDir = rel ? path.join(model.contextDir, ...rel.split('/')) : model.contextDir;
    const names = ws.listDir(absDir).slice().sort();
    const subdirs: { rel: string; depth: number }[] = [];
    for (const name of names) {
      if (out.examined >= limit) {
        out.truncated = true;
        return out;
      }
      out.examined++;
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = path.join(absDir, name);
      const dir = ws.isDirectory(abs);
      const ignored = !!ig && ig.matcher.ignores(childRel);
      if (!ignored && (!dir || o.dirs)) out.entries.push({ path: childRel, abs, dir });
      if (dir && depth + 1 < MAX_DEPTH && (!ignored || ig!.hasExceptions)) subdirs.push({ rel: childRel, depth: depth + 1 });
    }
    // depth-first, names in order: push in reverse so the first name is walked first
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
  return out;
}
