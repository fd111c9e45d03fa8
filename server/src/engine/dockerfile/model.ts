// The engine's view of one Dockerfile: instructions with exact offsets,
// stages and their ancestry, ARG-resolved base images, shell commands, and
// what each stage does with Go. Rules read this; they never parse text.
import * as path from 'node:path';
import type { Instruction } from 'dockerfile-ast';
// the package's entry before its inner modules: they require each other in a cycle that
// resolves only in that order ("Class extends value undefined" otherwise)
import 'dockerfile-ast';
import { Instruction as AstInstruction } from 'dockerfile-ast/lib/instruction';
import { Parser as AstParser } from 'dockerfile-ast/lib/parser';
import { LineIndex, detectEol } from '../text';
import type { Range, Workspace } from '../types';
import { baseFacts, parseImageRef, type BaseFacts, type ImageRef } from '../images';
import { findGoMod, type GoMod } from '../go';
import { joinContinuations, parseScript, plainText, wordSpan, splitAssignment, type LogicalText, type ShellScript, type SimpleCommand, type Word } from './shell';
import { KeyMemo } from '../memo';
import { parseDockerfile, type DockerfileParseCache, type InstructionParse } from './incremental';

export interface FlagInfo {
  name: string;
  /** Value as written after '=' (quotes removed), or undefined for a bare flag. */
  value: string | undefined;
  /** Document offsets of the whole `--name=value` word. */
  start: number;
  end: number;
}

export interface InstructionInfo {
  node: Instruction;
  keyword: string;
  stage: Stage | undefined;
  /** Document offsets of the whole instruction (heredoc bodies included). */
  start: number;
  end: number;
  range: Range;
  /** Line (0-based) of the keyword. */
  line: number;
  /** The instruction's first logical line after the keyword, continuations joined. */
  args: LogicalText;
  flags: FlagInfo[];
  /** Logical offset in `args` where the arguments after the flags begin. */
  restStart: number;
  /** Exec (JSON) form arguments, when the rest is a JSON array of strings. */
  json?: string[];
  /** Shell scripts: the command line (shell form) and each heredoc body. */
  scripts: ShellScript[];
}

export interface GoCommand {
  instr: InstructionInfo;
  script: ShellScript;
  cmd: SimpleCommand;
  /** The `go` word. */
  goWord: Word;
  /** build, install, mod, test, generate, ... */
  sub: string;
  /** For `go mod`: download, tidy, vendor, ... */
  modSub?: string;
  /** Working directory in effect. */
  workdir: string;
  /** NAME=value assignments on this command. */
  env: Map<string, string>;
}

export interface Stage {
  index: number;
  /** Stage name as written (`AS name`), if any. */
  name?: string;
  from: InstructionInfo;
  /** Base image after ARG substitution, undefined when it could not be resolved. */
  image?: string;
  ref?: ImageRef;
  /** The stage this one is built FROM, if any. */
  parent?: Stage;
  /** Facts of the root image of the ancestry (a stage's base facts are inherited). */
  base: BaseFacts;
  /** Instructions after FROM. */
  instructions: InstructionInfo[];
  isFinal: boolean;
  windows: boolean;
  /** This stage or an ancestor is a Go toolchain image. */
  goToolchain: boolean;
  goCommands: GoCommand[];
  buildsGo: boolean;
}

export interface DockerfileModel {
  text: string;
  path: string;
  dir: string;
  index: LineIndex;
  eol: string;
  escape: string;
  instructions: InstructionInfo[];
  stages: Stage[];
  finalStage?: Stage;
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string | undefined>;
  goMod?: GoMod;
  /** Directory sent as the build context. */
  contextDir: string;
  buildsGo: boolean;
  workspace: Workspace;
}

/** Expands $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:+x}, ${VAR+x}; undefined when a variable has no known value. */
export function expandVariables(s: string, lookup: (name: string) => string | undefined): string | undefined {
  let failed = false;
  const out = s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, op, word, plain) => {
    const name = braced ?? plain;
    const v = lookup(name);
    if (op === ':-') return v ? v : word;
    if (op === '-') return v !== undefined ? v : word;
    if (op === ':+') return v ? word : '';
    if (op === '+') return v !== undefined ? word : '';
    if (v === undefined) failed = true;
    return v ?? '';
  });
  return failed ? undefined : out;
}

const FLAG_RE = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s;

