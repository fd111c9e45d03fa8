import type { DockerfileModel, GoCommand, InstructionInfo, Stage } from '../dockerfile/model';
import { envAt, wordOffsets } from '../dockerfile/model';
import { lastFlag, shippedGoBuilds, type GoBuild, type GoFlag } from '../dockerfile/gobuild';
import { splitAssignment, type LogicalText, type ShellScript, type SimpleCommand, type Word } from '../dockerfile/shell';
import { goAtLeast } from '../go';
import { editAt, rangeOf, type Rule, type RuleFinding } from '../rule';
import type { Fix, TextEdit } from '../types';
import { KeyMemo } from '../memo';

// ---------------------------------------------------------------------------
// Helpers shared with go-static-binary: variables seen by a `go build`,
// shell-style expansion with unknown parts marked, and `-ldflags` reading.
// ---------------------------------------------------------------------------

/** Stands for a part of a value that cannot be known from the Dockerfile. */
export const UNKNOWN_PART = '\u0000';

/** A known value, `undefined` when the variable is not set, `null` when it is set to something unknown. */
export type VarValue = string | undefined | null;

/** Variables a command sees that the Dockerfile does not mention are assumed unset only for these names. */
const ASSUMED_UNSET = new Set(['CGO_ENABLED', 'GOFLAGS', 'GOOS', 'GOARCH', 'GOTOOLCHAIN', 'CC']);

