import { globToRegExp } from '../dockerfile/glob';
import * as path from 'node:path';
import {
  envAt, expandVariables, heredocsOf, inLineage, instructionsBefore, isGoBinary, lineageMemo, stageByRef, workdirAt,
  type DockerfileModel, type InstructionInfo, type Stage,
} from '../dockerfile/model';
import { copyPaths, flagValue } from '../dockerfile/gobuild';
import type { ShellScript } from '../dockerfile/shell';
import { goAtLeast, parseGoMod, type GoMod } from '../go';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';
import { KeyMemo } from '../memo';

// `COPY . .` before go.mod is copied: every source edit invalidates the layer
// that downloads the modules. Fires on the first such broad copy of a stage
// when a Go command that resolves modules runs after it in the copied tree.

/** go subcommands that load the main module (and so download what go.mod requires). */
const MODULE_SUBS = new Set(['build', 'install', 'test', 'run', 'vet', 'generate', 'list', 'get']);
const MOD_SUBS = new Set(['download', 'tidy', 'vendor', 'verify', 'graph', 'why']);

interface ContextFacts {
  /** Whether anything is known about the build context (its folder could be listed). */
  known: boolean;
  dir: string;
}

type SourceKind =
  | { kind: 'broad'; /** The source as written, for `<prefix>go.mod` ('' for the context root). */ prefix: string; modDir: string }
  | { kind: 'gomod' }
  | { kind: 'other' }
  | { kind: 'unknown' };


/** Values of variables (ARG defaults, ENV, GOPATH of Go images) usable in `ins`'s arguments (`ins` undefined: at the stage's end). */
function variableLookup(model: DockerfileModel, stage: Stage, ins?: InstructionInfo): (name: string) => string | undefined {
  const vars = new Map<string, string | undefined>();
  // the official Go images set GOPATH (WORKDIR $GOPATH/src/... is common)
  if (stage.goToolchain) vars.set('GOPATH', stage.windows ? 'C:\\go' : '/go');
  if (stage.parent) for (const [k, v] of envAt(stage.parent)) vars.set(k, v.value);
  for (const i of instructionsBefore(stage, ['ARG', 'ENV'], ins)) {
    for (const p of (i.node as any).getProperties?.() ?? []) {
      const name: string = p.getName();
      const value: string | null | undefined = p.getValue();
      if (i.keyword === 'ENV') vars.set(name, value ?? '');
      else vars.set(name, value ?? vars.get(name) ?? model.globalArgs.get(name));
    }
  }
  return (n) => vars.get(n);
}

