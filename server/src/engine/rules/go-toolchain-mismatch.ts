import { globToRegExp as globRegExp } from '../dockerfile/glob';
import * as path from 'node:path';
import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from '../dockerfile/model';
import { fromAncestry, instructionsBefore, lineageMemo, runCommands, stageLineage, stageRoot, workdirAt } from '../dockerfile/model';
import { copyPaths, flagValue } from '../dockerfile/gobuild';
import { compareGoVersions, MAX_MODULE_DEPTH, parseGoMod, parseGoVersion, type GoMod } from '../go';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, Severity } from '../types';
import { fromImageWord } from './base-image-unpinned';
import { envSettings } from './go-env-syntax';
import { commandVars, isWindowsShell } from './go-strip-symbols';
import { KeyMemo } from '../memo';

// ---------------------------------------------------------------------------
// Container paths, RUN --mount flags, and which go.mod a go command sees.
// Exported for go-build-cache-mount and go-cross-compile.
// ---------------------------------------------------------------------------

/**
 * `p` resolved against `base` as an absolute POSIX path. Windows paths
 * (`C:\src`, `bin\x`) have their drive dropped and backslashes read as `/`.
 */
export function containerPath(base: string, p: string): string {
  const win = (x: string) => /^[A-Za-z]:|\\/.test(x);
  if (!win(base) && !win(p)) return path.posix.resolve(base, p);
  const norm = (x: string) => x.replace(/^[A-Za-z]:/, '').replace(/\\+/g, '/');
  return path.posix.resolve('/', norm(base), norm(p));
}

/**
 * A Windows stage, which BuildKit does not build (no `RUN --mount`): a Windows
 * base, a backtick escape, `FROM --platform=windows/...`, or a PowerShell/cmd SHELL.
 */
export function windowsStage(model: DockerfileModel, stage: Stage): boolean {
  // once per stage: rules ask for every command
  let v = windowsMemo.get(stage);
  if (v === undefined) windowsMemo.set(stage, (v = scanWindowsStage(model, stage)));
  return v;
}
const windowsMemo = new KeyMemo<Stage, boolean>();

function scanWindowsStage(model: DockerfileModel, stage: Stage): boolean {
  if (isWindowsShell(model, stage)) return true;
  // the stage or an ancestor; each stage's own instructions read once per model (walking every
  // stage's whole ancestry was quadratic in a chain of stages)
  let inLineage = windowsOwn.get(model);
  if (!inLineage) windowsOwn.set(model, (inLineage = lineageMemo(ownWindowsMarks)));
  return inLineage(stage);
}
/** Per model: whether a stage or one of its ancestors has a Windows platform or shell of its own. */
const windowsOwn = new KeyMemo<DockerfileModel, (s: Stage) => boolean>();

function ownWindowsMarks(s: Stage): boolean {
  if (/^windows\b/i.test(flagValue(s.from, 'platform') ?? '')) return true;
  for (const ins of s.instructions) {
    if (ins.keyword === 'SHELL' && /^(powershell|pwsh|cmd)(\.exe)?$/i.test(path.win32.basename(ins.json?.[0] ?? ''))) return true;
  }
  return false;
}

export interface MountSpec {
  /** `bind` (the default), `cache`, `tmpfs`, `secret`, `ssh`. */
  type: string;
  target?: string;
  source?: string;
  from?: string;
  options: Map<string, string>;
}

/** The `--mount` flags of a RUN, parsed (`type=cache,target=/x`; `dst=`/`destination=` and `src=` accepted). */
export function runMounts(ins: InstructionInfo): MountSpec[] {
  const out: MountSpec[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || f.value === undefined) continue;
    const options = new Map<string, string>();
    for (const field of f.value.split(',')) {
      const eq = field.indexOf('=');
      const k = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
      const v = eq < 0 ? 'true' : field.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
      if (k) options.set(k, v);
    }
    out.push({
      type: (options.get('type') ?? 'bind').toLowerCase(),
      target: options.get('target') ?? options.get('dst') ?? options.get('destination'),
      source: options.get('source') ?? options.get('src'),
      from: options.get('from'),
      options,
    });
  }
  return out;
}

/** Where part of the build context lands in a stage's file system. */
interface Landing {
  /** Context-relative path ('' = the context root), or a glob for `glob`. */
  ctx: string;
  /** Absolute container path: the directory the contents go into (`dir`, `glob`), or the file's path (`file`). */
  dest: string;
  kind: 'dir' | 'file' | 'glob';
}

