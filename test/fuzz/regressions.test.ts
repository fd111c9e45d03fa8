// Engine fixes the fuzzer led to, pinned at the level where the bug was (the
// rule-level cases are in the rules' own tables; the inputs themselves are in
// fuzz/failures/ and replayed by failures.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScript, plainText, wordSpan } from '../../server/src/engine/dockerfile/shell';
import { compatiblePreferredEdits, lint } from '../../server/src/engine/lint';
import { detectEol, editsOverlap } from '../../server/src/engine/text';
import type { Finding, TextEdit } from '../../server/src/engine/types';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

describe('fuzz regressions', () => {
  it('shell reader: an unterminated double quote ends its word at the end of the script, not past it', () => {
    // the word's document span used to run one past the script, onto the next line:
    // apt-lists-cleanup then appended `&& rm -rf ...` as a line of its own (a new, broken instruction)
    for (const src of ['apt-get install "-y git', 'go build -ldflags "', 'echo "$(date']) {
      const script = parseScript(plainText(src + '\nCOPY . .\n', 0, src.length));
      const words = script.commands.flatMap((c) => c.words);
      const last = words[words.length - 1];
      expect(last.end).toBeLessThanOrEqual(src.length);
      expect(wordSpan(script.source, last)[1]).toBe(src.length);
    }
  });

  it('detectEol: a stray lone CR does not make an LF (or CRLF) document CR-only', () => {
    // k8s-go-maxprocs inserted its env block with "\r" line breaks after a "#\r" comment: YAML broke
    expect(detectEol('#\r Copyright\napiVersion: v1\n')).toBe('\n');
    expect(detectEol('#\r x\r\ny\r\n')).toBe('\r\n');
    expect(detectEol('a\rb\rc')).toBe('\r');
    expect(detectEol('a\r\nb')).toBe('\r\n');
    expect(detectEol('abc')).toBe('\n');
  });

  it('compatiblePreferredEdits (now with a binary search) picks exactly what pairwise editsOverlap picked', () => {
    const reference = (findings: Finding[]) => {
      const edits: TextEdit[] = [];
      const applied: Finding[] = [];
      for (const f of findings) {
        const fix = f.fixes.find((x) => x.preferred);
        if (!fix || editsOverlap(edits, fix.edits)) continue;
        edits.push(...fix.edits);
        applied.push(f);
      }
      return { edits, applied };
    };
    const pos = fc.record({ line: fc.nat(4), character: fc.nat(6) });
    const edit = fc.tuple(pos, pos).map(([a, b]): TextEdit => {
      const [s, e] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
      return { range: { start: s, end: e }, newText: 'x' };
    });
    const finding = fc.tuple(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([edits, preferred]): Finding => ({
      rule: 'r', severity: 'info', message: '', range: edits[0].range, fixes: [{ title: 't', edits, preferred }],
    }));
    fc.assert(fc.property(fc.array(finding, { maxLength: 12 }), (findings) => {
      expect(compatiblePreferredEdits(findings)).toEqual(reference(findings));
    }), { seed: 42, numRuns: 2000 });
  });

  it('a half-typed escape before # at the end of a RUN (dockerfile-ast threw in getHeredocs) lints', () => {
    const text = 'FROM golang:1.20\nRUN go build -o /app . && :;\\\n\t\\#s\\{X\nFROM golang:1.20';
    const errors: unknown[] = [];
    expect(() => lint({ text, path: '/p/Dockerfile' }, new MemoryWorkspace({ '/p/Dockerfile': text }), { onRuleError: (_r, e) => errors.push(e) })).not.toThrow();
    expect(errors).toEqual([]);
  });
});
