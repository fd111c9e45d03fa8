import type { Position, Range, TextEdit } from './types';

/**
 * Where each line of `text` starts: 0, then just after each \n, \r\n or lone
 * \r that ends at or before `end` (a \r\n cut by `end` does not count).
 */
export function lineStartsOf(text: string, end = text.length): number[] {
  const out = [0];
  // most texts have no \r: jump from \n to \n (indexOf scans far faster than a loop over every character)
  if (!text.includes('\r')) {
    for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) out.push(i + 1);
    return out;
  }
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= end) break;
        i++;
      }
      out.push(i + 1);
    } else if (c === 10) {
      out.push(i + 1);
    }
  }
  return out;
}

/** Offsets <-> LSP positions for one text. Lines end at \n, \r\n or a lone \r. */
export class LineIndex {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    this.lineStarts = lineStartsOf(text);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo] };
  }

  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[pos.line];
    const end = this.lineEnd(pos.line);
    return Math.min(start + Math.max(0, pos.character), end);
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStarts[line], this.lineEnd(line));
  }

  range(startOffset: number, endOffset: number): Range {
    return { start: this.positionAt(startOffset), end: this.positionAt(endOffset) };
  }
}

/**
 * The line break the document uses (the first one found), "\n" by default. A
 * stray lone CR (a pasted ^M) does not count when the document has LF line
 * ends: neither Docker nor YAML reads a lone CR as a line break there.
 */
export function detectEol(text: string): string {
  let i = text.search(/\r\n|\n/);
  if (i < 0) i = text.search(/\r/);
  if (i < 0) return '\n';
  if (text[i] === '\r') return text[i + 1] === '\n' ? '\r\n' : '\r';
  return '\n';
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeContains(outer: Range, inner: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

/**
 * Applies non-overlapping edits (positions relative to `text`). Overlapping
 * edits after the first are dropped; the caller can re-lint and apply again.
 */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const index = new LineIndex(text);
  const spans = edits
    .map((e, i) => ({ start: index.offsetAt(e.range.start), end: index.offsetAt(e.range.end), text: e.newText, i }))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const s of spans) {
    if (s.start < pos) continue;
    out += text.slice(pos, s.start) + s.text;
    pos = s.end;
  }
  return out + text.slice(pos);
}

/** True when two edit lists touch overlapping text (insertions at the same point count). */
export function editsOverlap(a: TextEdit[], b: TextEdit[]): boolean {
  for (const x of a) {
    for (const y of b) {
      const xs = x.range.start, xe = x.range.end, ys = y.range.start, ye = y.range.end;
      if (comparePositions(xs, ye) <= 0 && comparePositions(ys, xe) <= 0) return true;
    }
  }
  return false;
}
