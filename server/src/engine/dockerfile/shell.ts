// A small, linear-time reader for the shell commands inside RUN/CMD/ENTRYPOINT.
// It is not a shell: it splits words the way /bin/sh would (quotes, escapes,
// $(...) and backticks kept whole, operators and redirections apart) and keeps
// every word's offsets in the document, so rules can point at and edit exactly
// one word of a command that spans continuation lines.

/** Text with Dockerfile line continuations removed, and where each char came from. */
/**
 * Text as the shell (or Docker) reads it, with the document offset of each
 * character: continuation lines joined, comment lines between them dropped.
 * The offsets are kept as runs (one per stretch of the document copied
 * whole: one for a single-line instruction, one more per continuation), not
 * a number per character: a lint makes one of these per instruction, and an
 * array per character was a sixth of all it allocated.
 */
export class LogicalText {
  /**
   * @param runs pairs [logical index, document offset], ascending: text[i]
   *   comes from document offset `runs[2k+1] + (i - runs[2k])` for the last
   *   run k that starts at or before i
   * @param endOffset the document offset for at(text.length) when the text is empty
   * @param shift added to every offset (the same text further in the document shares its runs)
   */
  constructor(
    readonly text: string,
    private readonly runs: readonly number[],
    private readonly endOffset: number,
    private readonly shift = 0,
  ) {}

  /**
   * Document offset of text[i]; at(text.length) is the offset just after the
   * last character (or, for an empty text, where it would start). Indexes
   * outside [0, length] are clamped.
   */
  at(i: number): number {
    const n = this.text.length;
    if (n === 0) return this.endOffset + this.shift;
    if (i >= n) return this.at(n - 1) + 1;
    if (i < 0) i = 0;
    const runs = this.runs;
    let k = 0;
    if (runs.length > 2) {
      // the last run starting at or before i (binary search: a RUN may have hundreds of continuation lines)
      let lo = 0;
      let hi = runs.length / 2 - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (runs[2 * mid] <= i) lo = mid;
        else hi = mid - 1;
      }
      k = 2 * lo;
    }
    return this.shift + runs[k + 1] + (i - runs[k]);
  }

  /** The same text found `delta` characters further in the document. */
  shifted(delta: number): LogicalText {
    return new LogicalText(this.text, this.runs, this.endOffset, this.shift + delta);
  }

  /** The text from logical index `from` on, with its offsets. */
  slice(from: number): LogicalText {
    if (from <= 0) return this;
    const n = this.text.length;
    // (offsets below are before the shift, which the slice keeps)
    if (from >= n) return new LogicalText('', [], this.at(n) - this.shift, this.shift);
    const runs: number[] = [0, this.at(from) - this.shift];
    for (let k = 0; k < this.runs.length; k += 2) if (this.runs[k] > from) runs.push(this.runs[k] - from, this.runs[k + 1]);
    return new LogicalText(this.text.slice(from), runs, this.at(n) - this.shift, this.shift);
  }
}

export interface Word {
  /** The word with quotes removed and escapes resolved (expansions left as written). */
  value: string;
  /** Logical offsets (into LogicalText.text). */
  start: number;
  end: number;
  /** Contains a quote character. */
  quoted: boolean;
  /** Contains $ or a backtick outside single quotes. */
  expands: boolean;
}

export interface SimpleCommand {
  /** Leading NAME=value words (also those after an `env` prefix). */
  assignments: Word[];
  /** The command and its arguments, without the assignments and wrappers. */
  argv: Word[];
  /** Every word of the command as written, redirections excluded. */
  words: Word[];
  /** Operator that ends this command ('' at the end of the script). */
  terminator: string;
}