function readFlagsAndRest(args: LogicalText): { flags: FlagInfo[]; restStart: number } {
  const flags: FlagInfo[] = [];
  const t = args.text;
  let i = 0;
  for (;;) {
    while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
    if (!t.startsWith('--', i)) break;
    let j = i;
    let quote = '';
    while (j < t.length) {
      const c = t[j];
      if (quote) { if (c === quote) quote = ''; }
      else if (c === '"' || c === "'") quote = c;
      else if (c === ' ' || c === '\t') break;
      j++;
    }
    const word = t.slice(i, j);
    const m = FLAG_RE.exec(word);
    if (!m) break;
    const value = m[2] === undefined ? undefined : m[2].replace(/^(["'])(.*)\1$/s, '$2');
    flags.push({ name: m[1].toLowerCase(), value, start: args.at(i), end: args.at(j - 1) + 1 });
    i = j;
  }
  return { flags, restStart: i };
}

function parseJsonForm(s: string): string[] | undefined {
  const trimmed = s.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(trimmed);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    /* shell form */
  }
  return undefined;
}

/** A node's heredocs, [] when none; dockerfile-ast throws on some half-typed lines (an escape before `#` at the end). */
export function nodeHeredocs(node: Instruction): any[] {
  try {
    return (node as any).getHeredocs?.() ?? [];
  } catch {
    return [];
  }
}

/**
 * The instruction's heredocs. A heredoc starts with `<<` on the instruction's first logical line:
 * without one, dockerfile-ast's scan of every argument is skipped.
 */
export function heredocsOf(ins: Pick<InstructionInfo, 'node' | 'args'>): any[] {
  return ins.args.text.includes('<<') ? nodeHeredocs(ins.node) : [];
}

const SCRIPT_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT']);

// dockerfile-ast recomputes an instruction's arguments (a scan of its text with two
// positionAt per word) at every getArguments()/getFlags()/getRawArgumentsContent() call,
// and its parser alone asks five times per instruction: about half of each parse. They
// depend only on what the instruction was built with (document, ranges, escape character,
// all fixed), so the first answer is kept per instruction; callers get a copy of the list,
// as before (ModifiableInstruction.getArguments shifts the flags off the array it gets).
const RAW_ARGS = Symbol.for('container-tuner.rawArguments');
type MemoInstruction = { getRawArguments(): unknown[]; [RAW_ARGS]?: unknown[] };
const astProto = AstInstruction.prototype as unknown as MemoInstruction & { rawArgumentsMemo?: true };
if (!astProto.rawArgumentsMemo) {
  const compute = astProto.getRawArguments;
  astProto.getRawArguments = function (this: MemoInstruction): unknown[] {
    const args = (this[RAW_ARGS] ??= compute.call(this));
    return args.slice();
  };
  astProto.rawArgumentsMemo = true;
}
// Its parser also builds every instruction twice: once to look for heredocs after the
// arguments, then again, with the same arguments when there were none, to keep it. The
// second call gets the first instance (instructions are read-only views of the text).
interface LastMade { dockerfile: unknown; keyword: unknown; start: number; instructionEnd: number; end: number; made: unknown }
const LAST_MADE = Symbol.for('container-tuner.lastInstruction');
type ParserLike = { createInstruction(dockerfile: unknown, keyword: unknown, start: number, instructionEnd: number, end: number): unknown; [LAST_MADE]?: LastMade };
const parserProto = (AstParser as unknown as { prototype: ParserLike & { createInstructionMemo?: true } }).prototype;
if (typeof parserProto.createInstruction === 'function' && !parserProto.createInstructionMemo) {
  const create = parserProto.createInstruction;
  parserProto.createInstruction = function (this: ParserLike, dockerfile, keyword, start, instructionEnd, end) {
    const last = this[LAST_MADE];
    if (last && last.dockerfile === dockerfile && last.keyword === keyword && last.start === start && last.instructionEnd === instructionEnd && last.end === end) return last.made;
    const made = create.call(this, dockerfile, keyword, start, instructionEnd, end);
    this[LAST_MADE] = { dockerfile, keyword, start, instructionEnd, end, made };
    return made;
  };
  parserProto.createInstructionMemo = true;
}

/** The entry of a dockerfile-ast node (checked against the memo: an entry let go is not used). */
const nodeParses = new KeyMemo<Instruction, InstructionParse>();

/**
 * An instruction's arguments, flags, exec form and shell script parsed at an
 * earlier lint of the same document (the language server's parse cache),
 * found by the dockerfile-ast node the incremental parse kept, or else by the
 * instruction's text: a keystroke changes one instruction, and
 * the others are not joined, split and tokenized again. Offsets are kept
 * relative to the instruction's start and moved to where it is now. The
 * parts shared between lints are read-only: rules never change them, and
 * memos are kept on what is made anew at each lint (the instruction, stage,
 * script and model objects), never on the shared words and commands.
 */
class InstructionReuse {
  private readonly memo: Map<string, InstructionParse>;
  private readonly gen: number;
  /** The entry found or made for the instruction at each start offset, this lint. */
  private readonly current = new Map<number, { entry: InstructionParse; delta: number }>();

  constructor(
    private readonly cache: DockerfileParseCache,
    private readonly text: string,
    escape: string,
  ) {
    // a new escape character changes every parse: start over
    if (cache.instructionEscape !== escape) {
      cache.instructionParses.clear();
      cache.instructionEscape = escape;
    }
    this.memo = cache.instructionParses;
    this.gen = ++cache.instructionGeneration;
  }

  /** The parts kept for the instruction `node`, text[start, end), moved to `start`; undefined when not kept. */
  get(node: Instruction, start: number, end: number): Omit<InstructionParse, 'start' | 'gen' | 'scripts' | 'key' | 'length'> | undefined {
    // a node the incremental parse kept has the text it had (its lines did not change): found without
    // hashing the text; a node of a new parse is looked up by its text
    let e = nodeParses.get(node);
    if (!e || e.length !== end - start || this.memo.get(e.key) !== e) {
      e = this.memo.get(this.text.slice(start, end));
      if (!e) return undefined;
      nodeParses.set(node, e);
    }
    e.gen = this.gen;
    const delta = start - e.start;
    this.current.set(start, { entry: e, delta });
    if (delta === 0) return e;
    return {
      args: e.args.shifted(delta),
      flags: e.flags.map((f) => ({ ...f, start: f.start + delta, end: f.end + delta })),
      restStart: e.restStart,
      json: e.json,
    };
  }

  set(node: Instruction, start: number, end: number, parts: Omit<InstructionParse, 'start' | 'gen' | 'scripts' | 'key' | 'length'>): void {
    // (heredocs are parsed at each lint: their bodies are read from the document through dockerfile-ast)
    if (parts.args.text.includes('<<')) return;
    const key = this.text.slice(start, end);
    const entry: InstructionParse = { ...parts, key, length: end - start, start, gen: this.gen, scripts: [undefined, undefined] };
    this.memo.set(key, entry);
    nodeParses.set(node, entry);
    this.current.set(start, { entry, delta: 0 });
  }

  /** The shell script of the instruction at `start` (its arguments after the flags), kept or parsed now. */
  script(start: number, backslash: boolean): ShellScript | undefined {
    const c = this.current.get(start);
    if (!c) return undefined;
    const e = c.entry;
    const k = backslash ? 1 : 0;
    let parsed = e.scripts[k];
    if (!parsed) e.scripts[k] = parsed = parseScript(e.args.slice(e.restStart), backslash);
    // a new script object at each lint (rules keep memos on it), sharing the commands
    return { source: c.delta === 0 ? parsed.source : parsed.source.shifted(c.delta), commands: parsed.commands };
  }

  /** Forgets the texts no instruction has any more (kept to about the document's instructions). */
  done(instructions: number): void {
    if (this.memo.size <= 2 * instructions + 16) return;
    for (const [k, e] of this.memo) if (e.gen !== this.gen) this.memo.delete(k);
  }
}

export interface ModelOptions {
  /** Build context directory; defaults to the Dockerfile's directory or the module root. */
  contextDir?: string;
  /** The previous parse of this document (the language server keeps one per open Dockerfile): a keystroke parses one instruction again. */
  parseCache?: DockerfileParseCache;
}

export function buildDockerfileModel(text: string, filePath: string, workspace: Workspace, opts: ModelOptions = {}): DockerfileModel {
  const { escape, instructions } = opts.parseCache ? opts.parseCache.parse(text) : parseDockerfile(text);
  const index = new LineIndex(text);
  const dir = path.dirname(path.resolve(filePath));
  const model: DockerfileModel = {
    text,
    path: filePath,
    dir,
    index,
    eol: detectEol(text),
    escape,
    instructions: [],
    stages: [],
    globalArgs: new Map(),
    contextDir: dir,
    buildsGo: false,
    workspace,
  };

  let stage: Stage | undefined;
  const byName = new Map<string, Stage>();
  const reuse = opts.parseCache ? new InstructionReuse(opts.parseCache, text, escape) : undefined;
  for (const node of instructions) {
    const keyword = node.getKeyword().toUpperCase();
    const r = node.getRange();
    const start = index.offsetAt(r.start);
    const end = index.offsetAt(r.end);
    const kept = reuse?.get(node, start, end);
    let args: LogicalText;
    let flags: FlagInfo[];
    let restStart: number;
    let json: string[] | undefined;
    if (kept) {
      ({ args, flags, restStart, json } = kept);
    } else {
      // arguments start right after the keyword (dockerfile-ast's argument range leaves flags out)
      args = joinContinuations(text, index.offsetAt(node.getInstructionRange().end), end, escape, true, true);
      ({ flags, restStart } = ['RUN', 'COPY', 'ADD', 'FROM'].includes(keyword) ? readFlagsAndRest(args) : { flags: [], restStart: 0 });
      json = ['RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'VOLUME', 'SHELL'].includes(keyword) ? parseJsonForm(args.text.slice(restStart)) : undefined;
      reuse?.set(node, start, end, { args, flags, restStart, json });
    }
    const info: InstructionInfo = {
      node, keyword, stage: undefined, start, end, range: r, line: r.start.line, args, flags, restStart, scripts: [],
    };
    if (json) info.json = json;

    if (keyword === 'FROM') {
      stage = newStage(model, info, byName, text, index);
      model.stages.push(stage);
      if (stage.name) byName.set(stage.name.toLowerCase(), stage);
    } else if (!stage) {
      if (keyword === 'ARG') {
        for (const p of (node as any).getProperties?.() ?? []) model.globalArgs.set(p.getName(), p.getValue() ?? undefined);
      }
    } else {
      info.stage = stage;
      stage.instructions.push(info);
    }
    if (SCRIPT_KEYWORDS.has(keyword) && !info.json && stage) {
      const backslash = !stage.windows && escape === '\\';
      info.scripts.push(reuse?.script(start, backslash) ?? parseScript(args.slice(restStart), backslash));
      if (keyword === 'RUN') {
        for (const h of heredocsOf(info)) {
          const cr = h.getContentRange();
          if (!cr) continue;
          const body = plainText(text, index.offsetAt(cr.start), index.offsetAt(cr.end));
          const first = body.text.split(/\r?\n/, 1)[0];
          if (first.startsWith('#!') && !/\b(sh|bash|ash|dash)\b/.test(first)) continue;
          info.scripts.push(parseScript(body, backslash));
        }
      }
    }
    model.instructions.push(info);
  }

  reuse?.done(model.instructions.length);

  if (model.stages.length) {
    model.finalStage = model.stages[model.stages.length - 1];
    model.finalStage.isFinal = true;
  }

  model.goMod = findGoMod(workspace, dir);
  if (opts.contextDir) {
    // configured (`contexts` in .container-tuner.yaml): the module may sit in the context rather than above the Dockerfile
    model.contextDir = path.resolve(opts.contextDir);
    model.goMod ??= findGoMod(workspace, model.contextDir);
  } else if (!workspace.exists(path.join(dir, 'go.mod')) && model.goMod) model.contextDir = model.goMod.dir;

  for (const s of model.stages) analyzeGo(model, s);
  model.buildsGo = model.stages.some((s) => s.buildsGo);
  return model;
}

function newStage(model: DockerfileModel, from: InstructionInfo, byName: Map<string, Stage>, text: string, index: LineIndex): Stage {
  const words = from.args.text.slice(from.restStart).trim().split(/\s+/).filter(Boolean);
  const imageWord = words[0] ?? '';
  const name = words.length >= 3 && words[1].toLowerCase() === 'as' ? words[2] : undefined;
  const image = expandVariables(imageWord, (n) => model.globalArgs.get(n));
  const parent = image !== undefined ? byName.get(image.toLowerCase()) : undefined;
  let ref: ImageRef | undefined;
  let base: BaseFacts;
  if (parent) base = parent.base;
  else if (image) {
    ref = parseImageRef(image);
    base = baseFacts(ref);
  } else base = { goToolchain: false, officialGolangLinux: false, libc: 'unknown', shell: undefined, kind: 'other', windows: false };
  return {
    index: model.stages.length,
    name,
    from,
    image,
    ref,
    parent,
    base,
    instructions: [],
    isFinal: false,
    windows: base.windows,
    goToolchain: base.goToolchain,
    goCommands: [],
    buildsGo: false,
  };
}

interface StageState {
  /** Index of each instruction in the stage. */
  index: Map<InstructionInfo, number>;
  /** Working directory before each instruction; [length] = at the end. */
  workdir: string[];
  /** Per variable set by ENV in this stage: the indexes of those instructions and the values, in order. */
  envs: Map<string, { at: number[]; values: { value: string; instr: InstructionInfo }[] }>;
  /** Environment at the end of the stage (ancestors included). */
  envEnd: Map<string, { value: string; instr: InstructionInfo }>;
  /** USER (trimmed arguments) in effect before each instruction, undefined when none; [length] = at the end. */
  user: (string | undefined)[];
  /** Indexes of the instructions of each keyword, in order. */
  byKeyword: Map<string, number[]>;
}

// Computed once per stage (after the model is built), so asking at every instruction stays linear.
const stageStates = new KeyMemo<Stage, StageState>();

function stageState(stage: Stage): StageState {
  return fromAncestry(stageStates, stage, (st, parent) => {
    let wd = parent ? parent.workdir[parent.workdir.length - 1] : st.base.goToolchain && !st.windows ? '/go' : st.windows ? 'C:\\' : '/';
    const envEnd = new Map(parent?.envEnd ?? []);
    let user = parent ? parent.user[parent.user.length - 1] : undefined;
    const state: StageState = { index: new Map(), workdir: [], envs: new Map(), envEnd, user: [], byKeyword: new Map() };
    st.instructions.forEach((ins, i) => {
      state.index.set(ins, i);
      const same = state.byKeyword.get(ins.keyword);
      if (same) same.push(i);
      else state.byKeyword.set(ins.keyword, [i]);
      state.workdir.push(wd);
      state.user.push(user);
      if (ins.keyword === 'USER') user = ins.args.text.trim();
      if (ins.keyword === 'WORKDIR') {
        const arg = ins.args.text.trim().replace(/^(["'])(.*)\1$/, '$2');
        if (arg) wd = st.windows ? (/^[A-Za-z]:|^[\\/]/.test(arg) ? arg : wd.replace(/(?<![\\/])[\\/]*$/, '\\') + arg) : path.posix.resolve(wd, arg);
      } else if (ins.keyword === 'ENV') {
        for (const p of (ins.node as any).getProperties?.() ?? []) {
          const k: string = p.getName();
          const v = { value: (p.getValue() ?? '') as string, instr: ins };
          envEnd.set(k, v);
          const list = state.envs.get(k);
          if (list) { list.at.push(i); list.values.push(v); }
          else state.envs.set(k, { at: [i], values: [v] });
        }
      }
    });
    state.workdir.push(wd);
    state.user.push(user);
    return state;
  });
}

/** Working directory in effect before instruction `upTo` of a stage (or at its end). */
export function workdirAt(stage: Stage, upTo?: InstructionInfo): string {
  const st = stageState(stage);
  const i = upTo ? st.index.get(upTo) : undefined;
  return st.workdir[i ?? st.workdir.length - 1];
}

/**
 * The instructions of `stage` with one of `keywords` that come before `upTo`
 * (all of them without it, or when it is not in the stage), in order. Rules
 * that look back for ARG/ENV/WORKDIR at every instruction stay linear.
 */
export function instructionsBefore(stage: Stage, keywords: string[], upTo?: InstructionInfo): InstructionInfo[] {
  const st = stageState(stage);
  const end = (upTo && st.index.get(upTo)) ?? stage.instructions.length;
  const idx: number[] = [];
  for (const k of keywords) {
    const list = st.byKeyword.get(k);
    if (!list) continue;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] < end) lo = mid + 1;
      else hi = mid;
    }
    for (let j = 0; j < lo; j++) idx.push(list[j]);
  }
  if (keywords.length > 1) idx.sort((a, b) => a - b);
  return idx.map((i) => stage.instructions[i]);
}

/** USER (its trimmed arguments) in effect before `upTo` in a stage and its ancestors (or at its end); undefined when none. */
export function userAt(stage: Stage, upTo?: InstructionInfo): string | undefined {
  const st = stageState(stage);
  const i = upTo ? st.index.get(upTo) : undefined;
  return st.user[i ?? st.user.length - 1];
}

/** ENV values set in a stage and its ancestors before `upTo` (later wins). */
export function envAt(stage: Stage, upTo?: InstructionInfo): Map<string, { value: string; instr: InstructionInfo }> {
  const st = stageState(stage);
  const i = upTo ? st.index.get(upTo) : undefined;
  if (i === undefined) return new Map(st.envEnd);
  const env = new Map(stage.parent ? stageState(stage.parent).envEnd : []);
  // per variable, the last ENV before `upTo` (binary search: asking at every instruction stays cheap)
  for (const [k, { at, values }] of st.envs) {
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) env.set(k, values[lo - 1]);
  }
  return env;
}

function analyzeGo(model: DockerfileModel, stage: Stage): void {
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'RUN') continue;
    const workdir = workdirAt(stage, ins);
    const scripts = ins.json ? [] : ins.scripts;
    for (const script of scripts) {
      let dir = workdir;
      for (const cmd of script.commands) {
        const argv = cmd.argv;
        if (argv.length >= 2 && argv[0].value === 'cd' && !stage.windows) {
          if (!argv[1].expands) dir = path.posix.resolve(dir, argv[1].value);
          continue;
        }
        if (!argv.length || !isGoBinary(argv[0].value)) continue;
        const sub = argv[1]?.value;
        if (!sub || sub.startsWith('-')) continue;
        const env = new Map<string, string>();
        for (const a of cmd.assignments) {
          const [k, v] = splitAssignment(a);
          env.set(k, v);
        }
        const gc: GoCommand = { instr: ins, script, cmd, goWord: argv[0], sub, workdir: dir, env };
        if (sub === 'mod') gc.modSub = argv[2]?.value;
        stage.goCommands.push(gc);
      }
    }
    if (ins.json && ins.json.length >= 2 && isGoBinary(ins.json[0])) {
      // exec-form RUN ["go", "build", ...]: recorded as Go work, not editable by word
      stage.buildsGo = true;
    }
  }
  stage.buildsGo =
    stage.buildsGo ||
    stage.goToolchain ||
    stage.goCommands.some((g) => ['build', 'install', 'test', 'generate'].includes(g.sub) || (g.sub === 'mod' && g.modSub === 'download'));
}

