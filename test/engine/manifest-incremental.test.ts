// Incremental manifest linting (issue #9): the language server keeps the parse
// of a manifest's previous version and, on a keystroke, parses again only the
// YAML documents whose text changed. Property: after any sequence of edits
// (inside a document, across a `---`, adding and removing separators, CRLF,
// `...` end markers, `%YAML` directives, pragmas, documents other documents
// refer to, go.mod changing under it), linting with the cache gives exactly
// what a fresh lint of the same text gives (the same findings, messages,
// ranges and fixes), and the documents split at `---` lines and parsed apart
// are node for node (kinds, ranges, values, errors) what `parseAllDocuments`
// gives for the whole text.
import fc from 'fast-check';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lint } from '../../server/src/engine/lint';
import { buildManifestModel, documentStarts, ManifestParseCache } from '../../server/src/engine/k8s/model';
import * as path from 'node:path';
import { manifestDoc } from '../fuzz/generators';

const SEED = 0x1c9;

/** Documents other documents refer to: envFrom sources, a LimitRange, a Service, a List, pragmas. */
const SUPPORT = [
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  GOMAXPROCS: "2"\n',
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: sec\nstringData:\n  GOMEMLIMIT: 900MiB\n',
  'apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: lr\nspec:\n  limits:\n  - type: Container\n    default:\n      cpu: "1"\n',
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web:1.0\n        envFrom:\n        - configMapRef:\n            name: cfg\n        - secretRef:\n            name: sec\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 500m\n          limits:\n            memory: 1Gi\n',
  'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg}\n  data: {GODEBUG: containermaxprocs=0}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers:\n    - {name: c, image: "x:1", env: [{name: GOGC, value: "off"}], resources: {limits: {cpu: "2", memory: 512Mi}}}\n',
  '# container-tuner ignore-file=k8s-resources-missing\n',
  '# container-tuner ignore=all\n',
  '--- {apiVersion: v1, kind: Pod, metadata: {name: flow}, spec: {containers: [{name: c, image: "y", resources: {limits: {cpu: 500m}}}]}}\n',
];

/** Text typed or pasted somewhere. */
const PIECES = [
  'a', ' ', 'x', ':', '-', '#', '"', "'", '{', '}', '[', ']', '|', '>', '&a', '*a', '!!str ', '\t',
  '\n', '\r\n', '\r', '---', '---\n', '\n---\n', '\n--- ', '...\n', '\n...\n', '%YAML 1.2\n', '%YAML 1.1\n---\n', '%TAG ! tag:x,2024:\n',
  '\uFEFF', '    ', '\n  ', '\n      - name: GOMEMLIMIT\n        value: 512Mi', '\n        env:\n        - {name: GOGC, value: "off"}',
  '  # container-tuner ignore=k8s-go-memlimit\n', '# container-tuner ignore-file=all\n', 'image: nginx\n', 'kind: Pod\n',
];

/** go.mod contents the workspace switches to between two edits (undefined: no go.mod). */
const GO_MODS = [undefined, 'module example.com/svc\n\ngo 1.22\n', 'module example.com/svc\n\ngo 1.25\n', 'module x\n\ngo 1.21\n\nrequire github.com/KimMachineGun/automemlimit v0.6.0\n'];

type Edit = { at: number; del: number; text: string; lineStart: boolean; goMod?: number };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  del: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: 6 }) }, { weight: 1, arbitrary: fc.nat({ max: 200 }) }),
  text: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
    { weight: 2, arbitrary: fc.constantFrom(...SUPPORT).map((d) => `---\n${d}`) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }).map((a) => a.join('')) },
    { weight: 1, arbitrary: fc.constant('') },
  ),
  lineStart: fc.boolean(),
  goMod: fc.option(fc.nat({ max: GO_MODS.length - 1 }), { nil: undefined, freq: 8 }),
});

function applyEdit(text: string, e: Edit): string {
  let at = e.at % (text.length + 1);
  if (e.lineStart) at = text.lastIndexOf('\n', at - 1) + 1; // at the start of the line
  const del = Math.min(e.del, text.length - at);
  return text.slice(0, at) + e.text + text.slice(at + del);
}