/** `ARG a b=1 c="x y"`: every name with its default (quotes removed), null when it has none. */
function argDecls(ins: InstructionInfo): { name: string; value: string | null }[] {
  const out: { name: string; value: string | null }[] = [];
  const t = ins.args.text;
  let i = 0;
  while (i < t.length) {
    while (i < t.length && /\s/.test(t[i])) i++;
    let word = '';
    let quote = '';
    while (i < t.length && (quote || !/\s/.test(t[i]))) {
      const c = t[i];
      if (quote) {
        if (c === quote) quote = '';
        else word += c;
      } else if (c === '"' || c === "'") quote = c;
      else word += c;
      i++;
    }
    if (!word) continue;
    const eq = word.indexOf('=');
    out.push(eq < 0 ? { name: word, value: null } : { name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return out;
}

// The state before each Go command, computed in one pass per stage and per script (snapshots
// shared while nothing changes): asking for every command of a 100,000-command RUN stays linear.
const lookups = new KeyMemo<GoCommand, (name: string) => VarValue>();
const argStates = new KeyMemo<Stage, Map<InstructionInfo | undefined, Map<string, string | null>>>();
const scriptStates = new KeyMemo<ShellScript, Map<SimpleCommand | undefined, { vals: Map<string, VarValue>; poisoned: boolean }>>();

/** ARG values of `stage` declared before `ins`. */
function argsBefore(model: DockerfileModel, stage: Stage, ins: InstructionInfo): Map<string, string | null> {
  let states = argStates.get(stage);
  if (!states) {
    states = new Map();
    let cur = new Map<string, string | null>();
    for (const i of stage.instructions) {
      states.set(i, cur);
      if (i.keyword !== 'ARG') continue;
      cur = new Map(cur);
      for (const p of argDecls(i)) {
        const global = model.globalArgs.get(p.name);
        cur.set(p.name, p.value ?? (global !== undefined ? global : null));
      }
    }
    states.set(undefined, cur);
    argStates.set(stage, states);
  }
  return states.get(ins) ?? states.get(undefined)!;
}

/** Variables set (or unset) by the commands of `gc`'s script before it; poisoned after `.`, `source`, `eval`, `set -a`. */
function scriptBefore(gc: GoCommand): { vals: Map<string, VarValue>; poisoned: boolean } {
  const states = scriptStatesOf(gc.script);
  return states.get(gc.cmd) ?? states.get(undefined)!;
}

/** The state before each command of `script`; under `undefined`, the state at the end. */
function scriptStatesOf(script: ShellScript): Map<SimpleCommand | undefined, { vals: Map<string, VarValue>; poisoned: boolean }> {
  let states = scriptStates.get(script);
  if (!states) {
    states = new Map();
    let vals = new Map<string, VarValue>();
    // copy on write: a snapshot handed out is never changed afterwards
    let shared = false;
    let poisoned = false;
    const setScript = (k: string, v: VarValue) => {
      if (shared) { vals = new Map(vals); shared = false; }
      if (vals.has(k) && vals.get(k) !== v) vals.set(k, null);
      else vals.set(k, v);
    };
    for (const c of script.commands) {
      if (!states.has(c)) {
        states.set(c, { vals, poisoned });
        shared = true;
      }
      const a0 = c.argv[0]?.value;
      if (!c.argv.length) for (const w of c.assignments) setScript(...(splitAssignment(w) as [string, string]));
      else if (a0 === 'export' || a0 === 'declare' || a0 === 'typeset' || a0 === 'readonly') {
        for (const w of c.argv.slice(1)) if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.value)) setScript(...(splitAssignment(w) as [string, string]));
      } else if (a0 === 'unset') {
        for (const w of c.argv.slice(1)) if (!w.value.startsWith('-')) setScript(w.value, undefined);
      } else if (a0 === '.' || a0 === 'source' || a0 === 'eval' || a0 === 'set' && c.argv.some((w) => w.value === '-a')) poisoned = true;
    }
    states.set(undefined, { vals, poisoned });
    scriptStates.set(script, states);
  }
  return states;
}

/**
 * What `name` holds when `gc` runs: assignments on the command, then
 * `export`/assignments earlier in the same script (ambiguous when they
 * disagree), then ENV of the stage and its ancestors (which beats ARG), then
 * ARG of the stage (default, or the global default it redeclares).
 */
export function commandVars(model: DockerfileModel, gc: GoCommand): (name: string) => VarValue {
  // commands with no assignments of their own that see the same script state (one snapshot per
  // script until a command changes it) read the same variables: one lookup for all of them
  const state = scriptBefore(gc);
  const shareable = gc.env.size === 0;
  const cached = shareable ? sharedLookups.get(state.vals)?.[state.poisoned ? 1 : 0] : lookups.get(gc);
  if (cached) return cached;
  const ins = gc.instr;
  const stage = ins.stage!;
  const argVals = argsBefore(model, stage, ins);
  // (the commands of one RUN share it: a RUN of thousands of go commands built it for each)
  let env = envBefore.get(ins);
  if (!env) envBefore.set(ins, (env = envAt(stage, ins)));
  // earlier commands of the same script
  const { vals: scriptVals, poisoned } = state;
  const cmdEnv = gc.env;
  const lookup = (name: string, depth: number): VarValue => {
    if (depth > 6) return null;
    const expand = (v: string): string | null => {
      const e = expandShell(v, (n) => lookup(n, depth + 1));
      return e.includes(UNKNOWN_PART) ? null : e;
    };
    if (cmdEnv.has(name)) return expand(cmdEnv.get(name)!);
    if (poisoned) return null;
    if (scriptVals.has(name)) {
      const v = scriptVals.get(name);
      return typeof v === 'string' ? expand(v) : v;
    }
    const e = env.get(name);
    if (e) return expand(e.value);
    if (argVals.has(name)) {
      const v = argVals.get(name)!;
      return v === null ? null : expand(v);
    }
    return ASSUMED_UNSET.has(name) ? undefined : null;
  };
  const known = new Map<string, VarValue>();
  const fn = (name: string): VarValue => {
    if (known.has(name)) return known.get(name);
    const v = lookup(name, 0);
    known.set(name, v);
    return v;
  };
  if (shareable) {
    let pair = sharedLookups.get(state.vals);
    if (!pair) sharedLookups.set(state.vals, (pair = [undefined, undefined]));
    pair[state.poisoned ? 1 : 0] = fn;
  } else lookups.set(gc, fn);
  return fn;
}
/** Per variables snapshot of a script (scriptStatesOf: each belongs to one script of one instruction), not poisoned / poisoned. */
const sharedLookups = new KeyMemo<object, [((name: string) => VarValue) | undefined, ((name: string) => VarValue) | undefined]>();
const envBefore = new KeyMemo<InstructionInfo, ReturnType<typeof envAt>>();

/** The index after the `)` matching the `(` at `open`. */
function skipParens(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i + 1;
  }
  return s.length;
}

