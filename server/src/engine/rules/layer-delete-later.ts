import { globToRegExp } from '../dockerfile/glob';
import * as path from 'node:path';
import { contextKnown, isIgnored } from '../dockerfile/context';
import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from '../dockerfile/model';
import { expandVariables, goCommandOf, stageLineage, userAt, wordOffsets, workdirAt } from '../dockerfile/model';
import { parseGoBuild } from '../dockerfile/gobuild';
import type { ShellScript, SimpleCommand, Word } from '../dockerfile/shell';
import { rangeOf, type Rule, type RuleFinding } from '../rule';
import { ARCHIVE_NAME, instructionWords, isRemoteSource, varsAt } from './add-local-file';
import { commandVars, UNKNOWN_PART, wordValue } from './go-strip-symbols';
import { KeyMemo } from '../memo';

// A layer is a diff: a file written by one instruction and removed by a later
// one is still stored (and pulled) in the first layer; the later layer only
// adds a whiteout that hides it. This rule follows, stage by stage (ancestor
// stages included, since their layers are this image's first layers), which
// paths earlier instructions put into the filesystem, and reports an `rm` (or
// `go clean -cache/-modcache`) in a later RUN that deletes one of them.

/** A path an instruction put into the filesystem. */
interface Created {
  /** Absolute POSIX path. */
  path: string;
  /** Everything below `path` came from this instruction too (a copied folder, a clone, an extracted archive). */
  tree: boolean;
  /**
   * The folder may hold files of the base image too (a shared system folder,
   * or a COPY of a folder of unknown contents into /etc, /usr, ...): only its
   * exact path, or a folder above it, counts.
   */
  shared?: boolean;
  /** A Go cache a command of the deleting RUN only adds to (it was filled earlier). */
  reuse?: boolean;
  /** For a COPY from the build context: the context path `path` came from ('' for the context root). */
  origin?: string;
  ins: InstructionInfo;
}

type NewPath = Omit<Created, 'ins'>;

/**
 * Folders that hold files of the base image too: an instruction that wrote
 * into one of them did not write everything below it, so only its exact
 * path counts (COPY . / then `rm -rf /usr/share/doc` is not about the COPY).
 */
const SHARED_DIRS = new Set([
  '/', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/usr', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib64', '/usr/libexec',
  '/usr/local', '/usr/local/bin', '/usr/local/sbin', '/usr/local/lib', '/usr/share', '/usr/local/share', '/usr/include',
  '/etc', '/var', '/var/lib', '/var/cache', '/var/log', '/root', '/home', '/go', '/go/bin', '/go/src', '/go/pkg',
]);

/** Folders of the base image's own files: a COPY of unknown contents there may have merged with them. */
const SYSTEM_PREFIX = /^\/(etc|usr|var|lib|lib32|lib64|bin|sbin|opt|root|home|run)(\/|$)/;

const WHOLE_CONTEXT = new Set(['.', './', '*', './*']);