const start = fc.tuple(fc.array(manifestDoc, { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom(...SUPPORT), { maxLength: 3 }), fc.boolean()).map(([[doc, ...more], support, crlf]) => {
  let text = [doc, ...more].map((d) => d.text.replace(/\s*$/, '\n')).concat(support).join('---\n');
  if (crlf) text = text.replace(/\r?\n/g, '\r\n');
  return { ...doc, text };
});

/** A document's nodes as [kind, range, value] in order: equal when the parses are the same. */
function shape(docs: Document[]): unknown[] {
  return docs.map((doc) => {
    const out: unknown[] = [doc.errors.map((e) => [e.code, e.pos]), doc.warnings.map((e) => [e.code, e.pos]), doc.range];
    const stack: unknown[] = [doc.contents];
    while (stack.length) {
      const n = stack.pop();
      if (isPair(n)) {
        stack.push(n.value, n.key);
        out.push('pair');
      } else if (isMap(n) || isSeq(n)) {
        out.push([isMap(n) ? 'map' : 'seq', n.range, n.items.length]);
        for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
      } else if (isScalar(n)) out.push(['scalar', n.range, n.value, n.type]);
      else if (n && typeof n === 'object') out.push(['alias', (n as { range?: unknown }).range, (n as { source?: string }).source]);
      else out.push(n);
    }
    return out;
  });
}

describe('incremental manifest parse and lint', () => {
  it('splits a stream at `---` lines only, and refuses where documents depend on each other', () => {
    expect(documentStarts('a: 1\n---\nb: 2\n--- {c: 3}\n---x\n ---\n')).toEqual([0, 5, 14]);
    expect(documentStarts('---\r\na: 1\r\n---\r\n')).toEqual([0, 11]);
    expect(documentStarts('a: 1\n...\n---\nb: 2\n')).toBeUndefined();
    expect(documentStarts('%YAML 1.2\n---\na: 1\n')).toBeUndefined();
    expect(documentStarts('\uFEFF%YAML 1.2\n---\na: 1\n')).toBeUndefined();
    expect(documentStarts('a: 1\r---\n')).toBeUndefined();
    expect(documentStarts('a: "x\n--- y"\n')).toEqual([0, 6]);
  });

  it('reuses the documents that did not change and parses the one that did', () => {
    const doc = (n: number) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${n}\nspec:\n  containers:\n  - name: c\n    image: x:1\n`;
    const text = Array.from({ length: 50 }, (_, i) => '---\n' + doc(i)).join('');
    const cache = new ManifestParseCache();
    cache.parse(text);
    expect(cache.parsedChunks).toBe(50);
    const edited = text.replace('name: p10\n', 'name: p10x\n');
    const docs = cache.parse(edited);
    expect(cache.parsedChunks).toBe(1);
    expect(shape(docs)).toEqual(shape(parseAllDocuments(edited) as Document[]));
  });

  it('reuses the findings of the documents that did not change, and of none when what they depend on changes', () => {
    const deployment = (n: number, extra = '') =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${n}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/acme/app:${n}\n${extra}        resources:\n          limits:\n            cpu: "2"\n            memory: 1Gi\n`;
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  OTHER: "1"\n';
    const files: Record<string, string> = { '/p/go.mod': 'module x\n\ngo 1.22\n' };
    const ws = { readFile: (p: string) => files[p], exists: (p: string) => p in files, isDirectory: () => false, listDir: () => [] };
    const cache = new ManifestParseCache();
    const check = (text: string) => {
      const incremental = lint({ text, path: '/p/deploy.yaml' }, ws, { manifestCache: cache });
      expect(incremental.findings).toEqual(lint({ text, path: '/p/deploy.yaml' }, ws).findings);
      return incremental.findings;
    };
    const envFrom = '        envFrom:\n        - configMapRef:\n            name: cfg\n';
    const docs = Array.from({ length: 20 }, (_, i) => deployment(i, i === 5 ? envFrom : ''));
    let text = [...docs, cm].map((d) => '---\n' + d).join('');
    expect(check(text).length).toBeGreaterThan(20);
    expect(cache.relintedChunks).toBe(20);
    // a keystroke in document 3 (a line more): only it is linted again, the ones below move down a line
    text = text.replace('image: ghcr.io/acme/app:3\n', 'image: ghcr.io/acme/app:3x\n        imagePullPolicy: Always\n');
    check(text);
    expect([cache.relintedChunks, cache.reusedChunks]).toEqual([1, 19]);
    // the ConfigMap document 5 reads from now sets GOMAXPROCS: every document again
    text = text.replace('OTHER: "1"', 'GOMAXPROCS: "1"');
    check(text);
    expect(cache.relintedChunks).toBe(20);
    // go.mod changes on disk (Go 1.25 reads the CPU limit): every document again
    files['/p/go.mod'] = 'module x\n\ngo 1.25\n';
    check(text);
    expect(cache.relintedChunks).toBe(20);
    // a pragma above the `---` of document 7 covers that line: document 7 only
    text = text.replace('---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d7\n', '# container-tuner ignore=all\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d7\n');
    check(text);
    expect(cache.relintedChunks).toBeLessThanOrEqual(2);
    // a Deployment typed at the end, before it has a pod spec: no other document is linted again
    text += '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: new\nspec:\n  rep';
    check(text);
    text += 'licas: 2\n  template:\n';
    check(text);
    expect([cache.relintedChunks, cache.reusedChunks]).toEqual([0, 20]);
  });

  it('does not parse YAML that cannot hold a workload, and still reads one whose kind is spelled with escapes', () => {
    const ws = { readFile: () => undefined, exists: () => false, isDirectory: () => false, listDir: () => [] };
    const openapi = 'openapi: 3.0.0\npaths:\n' + '  /x:\n    get:\n      description: a path item\n'.repeat(1000);
    expect(buildManifestModel(openapi, '/p/openapi.yaml', ws).docs).toEqual([]);
    const pod = (kind: string) => `apiVersion: v1\nkind: ${kind}\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x:1\n`;
    expect(buildManifestModel(pod('"\\x50od"'), '/p/pod.yaml', ws).workloads.map((w) => w.kind)).toEqual(['Pod']);
    expect(buildManifestModel(pod('Pod'), '/p/pod.yaml', ws).workloads.map((w) => w.kind)).toEqual(['Pod']);
  });

  it('reads the indentation style from the first 5,000 lines, whichever document they end in', () => {
    // 4-space documents, then 2-space ones from line ~4,900: the 2-space ones win only past the limit
    const doc = (pad: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n${pad}name: p\nspec:\n${pad}containers:\n${pad}- name: c\n${pad}${pad}image: x:1\n`;
    const four = Array.from({ length: 490 }, () => '---\n' + doc('    ')).join('');
    const two = Array.from({ length: 700 }, () => '---\n' + doc('  ')).join('');
    const ws = { readFile: () => undefined, exists: () => false, isDirectory: () => false, listDir: () => [] };
    const cache = new ManifestParseCache();
    for (const text of [four + two, four.slice(0, -200) + two, four + '\n\n\n' + two, two + four, four + four + two]) {
      const cached = buildManifestModel(text, '/p/x.yaml', ws, cache);
      const fresh = buildManifestModel(text, '/p/x.yaml', ws);
      expect([cached.indentUnit, cached.seqIndent]).toEqual([fresh.indentUnit, fresh.seqIndent]);
    }
  });

  it('after random edits, the cached parse and lint equal a fresh parse and lint (findings, ranges, fixes)', () => {
    let steps = 0;
    let reused = 0;
    fc.assert(
      fc.property(start, fc.array(edit, { minLength: 1, maxLength: 8 }), (doc, edits) => {
        const files = { ...doc.files };
        const goModPath = path.posix.join(path.posix.dirname(doc.path), 'go.mod');
        const ws = { readFile: (p: string) => files[path.resolve(p)], exists: (p: string) => path.resolve(p) in files, isDirectory: () => false, listDir: () => [] };
        const parseCache = new ManifestParseCache();
        const lintCache = new ManifestParseCache();
        let text = doc.text;
        for (let i = 0; i <= edits.length; i++) {
          if (i) text = applyEdit(text, edits[i - 1]);
          const goMod = i ? edits[i - 1].goMod : undefined;
          if (goMod !== undefined) {
            // the workspace changes under the cache (another buffer, the disk)
            if (GO_MODS[goMod] === undefined) delete files[goModPath];
            else files[goModPath] = GO_MODS[goMod]!;
          }
          const fresh = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, strict: false }) as Document[];
          expect(shape(parseCache.parse(text)), `parse after ${i} edit(s) of ${JSON.stringify(text)}`).toEqual(shape(Array.isArray(fresh) ? fresh : []));
          const input = { text, path: doc.path, languageId: 'yaml' };
          const incremental = lint(input, ws, { manifestCache: lintCache, maxFileSize: 0 });
          const full = lint(input, ws, { maxFileSize: 0 });
          expect(incremental.findings, `lint after ${i} edit(s) of ${JSON.stringify(text)}`).toEqual(full.findings);
          steps++;
          if (lintCache.reusedChunks) reused++;
        }
      }),
      { seed: SEED, numRuns: 100 },
    );
    // the property must exercise reuse, not only whole parses and lints (the first lint of each run,
    // `...` and `%` lines, edits of the ConfigMaps or of the indentation style relint everything)
    expect(reused).toBeGreaterThan(steps / 10);
  }, 120_000);
});
