// Go facts: go.mod reading, version comparison, and `go build` command lines.
import * as path from 'node:path';
import type { Workspace } from './types';

export interface GoMod {
  readonly path: string;
  readonly dir: string;
  readonly module?: string;
  /** The `go` directive, e.g. "1.22" or "1.21.3". */
  readonly go?: string;
  /** The `toolchain` directive without its "go" prefix, e.g. "1.23.1". */
  readonly toolchain?: string;
  /** Required module paths (direct and indirect). */
  readonly requires: ReadonlySet<string>;
}

/** The last parse of each go.mod: every lint of a document reads the same one again (read-only, so shared). */
const parsed = new Map<string, { text: string; mod: GoMod }>();

export function parseGoMod(text: string, file: string): GoMod {
  const last = parsed.get(file);
  if (last && last.text === text) return last.mod;
  const mod = scanGoMod(text, file);
  if (parsed.size >= 200) parsed.clear();
  parsed.set(file, { text, mod });
  return mod;
}

function scanGoMod(text: string, file: string): GoMod {
  const requires = new Set<string>();
  const mod: { -readonly [K in keyof GoMod]: GoMod[K] } = { path: file, dir: path.dirname(file), requires };
  let inRequire = false;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (inRequire) {
      if (line === ')') { inRequire = false; continue; }
      const m = /^(\S+)\s+\S+/.exec(line);
      if (m) requires.add(unquote(m[1]));
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^module\s+(\S+)/.exec(line))) mod.module = unquote(m[1]);
    else if ((m = /^go\s+(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)$/.exec(line))) mod.go = m[1];
    else if ((m = /^toolchain\s+go(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)/.exec(line))) mod.toolchain = m[1];
    else if (/^require\s*\($/.test(line)) inRequire = true;
    else if ((m = /^require\s+(\S+)\s+\S+/.exec(line))) requires.add(unquote(m[1]));
  }
  return Object.freeze(mod);
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');
}

/**
 * The nearest go.mod walking up from `dir`: stops after a directory holding
 * `.git` (the repository root) or at the file-system root.
 */
export function findGoMod(ws: Workspace, dir: string): GoMod | undefined {
  let current = path.resolve(dir);
  for (let depth = 0; depth < 64; depth++) {
    const candidate = path.join(current, 'go.mod');
    const text = ws.readFile(candidate);
    if (text !== undefined) return parseGoMod(text, candidate);
    if (ws.exists(path.join(current, '.git'))) return undefined;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
  return undefined;
}

/** Parses "1.22", "1.22.3", "1.23rc1" into comparable numbers; undefined if not a version. */
export function parseGoVersion(v: string | undefined): [number, number, number] | undefined {
  if (!v) return undefined;
  const m = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)\d+)?$/.exec(v);
  if (!m) return undefined;
  // "1.22" means go1.22.0; a release candidate sorts before the .0 release
  const patch = m[3] !== undefined ? Number(m[3]) : m[4] ? -1 : 0;
  return [Number(m[1]), Number(m[2]), patch];
}

export function compareGoVersions(a: string, b: string): number | undefined {
  const x = parseGoVersion(a);
  const y = parseGoVersion(b);
  if (!x || !y) return undefined;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Whether version `v` is at least major.minor. */
export function goAtLeast(v: string | undefined, minor: number, major = 1): boolean | undefined {
  const p = parseGoVersion(v);
  if (!p) return undefined;
  return p[0] > major || (p[0] === major && p[1] >= minor);
}

export const GO_SUBCOMMANDS_THAT_BUILD = new Set(['build', 'install', 'mod', 'test', 'generate', 'run', 'get', 'vet']);

/** Splits a `-ldflags` value the way cmd/go does (quoted strings, spaces). */
export function splitLdflags(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && /\s/.test(value[i])) i++;
    if (i >= n) break;
    let word = '';
    while (i < n && !/\s/.test(value[i])) {
      const q = value[i];
      if (q === '"' || q === "'") {
        const close = value.indexOf(q, i + 1);
        const end = close < 0 ? n : close;
        word += value.slice(i + 1, end);
        i = close < 0 ? n : close + 1;
      } else {
        word += q;
        i++;
      }
    }
    out.push(word);
  }
  return out;
}

export interface LinkerStrip {
  /** -s in effect (symbol table dropped). */
  s: boolean;
  /** -w in effect explicitly (DWARF dropped); -w=0 / -w=false sets it false. */
  w: boolean | undefined;
}

/** Reads -s / -w out of linker flags (last occurrence wins, as with Go's flag package). */
export function linkerStrip(flags: string[]): LinkerStrip {
  const r: LinkerStrip = { s: false, w: undefined };
  for (const f of flags) {
    const m = /^--?([sw])(?:=(.*))?$/.exec(f);
    if (!m) continue;
    const on = m[2] === undefined || /^(1|t|true|T|TRUE|True)$/.test(m[2]);
    if (m[1] === 's') r.s = on;
    else r.w = on;
  }
  return r;
}

/** The last `containermaxprocs=` setting of a GODEBUG-style list ("a=1,b=0"), if any. */
export function containerMaxProcsSetting(list: string): boolean | undefined {
  let out: boolean | undefined;
  for (const kv of list.split(/[\s,]+/)) {
    const m = /^containermaxprocs=(\d+)$/.exec(kv);
    if (m) out = m[1] !== '0';
  }
  return out;
}

/** `godebug containermaxprocs=N` in a go.mod (line or block form). */
export function goModGodebug(text: string): boolean | undefined {
  let out: boolean | undefined;
  let inBlock = false;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else out = containerMaxProcsSetting(line) ?? out;
      continue;
    }
    if (/^godebug\s*\($/.test(line)) inBlock = true;
    else if (/^godebug\s+/.test(line)) out = containerMaxProcsSetting(line.replace(/^godebug\s+/, '')) ?? out;
  }
  return out;
}

/** How many directories up from a go command the rules look for its go.mod (a real tree is never this deep). */
export const MAX_MODULE_DEPTH = 64;