const isGlob = (p: string) => /[*?[]/.test(p);
const under = (p: string, dir: string) => dir === '/' ? p !== '/' : p.startsWith(dir + '/');


interface Deletion {
  /** Absolute POSIX path, possibly a shell pattern. */
  path: string;
  recursive: boolean;
  /** The word to point at. */
  word: Word;
  script: ShellScript;
  /** What the message calls it. */
  label: string;
}

/**
 * Whether deleting `d` deletes (part of) what `r` created; `whole` when all of
 * it is gone. `inContext(rel, pattern)` says whether a path below a folder
 * copied from the build context was really sent by it (present, not excluded
 * by .dockerignore); a later RUN may have made it instead.
 */
function hits(d: Deletion, r: Created, inContext: (rel: string, pattern: boolean) => boolean): { hit: boolean; whole: boolean } {
  const shared = r.shared || SHARED_DIRS.has(r.path);
  const ancestors = (p: string) => {
    const out: string[] = [];
    for (let a = path.posix.dirname(p); a !== '/' && a !== '.'; a = path.posix.dirname(a)) out.push(a);
    return out;
  };
  if (!isGlob(d.path)) {
    if (d.path === r.path) return { hit: true, whole: true };
    if (d.recursive && under(r.path, d.path)) return { hit: true, whole: true };
    if (r.tree && !shared && under(d.path, r.path)) {
      const ok = r.origin === undefined || inContext(path.posix.join(r.origin, path.posix.relative(r.path, d.path)), false);
      return { hit: ok, whole: false };
    }
    return { hit: false, whole: false };
  }
  const re = globToRegExp(d.path);
  if (re.test(r.path)) return { hit: true, whole: true };
  if (d.recursive && ancestors(r.path).some((a) => re.test(a))) return { hit: true, whole: true };
  if (r.tree && !shared) {
    const fixed = d.path.slice(0, d.path.search(/[*?[]/));
    const dir = fixed.endsWith('/') ? fixed.slice(0, -1) : path.posix.dirname(fixed);
    if (dir === r.path || under(dir, r.path)) {
      const ok = r.origin === undefined || inContext(path.posix.join(r.origin, path.posix.relative(r.path, d.path)), true);
      return { hit: ok, whole: ok && d.path === r.path + '/*' && d.recursive };
    }
  }
  return { hit: false, whole: false };
}

/** Mount targets of a RUN (`--mount=type=cache,target=/root/.cache`): what is written there never reaches the layer. */
function mountTargets(ins: InstructionInfo, workdir: string): string[] {
  const out: string[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const m = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value);
    if (m && !/(?:^|,)type=(secret|ssh)(,|$)/.test(f.value)) out.push(path.posix.resolve(workdir, m[1].replace(/^["']|["']$/g, '')));
  }
  return out;
}

const inMount = (p: string, mounts: string[]) => mounts.some((m) => p === m || under(p, m));

/** The user the command runs as is root (no USER, or USER root/0 in the stage and its ancestors before `ins`). */
function runsAsRoot(stage: Stage, ins: InstructionInfo): boolean {
  const user = (userAt(stage, ins) ?? 'root').split(':')[0];
  return user === 'root' || user === '0';
}

/** Offset of the first whole-word mention of `name` in the Dockerfile (Infinity when none), once per model. */
const mentions = new KeyMemo<DockerfileModel, Map<string, number>>();
function firstMention(model: DockerfileModel, name: string): number {
  let m = mentions.get(model);
  if (!m) mentions.set(model, (m = new Map()));
  let at = m.get(name);
  if (at === undefined) {
    const i = model.text.search(new RegExp(`\\b${name}\\b`));
    at = i < 0 ? Infinity : i;
    m.set(name, at);
  }
  return at;
}

/**
 * Where Go keeps its module and build caches for a command: what the
 * Dockerfile sets (ENV, ARG, assignments), else the defaults of the official
 * golang images (GOPATH=/go, HOME=/root). Other bases may set these
 * themselves, so nothing is assumed for them.
 */
function goCaches(model: DockerfileModel, stage: Stage, gc: GoCommand): { modcache?: string; buildcache?: string } {
  const vars = commandVars(model, gc);
  // names the Dockerfile never mentions up to this command are left as the base image has them
  const lit = (n: string): string | undefined | null => {
    if (!(firstMention(model, n) + n.length <= gc.instr.end)) return undefined;
    const v = vars(n);
    if (v === null) return null;
    if (v === undefined || v === '') return undefined;
    return v.includes(UNKNOWN_PART) ? null : v;
  };
  const defaults = stage.base.goToolchain && !stage.windows && runsAsRoot(stage, gc.instr);
  const out: { modcache?: string; buildcache?: string } = {};
  const mod = lit('GOMODCACHE');
  const gopath = lit('GOPATH');
  if (typeof mod === 'string') out.modcache = mod;
  else if (mod === undefined) {
    if (typeof gopath === 'string') out.modcache = gopath.split(':')[0] + '/pkg/mod';
    else if (gopath === undefined && defaults) out.modcache = '/go/pkg/mod';
  }
  const cache = lit('GOCACHE');
  if (typeof cache === 'string') out.buildcache = cache === 'off' ? undefined : cache;
  else if (cache === undefined) {
    const xdg = lit('XDG_CACHE_HOME');
    const home = lit('HOME');
    if (typeof xdg === 'string') out.buildcache = xdg + '/go-build';
    else if (xdg === undefined && typeof home === 'string') out.buildcache = home + '/.cache/go-build';
    else if (xdg === undefined && home === undefined && defaults) out.buildcache = '/root/.cache/go-build';
  }
  for (const k of ['modcache', 'buildcache'] as const) if (out[k] !== undefined && !out[k]!.startsWith('/')) delete out[k];
  return out;
}

const MODCACHE_SUBS = new Set(['build', 'install', 'test', 'run', 'vet', 'get', 'list', 'generate']);
const BUILDCACHE_SUBS = new Set(['build', 'install', 'test', 'run', 'vet']);

/** Option parsing for the downloaders: the value of `-o`/`--output` style options. */
function optionValue(args: Word[], shorts: string, longs: string[], valueShorts: string): { value: Word; inline?: string } | undefined {
  let found: { value: Word; inline?: string } | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i].value;
    if (a === '--') break;
    const long = /^(--[A-Za-z-]+)(?:=(.*))?$/.exec(a);
    if (long) {
      if (longs.includes(long[1])) {
        if (long[2] !== undefined) found = { value: args[i], inline: long[2] };
        else if (i + 1 < args.length) found = { value: args[++i] };
      }
      continue;
    }
    if (/^-[A-Za-z0-9#]/.test(a)) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        if (shorts.includes(c)) {
          const rest = a.slice(k + 1);
          if (rest) found = { value: args[i], inline: rest };
          else if (i + 1 < args.length) found = { value: args[++i] };
          break;
        }
        if (valueShorts.includes(c)) {
          if (k === a.length - 1) i++;
          break;
        }
      }
    }
  }
  return found;
}

const urlBase = (u: string) => u.replace(/[?#].*$/, '').replace(/(?<!\/)\/+$/, '').split('/').pop() ?? '';

/** Paths a command creates, as far as they can be known. */
function creations(
  model: DockerfileModel,
  stage: Stage,
  ins: InstructionInfo,
  script: ShellScript,
  cmd: SimpleCommand,
  cwd: string | undefined,
  value: (w: Word) => string | undefined,
): NewPath[] {
  const out: NewPath[] = [];
  const argv = cmd.argv;
  const prog = (argv[0]?.value ?? '').replace(/^.*\//, '');
  const abs = (p: string | undefined): string | undefined => {
    if (p === undefined || p === '' || p === '-' || p.startsWith('~') || isGlob(p)) return undefined;
    if (p.startsWith('/')) return path.posix.normalize(p);
    return cwd === undefined ? undefined : path.posix.resolve(cwd, p);
  };
  const add = (p: string | undefined, tree: boolean, extra: Partial<NewPath> = {}) => {
    if (p && p !== '/dev/null' && !p.startsWith('/dev/') && !p.startsWith('/proc/')) out.push({ path: p, tree, ...extra });
  };
  const args = argv.slice(1);
  const url = () => args.map((w) => value(w)).find((v) => v !== undefined && /^[a-z]+:\/\//i.test(v));

  if (prog === 'wget') {
    const o = optionValue(args, 'O', ['--output-document'], 'oaeitTUwQPlABDI');
    if (o) add(abs(o.inline ?? value(o.value)), false);
    else {
      const u = url();
      const p = optionValue(args, 'P', ['--directory-prefix'], 'oaeitTUwQOlABDI');
      const dir = p ? abs(p.inline ?? value(p.value)) : cwd;
      if (u && dir && urlBase(u)) add(path.posix.join(dir, urlBase(u)), false);
    }
  } else if (prog === 'curl') {
    const o = optionValue(args, 'o', ['--output'], 'HdXuAbcCeEFKmrTwxyYzDPQtU');
    if (o) add(abs(o.inline ?? value(o.value)), false);
    else if (args.some((w) => w.value === '--remote-name' || /^-[A-Za-z]*O/.test(w.value) && !w.value.startsWith('--'))) {
      const u = url();
      const d = optionValue(args, '', ['--output-dir'], 'oHdXuAbcCeEFKmrTwxyYzDPQtU');
      const dir = d ? abs(d.inline ?? value(d.value)) : cwd;
      if (u && dir && urlBase(u)) add(path.posix.join(dir, urlBase(u)), false);
    }
  } else if (prog === 'git' && args[0]?.value === 'clone') {
    const operands: string[] = [];
    const valued = new Set(['-b', '--branch', '--depth', '-o', '--origin', '-c', '--config', '--reference', '--separate-git-dir', '-u', '--upload-pack', '-j', '--jobs', '--filter', '--shallow-since', '--shallow-exclude', '--template', '--server-option']);
    for (let i = 1; i < args.length; i++) {
      const a = args[i].value;
      if (valued.has(a)) { i++; continue; }
      if (a.startsWith('-')) continue;
      const v = value(args[i]);
      if (v === undefined) return out;
      operands.push(v);
    }
    if (operands.length >= 2) add(abs(operands[1]), true);
    else if (operands.length === 1) {
      const base = urlBase(operands[0]).replace(/\.git$/, '').replace(/^.*:/, '');
      if (base && cwd) add(path.posix.join(cwd, base), true);
    }
  } else if (prog === 'tar' && args.length && (args.some((w) => w.value === '--extract' || w.value === '--get') || /^-?[A-Za-z]*x/.test(args[0].value) || args.some((w) => /^-[A-Za-z]*x[A-Za-z]*$/.test(w.value)))) {
    const c = optionValue(args, 'C', ['--directory'], 'fbFgHKLNTVX');
    const dir = c ? abs(c.inline ?? value(c.value)) : cwd;
    add(dir, true, { shared: dir !== undefined && SYSTEM_PREFIX.test(dir) });
  } else if (prog === 'unzip') {
    const d = args.findIndex((w) => w.value === '-d');
    const dir = d < 0 ? cwd : args[d + 1] ? abs(value(args[d + 1])) : undefined;
    add(dir, true, { shared: dir !== undefined && SYSTEM_PREFIX.test(dir) });
  } else if ((prog === 'apt-get' || prog === 'apt') && args.some((w) => w.value === 'update')) {
    add('/var/lib/apt/lists', true);
  } else if (prog === 'apk' && args.some((w) => w.value === 'add' || w.value === 'update') && !args.some((w) => w.value === '--no-cache')) {
    add('/var/cache/apk', true);
  } else if (prog === 'cp' || prog === 'mv') {
    const ops = args.filter((w) => !w.value.startsWith('-'));
    if (ops.length >= 2 && !args.some((w) => w.value === '-t' || w.value.startsWith('--target-directory'))) {
      const destRaw = value(ops[ops.length - 1]);
      const dest = abs(destRaw);
      if (dest) {
        const srcs = ops.slice(0, -1).map((w) => value(w));
        const intoDir = destRaw!.endsWith('/') || srcs.length > 1 || SHARED_DIRS.has(dest);
        if (!intoDir) add(dest, true);
        for (const s of srcs) if (s && !isGlob(s) && (intoDir || SHARED_DIRS.has(dest))) add(path.posix.join(dest, path.posix.basename(s)), true);
      }
    }
  }

  // Go: the binary, and the module and build caches
  const gc = goCommandOf(stage, cmd);
  if (gc) {
    if (gc.sub === 'build') {
      const b = parseGoBuild(gc);
      if (b.output && !/[\\]|^[A-Za-z]:/.test(b.output)) add(b.output.endsWith('/') ? b.output.slice(0, -1) : b.output, b.output.endsWith('/'));
    }
    const caches = goCaches(model, stage, gc);
    if (caches.modcache && (MODCACHE_SUBS.has(gc.sub) || (gc.sub === 'mod' && ['download', 'tidy', 'graph', 'verify', 'why'].includes(gc.modSub ?? '')))) add(caches.modcache, true, { reuse: true });
    if (caches.buildcache && BUILDCACHE_SUBS.has(gc.sub)) add(caches.buildcache, true, { reuse: true });
  }

  // `> file`, `>> file`: redirections (the shell reader drops their targets from the words)
  const src = script.source.text;
  const first = cmd.words[0]?.start ?? 0;
  const next = commandAfter(script, cmd)?.words[0]?.start ?? src.length;
  // only this command's text is searched (the whole script per command was quadratic)
  const own = src.slice(first, next);
  const re = /(\d?)(>>?)(?![&>])[ \t]*([^\s;&|<>()'"`$]+)/g;
  for (let m = re.exec(own); m; m = re.exec(own)) {
    const at = first + m.index + m[1].length;
    // a `>` inside a word of this command (quoted) is no redirection
    if (m[1] === '2' || cmd.words.some((w) => at >= w.start && at < w.end)) continue;
    add(abs(m[3]), false);
  }
  return out;
}

// Per-script lookups, built once: a RUN of 100,000 commands stays linear.
const nextCommand = new KeyMemo<ShellScript, Map<SimpleCommand, SimpleCommand | undefined>>();
function commandAfter(script: ShellScript, cmd: SimpleCommand): SimpleCommand | undefined {
  let m = nextCommand.get(script);
  if (!m) {
    m = new Map();
    script.commands.forEach((c, i) => { if (!m!.has(c)) m!.set(c, script.commands[i + 1]); });
    nextCommand.set(script, m);
  }
  return m.get(cmd);
}

/** Paths a COPY/ADD puts into the filesystem. */
function copyCreations(model: DockerfileModel, stage: Stage, ins: InstructionInfo): NewPath[] {
  const words = instructionWords(ins);
  if (words.length < 2) return [];
  const lookup = varsAt(model, ins);
  const exp = (s: string) => (s.includes('$') ? expandVariables(s, lookup) : s);
  const heredoc = words.some((w) => w.value.startsWith('<<'));
  const destRaw = exp(words[words.length - 1].value);
  if (destRaw === undefined || /^[A-Za-z]:|\\/.test(destRaw)) return [];
  const dest = path.posix.resolve(workdirAt(stage, ins), destRaw);
  if (heredoc) return [{ path: dest, tree: false }];
  const sources = words.slice(0, -1).map((w) => exp(w.value));
  const intoDir = destRaw.endsWith('/') || sources.length > 1 || sources.some((s) => s !== undefined && isGlob(s));
  const fromStage = ins.flags.some((f) => f.name === 'from');
  const ctx = !fromStage && contextKnown(model) ? model.contextDir : undefined;
  const out: NewPath[] = [];
  /** A folder whose contents are not known here: in a system folder they may have merged with the base image's files. */
  const guessed = (p: string, origin?: string): NewPath => ({ path: p, tree: true, shared: SYSTEM_PREFIX.test(p), origin });
  /** The context path of a source (only for literal paths of a known context). */
  const originOf = (s: string, sub = ''): string | undefined =>
    ctx === undefined || isGlob(s) ? undefined : path.posix.join(path.posix.normalize('/' + s.replace(/\\/g, '/')).slice(1), sub).replace(/^\.$/, '');
  for (const s of sources) {
    if (s === undefined) {
      if (!intoDir) out.push(guessed(dest));
      continue;
    }
    if (WHOLE_CONTEXT.has(s)) {
      out.push(guessed(dest, ctx === undefined ? undefined : ''));
      continue;
    }
    const remote = ins.keyword === 'ADD' && isRemoteSource(s);
    const base = remote ? urlBase(s) : path.posix.basename(s.replace(/(?<!\/)\/+$/, ''));
    if (ins.keyword === 'ADD' && !remote && ARCHIVE_NAME.test(s)) {
      out.push(guessed(dest)); // extracted into dest
      continue;
    }
    if (!intoDir) {
      // the file itself, or the contents of a folder (merged into what the base image may have there)
      out.push(guessed(dest, originOf(s)));
      // `COPY app /usr/local/bin`: an existing folder receives the file
      if ((SHARED_DIRS.has(dest) || SYSTEM_PREFIX.test(dest)) && base && !isGlob(base)) out.push({ path: path.posix.join(dest, base), tree: true, origin: originOf(s) });
      continue;
    }
    const srcDir = !remote && (s.endsWith('/') || (ctx !== undefined && model.workspace.isDirectory(path.join(ctx, s))));
    if (srcDir) {
      // a folder's contents land in dest
      const folder = ctx !== undefined ? path.join(ctx, s) : undefined;
      if (folder !== undefined && model.workspace.isDirectory(folder)) {
        for (const e of model.workspace.listDir(folder)) out.push({ path: path.posix.join(dest, e), tree: true, origin: originOf(s, e) });
      } else out.push(guessed(dest, originOf(s)));
    } else if (isGlob(base)) out.push(guessed(dest));
    else if (base) out.push({ path: path.posix.join(dest, base), tree: true, origin: originOf(s) });
  }
  return out;
}

/** `rm` operands and `go clean -cache/-modcache` targets of a command. */
function deletions(
  stage: Stage,
  script: ShellScript,
  cmd: SimpleCommand,
  cwd: string | undefined,
  value: (w: Word) => string | undefined,
  model: DockerfileModel,
): Deletion[] {
  const argv = cmd.argv;
  const prog = argv[0]?.value ?? '';
  const out: Deletion[] = [];
  if (prog === 'rm' || /\/rm$/.test(prog)) {
    let recursive = false;
    let opts = true;
    const operands: Word[] = [];
    for (const w of argv.slice(1)) {
      if (opts && w.value === '--') { opts = false; continue; }
      if (opts && w.value.startsWith('--')) { if (w.value === '--recursive') recursive = true; continue; }
      if (opts && /^-[A-Za-z]+$/.test(w.value)) { if (/[rR]/.test(w.value)) recursive = true; continue; }
      operands.push(w);
    }
    for (const w of operands) {
      const v = value(w);
      if (v === undefined || v === '' || v.startsWith('~')) continue;
      if (!v.startsWith('/') && cwd === undefined) continue;
      const p = v.startsWith('/') ? v : path.posix.join(cwd!, v);
      out.push({ path: path.posix.normalize(p).replace(/(?<!\/)\/+$/, '') || '/', recursive, word: w, script, label: `\`${w.value}\`` });
    }
  }
  const gc = goCommandOf(stage, cmd);
  if (gc && gc.sub === 'clean') {
    const caches = goCaches(model, stage, gc);
    for (const w of argv.slice(2)) {
      const mod = w.value === '-modcache' || w.value === '--modcache';
      const p = mod ? caches.modcache : w.value === '-cache' || w.value === '--cache' ? caches.buildcache : undefined;
      if (p) out.push({ path: p, recursive: true, word: w, script, label: `the ${mod ? 'module' : 'build'} cache (\`${p}\`)` });
    }
  }
  return out;
}

/** A path below a folder copied from the context was sent by it: it exists there (for a pattern, its folder does) and .dockerignore lets it through. */
function inContext(model: DockerfileModel, rel: string, pattern: boolean): boolean {
  const p = pattern ? path.posix.dirname(rel.slice(0, rel.search(/[*?[]/) < 0 ? rel.length : rel.search(/[*?[]/)) + 'x') : rel;
  const probe = p === '.' ? '' : p;
  if (probe && isIgnored(model, probe)) return false;
  return model.workspace.exists(path.join(model.contextDir, probe));
}

/** Commands that do not write files (or only delete them). */
const READ_ONLY = new Set([
  'cd', 'pushd', 'popd', 'rm', 'rmdir', 'ls', 'cat', 'echo', 'printf', 'test', '[', 'true', 'false', 'chmod', 'chown', 'chgrp', 'stat',
  'du', 'df', 'grep', 'head', 'tail', 'wc', 'sha256sum', 'sha512sum', 'md5sum', 'file', 'ldd', 'readlink', 'set', 'export', 'which', 'command',
]);

/**
 * A part of a folder of unknown contents may have been made after it was
 * created: some command between the two (a later RUN, or the deleting RUN
 * before the `rm`) ran inside the folder or named a path in it, and is not
 * known to only read. Then the deleted path may not come from the creating line.
 */
function writtenSince(stage: Stage, r: Created, ins: InstructionInfo, stop: SimpleCommand): boolean {
  const inTree = (p: string) => p === r.path || under(p, r.path);
  for (const s of stageLineage(stage).reverse()) {
    for (const i of s.instructions) {
      if (i.keyword !== 'RUN' || i.start <= r.ins.start || i.start > ins.start) continue;
      if (i.json) return true;
      for (const script of i.scripts) {
        let cwd: string | undefined = workdirAt(s, i);
        for (const c of script.commands) {
          if (c === stop) return false;
          const a0 = c.argv[0]?.value ?? '';
          if (a0 === 'cd' || a0 === 'pushd') {
            const t = c.argv[1]?.value;
            cwd = t && !t.includes('$') && cwd !== undefined && !t.startsWith('~') ? path.posix.resolve(cwd, t) : undefined;
            continue;
          }
          if (!c.argv.length || READ_ONLY.has(a0.replace(/^.*\//, ''))) continue;
          if (cwd === undefined || inTree(cwd)) return true;
          if (c.words.some((w) => w.value.includes('$') || (w.value.startsWith('/') && inTree(w.value.replace(/(?<!\/)\/+$/, ''))))) return true;
        }
      }
    }
  }
  return false;
}

function lines(ns: number[]): string {
  const u = [...new Set(ns)].sort((a, b) => a - b);
  return u.length === 1 ? `line ${u[0]}` : `lines ${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}`;
}

/** Whether a shell-form RUN of the stage itself runs `rm` or `go clean` (what `deletions` reads). */
function deletes(stage: Stage): boolean {
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN' || ins.json) continue;
    for (const script of ins.scripts) {
      for (const cmd of script.commands) {
        const prog = cmd.argv[0]?.value ?? '';
        if (prog === 'rm' || /\/rm$/.test(prog) || goCommandOf(stage, cmd)?.sub === 'clean') return true;
      }
    }
  }
  return false;
}

/** Deleting in a later RUN what an earlier instruction of the stage created: the bytes stay in the earlier layer. */
export const layerDeleteLater: Rule = {
  id: 'layer-delete-later',
  defaultSeverity: 'warning',
  summary: 'A `RUN rm` deletes files an earlier instruction created: their bytes stay in that earlier layer.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    if (model.escape !== '\\') return out; // cmd/PowerShell paths: not followed
    // only a stage that deletes something, or one a deleting stage is built from, can matter:
    // the others (most stages of most files) are not followed at all
    const followed = new Set<Stage>();
    for (const stage of model.stages) {
      if (stage.windows || !deletes(stage)) continue;
      for (let s: Stage | undefined = stage; s && !followed.has(s); s = s.parent) followed.add(s);
    }
    const endState = new Map<Stage, Created[]>();
    const shipped = model.finalStage ? stageLineage(model.finalStage) : [];
    for (const stage of model.stages) {
      if (!followed.has(stage)) continue;
      let alive: Created[] = stage.parent ? [...(endState.get(stage.parent) ?? [])] : [];
      endState.set(stage, alive);
      if (stage.windows) continue;
      for (const ins of stage.instructions) {
        if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
          for (const c of copyCreations(model, stage, ins)) alive.push({ ...c, ins });
          continue;
        }
        if (ins.keyword !== 'RUN' || ins.json) continue;
        const workdir = workdirAt(stage, ins);
        const mounts = mountTargets(ins, workdir);
        const inCtx = (rel: string, pattern: boolean) => inContext(model, rel, pattern);
        const current: Created[] = [];
        for (const script of ins.scripts) {
          let cwd: string | undefined = workdir;
          for (const cmd of script.commands) {
            // (the variables this command sees, looked up only when a word needs them)
            let vars: ReturnType<typeof commandVars> | undefined;
            const at = cwd ?? workdir;
            const lookup = (name: string) =>
              (vars ??= commandVars(model, { instr: ins, script, cmd, goWord: cmd.argv[0], sub: '', workdir: at, env: new Map() } as unknown as GoCommand))(name);
            const value = (w: Word): string | undefined => {
              const v = wordValue(w, lookup);
              return v.includes(UNKNOWN_PART) ? undefined : v;
            };
            const a0 = cmd.argv[0]?.value;
            if (a0 === 'cd' || a0 === 'pushd') {
              const target = cmd.argv[1] ? value(cmd.argv[1]) : undefined;
              cwd = target !== undefined && cwd !== undefined && target !== '-' && !target.startsWith('~') ? path.posix.resolve(cwd, target) : undefined;
              continue;
            }
            for (const d of deletions(stage, script, cmd, cwd, value, model)) {
              if (inMount(d.path.replace(/[*?[].*$/, '') || '/', mounts)) continue;
              // created earlier in this same RUN: this is the right way to clean up
              const own = current.some((r) => !r.reuse && hits(d, r, inCtx).hit);
              const earlier = own
                ? []
                : alive.filter((r) => {
                    const h = hits(d, r, inCtx);
                    return h.hit && (h.whole || r.origin !== undefined || !writtenSince(stage, r, ins, cmd));
                  });
              if (earlier.length) {
                const [s, e] = wordOffsets(d.script, d.word);
                const copied = earlier.some((r) => r.ins.keyword === 'COPY' || r.ins.keyword === 'ADD');
                const ran = earlier.some((r) => r.ins.keyword === 'RUN');
                const n = earlier.map((r) => r.ins.line + 1);
                const many = new Set(n).size > 1;
                const isShipped = shipped.includes(stage);
                const advice = [
                  copied ? 'keep it out of the copy (a narrower COPY source, or .dockerignore)' : '',
                  ran ? 'delete it in the same RUN that creates it' : '',
                ].filter(Boolean).join(', or ');
                out.push({
                  severity: isShipped ? undefined : 'info',
                  message:
                    `Deleting ${d.label} in a later RUN does not remove it from the image: created on ${lines(n)}; its bytes stay in ${many ? 'those layers' : 'that layer'}` +
                    (isShipped ? '' : ' (of a build stage the final image does not inherit from: only the build cache grows)') +
                    `. Instead, ${advice}.`,
                  range: rangeOf(model, s, e),
                });
              }
              // what is gone is gone: later deletions do not report it again
              const keep = (r: Created) => !hits(d, r, inCtx).whole;
              alive = alive.filter(keep);
              const kept = current.filter(keep);
              current.length = 0;
              for (const k of kept) current.push(k);
            }
            for (const c of creations(model, stage, ins, script, cmd, cwd, value)) {
              if (!inMount(c.path, mounts)) current.push({ ...c, ins });
            }
          }
        }
        for (const c of current) alive.push(c); // (no spread: a huge RUN overflows the stack)
      }
      endState.set(stage, alive);
    }
    return out;
  },
};
