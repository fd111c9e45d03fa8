// Every failing input the fuzzer ever saved (fuzz/failures/*.json, or a raw
// *.Dockerfile / *.yaml dropped there by hand) must now satisfy every invariant.
// Mutated corpus files are saved as the corpus file's name and the mutations:
// they are rebuilt from /work/shared/corpus (skipped, loudly, when it is absent).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, corpusFiles, mutatedDoc, type FuzzDoc } from './generators';
import { FAILURES_DIR, type SavedFailure } from './harness';
import { checkInvariants, describeViolations } from './invariants';

const corpus = new Map(corpusFiles().map((f) => [f.name, f]));

function saved(file: string): SavedFailure | undefined {
  return file.endsWith('.json') ? (JSON.parse(fs.readFileSync(path.join(FAILURES_DIR, file), 'utf8')) as SavedFailure) : undefined;
}

function load(file: string): FuzzDoc | string {
  const full = path.join(FAILURES_DIR, file);
  if (file.endsWith('.json')) {
    const doc = saved(file)!.doc;
    if (!doc.origin) return doc;
    const src = corpus.get(doc.origin.corpus);
    if (!src) return `corpus file ${doc.origin.corpus} is not in ${CORPUS_DIR}`;
    return mutatedDoc(src, doc.origin.mutations, doc.origin.goMod);
  }
  const text = fs.readFileSync(full, 'utf8');
  if (/\.ya?ml$/i.test(file)) return { kind: 'yaml', path: `/fuzz/svc/${file}`, text };
  if (/dockerfile|containerfile/i.test(file)) return { kind: 'dockerfile', path: '/fuzz/svc/Dockerfile', text };
  return `unrecognised file in fuzz/failures: ${file}`;
}

const FILES = fs.existsSync(FAILURES_DIR) ? fs.readdirSync(FAILURES_DIR).filter((f) => !f.startsWith('.')).sort() : [];
const OPEN = FILES.filter((f) => saved(f)?.open);
const FIXED = FILES.filter((f) => !saved(f)?.open);
if (OPEN.length) console.warn(`fuzz failures: ${OPEN.length} KNOWN OPEN (not fixed yet, expected to still fail):\n${OPEN.map((f) => `  ${f}: ${saved(f)!.open}`).join('\n')}`);

function replay(file: string): void {
  const doc = load(file);
  if (typeof doc === 'string') {
    expect(doc.startsWith('corpus file'), doc).toBe(true);
    console.warn(`fuzz failures: ${file} SKIPPED: ${doc}`);
    return;
  }
  const { violations } = checkInvariants(doc);
  expect(describeViolations(violations)).toBe('');
}

describe('fuzz: saved failing inputs stay fixed', () => {
  it('the folder exists (fuzz/failures/.gitkeep)', () => {
    expect(fs.existsSync(FAILURES_DIR)).toBe(true);
  });
  it.each(FIXED.length ? FIXED : ['(none saved)'])('%s', (file) => {
    if (FIXED.length) replay(file);
  });
  // known open bugs: these must still fail; when one passes, its bug is fixed: delete its "open" field
  if (OPEN.length) it.fails.each(OPEN)('KNOWN OPEN: %s', (file) => replay(file));
});