function ctxRelative(s: string): string {
  const p = path.posix.normalize('/' + s.replace(/\\/g, '/')).slice(1);
  return p.replace(/(?<!\/)\/+$/, '');
}


/**
 * Landings, newest first, as a list that shares its tail: `items` are what one
 * COPY/ADD (or a RUN's bind mounts) put there, `prev` what came before. Each
 * COPY adds one cell, so the lists for every RUN of a long Dockerfile share
 * their cells (arrays copied per COPY were quadratic: 100,000 COPYs).
 */
interface LandingList {
  readonly items: readonly Landing[];
  readonly prev: LandingList | undefined;
}

/**
 * What the build context puts into the file system of `stage` before `upTo`
 * (COPY/ADD without `--from` in the stage and its ancestors, and bind mounts
 * of the context on `upTo` itself): undefined when nothing, null when a path
 * holds a variable.
 */
function contextLandings(model: DockerfileModel, stage: Stage, upTo: InstructionInfo): LandingList | undefined | null {
  const copies = copyLandings(model, stage);
  // the COPY/ADD before `upTo` in this stage: the list after the last of them
  const n = instructionsBefore(stage, ['COPY', 'ADD'], upTo).length;
  const before = n === 0 ? copies.base : copies.after[n - 1];
  if (before === null) return null;
  const mounts = runMounts(upTo);
  if (!mounts.length) return before;
  const items: Landing[] = [];
  for (const m of mounts) {
    if (m.type !== 'bind' || m.from !== undefined || !m.target) continue;
    if (m.target.includes('$') || (m.source ?? '').includes('$')) return null;
    const rel = ctxRelative(m.source ?? '.');
    const dest = containerPath(workdirAt(stage, upTo), m.target);
    const dir = rel === '' || model.workspace.isDirectory(path.join(model.contextDir, rel));
    items.push({ ctx: rel, dest, kind: dir ? 'dir' : 'file' });
  }
  return items.length ? { items, prev: before } : before;
}

/**
 * What the COPY/ADD (without `--from`) of a stage put into its file system:
 * `base` what its ancestors put there, `after[k]` that and the stage's first
 * k+1 COPY/ADD (null from the first path that holds a variable on). Once per
 * stage: every go command of every RUN asks.
 */
interface CopyLandings {
  base: LandingList | undefined | null;
  after: (LandingList | undefined | null)[];
}
const copyLandingsMemo = new KeyMemo<Stage, CopyLandings>();

function copyLandings(model: DockerfileModel, stage: Stage): CopyLandings {
  return fromAncestry(copyLandingsMemo, stage, (st, parent) => {
    const base = parent ? (parent.after.length ? parent.after[parent.after.length - 1] : parent.base) : undefined;
    const after: (LandingList | undefined | null)[] = [];
    let cur = base;
    for (const ins of instructionsBefore(st, ['COPY', 'ADD'])) {
      if (cur !== null) cur = withCopy(model, st, ins, cur);
      after.push(cur);
    }
    return { base, after };
  });
}

