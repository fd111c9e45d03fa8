// Property tests: every file of /work/shared/corpus (read in place), mutated
// at the byte level (deleted, inserted, duplicated and flipped bytes, invalid
// UTF-8, NUL, BOM, truncation, swapped lines, re-indented lines), satisfies
// every invariant of invariants.ts.
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, corpusFiles, corpusMutationDoc } from './generators';
import { FUZZ, runFuzz } from './harness';

const FILES = corpusFiles();
if (!FILES.length) console.warn(`fuzz corpus-mutation: ${CORPUS_DIR} is missing or empty: the corpus mutation fuzz suite is SKIPPED`);

describe.skipIf(!FILES.length)('fuzz: mutated corpus files', () => {
  it('lint never throws, ranges inside, fixes keep the text outside their edits, parse, fix, and reach a fixed point', () => {
    const stats = runFuzz('corpus-mutation', corpusMutationDoc(FILES), 300);
    if (FUZZ) expect(stats.failures.map((f) => f.detail)).toEqual([]);
  });
});
