// Property tests: generated Kubernetes manifests (workloads of every kind,
// resources, env, probes, block and flow styles, 2/4-space indentation, both
// sequence styles, comments, multi-document and `kind: List`) satisfy every
// invariant of invariants.ts.
import { describe, expect, it } from 'vitest';
import { manifestDoc } from './generators';
import { FUZZ, runFuzz } from './harness';

describe('fuzz: generated manifests', () => {
  it('lint never throws, ranges inside, fixes keep the text outside their edits, parse, fix, and reach a fixed point', () => {
    const stats = runFuzz('manifest', manifestDoc, 300);
    if (FUZZ) expect(stats.failures.map((f) => f.detail)).toEqual([]);
  });
});