/** `before` and what one COPY/ADD puts into the stage; null when a path holds a variable. */
function withCopy(model: DockerfileModel, st: Stage, ins: InstructionInfo, before: LandingList | undefined): LandingList | undefined | null {
  if (flagValue(ins, 'from') !== undefined) return before;
  const p = copyPaths(ins);
  if (!p) return before;
  const sources = p.sources.filter((s) => !/^(https?:\/\/|git@|git:\/\/)/.test(s));
  if (!sources.length) return before;
  if (p.dest.includes('$') || sources.some((s) => s.includes('$'))) return null;
  const items: Landing[] = [];
  const wd = workdirAt(st, ins);
  const dest = containerPath(wd, p.dest);
  const destIsDir = /[\\/]$/.test(p.dest) || p.sources.length > 1;
  for (const s of sources) {
    if (/[*?[]/.test(s)) {
      items.push({ ctx: ctxRelative(s), dest, kind: 'glob' });
      continue;
    }
    const rel = ctxRelative(s);
    if (rel === '' || model.workspace.isDirectory(path.join(model.contextDir, rel))) items.push({ ctx: rel, dest, kind: 'dir' });
    else items.push({ ctx: rel, dest: destIsDir ? path.posix.join(dest, path.posix.basename(rel)) : dest, kind: 'file' });
  }
  return { items, prev: before };
}

/** The context-relative path of the file a landing puts at `target`, if it puts one there. */
function landsAt(l: Landing, target: string): string | undefined {
  if (l.kind === 'file') return l.dest === target ? l.ctx : undefined;
  if (l.kind === 'glob') {
    if (path.posix.dirname(target) !== l.dest) return undefined;
    const dir = path.posix.dirname(l.ctx);
    const candidate = dir === '.' ? path.posix.basename(target) : dir + '/' + path.posix.basename(target);
    return globRegExp(l.ctx).test(candidate) ? candidate : undefined;
  }
  // (both are normalized absolute paths: below dest, the relative path is what follows `dest/`)
  if (target === l.dest) return l.ctx ? l.ctx + '/' : '';
  if (l.dest !== '/' && !target.startsWith(l.dest + '/')) return undefined;
  const rel = target.slice(l.dest === '/' ? 1 : l.dest.length + 1);
  return l.ctx ? l.ctx + '/' + rel : rel;
}

/** The directory a go command runs in (its `cd` and `-C dir` applied), as an absolute container path; undefined when unknown. */
export function goCommandDir(gc: GoCommand): string | undefined {
  let dir = containerPath('/', gc.workdir);
  if (dir.includes('$')) return undefined;
  const argv = gc.cmd.argv;
  // -C must come first (`go build -C dir`, `go -C dir build` is not valid)
  const w = argv[2];
  if (w && (w.value === '-C' || w.value === '--C' || /^--?C=/.test(w.value))) {
    const v = /^--?C=/.test(w.value) ? w.value.replace(/^--?C=/, '') : argv[3]?.value;
    if (v === undefined || v.includes('$') || (w.value.includes('=') ? w.expands : argv[3]?.expands)) return undefined;
    dir = containerPath(dir, v);
  }
  return dir;
}

export interface SeenGoMod {
  mod: GoMod;
  /** Container path of the module root. */
  root: string;
}

/**
 * The go.mod a go command finds (walking up from its directory) among the
 * files the build context put into the stage; undefined when none or unknown.
 */
export function goModSeenBy(model: DockerfileModel, gc: GoCommand): SeenGoMod | undefined {
  // once per go command: several rules ask, go-build-cache-mount for every RUN that shares a cache
  if (seenMemo.has(gc)) return seenMemo.get(gc);
  const seen = scanGoModSeenBy(model, gc);
  seenMemo.set(gc, seen);
  return seen;
}
const seenMemo = new KeyMemo<GoCommand, SeenGoMod | undefined>();

function scanGoModSeenBy(model: DockerfileModel, gc: GoCommand): SeenGoMod | undefined {
  const stage = gc.instr.stage;
  if (!stage) return undefined;
  const dir = goCommandDir(gc);
  if (dir === undefined) return undefined;
  const landings = contextLandings(model, stage, gc.instr);
  if (!landings) return undefined;
  // the go commands that run in the same folder over the same files see the same go.mod (the
  // landings are one shared list for the RUNs between two COPY/ADD, when they mount nothing)
  let byDir = seenByDir.get(landings);
  if (!byDir) seenByDir.set(landings, (byDir = new Map()));
  if (byDir.has(dir)) return byDir.get(dir);
  const seen = walkUp(model, landings, dir);
  byDir.set(dir, seen);
  return seen;
}
/** Linux's PATH_MAX: longer paths cannot be opened. */
const PATH_MAX = 4096;
const seenByDir = new KeyMemo<LandingList, Map<string, SeenGoMod | undefined>>();

function walkUp(model: DockerfileModel, landings: LandingList, dir: string): SeenGoMod | undefined {
  // at most MAX_MODULE_DEPTH levels up: a made-up path of thousands of parts was quadratic
  for (let a = dir, level = 0; level <= MAX_MODULE_DEPTH; a = path.posix.dirname(a), level++) {
    const target = a === '/' ? '/go.mod' : a + '/go.mod';
    // the newest landing first: a later COPY puts its file over an earlier one's
    for (let l: LandingList | undefined = landings; l; l = l.prev) {
      for (let i = l.items.length - 1; i >= 0; i--) {
        const rel = landsAt(l.items[i], target);
        // (no file has a path longer than PATH_MAX: a made-up path of thousands of parts is not read 64 times)
        if (rel === undefined || rel.length > PATH_MAX) continue;
        const abs = path.join(model.contextDir, rel);
        const text = model.workspace.readFile(abs);
        if (text === undefined) continue;
        return { mod: parseGoMod(text, abs), root: a };
      }
    }
    if (a === '/') return undefined;
  }
  return undefined;
}

/** Whether a go command loads the main module (and so is bound by its `go` line). */
export function loadsMainModule(gc: GoCommand): boolean {
  if (['version', 'env', 'help', 'telemetry', 'doc', 'bug'].includes(gc.sub)) return false;
  if (gc.sub === 'mod' && (gc.modSub === 'init' || gc.modSub === undefined)) return false;
  // `go install pkg@version` / `go run pkg@version` build outside the main module
  if ((gc.sub === 'install' || gc.sub === 'run') && gc.cmd.argv.slice(2).some((w) => !w.value.startsWith('-') && w.value.includes('@'))) return false;
  return true;
}

// ---------------------------------------------------------------------------
// The FROM image word: where the tag's Go version is written.
// ---------------------------------------------------------------------------

interface TrackedChar {
  ch: string;
  /** Document offset it comes from, undefined when it cannot be edited in place. */
  at?: number;
}

/** Expands the FROM image word as the model does (global ARG defaults), remembering where each character is written. */
function expandTracked(model: DockerfileModel, word: { text: string; start: number; end: number }): TrackedChar[] {
  const inPlace = word.end - word.start === word.text.length && model.text.slice(word.start, word.end) === word.text;
  const here = (k: number) => (inPlace ? word.start + k : undefined);
  const settings = envSettings(model, model.instructions.filter((i) => i.keyword === 'ARG' && !i.stage));
  const argChars = (name: string): TrackedChar[] | undefined => {
    const v = model.globalArgs.get(name);
    if (v === undefined) return undefined;
    const s = [...settings].reverse().find((x) => x.name === name);
    const exact = s && s.hasValue && s.value === v && s.innerEnd - s.innerStart === v.length;
    return [...v].map((ch, k) => ({ ch, at: exact ? s.innerStart + k : undefined }));
  };
  const out: TrackedChar[] = [];
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  let last = 0;
  const literal = (from: number, to: number) => {
    for (let k = from; k < to; k++) out.push({ ch: word.text[k], at: here(k) });
  };
  for (let m; (m = re.exec(word.text)); ) {
    literal(last, m.index);
    last = m.index + m[0].length;
    const name = m[1] ?? m[4];
    const op = m[2];
    const val = argChars(name);
    const wordStart = m.index + 2 + name.length + (op?.length ?? 0);
    const useWord = () => literal(wordStart, wordStart + (m![3] ?? '').length);
    if (op === ':-') (val && val.length ? out.push(...val) : useWord());
    else if (op === '-') (val ? out.push(...val) : useWord());
    else if (op === ':+') (val && val.length ? useWord() : undefined);
    else if (op === '+') (val ? useWord() : undefined);
    else if (val) out.push(...val);
  }
  literal(last, word.text.length);
  return out;
}

/** Offsets (in `s`) of the tag: after the last ':' that follows the last '/', up to '@'; outside `${...}`. */
function tagSpan(s: string): [number, number] | undefined {
  let slash = -1;
  let colon = -1;
  let at = s.length;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '$' && s[i + 1] === '{') {
      depth++;
      i++;
      continue;
    }
    if (depth) {
      if (c === '}') depth--;
      continue;
    }
    if (c === '@') {
      at = i;
      break;
    }
    if (c === '/') slash = i;
    else if (c === ':') colon = i;
  }
  return colon > slash ? [colon + 1, at] : undefined;
}