/**
 * Expands `$X`, `${X}`, `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}`; every part that
 * cannot be known (unknown variables, `$(...)`, backticks, other operators)
 * becomes one UNKNOWN_PART character.
 */
export function expandShell(s: string, lookup: (name: string) => VarValue): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '`') {
      const close = s.indexOf('`', i + 1);
      i = close < 0 ? s.length : close + 1;
      out += UNKNOWN_PART;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (s[i + 1] === '(') {
      i = skipParens(s, i + 1);
      out += UNKNOWN_PART;
      continue;
    }
    if (s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      const end = close < 0 ? s.length : close;
      const inner = s.slice(i + 2, end);
      i = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(inner);
      if (!m) {
        out += UNKNOWN_PART;
        continue;
      }
      const v = lookup(m[1]);
      const op = m[2];
      if (v === null) out += UNKNOWN_PART;
      else if (!op) out += v ?? '';
      else if (op === ':-') out += v ? v : expandShell(m[3], lookup);
      else if (op === '-') out += v !== undefined ? v : expandShell(m[3], lookup);
      else if (op === ':+') out += v ? expandShell(m[3], lookup) : '';
      else out += v !== undefined ? expandShell(m[3], lookup) : '';
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
    if (m) {
      const v = lookup(m[0]);
      out += v === null ? UNKNOWN_PART : v ?? '';
      i += 1 + m[0].length;
      continue;
    }
    if (/^[0-9@*#?$!-]/.test(s[i + 1] ?? '')) {
      out += UNKNOWN_PART;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The value of a word as the command receives it (UNKNOWN_PART where it cannot be known). */
export function wordValue(w: Word, lookup: (name: string) => VarValue): string {
  return w.expands ? expandShell(w.value, lookup) : w.value;
}

/** Replaces every expansion of `s` by UNKNOWN_PART characters of the same length (offsets stay valid). */
export function maskKeepingLength(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const start = i;
    if (s[i] === '`') {
      const close = s.indexOf('`', i + 1);
      i = close < 0 ? s.length : close + 1;
    } else if (s[i] === '$' && s[i + 1] === '(') i = skipParens(s, i + 1);
    else if (s[i] === '$' && s[i + 1] === '{') {
      const close = s.indexOf('}', i + 2);
      i = close < 0 ? s.length : close + 1;
    } else if (s[i] === '$' && /^[A-Za-z_]/.test(s[i + 1] ?? '')) {
      i += 1 + /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1))![0].length;
    } else if (s[i] === '$' && /^[0-9@*#?$!-]/.test(s[i + 1] ?? '')) i += 2;
    else {
      out += s[i];
      i++;
      continue;
    }
    out += UNKNOWN_PART.repeat(i - start);
  }
  return out;
}

export interface Field {
  text: string;
  /** Offsets in the analysed string (quotes included). */
  start: number;
  end: number;
}

/** Splits flags the way cmd/go does (`cmd/internal/quoted.Split`): quotes count only at the start of a field. */
export function splitQuotedFields(s: string, from = 0): Field[] | undefined {
  const out: Field[] = [];
  const space = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let i = from;
  while (i < s.length) {
    while (i < s.length && space(s[i])) i++;
    if (i >= s.length) break;
    const start = i;
    if (s[i] === '"' || s[i] === "'") {
      const close = s.indexOf(s[i], i + 1);
      if (close < 0) return undefined;
      out.push({ text: s.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
      continue;
    }
    while (i < s.length && !space(s[i])) i++;
    out.push({ text: s.slice(start, i), start, end: i });
  }
  return out;
}

/** Linker flags that take a value (`-X a=b`, `-extldflags -static`). */
const LINK_VALUE_FLAGS = new Set([
  'B', 'E', 'H', 'I', 'L', 'R', 'T', 'X', 'buildid', 'buildmode', 'capturehostobjs', 'cpuprofile', 'extar', 'extld',
  'extldflags', 'fipso', 'importcfg', 'installsuffix', 'k', 'libgcc', 'linkmode', 'memprofile', 'memprofilerate', 'o',
  'pluginpath', 'r', 'tmpdir', 'benchmark', 'benchmarkprofile', 'strictdups', 'debugtramp', 'debugtextsize', 'randlayout',
]);

export interface LdflagsInfo {
  /** Offset where the flags start (after a `pattern=` prefix and leading blanks). */
  flagsStart: number;
  /** Flags part is empty. */
  empty: boolean;
  /** `-s` in effect, and the field that set it last. */
  s: boolean;
  sField?: Field;
  /** `-w` as set explicitly (last occurrence wins), and that field. */
  w: boolean | undefined;
  wField?: Field;
  /** `-extldflags` asks the external linker for a static binary; 'unknown' when its value cannot be read. */
  extStatic: boolean | 'unknown';
  /** A part that cannot be known could hold linker flags (`$LDFLAGS`, `$(cat flags)`). */
  opaque: boolean;
}

const BOOL_TRUE = /^(1|t|T|TRUE|true|True)$/;
const BOOL_FALSE = /^(0|f|F|FALSE|false|False)$/;

/**
 * Reads an `-ldflags` value (UNKNOWN_PART marks unknown parts). Undefined when
 * it applies to a package pattern other than `all`, or cmd/go would reject it.
 */
export function readLdflags(value: string): LdflagsInfo | undefined {
  let flagsStart = 0;
  while (flagsStart < value.length && /\s/.test(value[flagsStart])) flagsStart++;
  if (flagsStart < value.length && value[flagsStart] !== '-' && value[flagsStart] !== UNKNOWN_PART) {
    // `pattern=flags`: only `all` certainly covers the main package
    const eq = value.indexOf('=');
    if (eq < 0 || value.slice(flagsStart, eq).trim() !== 'all') return undefined;
    flagsStart = eq + 1;
    while (flagsStart < value.length && /\s/.test(value[flagsStart])) flagsStart++;
    if (value[flagsStart] === '"' || value[flagsStart] === "'") return undefined;
  }
  const fields = splitQuotedFields(value, flagsStart);
  if (!fields) return undefined;
  const info: LdflagsInfo = { flagsStart, empty: fields.length === 0, s: false, w: undefined, extStatic: false, opaque: false };
  const staticIn = (v: string) => (/(^|\s)-static(-pie)?(\s|$)/.test(v) ? true : v.includes(UNKNOWN_PART) ? 'unknown' : false);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const t = f.text;
    const m = /^--?([A-Za-z][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(t);
    if (!m) {
      // a field that may expand to flags; any other non-flag ends flag parsing
      if (t.startsWith(UNKNOWN_PART) || /^--?[A-Za-z0-9_]*\u0000/.test(t)) info.opaque = true;
      continue;
    }
    const [, name, inline] = m;
    if (name === 's' || name === 'w') {
      let on: boolean;
      if (inline === undefined || BOOL_TRUE.test(inline)) on = true;
      else if (BOOL_FALSE.test(inline)) on = false;
      else {
        info.opaque = true;
        continue;
      }
      if (name === 's') {
        info.s = on;
        info.sField = f;
      } else {
        info.w = on;
        info.wField = f;
      }
      continue;
    }
    if (!LINK_VALUE_FLAGS.has(name)) continue;
    let v = inline;
    if (v === undefined) {
      v = fields[i + 1]?.text ?? '';
      i++;
    }
    if (name === 'extldflags') {
      const st = staticIn(v);
      if (st === true || info.extStatic !== true) info.extStatic = st;
    }
  }
  return info;
}

// ---------------------------------------------------------------------------
// Build facts both rules need.
// ---------------------------------------------------------------------------

export function isWindowsShell(model: DockerfileModel, stage: Stage): boolean {
  return stage.windows || model.escape !== '\\';
}

/** Whether a `go build` writes a program (not a check, an archive or /dev/null). */
export function producesProgram(b: GoBuild): boolean {
  const o = lastFlag(b, 'o');
  if (o?.value && /^(\/dev\/null|NUL)$/i.test(o.value)) return false;
  const mode = lastFlag(b, 'buildmode')?.value;
  if (mode && /^(archive|c-archive)$/.test(mode)) return false;
  // `go build ./...` with several packages compiles and discards, unless -o names a directory
  if (!o && b.packages.some((w) => w.value.includes('...'))) return false;
  return true;
}

/**
 * Whether the command line may carry flags this reading cannot see: a word
 * after the flags that is an expansion (`go build $GOFLAGS_EXTRA -o app`).
 */
export function hasHiddenFlags(b: GoBuild, lookup: (name: string) => VarValue): boolean {
  const first = b.packages[0];
  if (!first || !first.expands) return false;
  const v = wordValue(first, lookup);
  return v.startsWith(UNKNOWN_PART) || v.startsWith('-');
}

/** The effective `-ldflags` of a build: the flag, its value as the linker sees it, and its reading. */
export function effectiveLdflags(
  b: GoBuild,
  lookup: (name: string) => VarValue,
): { flag?: GoFlag; value: string; info?: LdflagsInfo; fromGoflags?: boolean } {
  const flag = lastFlag(b, 'ldflags');
  if (flag) {
    if (flag.value === undefined || !flag.valueWord) return { flag, value: '' };
    const value = flag.valueWord.expands ? expandShell(flag.value, lookup) : flag.value;
    return { flag, value, info: readLdflags(value) };
  }
  // GOFLAGS=-ldflags=... applies when the command line has none
  const goflags = lookup('GOFLAGS');
  if (goflags === null) return { value: '', fromGoflags: true };
  if (goflags && /ldflags/.test(goflags)) return { value: '', fromGoflags: true };
  return { value: '', info: readLdflags('') };
}

// ---------------------------------------------------------------------------
// Editing one word of a shell command in place.
// ---------------------------------------------------------------------------

interface CharAt {
  /** Logical offset in the script source. */
  at: number;
  quote: '' | '"' | "'";
}

/** Where each character of `w.value` comes from, mirroring the shell reader; undefined if they disagree. */
function wordChars(src: string, w: Word, backslash: boolean): CharAt[] | undefined {
  const out: CharAt[] = [];
  const copy = (from: number, to: number, quote: CharAt['quote']) => {
    for (let k = from; k < to; k++) out.push({ at: k, quote });
  };
  let i = w.start;
  const n = w.end;
  while (i < n) {
    const c = src[i];
    if (c === "'") {
      const close = src.indexOf("'", i + 1);
      // a half-typed word (quote or expansion left open) is not edited in place
      if (close < 0 || close >= n) return undefined;
      const stop = close;
      copy(i + 1, stop, "'");
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && src[i] !== '"') {
        if (backslash && src[i] === '\\' && i + 1 < n && '"\\$`'.includes(src[i + 1])) {
          out.push({ at: i + 1, quote: '"' });
          i += 2;
          continue;
        }
        if (src[i] === '$' && src[i + 1] === '(') {
          const end = Math.min(skipParens(src, i + 1), n);
          copy(i, end, '"');
          i = end;
          continue;
        }
        out.push({ at: i, quote: '"' });
        i++;
      }
      if (i >= n) return undefined;
      i++;
      continue;
    }
    if (backslash && c === '\\' && i + 1 < n) {
      out.push({ at: i + 1, quote: '' });
      i += 2;
      continue;
    }
    if (c === '$' && (src[i + 1] === '(' || src[i + 1] === '{') || c === '`') {
      const close = c === '`' ? src.indexOf('`', i + 1) + 1 : src[i + 1] === '(' ? skipParens(src, i + 1) : src.indexOf('}', i + 2) + 1;
      if (close <= i || close > n || src[close - 1] !== (c === '`' ? '`' : src[i + 1] === '(' ? ')' : '}')) return undefined;
      const end = close;
      copy(i, end, '');
      i = end;
      continue;
    }
    out.push({ at: i, quote: '' });
    i++;
  }
  if (out.length !== w.value.length) return undefined;
  for (let k = 0; k < out.length; k++) if (src[out[k].at] !== w.value[k]) return undefined;
  return out;
}

/**
 * Text edits on the value part of one shell word (the part from `regionStart`,
 * an index into `w.value`): insert at an index, keeping the user's quoting.
 */
export class WordEditor {
  private readonly chars: CharAt[];
  private constructor(
    private readonly model: DockerfileModel,
    private readonly source: LogicalText,
    private readonly src: string,
    private readonly w: Word,
    chars: CharAt[],
    private readonly regionStart: number,
  ) {
    this.chars = chars;
  }

  static for(model: DockerfileModel, gc: GoCommand, w: Word, regionStart: number): WordEditor | undefined {
    const src = gc.script.source.text;
    const chars = wordChars(src, w, !isWindowsShell(model, gc.instr.stage!));
    if (!chars) return undefined;
    return new WordEditor(model, gc.script.source, src, w, chars, regionStart);
  }

  private docStart(k: number): number {
    return this.source.at(this.chars[k].at);
  }

  private docEnd(k: number): number {
    return this.source.at(this.chars[k].at) + 1;
  }

  /** Logical start of the region in the raw word (just after the `=` of `-ldflags=`). */
  private rawRegionStart(): number {
    return this.regionStart === 0 ? this.w.start : this.chars[this.regionStart - 1].at + 1;
  }

  private regionRaw(): string {
    return this.src.slice(this.rawRegionStart(), this.w.end);
  }

  private regionDoc(): [number, number] {
    const e = this.source.at(this.w.end - 1) + 1;
    return [this.source.at(this.rawRegionStart()), e];
  }

  private edit(start: number, end: number, text: string): TextEdit {
    return editAt(this.model, start, end, text);
  }

  /** Inserts `text` before value index `k` (or at the end when k = length). */
  insert(k: number, text: string): TextEdit[] | undefined {
    const n = this.chars.length;
    const needsQuotes = /[\s"'\\$`]/.test(text);
    if (k < n && this.chars[k].quote) return [this.edit(this.docStart(k), this.docStart(k), text)];
    if (k > 0 && this.chars[k - 1].quote) return [this.edit(this.docEnd(k - 1), this.docEnd(k - 1), text)];
    const [rs, re] = this.regionDoc();
    const raw = this.regionRaw();
    if (k >= n && /^(""|'')*$/.test(raw)) return [this.edit(rs, re, `"${text}"`)];
    const pos = k < n ? this.docStart(k) : this.docEnd(n - 1);
    if (!needsQuotes) return [this.edit(pos, pos, text)];
    if (!/["'\\]/.test(raw) && !/[\r\n]/.test(this.model.text.slice(rs, re))) {
      // a plain unquoted value: quote all of it now that it has blanks
      if (pos === rs && pos === re) return [this.edit(pos, pos, `"${text}"`)];
      if (pos === rs) return [this.edit(rs, rs, `"${text}`), this.edit(re, re, '"')];
      if (pos === re) return [this.edit(rs, rs, '"'), this.edit(re, re, `${text}"`)];
      return [this.edit(rs, rs, '"'), this.edit(pos, pos, text), this.edit(re, re, '"')];
    }
    return [this.edit(pos, pos, `"${text}"`)];
  }

  /** Replaces value indexes [a, b) written as plain consecutive characters; undefined otherwise. */
  replace(a: number, b: number, text: string): TextEdit[] | undefined {
    if (b <= a) return undefined;
    const s = this.docStart(a);
    const e = this.docEnd(b - 1);
    if (e - s !== b - a) return undefined;
    const q = this.chars[a].quote;
    for (let k = a; k < b; k++) if (this.chars[k].quote !== q) return undefined;
    return [this.edit(s, e, text)];
  }
}

// ---------------------------------------------------------------------------
// The rule.
// ---------------------------------------------------------------------------

/** True only when the toolchain that links is known to be older than Go 1.22 (where `-s` did not imply `-w`). */
function linksWithGoBefore122(model: DockerfileModel, stage: Stage, lookup: (name: string) => VarValue): { old: boolean; version?: string } {
  const tag = stage.base.goToolchain ? stage.base.goVersion : undefined;
  if (!tag) return { old: false };
  // GOTOOLCHAIN other than local may switch to a newer toolchain
  const tc = lookup('GOTOOLCHAIN');
  if (tc !== undefined && tc !== 'local') return { old: false };
  // go.mod can only raise the toolchain (GOTOOLCHAIN=auto downloads it; =local fails)
  for (const v of [tag, model.goMod?.go, model.goMod?.toolchain]) if (v && goAtLeast(v, 22) !== false) return { old: false };
  return { old: true, version: tag };
}

/** A debug build (`-gcflags=all=-N -l`) keeps its symbols on purpose; unknown gcflags leave a doubt. */
export function debugOrUnknownGcflags(b: GoBuild, lookup: (name: string) => VarValue): boolean {
  for (const f of b.flags) {
    if (f.name !== 'gcflags' || f.value === undefined || !f.valueWord) continue;
    const v = f.valueWord.expands ? expandShell(f.value, lookup) : f.value;
    const body = /^\s*[^-\s"'][^=]*=/.test(v) ? v.slice(v.indexOf('=') + 1) : v;
    for (const t of splitQuotedFields(body) ?? []) {
      if (/^--?[Nl](=|$)/.test(t.text)) return true;
      if (t.text.startsWith(UNKNOWN_PART)) return true;
    }
  }
  return false;
}

export const goStripSymbols: Rule = {
  id: 'go-strip-symbols',
  defaultSeverity: 'warning',
  summary: 'A shipped `go build` keeps its symbol table and DWARF debug info: link with `-ldflags="-s -w"`.',
  checkDockerfile({ model }) {
    const out: RuleFinding[] = [];
    for (const { build } of shippedGoBuilds(model)) {
      const gc = build.cmd;
      if (gc.sub !== 'build' || !gc.instr.stage) continue;
      const lookup = commandVars(model, gc);
      if (!producesProgram(build) || hasHiddenFlags(build, lookup)) continue;
      if (debugOrUnknownGcflags(build, lookup)) continue;
      const ld = effectiveLdflags(build, lookup);
      if (ld.fromGoflags || !ld.info || ld.info.opaque) continue;
      const info = ld.info;
      const { old, version } = linksWithGoBefore122(model, gc.instr.stage, lookup);
      const needS = !info.s;
      const badW = info.w === false;
      const needW = badW || (info.w === undefined && (needS || old));
      if (!needS && !needW) continue;

      const unresolved = ld.value.includes(UNKNOWN_PART);
      const script = gc.script;
      const sub = gc.cmd.argv[1];
      let range;
      let message: string;
      const fixes: Fix[] = [];
      if (!ld.flag) {
        range = rangeOf(model, wordOffsets(script, gc.goWord)[0], wordOffsets(script, sub)[1]);
        message =
          'This `go build` is shipped with its symbol table and DWARF debug info (typically 20–30 % of the binary): add `-ldflags="-s -w"`.';
        const e = wordOffsets(script, sub)[1];
        fixes.push({ title: 'Add -ldflags="-s -w"', preferred: true, edits: [editAt(model, e, e, ' -ldflags="-s -w"')] });
      } else {
        const [ns, ne] = wordOffsets(script, ld.flag.nameWord);
        range = rangeOf(model, ns, ne);
        if (needS && info.w === true)
          message = '`-ldflags` has `-w` but no `-s`: the shipped binary keeps its symbol table (part of the typical 20–30 % that stripping saves); add `-s`.';
        else if (needS)
          message = '`-ldflags` has no `-s`: the shipped binary keeps its symbol table and DWARF debug info (typically 20–30 % of its size); add `-s -w`.';
        else if (badW)
          message = '`-w=0` keeps the DWARF debug info in the shipped binary (since Go 1.22 it undoes the `-w` that `-s` implies); use `-w`.';
        else
          message = `\`-s\` alone still writes DWARF debug info before Go 1.22 (this build uses Go ${version}); add \`-w\`.`;
        const fix = stripFix(model, gc, ld.flag, { needS, needW, badW });
        if (fix) fixes.push({ ...fix, preferred: !unresolved });
      }
      out.push({ message, range, fixes });
    }
    return out;
  },
};

/** Edits the written `-ldflags` value in place: prefix `-s -w`, add `-w` after `-s`, or turn `-w=0` into `-w`. */
function stripFix(
  model: DockerfileModel,
  gc: GoCommand,
  flag: GoFlag,
  need: { needS: boolean; needW: boolean; badW: boolean },
): { title: string; edits: TextEdit[] } | undefined {
  const w = flag.valueWord!;
  const prefix = flag.inline ? w.value.indexOf('=') + 1 : 0;
  const ed = WordEditor.for(model, gc, w, prefix);
  if (!ed) return undefined;
  // the value as written (expansions masked, offsets kept) locates the fields to edit
  const written = w.expands ? maskKeepingLength(w.value.slice(prefix)) : w.value.slice(prefix);
  const info = readLdflags(written);
  if (!info) return undefined;
  const at = (k: number) => prefix + k;
  const flagsEnd = written.trimEnd().length;
  const edits: TextEdit[] = [];
  let title: string;
  // a literal -w=0 is replaced; one that comes from a variable is overridden by a trailing -w
  const fixW = (): boolean => {
    if (info.w === false && info.wField) {
      const r = ed.replace(at(info.wField.start), at(info.wField.end), '-w');
      if (!r) return false;
      edits.push(...r);
      return true;
    }
    const r = ed.insert(at(flagsEnd), ' -w');
    if (!r) return false;
    edits.push(...r);
    return true;
  };
  if (need.needS) {
    const addW = need.needW && !need.badW;
    const text = (addW ? '-s -w' : '-s') + (info.empty ? '' : ' ');
    const r = ed.insert(at(info.empty ? written.length : info.flagsStart), text);
    if (!r) return undefined;
    edits.push(...r);
    if (need.badW && !fixW()) return undefined;
    title = addW ? 'Add -s -w to -ldflags' : need.badW ? 'Add -s and replace -w=0 with -w' : 'Add -s to -ldflags';
  } else if (need.badW) {
    if (!fixW()) return undefined;
    title = info.w === false && info.wField ? 'Replace -w=0 with -w' : 'Add -w to -ldflags';
  } else {
    const r = info.sField ? ed.insert(at(info.sField.end), ' -w') : ed.insert(at(flagsEnd), ' -w');
    if (!r) return undefined;
    edits.push(...r);
    title = 'Add -w to -ldflags';
  }
  return { title, edits };
}
