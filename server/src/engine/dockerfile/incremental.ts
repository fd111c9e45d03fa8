// Parsing a Dockerfile again after a keystroke (the language server keeps one
// DockerfileParseCache per open Dockerfile): when the edit changes one line
// inside one instruction and no line breaks, only that instruction is parsed
// again; the other instructions keep their dockerfile-ast nodes.
//
// Why that is exact: dockerfile-ast answers in line/character positions and
// reads an instruction's text from its own lines. An edit that neither adds
// nor removes a line break leaves every other line, and so every other
// instruction's positions and text, as they were. The edited instruction is
// parsed from a text made of blank lines up to its first line, then the
// document's lines from there to the first line of the next instruction:
// its positions are its real ones, and the next instruction's first line
// shows where it ends (an edit that made it run on, `\` typed at the end,
// swallows that line and the cache parses the whole text instead). Heredocs,
// an escape directive other than `\`, and edits on lines outside any
// instruction (comments, directives, blank lines) take a whole parse too.
// test/engine/dockerfile-incremental.test.ts compares the result with a whole
// parse after random edits.
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import type { FlagInfo } from './model';
import type { LogicalText, ShellScript } from './shell';
import { lineStartsOf } from '../text';

export interface ParsedDockerfile {
  /** The escape character (`# escape=` directive, `\` by default). */
  escape: string;
  instructions: Instruction[];
}

/** A whole parse. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  return { escape: ast.getEscapeCharacter() || '\\', instructions: ast.getInstructions() };
}

/**
 * After this many parses of one instruction in a row, the next parse is whole:
 * kept nodes hold on to the text they were parsed from, and a whole parse lets
 * those texts go.
 */
const WHOLE_PARSE_EVERY = 64;

/** What the model read from one instruction's text at an earlier lint (model.ts, InstructionReuse). */
export interface InstructionParse {
  /** The instruction's text (the key of this entry) and its length. */
  key: string;
  length: number;
  /** Document offset of the instruction when this was made: the offsets below are from there. */
  start: number;
  args: LogicalText;
  flags: FlagInfo[];
  restStart: number;
  json: string[] | undefined;
  /** The shell script of the arguments after the flags, by quoting: [cmd.exe-like, POSIX `\\`]. */
  scripts: [ShellScript | undefined, ShellScript | undefined];
  /** The last lint that had this text. */
  gen: number;
}

export class DockerfileParseCache {
  private text: string | undefined;
  private parsed: ParsedDockerfile | undefined;
  private partial = 0;
  /** How the last parse went (tests, benchmarks): the whole text, one instruction, or nothing changed. */
  last: 'whole' | 'instruction' | 'same' | undefined;
  /** The model's reading of each instruction text of the last lints (model.ts, InstructionReuse). */
  readonly instructionParses = new Map<string, InstructionParse>();
  instructionEscape: string | undefined;
  instructionGeneration = 0;

  parse(text: string): ParsedDockerfile {
    const prev = this.parsed;
    if (prev && text === this.text) {
      this.last = 'same';
      return prev;
    }
    let next = prev && this.text !== undefined && this.partial < WHOLE_PARSE_EVERY ? reparseEdited(this.text, prev, text) : undefined;
    if (next) {
      this.partial++;
      this.last = 'instruction';
    } else {
      next = parseDockerfile(text);
      this.partial = 0;
      this.last = 'whole';
    }
    this.text = text;
    this.parsed = next;
    return next;
  }
}

const isBreak = (c: number) => c === 10 || c === 13;

/** Characters compared at once by the two functions below (a native comparison of two slices, not a loop). */
const CHUNK = 256;

/** The length of the longest common prefix of a and b, at most `max`. */
export function commonPrefix(a: string, b: string, max: number): number {
  let p = 0;
  while (p + CHUNK <= max && a.slice(p, p + CHUNK) === b.slice(p, p + CHUNK)) p += CHUNK;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** The length of the longest common suffix of a and b, at most `max`. */
export function commonSuffix(a: string, b: string, max: number): number {
  let q = 0;
  while (q + CHUNK <= max && a.slice(a.length - q - CHUNK, a.length - q) === b.slice(b.length - q - CHUNK, b.length - q)) q += CHUNK;
  while (q < max && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  return q;
}

/** The parse of `text` from that of `old` when they differ inside one line of one instruction; undefined otherwise. */
function reparseEdited(old: string, prev: ParsedDockerfile, text: string): ParsedDockerfile | undefined {
  if (prev.escape !== '\\') return undefined;
  const max = Math.min(old.length, text.length);
  const p = commonPrefix(old, text, max);
  const q = commonSuffix(old, text, max - p);
  for (let i = p; i < old.length - q; i++) if (isBreak(old.charCodeAt(i))) return undefined;
  for (let i = p; i < text.length - q; i++) if (isBreak(text.charCodeAt(i))) return undefined;
  // a line break right before the edit that is half of a CRLF (a CR typed before an LF, or removed from one) joins or splits lines
  if (p > 0 && text.charCodeAt(p - 1) === 13 && (text.charCodeAt(p) === 10 || old.charCodeAt(p) === 10)) return undefined;

  // the edited line, and where every line up to it starts (identical in both texts)
  const starts = lineStartsOf(text, p);
  const line = starts.length - 1;

  // the instruction holding that line
  const list = prev.instructions;
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (list[mid].getRange().start.line <= line) lo = mid;
    else hi = mid - 1;
  }
  const ins = list[lo];
  if (!ins) return undefined;
  const range = ins.getRange();
  if (range.start.line > line || range.end.line < line) return undefined;
  const next = list[lo + 1];
  const nextLine = next?.getRange().start.line;

  // the new text from the instruction's first line through the next instruction's first line
  const from = starts[range.start.line];
  let to = text.length;
  if (nextLine !== undefined) {
    let l = line;
    let i = starts[line];
    while (l < nextLine && i < text.length) {
      const c = text.charCodeAt(i++);
      if (c === 13 && text.charCodeAt(i) === 10) i++;
      if (isBreak(c)) l++;
    }
    if (l < nextLine) return undefined;
    while (i < text.length && !isBreak(text.charCodeAt(i))) i++;
    to = i;
  }
  const slice = text.slice(from, to);
  // heredocs run over lines of their own (and `<<` may start one): parsed whole
  const oldSlice = old.slice(from, Math.min(old.length, to - (text.length - old.length)));
  if (slice.includes('<<') || oldSlice.includes('<<')) return undefined;

  const ast = DockerfileParser.parse('\n'.repeat(range.start.line) + slice);
  const got = ast.getInstructions();
  if (got.length !== (next ? 2 : 1) || (ast.getEscapeCharacter() || '\\') !== '\\') return undefined;
  if (got[0].getRange().start.line !== range.start.line) return undefined;
  if (next && got[1].getRange().start.line !== nextLine) return undefined;
  const instructions = list.slice();
  instructions[lo] = got[0];
  return { escape: prev.escape, instructions };
}