/** The tag's version written with the same precision as `written` (`1.21` → `1.23`, `1.21.5` → `1.23.0`). */
export function bumpedVersion(written: string, required: string): string {
  const r = parseGoVersion(required)!;
  if (/rc|beta/.test(required)) return required.replace(/^go/, '');
  const twoParts = /^\d+\.\d+$/.test(written);
  return twoParts ? `${r[0]}.${r[1]}` : `${r[0]}.${r[1]}.${Math.max(r[2], 0)}`;
}

/** Whether a builder whose tag says `tag` runs a Go at least `required` (`1.21` is the latest 1.21 patch). */
function builderSatisfies(tag: string, required: string): boolean {
  if (/^\d+\.\d+$/.test(tag)) {
    const t = parseGoVersion(tag)!;
    const r = parseGoVersion(required)!;
    return t[0] > r[0] || (t[0] === r[0] && t[1] >= r[1]);
  }
  return (compareGoVersions(tag, required) ?? 0) >= 0;
}

function maxVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return (compareGoVersions(a, b) ?? 0) >= 0 ? a : b;
}

// ---------------------------------------------------------------------------
// The rule.
// ---------------------------------------------------------------------------

type Mode = { kind: 'local' | 'auto'; explicit: boolean };

/** How the go command picks its toolchain for this command; undefined when the Dockerfile leaves it open. */
function toolchainMode(model: DockerfileModel, gc: GoCommand, official: boolean): Mode | undefined {
  const v = commandVars(model, gc)('GOTOOLCHAIN');
  if (v === null) return undefined;
  if (v === undefined) {
    if (official) return { kind: 'local', explicit: false };
    // without the variable, a `go env -w GOTOOLCHAIN=...` file may decide
    const stage = gc.instr.stage!;
    for (const st of stageLineage(stage)) {
      for (const { cmd } of runCommands(model, st)) {
        const a = cmd.argv.map((w) => w.value);
        if (/(^|[\\/])go(\.exe)?$/i.test(a[0] ?? '') && a[1] === 'env' && a.some((x) => x.startsWith('GOTOOLCHAIN='))) return undefined;
      }
    }
    return { kind: 'auto', explicit: false };
  }
  // an empty value falls back to $GOROOT/go.env: auto
  if (v === '' || v === 'auto' || v === 'local+auto') return { kind: 'auto', explicit: true };
  if (v === 'local') return { kind: 'local', explicit: true };
  // path, local+path, go1.x[+auto|+path]: a toolchain the user chose
  return undefined;
}