/** Like workdirAt, with variables in WORKDIR expanded; undefined when one has no known value. */
function expandedWorkdirAt(model: DockerfileModel, stage: Stage, upTo?: InstructionInfo): string | undefined {
  let wd: string | undefined = stage.parent ? expandedWorkdirAt(model, stage.parent) : workdirAt(stage, stage.instructions[0]);
  if (wd === undefined) return undefined;
  for (const ins of instructionsBefore(stage, ['WORKDIR'], upTo)) {
    const raw = ins.args.text.trim().replace(/^(["'])(.*)\1$/, '$2');
    if (!raw) continue;
    const arg = expand(raw, variableLookup(model, stage, ins));
    if (arg === undefined) return undefined;
    if (stage.windows) wd = /^[A-Za-z]:|^[\\/]/.test(arg) ? arg : wd.replace(/(?<![\\/])[\\/]*$/, '\\') + arg;
    else wd = path.posix.resolve(wd, arg);
  }
  return wd;
}

function expand(s: string, lookup: (n: string) => string | undefined): string | undefined {
  return s.includes('$') ? expandVariables(s, lookup) : s;
}

/** Path with one kind of separator, no doubled ones, no trailing one; lower-case on Windows. */
function normDir(p: string, windows: boolean): string {
  let s = p.replace(/[\\/]+/g, '/');
  if (s.length > 1) s = s.replace(/\/$/, '');
  if (windows) {
    s = s.toLowerCase();
    if (/^[a-z]:$/.test(s)) s += '/';
  }
  return s;
}

function resolveDir(base: string, p: string, windows: boolean): string {
  if (windows) {
    const q = p.replace(/[\\/]+/g, '/');
    if (/^[A-Za-z]:/.test(q)) return normDir(q, true);
    const b = normDir(base, true);
    if (q.startsWith('/')) return normDir(b.slice(0, 2) + q, true);
    return normDir(path.posix.normalize(b.replace(/\/$/, '') + '/' + q), true);
  }
  return path.posix.resolve(base, p.replace(/\\+/g, '/'));
}

function within(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith('/') ? root : root + '/');
}

function classifySource(raw: string, ins: InstructionInfo, ctx: ContextFacts, model: DockerfileModel, lookup: (n: string) => string | undefined): SourceKind {
  if (ins.keyword === 'ADD' && (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) || /^git@/.test(raw))) return { kind: 'other' };
  const s = expand(raw, lookup);
  if (s === undefined) return { kind: 'unknown' };
  const norm = path.posix.normalize('/' + s.replace(/\\+/g, '/')).replace(/^\/+/, '').replace(/(?<!\/)\/+$/, '');
  if (norm === '' || norm === '.' || norm === '*') return { kind: 'broad', prefix: '', modDir: ctx.dir };
  const base = norm.slice(norm.lastIndexOf('/') + 1);
  if (globToRegExp(base).test('go.mod')) return { kind: 'gomod' };
  if (ctx.known && !/[*?[]/.test(norm)) {
    const dir = path.join(ctx.dir, norm);
    if (model.workspace.isDirectory(dir) && model.workspace.exists(path.join(dir, 'go.mod'))) {
      return { kind: 'broad', prefix: raw.replace(/(?<![\\/])[\\/]+$/, '') + '/', modDir: dir };
    }
  }
  return { kind: 'other' };
}

/** Copies from the build context (not `--from`), with their sources classified. */
function contextCopy(ins: InstructionInfo, ctx: ContextFacts, model: DockerfileModel, stage: Stage) {
  if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') return undefined;
  if (flagValue(ins, 'from') !== undefined) return undefined;
  const p = copyPaths(ins);
  if (!p) return undefined;
  const lookup = variableLookup(model, stage, ins);
  return { paths: p, kinds: p.sources.map((s) => classifySource(s, ins, ctx, model, lookup)), lookup };
}

interface ModuleUse {
  ins: InstructionInfo;
  workdir: string;
  /** A whole-RUN `go mod download` that can be moved. */
  movableDownload: boolean;
}

/** Go commands that resolve the main module, with the directory they run in (known ones only). */
/** Index of the first `cd` to somewhere unknown (`cd`, `cd $X`, `cd -`) in a script, Infinity when none; once per script. */
const unknownCds = new KeyMemo<ShellScript, number>();
function firstUnknownCd(script: ShellScript): number {
  let i = unknownCds.get(script);
  if (i === undefined) {
    i = script.commands.findIndex((c) => c.argv[0]?.value === 'cd' && (c.argv.length < 2 || c.argv[1].expands || c.argv[1].value === '-'));
    if (i < 0) i = Infinity;
    unknownCds.set(script, i);
  }
  return i;
}

function moduleUses(model: DockerfileModel, stage: Stage): ModuleUse[] {
  const out: ModuleUse[] = [];
  for (const g of stage.goCommands) {
    const argv = g.cmd.argv;
    let ok = g.sub === 'mod' ? MOD_SUBS.has(g.modSub ?? '') : MODULE_SUBS.has(g.sub);
    if (g.sub === 'install' || g.sub === 'run') {
      // `go install pkg@version` builds outside the main module
      const pkgs = argv.slice(2).filter((w) => !w.value.startsWith('-'));
      if (pkgs.length && pkgs.every((w) => /@/.test(w.value))) ok = false;
    }
    if (!ok) continue;
    // the engine keeps the old directory after `cd $VAR`: we do not know where it runs
    const unknownCd = firstUnknownCd(g.script);
    if (unknownCd !== Infinity && unknownCd < g.script.commands.indexOf(g.cmd)) continue;
    const raw = workdirAt(stage, g.instr);
    const expanded = expandedWorkdirAt(model, stage, g.instr);
    if (expanded === undefined) continue;
    // g.workdir is the WORKDIR as written, or where a `cd` in the RUN went
    const under = g.workdir === raw || g.workdir.startsWith(raw.endsWith('/') ? raw : raw + '/');
    let dir = under ? (g.workdir === raw ? expanded : path.posix.join(expanded, g.workdir.slice(raw.length))) : g.workdir;
    if (dir.includes('$')) continue;
    const c = argv.findIndex((w) => w.value === '-C' || w.value.startsWith('-C='));
    if (c >= 0) {
      const v = argv[c].value === '-C' ? argv[c + 1] : { ...argv[c], value: argv[c].value.slice(3) };
      if (!v || v.expands) continue;
      dir = resolveDir(dir, v.value, stage.windows);
    }
    const movable =
      g.sub === 'mod' && g.modSub === 'download' &&
      g.instr.scripts.length === 1 && g.script.commands.length === 1 &&
      argv.length >= 3 && argv.slice(3).every((w) => w.value.startsWith('-') && !w.value.startsWith('-C'));
    out.push({ ins: g.instr, workdir: dir, movableDownload: movable });
  }
  // exec-form RUN ["go", "build", ...]: not in goCommands
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN' || !ins.json || ins.json.length < 2 || !isGoBinary(ins.json[0])) continue;
    const [, sub, modSub] = ins.json;
    if (ins.json.some((a) => a === '-C' || a.startsWith('-C='))) continue;
    const ok = sub === 'mod' ? MOD_SUBS.has(modSub ?? '') : MODULE_SUBS.has(sub);
    const wd = expandedWorkdirAt(model, stage, ins);
    if (!ok || wd === undefined) continue;
    const movable = sub === 'mod' && modSub === 'download' && ins.json.slice(3).every((a) => a.startsWith('-'));
    out.push({ ins, workdir: wd, movableDownload: movable });
  }
  return out;
}

function hasModCacheMount(ins: InstructionInfo): boolean {
  return ins.flags.some(
    (f) => f.name === 'mount' && /(^|,)type=cache(,|$)/.test(f.value ?? '') && /(^|,)(target|dst|destination)=[^,]*pkg\/mod\/?(,|$)/.test(f.value ?? ''),
  );
}

/** Whether a stage (or an ancestor) copies go.mod from the context. */

/** Start of the comment lines directly above `ins` (no blank line between), or its own line start. */
function insertionLine(model: DockerfileModel, ins: InstructionInfo, prevEndLine: number): number {
  let line = ins.line;
  while (line - 1 > prevEndLine && /^\s*#/.test(model.index.lineText(line - 1))) line--;
  return line;
}

/** A destination for a COPY of several files: the broad COPY's, ending with a separator. */
function dirDest(dest: string, model: DockerfileModel, windows: boolean): string {
  if (/^\.[\\/]?$/.test(dest)) return dest === '.' ? './' : dest;
  if (dest.endsWith('/')) return dest;
  if (dest.endsWith('\\') && model.escape !== '\\') return dest;
  if (dest.includes('/') || !windows) return dest + '/';
  // a Windows path written with backslashes: never end a line with the escape character
  return model.escape === '\\' ? dest + '/' : dest + '\\';
}

/** Document offset just after the instruction's last argument on its first line. */
function rangeEnd(model: DockerfileModel, ins: InstructionInfo): number {
  const t = ins.args.text.trimEnd();
  const lastEnd = t.length ? ins.args.at(t.length - 1) + 1 : ins.start + ins.keyword.length;
  const lineEnd = model.index.lineEnd(ins.line);
  if (lastEnd <= lineEnd) return lastEnd;
  let e = lineEnd;
  const text = model.text;
  while (e > ins.start && /[ \t]/.test(text[e - 1])) e--;
  if (text[e - 1] === model.escape) e--;
  while (e > ins.start && /[ \t]/.test(text[e - 1])) e--;
  return e;
}

/** The text span of a whole-line block (first line start to the next line's start) for deletion. */
function lineBlock(model: DockerfileModel, firstLine: number, lastLine: number): [number, number] {
  const starts = model.index.lineStarts;
  const blank = (l: number) => l >= 0 && l < starts.length && model.index.lineText(l).trim() === '';
  // a block set apart by blank lines on both sides takes one of them along
  if (blank(firstLine - 1) && (blank(lastLine + 1) || lastLine + 1 >= starts.length - 1)) firstLine--;
  const start = starts[firstLine];
  if (lastLine + 1 < starts.length) return [start, starts[lastLine + 1]];
  // last line of a file without a final line break: take the preceding break instead
  return [firstLine > 0 ? model.index.lineEnd(firstLine - 1) : start, model.text.length];
}

const BETWEEN_OK = new Set(['COPY', 'ADD', 'LABEL', 'EXPOSE']);

export const goModCacheOrder: Rule = {
  id: 'go-mod-cache-order',
  defaultSeverity: 'warning',
  summary: 'The whole build context is copied before go.mod, so every source edit re-downloads all Go modules.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    if (!model.buildsGo) return out;
    // vendored or GOPATH-mode builds download nothing
    if (/-mod[= ]["']?vendor\b/.test(model.text) || /GO111MODULE[= ]["']?off\b/.test(model.text)) return out;

    const ws = model.workspace;
    const ctx: ContextFacts = { known: ws.listDir(model.contextDir).length > 0, dir: model.contextDir };
    if (ctx.known) {
      // the module is elsewhere, or a workspace / vendor tree decides what is downloaded
      if (!ws.exists(path.join(ctx.dir, 'go.mod'))) return out;
      if (ws.isDirectory(path.join(ctx.dir, 'vendor')) || ws.exists(path.join(ctx.dir, 'go.work'))) return out;
    }

    // per stage, whether it or an ancestor copies sources or go.mod / go.mod itself: each stage
    // read once (asking every stage about its whole ancestry was quadratic in a chain of stages)
    const decides = lineageMemo((a) => a.instructions.some((i) => {
      const c = contextCopy(i, ctx, model, a);
      return !!c && c.kinds.some((k) => k.kind !== 'other');
    }));
    const copiesMod = lineageMemo((a) => a.instructions.some((i) => {
      const c = contextCopy(i, ctx, model, a);
      return !!c && c.kinds.some((k) => k.kind === 'gomod');
    }));
    for (const stage of model.stages) {
      // an ancestor that copies sources or go.mod already decided the order
      if (stage.parent && decides(stage.parent)) continue;
      // modules brought from a stage that downloaded them (COPY --from=deps /go/pkg/mod ...)
      if (stage.instructions.some((i) => {
        const from = i.keyword === 'COPY' ? flagValue(i, 'from') : undefined;
        const src = from !== undefined ? stageByRef(model, from, stage) : undefined;
        return !!src && copiesMod(src);
      })) continue;

      let broad: { ins: InstructionInfo; kind: Extract<SourceKind, { kind: 'broad' }>; dest: string; lookup: (n: string) => string | undefined } | undefined;
      let idx = -1;
      for (let i = 0; i < stage.instructions.length && !broad; i++) {
        const ins = stage.instructions[i];
        const c = contextCopy(ins, ctx, model, stage);
        if (!c) continue;
        const b = c.kinds.find((k): k is Extract<SourceKind, { kind: 'broad' }> => k.kind === 'broad');
        if (b) {
          broad = { ins, kind: b, dest: c.paths.dest, lookup: c.lookup };
          idx = i;
        } else if (c.kinds.some((k) => k.kind !== 'other')) break; // go.mod copied first, or a copy we cannot read
      }
      if (!broad) continue;

      const windows = stage.windows;
      const workdir = expandedWorkdirAt(model, stage, broad.ins);
      if (workdir === undefined) continue;
      const destExpanded = expand(broad.dest, broad.lookup);
      if (destExpanded === undefined) continue;
      const destAbs = normDir(resolveDir(workdir, destExpanded, windows), windows);
      const destIsWorkdir = destAbs === normDir(workdir, windows);

      // Go commands that resolve this module after the copy: later in the stage, or in stages built on it
      const after = new Set(stage.instructions.slice(idx + 1));
      const uses = [
        ...moduleUses(model, stage).filter((u) => after.has(u.ins)),
        ...model.stages.filter((s) => s !== stage && inLineage(model, s, stage)).flatMap((s) => moduleUses(model, s)),
      ]
        .filter((u) => within(normDir(u.workdir, windows), destAbs))
        .sort((a, b) => a.ins.start - b.ins.start);
      if (!uses.length) continue;

      // what the module needs
      let mod: GoMod | undefined;
      let hasSum = true;
      if (ctx.known) {
        const modFile = path.join(broad.kind.modDir, 'go.mod');
        const text = ws.readFile(modFile);
        if (text === undefined) continue;
        mod = parseGoMod(text, modFile);
        if (mod.requires.size === 0) continue; // nothing to download
        if (ws.isDirectory(path.join(broad.kind.modDir, 'vendor'))) continue;
        hasSum = ws.exists(path.join(broad.kind.modDir, 'go.sum'));
      }

      const ins = broad.ins;
      const p = copyPaths(ins)!;
      const shown = `${ins.keyword} ${p.sources.join(' ')} ${p.dest}`;
      const n = mod?.requires.size;
      const count = n === undefined ? 'all modules go.mod requires' : n === 1 ? 'the one module go.mod requires' : `all ${n} modules go.mod requires`;
      const cached = uses.some((u) => hasModCacheMount(u.ins));
      const message = cached
        ? `\`${shown}\` comes before go.mod is copied: every source edit re-runs the module download. The cache mount keeps modules on this machine only (it is not exported with the layer cache), so CI builds re-download ${count}. Copy go.mod and go.sum and run \`go mod download\` first.`
        : `\`${shown}\` comes before go.mod is copied: every source edit invalidates the layers after it, so the build re-downloads ${count}. Copy go.mod and go.sum and run \`go mod download\` first.`;

      const fixes: Fix[] = [];
      const files = [broad.kind.prefix + 'go.mod', ...(hasSum ? [broad.kind.prefix + 'go.sum'] : [])];
      const newDest = dirDest(p.dest, model, windows);
      const writable = [...files, newDest].every((s) => /^[^\s"'`]+$/.test(s)) && !(windows && model.escape === '\\' && /\\$/.test(newDest));
      if (writable) {
        const eol = model.eol;
        const lineStart = model.index.lineStarts[ins.line];
        const lead = model.text.slice(lineStart, ins.start);
        const indent = /^[ \t]*$/.test(lead) ? lead : '';
        const prev = stage.instructions[idx - 1] ?? stage.from;
        const at = model.index.lineStarts[insertionLine(model, ins, prev.range.end.line)];
        const flags = ins.flags.filter((f) => f.name === 'chown' || f.name === 'chmod').map((f) => model.text.slice(f.start, f.end) + ' ').join('');
        const copyLine = `${indent}COPY ${flags}${files.join(' ')} ${newDest}${eol}`;
        const list = files.join(' and ');
        if (destIsWorkdir) {
          // a later whole-RUN `go mod download` in the same directory is moved, not duplicated
          const dl = uses.find((u) => u.movableDownload && u.ins.stage === stage && normDir(u.workdir, windows) === destAbs);
          const dlIdx = dl ? stage.instructions.indexOf(dl.ins) : -1;
          const movable = !!dl &&
            stage.instructions.slice(idx + 1, dlIdx).every((i) => BETWEEN_OK.has(i.keyword)) &&
            !heredocsOf(dl.ins).length;
          let edits: TextEdit[];
          let title: string;
          if (dl && movable) {
            const prevDl = stage.instructions[dlIdx - 1];
            const first = insertionLine(model, dl.ins, prevDl.range.end.line);
            const last = dl.ins.range.end.line;
            const block = model.text.slice(model.index.lineStarts[first], dl.ins.end);
            const [ds, de] = lineBlock(model, first, last);
            edits = [editAt(model, at, at, copyLine + block + eol), editAt(model, ds, de, '')];
            title = `Copy ${list} first and move \`go mod download\` before \`${shown}\``;
          } else {
            edits = [editAt(model, at, at, copyLine + `${indent}RUN go mod download${eol}`)];
            title = `Copy ${list} and run \`go mod download\` before \`${shown}\``;
          }
          fixes.push({ title, edits, preferred: ctx.known });
        } else if (!windows && /^[A-Za-z0-9_./${}:@+-]+$/.test(p.dest)) {
          // the module lands outside the working directory: the download must run there
          fixes.push({
            title: `Copy ${list} and run \`go mod download\` in ${p.dest} before \`${shown}\``,
            edits: [editAt(model, at, at, copyLine + `${indent}RUN cd ${p.dest} && go mod download${eol}`)],
          });
        } else if (windows && goAtLeast(stage.base.goVersion, 20) === true && /^[A-Za-z0-9_.\\/:-]+$/.test(p.dest)) {
          // Windows images may run RUN in PowerShell 5 (no `&&`): `go mod download -C dir` (Go 1.20+) works in any shell.
          // RUN text is not unescaped, so `C:\\app` (escaped for COPY) is written `C:\app` there.
          const dir = model.escape === '\\' ? p.dest.replace(/\\\\/g, '\\') : p.dest;
          fixes.push({
            title: `Copy ${list} and run \`go mod download\` in ${p.dest} before \`${shown}\``,
            edits: [editAt(model, at, at, copyLine + `${indent}RUN go mod download -C ${dir}${eol}`)],
          });
        }
      }
      out.push({ message, range: rangeOf(model, ins.start, rangeEnd(model, ins)), fixes });
    }
    return out;
  },
};