export function isGoBinary(word: string): boolean {
  return word === 'go' || /\/go$/.test(word) || /^go\.exe$/i.test(word) || /[\\/]go(\.exe)?$/i.test(word);
}

/** Document offsets of a word of a shell script. */
export function wordOffsets(script: ShellScript, w: Word): [number, number] {
  return wordSpan(script.source, w);
}

/** The Go command a shell command of the stage runs, if any (an index built once per stage: rules ask for every command). */
export function goCommandOf(stage: Stage, cmd: SimpleCommand): GoCommand | undefined {
  let m = goCommandsByCmd.get(stage);
  if (!m) {
    m = new Map();
    for (const g of stage.goCommands) if (!m.has(g.cmd)) m.set(g.cmd, g);
    goCommandsByCmd.set(stage, m);
  }
  return m.get(cmd);
}
const goCommandsByCmd = new KeyMemo<Stage, Map<SimpleCommand, GoCommand>>();

/** The first stage of a stage's ancestry (the one built FROM an image), found once per stage. */
export function stageRoot(stage: Stage): Stage {
  const todo: Stage[] = [];
  let s: Stage = stage;
  let root: Stage | undefined;
  for (;;) {
    root = roots.get(s);
    if (root) break;
    todo.push(s);
    if (!s.parent) { root = s; break; }
    s = s.parent;
  }
  for (const t of todo) roots.set(t, root);
  return root;
}
const roots = new KeyMemo<Stage, Stage>();

