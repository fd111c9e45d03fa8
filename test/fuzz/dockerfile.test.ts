// Property tests: generated Dockerfiles (instructions, flags, continuations,
// `# escape=`, heredocs, JSON and shell forms, comments, CRLF, tabs, BOM, Go
// builds and Go runtime settings) satisfy every invariant of invariants.ts.
import { describe, expect, it } from 'vitest';
import { dockerfileDoc } from './generators';
import { FUZZ, runFuzz } from './harness';

describe('fuzz: generated Dockerfiles', () => {
  it('lint never throws, ranges inside, fixes keep the text outside their edits, parse, fix, and reach a fixed point', () => {
    const stats = runFuzz('dockerfile', dockerfileDoc, 300);
    if (FUZZ) expect(stats.failures.map((f) => f.detail)).toEqual([]);
  });
});
