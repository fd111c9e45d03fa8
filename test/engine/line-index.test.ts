// LineIndex: line starts after \n, \r\n and lone \r (the texts without \r take a faster path).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineIndex, lineStartsOf } from '../../server/src/engine/text';

/** Reference: each line break found by a regex (those that end at or before `end`). */
function starts(text: string, end = text.length): number[] {
  const out = [0];
  for (const m of text.matchAll(/\r\n|\r|\n/g)) if (m.index + m[0].length <= end) out.push(m.index + m[0].length);
  return out;
}

describe('LineIndex', () => {
  it('finds every line start, with and without \\r, and maps positions both ways', () => {
    const piece = fc.constantFrom('a', 'RUN go build', ' ', '\n', '\r\n', '\r', '\n\n', 'é', '🚀');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        const idx = new LineIndex(text);
        expect(idx.lineStarts).toEqual(starts(text));
        // up to any offset (the incremental parse asks for the lines before an edit): a CRLF cut there does not count
        for (let end = 0; end <= text.length; end++) expect(lineStartsOf(text, end)).toEqual(starts(text, end));
        for (let o = 0; o <= text.length; o++) expect(idx.offsetAt(idx.positionAt(o))).toBe(Math.min(o, idx.lineEnd(idx.positionAt(o).line)));
      }),
      { seed: 0x11de, numRuns: 400 },
    );
    expect(new LineIndex('').lineStarts).toEqual([0]);
    expect(new LineIndex('a\n').lineStarts).toEqual([0, 2]);
  });
});