export interface ShellScript {
  source: LogicalText;
  commands: SimpleCommand[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Joins continuation lines of an instruction. Scans document text from `start`
 * to `end`; stops at the first line break not escaped (the end of the
 * instruction's first logical line) when `stopAtNewline` is set. Comment lines
 * and blank lines between continuation lines are dropped, as Docker does;
 * with `trimStart`, so are the blanks before the first character kept.
 */
export function joinContinuations(
  doc: string,
  start: number,
  end: number,
  escape: string,
  stopAtNewline = true,
  trimStart = false,
): LogicalText {
  // the kept text is copied a run at a time (between continuations), not a character at a time
  let text = '';
  let runStart = start;
  const runs: number[] = [];
  // the document offset the next kept character would have if it continued the current run (-1: none kept yet)
  let next = -1;
  // just after the last blank `trimStart` dropped (the end marker when nothing else is kept)
  let skippedEnd = -1;
  let i = start;
  while (i < end) {
    const c = doc[i];
    // `trimStart`: blanks before the first kept character are dropped (on any line of the continuation)
    if (trimStart && next < 0 && (c === ' ' || c === '\t')) {
      i++;
      runStart = skippedEnd = i;
      continue;
    }
    if (c === escape) {
      // escape, optional trailing blanks, then a line break: a continuation
      let j = i + 1;
      while (j < end && (doc[j] === ' ' || doc[j] === '\t')) j++;
      if (j < end && (doc[j] === '\n' || doc[j] === '\r')) {
        j += doc[j] === '\r' && doc[j + 1] === '\n' ? 2 : 1;
        // drop following comment lines and blank lines
        for (;;) {
          let k = j;
          while (k < end && (doc[k] === ' ' || doc[k] === '\t')) k++;
          if (k < end && (doc[k] === '#' || doc[k] === '\n' || doc[k] === '\r')) {
            while (k < end && doc[k] !== '\n' && doc[k] !== '\r') k++;
            if (k < end) k += doc[k] === '\r' && doc[k + 1] === '\n' ? 2 : 1;
            if (k >= end) { j = k; break; }
            j = k;
            continue;
          }
          break;
        }
        text += doc.slice(runStart, i);
        i = runStart = j;
        continue;
      }
      if (j >= end) {
        // trailing escape at the very end of the text: nothing follows
        text += doc.slice(runStart, i);
        i = runStart = j;
        continue;
      }
    }
    if ((c === '\n' || c === '\r') && stopAtNewline) break;
    if (i !== next) runs.push(text.length + (i - runStart), i);
    next = i + 1;
    i++;
  }
  text += doc.slice(runStart, i);
  // the end marker when nothing was kept: just after the dropped blanks, or where the scan stopped
  return new LogicalText(text, runs, skippedEnd >= 0 ? skippedEnd : Math.min(i, end));
}

/** Identity mapping for a plain span of document text (heredoc bodies). */
export function plainText(doc: string, start: number, end: number): LogicalText {
  return new LogicalText(doc.slice(start, end), [0, start], start);
}

type Tok = { kind: 'word'; word: Word } | { kind: 'op'; op: string } | { kind: 'redir' };

/** Splits shell text into words and operators. `backslash`: whether \ escapes (POSIX sh; not cmd.exe). */
export function tokenize(src: string, backslash = true): Tok[] {
  const toks: Tok[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    // a backslash-newline between words (heredoc bodies) continues the line
    if (backslash && c === '\\' && (src[i + 1] === '\n' || src[i + 1] === '\r')) {
      i += src[i + 1] === '\r' && src[i + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (c === '\n' || c === '\r') { toks.push({ kind: 'op', op: '\n' }); i++; continue; }
    if (c === '#') {
      while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === ';;') { toks.push({ kind: 'op', op: two }); i += 2; continue; }
    if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') { toks.push({ kind: 'op', op: c }); i++; continue; }
    // redirection: [n]> [n]>> [n]< <<, <<-, >&, <&; its target word is dropped
    if (c === '<' || c === '>' || (c >= '0' && c <= '9')) {
      const redir = /^\d*(>>|>&|>\||<<-|<<|<&|<>|>|<)/.exec(src.slice(i, i + 16));
      if (redir) {
        i += redir[0].length;
        toks.push({ kind: 'redir' });
        while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
        const target = readWord(src, i, backslash);
        if (target) i = target.end;
        continue;
      }
    }
    const w = readWord(src, i, backslash);
    if (!w) { i++; continue; }
    toks.push({ kind: 'word', word: w });
    i = w.end;
  }
  return toks;
}

/** Characters that end or change the reading of an unquoted word (everything readWord looks at). */
const SPECIAL_IN_WORD = new Set([' ', '\t', '\n', '\r', ';', '|', '&', '(', ')', '<', '>', "'", '"', '\\', '$', '`']);
/** Characters readWord looks at inside double quotes. */
const SPECIAL_IN_DOUBLE_QUOTES = new Set(['"', '\\', '$', '`']);

function readWord(src: string, start: number, backslash: boolean): Word | undefined {
  const n = src.length;
  let i = start;
  let value = '';
  let quoted = false;
  let expands = false;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ';' || c === '|' || c === '&' || c === '(' || c === ')' || c === '<' || c === '>') break;
    if (c === "'" ) {
      quoted = true;
      const close = src.indexOf("'", i + 1);
      const stop = close < 0 ? n : close;
      value += src.slice(i + 1, stop);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (c === '"') {
      quoted = true;
      i++;
      while (i < n && src[i] !== '"') {
        if (backslash && src[i] === '\\' && i + 1 < n && '"\\$`'.includes(src[i + 1])) {
          value += src[i + 1];
          i += 2;
          continue;
        }
        if (src[i] === '$' || src[i] === '`') expands = true;
        if (src[i] === '$' && src[i + 1] === '(') {
          const end = skipParens(src, i + 1);
          value += src.slice(i, end);
          i = end;
          continue;
        }
        // a run of characters with no meaning inside double quotes, copied at once
        let j = i + 1;
        while (j < n && !SPECIAL_IN_DOUBLE_QUOTES.has(src[j])) j++;
        value += j === i + 1 ? src[i] : src.slice(i, j);
        i = j;
      }
      if (i < n) i++; // closing quote (an unterminated one runs to the end, never past it)
      continue;
    }
    if (backslash && c === '\\' && i + 1 < n) {
      value += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '$' && src[i + 1] === '(') {
      expands = true;
      const end = skipParens(src, i + 1);
      value += src.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$' && src[i + 1] === '{') {
      expands = true;
      const close = src.indexOf('}', i + 2);
      const end = close < 0 ? n : close + 1;
      value += src.slice(i, end);
      i = end;
      continue;
    }
    if (c === '`') {
      expands = true;
      const close = src.indexOf('`', i + 1);
      const end = close < 0 ? n : close + 1;
      value += src.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      expands = true;
      value += c;
      i++;
      continue;
    }
    // a run of ordinary characters, copied at once
    let j = i + 1;
    while (j < n && !SPECIAL_IN_WORD.has(src[j])) j++;
    value += j === i + 1 ? c : src.slice(i, j);
    i = j;
  }
  if (i === start) return undefined;
  return { value, start, end: i, quoted, expands };
}

/** From an opening paren at `open`, the index after its matching close (quotes respected). */
function skipParens(src: string, open: number): number {
  let depth = 0;
  let i = open;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === "'") {
      const close = src.indexOf("'", i + 1);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '\\') { i += 2; continue; }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return n;
}

const WRAPPERS = new Set(['env', 'exec', 'time', 'nice', 'nohup', 'sudo', 'command']);

/** Splits a script into simple commands (pipelines and lists flattened, in order). */
export function parseScript(source: LogicalText, backslash = true): ShellScript {
  const toks = tokenize(source.text, backslash);
  const commands: SimpleCommand[] = [];
  let words: Word[] = [];
  const flush = (terminator: string) => {
    if (words.length) commands.push(makeCommand(words, terminator));
    words = [];
  };
  for (const t of toks) {
    if (t.kind === 'op') flush(t.op);
    else if (t.kind === 'word') {
      // keywords that start a compound command also start a new simple command
      if (words.length === 0 && /^(if|then|else|elif|do|while|until|!|\{)$/.test(t.word.value) && !t.word.quoted) continue;
      if (words.length === 0 && /^(fi|done|esac|\})$/.test(t.word.value) && !t.word.quoted) continue;
      words.push(t.word);
    }
  }
  flush('');
  return { source, commands };
}

function makeCommand(words: Word[], terminator: string): SimpleCommand {
  const assignments: Word[] = [];
  let i = 0;
  for (;;) {
    while (i < words.length && NAME_RE.test(words[i].value) && !words[i].value.startsWith('=')) {
      assignments.push(words[i]);
      i++;
    }
    if (i < words.length && WRAPPERS.has(words[i].value)) {
      const wrapper = words[i].value;
      i++;
      // skip the wrapper's own options (env -u NAME, nice -n 10, sudo -E ...)
      while (i < words.length && words[i].value.startsWith('-')) {
        const opt = words[i].value;
        i++;
        if ((wrapper === 'env' && (opt === '-u' || opt === '-C' || opt === '-S')) || (wrapper === 'nice' && opt === '-n') || (wrapper === 'sudo' && opt === '-u')) i++;
      }
      continue;
    }
    break;
  }
  return { assignments, argv: words.slice(i), words, terminator };
}

/** The value of an assignment word: `A=b` -> ["A", "b"]. */
export function splitAssignment(w: Word): [string, string] {
  const eq = w.value.indexOf('=');
  return [w.value.slice(0, eq), w.value.slice(eq + 1)];
}

/** Document offsets [start, end) of a word. */
export function wordSpan(source: LogicalText, w: Word): [number, number] {
  return [source.at(w.start), source.at(w.end - 1) + 1];
}