/**
 * `own` of a stage or of any of its ancestors, as a function of the stage: each stage's `own` is
 * computed once and a chain is walked without recursion (asking at every stage of a long chain of
 * stages stays linear).
 */
export function lineageMemo(own: (s: Stage) => boolean): (s: Stage) => boolean {
  const memo = new Map<Stage, boolean>();
  return (stage) => fromAncestry(memo, stage, (st, parent) => !!parent || own(st));
}

/**
 * A per-stage value made from the value of the stage it is built on
 * (undefined for a stage built on an image), once per stage, kept in `memo`.
 * The stages not computed yet are made from the oldest down, without
 * recursion: a chain of thousands of stages (`FROM a AS b`, `FROM b AS c`…)
 * does not overflow the stack.
 */
export function fromAncestry<V>(
  memo: { get(s: Stage): V | undefined; has(s: Stage): boolean; set(s: Stage, v: V): unknown },
  stage: Stage,
  make: (st: Stage, parent: V | undefined) => V,
): V {
  if (memo.has(stage)) return memo.get(stage)!;
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !memo.has(s); s = s.parent) chain.push(s);
  for (let k = chain.length - 1; k >= 0; k--) {
    const st = chain[k];
    memo.set(st, make(st, st.parent ? memo.get(st.parent) : undefined));
  }
  return memo.get(stage)!;
}

