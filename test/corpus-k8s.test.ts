// Every rule over the real-world Kubernetes manifests of /work/shared/corpus/k8s
// (read in place, never copied into the project): no rule throws, every range
// and edit lies inside its document, Helm templates yield nothing, and "fix all"
// gives YAML that still parses and that a second "fix all" leaves alone. Then
// a few findings asserted on files whose right answer the domain notes settle.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fixAll, lint } from '../server/src/engine/lint';
import type { Rule } from '../server/src/engine/rule';
import { ALL_RULES } from '../server/src/engine/rules';
import { k8sImagePullLatest } from '../server/src/engine/rules/k8s-image-pull-latest';
import { k8sSpotGracePeriod } from '../server/src/engine/rules/k8s-spot-grace-period';
import { applyEdits, comparePositions, LineIndex } from '../server/src/engine/text';
import type { Finding, Range } from '../server/src/engine/types';
import { MemoryWorkspace } from '../server/src/engine/workspace';

const DIR = path.resolve(__dirname, '../../shared/corpus/k8s');
const present = fs.existsSync(DIR) && fs.statSync(DIR).isDirectory();
if (!present) console.warn(`corpus-k8s: ${DIR} is missing: the Kubernetes corpus suite is SKIPPED`);
const FILES = present ? fs.readdirSync(DIR).filter((f) => /\.ya?ml$/i.test(f)).sort() : [];

// ALL_RULES, plus the manifest rules asserted below in case they are not registered yet
const RULES: Rule[] = [...ALL_RULES, ...[k8sImagePullLatest, k8sSpotGracePeriod].filter((r) => !ALL_RULES.some((a) => a.id === r.id))];

/** A workspace holding only the corpus file: results never depend on what lies around the corpus folder. */
function setup(name: string) {
  const file = path.join(DIR, name);
  const text = fs.readFileSync(file, 'utf8');
  return { file, text, ws: new MemoryWorkspace({ [file]: text }) };
}

function lintFile(name: string, rules: Rule[] = RULES) {
  const { file, text, ws } = setup(name);
  const errors: string[] = [];
  const result = lint({ text, path: file }, ws, { rules, onRuleError: (rule, e) => errors.push(`${rule}: ${e instanceof Error ? e.stack : String(e)}`) });
  return { ...result, text, file, ws, errors };
}

function expectInside(idx: LineIndex, r: Range, what: string) {
  expect(comparePositions(r.start, r.end), `${what}: start after end`).toBeLessThanOrEqual(0);
  for (const p of [r.start, r.end]) {
    expect(p.line, what).toBeGreaterThanOrEqual(0);
    expect(p.line, what).toBeLessThan(idx.lineCount);
    expect(p.character, what).toBeGreaterThanOrEqual(0);
    expect(p.character, `${what}: past the end of line ${p.line + 1}`).toBeLessThanOrEqual(idx.lineText(p.line).length);
  }
}

const parseErrors = (text: string) => parseAllDocuments(text, { uniqueKeys: false, strict: false, prettyErrors: false }).flatMap((d) => d.errors.map((e) => e.message));

function covered(text: string, f: Finding): string {
  const idx = new LineIndex(text);
  return text.slice(idx.offsetAt(f.range.start), idx.offsetAt(f.range.end));
}

function fileStartingWith(prefix: string): string {
  const f = FILES.find((x) => x.startsWith(prefix));
  if (!f) throw new Error(`no corpus file starting with ${prefix} in ${DIR}`);
  return f;
}

describe.skipIf(!present)('corpus: Kubernetes manifests', () => {
  it('has files', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  describe.each(FILES)('%s', (name) => {
    it('no rule throws; ranges and edits lie inside the document', () => {
      const { findings, errors, text, manifest } = lintFile(name);
      expect(errors).toEqual([]);
      const idx = new LineIndex(text);
      for (const f of findings) {
        expectInside(idx, f.range, `${f.rule} range`);
        for (const fix of f.fixes) for (const e of fix.edits) expectInside(idx, e.range, `${f.rule} fix "${fix.title}" edit`);
      }
      if (text.includes('{{')) {
        expect(manifest?.helm).toBe(true);
        expect(findings).toEqual([]);
      }
    });

    it('every fix, and fix all, keeps the YAML valid; fix all is idempotent', () => {
      const { findings, text, file, ws } = lintFile(name);
      // only meaningful for files that parse to begin with (the Helm templates do not)
      const clean = parseErrors(text).length === 0;
      if (clean) {
        for (const f of findings)
          for (const fix of f.fixes) expect(parseErrors(applyEdits(text, fix.edits)), `${f.rule} fix "${fix.title}"`).toEqual([]);
      }
      const once = fixAll({ text, path: file }, ws, { rules: RULES });
      expect(once.passes).toBeLessThan(10);
      if (clean) expect(parseErrors(once.text)).toEqual([]);
      const twice = fixAll({ text: once.text, path: file }, ws, { rules: RULES });
      expect(twice.text).toBe(once.text);
      expect(twice.fixed).toEqual([]);
    });
  });

  describe('asserted findings', () => {
    const only = (name: string, rule: Rule) => {
      const r = lintFile(name, [rule]);
      expect(r.errors).toEqual([]);
      return r.findings.map((f) => ({ line: f.range.start.line + 1, text: covered(r.text, f), severity: f.severity }));
    };

    it('etcd: three Pods on quay.io/coreos/etcd:latest without imagePullPolicy', () => {
      expect(only(fileStartingWith('003_'), k8sImagePullLatest)).toEqual([40, 95, 150].map((line) => ({ line, text: 'quay.io/coreos/etcd:latest', severity: 'warning' })));
    });

    it('argo-cd repo-server: the :latest init container, not the container with imagePullPolicy: Always', () => {
      expect(only(fileStartingWith('009_'), k8sImagePullLatest)).toEqual([{ line: 363, text: 'quay.io/argoproj/argocd:latest', severity: 'warning' }]);
    });

    it('prometheus rabbitmq example: the untagged exporter image, not the tagged rabbitmq one', () => {
      expect(only(fileStartingWith('011_'), k8sImagePullLatest)).toEqual([{ line: 23, text: 'kbudde/rabbitmq-exporter', severity: 'warning' }]);
    });

    it('karpenter blueprints (on-demand, IfNotPresent, grace 0): nothing from either rule', () => {
      const name = fileStartingWith('041_');
      expect(only(name, k8sImagePullLatest)).toEqual([]);
      expect(only(name, k8sSpotGracePeriod)).toEqual([]);
    });

    it('karpenter spot example: the default 30 s grace period fits the 120 s EC2 Spot notice', () => {
      const name = fileStartingWith('033_');
      expect(only(name, k8sSpotGracePeriod)).toEqual([]);
      expect(only(name, k8sImagePullLatest)).toEqual([]);
    });

    it('GKE preemptible-killer: a 300 s grace period, but the pod does not target spot nodes', () => {
      expect(only(fileStartingWith('031_'), k8sSpotGracePeriod)).toEqual([]);
    });
  });
});