interface Verdict {
  severity: Severity;
  /** The version the builder must have (go line, or max(go, toolchain) with auto). */
  needed: string;
  /** max(go, toolchain): what the fix writes. */
  target: string;
  seen: SeenGoMod;
  mode?: Mode;
  old: boolean;
}

function judge(model: DockerfileModel, gc: GoCommand, tag: string, official: boolean): Verdict | undefined {
  if (!loadsMainModule(gc)) return undefined;
  const seen = goModSeenBy(model, gc);
  if (!seen || (!seen.mod.go && !seen.mod.toolchain)) return undefined;
  const { go, toolchain } = seen.mod;
  const target = maxVersion(go, toolchain)!;
  if (!parseGoVersion(target)) return undefined;
  // Go before 1.21 has no toolchain switching: only the go line matters, and it is advisory
  if (!builderSatisfies(tag, '1.21rc1')) {
    if (!go || builderSatisfies(tag, go)) return undefined;
    return { severity: 'warning', needed: go, target, seen, old: true };
  }
  const mode = toolchainMode(model, gc, official);
  if (!mode) return undefined;
  if (mode.kind === 'local') {
    // GOTOOLCHAIN=local ignores the toolchain line; the go line is a hard minimum
    if (!go || builderSatisfies(tag, go)) return undefined;
    return { severity: 'error', needed: go, target, seen, mode, old: false };
  }
  if (builderSatisfies(tag, target)) return undefined;
  return { severity: 'warning', needed: target, target, seen, mode, old: false };
}

function goModName(model: DockerfileModel, mod: GoMod): string {
  const rel = path.relative(model.dir, mod.path).split(path.sep).join('/');
  return rel || 'go.mod';
}

function runningVersion(tag: string): string {
  return /^\d+\.\d+$/.test(tag) ? `${tag}.x` : tag;
}

function downloadVersion(v: string): string {
  const p = parseGoVersion(v)!;
  return /rc|beta/.test(v) ? v : `${p[0]}.${p[1]}.${Math.max(p[2], 0)}`;
}

export const goToolchainMismatch: Rule = {
  id: 'go-toolchain-mismatch',
  defaultSeverity: 'warning',
  summary: "The builder's Go (the `golang:<version>` tag) is older than go.mod's `go`/`toolchain` line: the build fails or downloads a toolchain.",
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    const verdicts = new Map<Stage, Verdict>();
    for (const stage of model.stages) {
      const root = stageRoot(stage);
      const tag = root.base.goVersion;
      if (!root.base.goToolchain || !tag || !root.ref) continue;
      for (const gc of stage.goCommands) {
        const v = judge(model, gc, tag, root.base.officialGolangLinux && !windowsStage(model, stage));
        if (!v) continue;
        const prev = verdicts.get(root);
        const worse =
          !prev ||
          (v.severity === 'error' && prev.severity !== 'error') ||
          (v.severity === prev.severity && (compareGoVersions(v.target, prev.target) ?? 0) > 0);
        if (worse) verdicts.set(root, v);
      }
    }
    for (const [root, v] of verdicts) {
      const f = report(model, root, v);
      if (f) out.push(f);
    }
    return out;
  },
};