/** Stages whose ancestry includes `stage` (itself included). */
export function stageLineage(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s; s = s.parent) out.push(s);
  return out;
}

/**
 * Whether `ancestor` is `stage` or one of its ancestors (`stageLineage(stage).includes(ancestor)`)
 * in constant time: an Euler tour of the stage tree, built once per model. Rules that ask it
 * for every pair of stages stay linear in a long chain of stages.
 */
export function inLineage(model: DockerfileModel, stage: Stage, ancestor: Stage): boolean {
  if (stage === ancestor) return true;
  if (ancestor.index > stage.index) return false; // a parent always comes first
  let t = tours.get(model);
  if (!t) tours.set(model, (t = eulerTour(model)));
  const a = t.get(ancestor);
  const s = t.get(stage);
  if (!a || !s) return stageLineage(stage).includes(ancestor); // (a stage of another model)
  return a[0] <= s[0] && s[1] <= a[1];
}
const tours = new KeyMemo<DockerfileModel, Map<Stage, [number, number]>>();

function eulerTour(model: DockerfileModel): Map<Stage, [number, number]> {
  const children = new Map<Stage, Stage[]>();
  for (const st of model.stages) {
    if (!st.parent) continue;
    const list = children.get(st.parent);
    if (list) list.push(st);
    else children.set(st.parent, [st]);
  }
  const out = new Map<Stage, [number, number]>();
  let clock = 0;
  for (const root of model.stages) {
    if (root.parent) continue;
    // iterative depth-first walk: [stage, index of the next child to visit]
    const stack: [Stage, number][] = [[root, 0]];
    out.set(root, [clock++, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const kids = children.get(top[0]) ?? [];
      if (top[1] < kids.length) {
        const kid = kids[top[1]++];
        out.set(kid, [clock++, 0]);
        stack.push([kid, 0]);
      } else {
        out.get(top[0])![1] = clock++;
        stack.pop();
      }
    }
  }
  return out;
}

/** Resolves `--from=<name|index>` of COPY to a stage, if it names one. */
export function stageByRef(model: DockerfileModel, ref: string, before: Stage): Stage | undefined {
  if (/^\d+$/.test(ref)) {
    const s = model.stages[Number(ref)];
    return s && s.index < before.index ? s : undefined;
  }
  let names = stageNames.get(model);
  if (!names) {
    names = new Map();
    for (const s of model.stages) if (s.name && !names.has(s.name.toLowerCase())) names.set(s.name.toLowerCase(), s);
    stageNames.set(model, names);
  }
  // the first stage of that name; a later one of the same name is never reached first
  const s = names.get(ref.toLowerCase());
  return s && s.index < before.index ? s : undefined;
}

/** First stage of each (lower-cased) name, per model: one lookup per COPY --from instead of a scan. */
const stageNames = new KeyMemo<DockerfileModel, Map<string, Stage>>();

export interface RunCommand {
  ins: InstructionInfo;
  script: ShellScript;
  cmd: SimpleCommand;
}

/** Every simple command of every shell-form RUN (heredoc bodies included), in document order. */
export function runCommands(model: DockerfileModel, stage?: Stage): RunCommand[] {
  const out: RunCommand[] = [];
  for (const ins of stage ? stage.instructions : model.instructions) {
    if (ins.keyword !== 'RUN') continue;
    for (const script of ins.scripts) for (const cmd of script.commands) out.push({ ins, script, cmd });
  }
  return out;
}