function report(model: DockerfileModel, root: Stage, v: Verdict): RuleFinding | undefined {
  const word = fromImageWord(root.from);
  if (!word) return undefined;
  const tag = root.base.goVersion!;
  const image = root.image ?? word.text;
  const mod = goModName(model, v.seen.mod);
  const want = bumpedVersion(tag, v.target);
  const lines = [v.seen.mod.go ? `\`go ${v.seen.mod.go}\`` : '', v.seen.mod.toolchain ? `\`toolchain go${v.seen.mod.toolchain}\`` : ''].filter(Boolean).join(' and ');
  let message: string;
  if (v.old) {
    message =
      `\`${image}\` runs Go ${tag}, but ${mod} requires go ${v.needed} (${lines}). Go before 1.21 cannot switch toolchains: ` +
      `it compiles with the older compiler, and the build fails as soon as go.mod or the code uses anything newer (\`note: module requires Go ${v.needed}\`). Use a Go ${want} image.`;
  } else if (v.mode!.kind === 'local') {
    const why = v.mode!.explicit
      ? 'the Dockerfile sets `GOTOOLCHAIN=local`'
      : 'the official golang image sets `GOTOOLCHAIN=local`';
    message =
      `\`${image}\` runs Go ${tag}, but ${mod} requires go ${v.needed}: ${why}, so the build fails with ` +
      `\`go: go.mod requires go >= ${v.needed} (running go ${runningVersion(tag)}; GOTOOLCHAIN=local)\`. Use a Go ${want} image.`;
  } else {
    const hedge =
      !v.mode!.explicit && !root.base.officialGolangLinux && root.base.kind === 'golang' && !root.windows
        ? ' (if this image sets `GOTOOLCHAIN=local` like the official one, the build fails instead)'
        : '';
    message =
      `\`${image}\` runs Go ${tag}, but ${mod} asks for go ${v.needed} (${lines}): with \`GOTOOLCHAIN=auto\` every uncached build first downloads ` +
      `\`golang.org/toolchain@v0.0.1-go${downloadVersion(v.needed)}.<os>-<arch>\` (slow, and the build needs network access)${hedge}. Use a Go ${want} image.`;
  }

  // the range: the tag as written in the FROM (the whole word when the tag comes from a variable)
  const inPlace = word.end - word.start === word.text.length;
  const ts = inPlace ? tagSpan(word.text) : undefined;
  const range = ts ? rangeOf(model, word.start + ts[0], word.start + ts[1]) : rangeOf(model, word.start, word.end);

  const fixes: Fix[] = [];
  if (root.ref?.digest) {
    message += ' The image is pinned by digest: change the tag and the digest together.';
  } else {
    const chars = expandTracked(model, word);
    const expanded = chars.map((c) => c.ch).join('');
    const span = expanded === root.image ? tagSpan(expanded) : undefined;
    if (span && expanded.startsWith(tag, span[0])) {
      const vc = chars.slice(span[0], span[0] + tag.length);
      const contiguous = vc.every((c, k) => c.at !== undefined && c.at === vc[0].at! + k);
      if (contiguous) {
        const fromArg = vc[0].at! < root.from.start || vc[0].at! >= root.from.end;
        // the official Windows images are published for ltsc2022 and ltsc2025 only
        const release = root.base.windowsRelease;
        const retired = root.base.windows && release !== undefined && release !== 'ltsc2022' && release !== 'ltsc2025';
        if (retired) message += ` The \`golang\` images for Go ${want} are published for Windows ltsc2022 and ltsc2025 only, not ${release}: pick the Windows release with the new tag.`;
        fixes.push({
          title: fromArg ? `Change the ARG default to Go ${want}` : `Use the Go ${want} image`,
          preferred: !retired,
          edits: [editAt(model, vc[0].at!, vc[0].at! + tag.length, want)],
        });
      }
    }
  }
  return { severity: v.severity, message, range, fixes };
}
