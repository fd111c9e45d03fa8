// Every rule over the real-world Dockerfiles of /work/shared/corpus/dockerfiles
// (read in place, never copied into the project): parsing and linting never
// throw, no rule throws, every range and edit lies inside its document, and
// "fix all" converges and is idempotent. Asserted findings: added by the lead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentKind, fixAll, lint } from '../server/src/engine/lint';
import { ALL_RULES } from '../server/src/engine/rules';
import { comparePositions, LineIndex } from '../server/src/engine/text';
import type { Range } from '../server/src/engine/types';
import { MemoryWorkspace } from '../server/src/engine/workspace';

const DIR = path.resolve(__dirname, '../../shared/corpus/dockerfiles');
const present = fs.existsSync(DIR) && fs.statSync(DIR).isDirectory();
if (!present) console.warn(`corpus-dockerfiles: ${DIR} is missing: the Dockerfile corpus suite is SKIPPED`);
const FILES = present ? fs.readdirSync(DIR).filter((f) => fs.statSync(path.join(DIR, f)).isFile()).sort() : [];

/** A workspace holding only the corpus file: results never depend on what lies around the corpus folder. */
function setup(name: string) {
  const file = path.join(DIR, name);
  const text = fs.readFileSync(file, 'utf8');
  return { file, text, ws: new MemoryWorkspace({ [file]: text }) };
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

describe.skipIf(!present)('corpus: Dockerfiles', () => {
  it('has files, all recognised as Dockerfiles', () => {
    expect(FILES.length).toBeGreaterThan(0);
    expect(FILES.filter((f) => documentKind(path.join(DIR, f)) !== 'dockerfile')).toEqual([]);
  });

  describe.each(FILES)('%s', (name) => {
    it('no rule throws; ranges and edits lie inside the document', () => {
      const { file, text, ws } = setup(name);
      const errors: string[] = [];
      const result = lint({ text, path: file, languageId: 'dockerfile' }, ws, {
        rules: ALL_RULES,
        onRuleError: (rule, e) => errors.push(`${rule}: ${e instanceof Error ? e.stack : String(e)}`),
      });
      expect(errors).toEqual([]);
      expect(result.kind).toBe('dockerfile');
      const idx = new LineIndex(text);
      for (const f of result.findings) {
        expectInside(idx, f.range, `${f.rule} range`);
        for (const fix of f.fixes) for (const e of fix.edits) expectInside(idx, e.range, `${f.rule} fix "${fix.title}" edit`);
      }
    });

    it('fix all converges and is idempotent, and the result still lints', () => {
      const { file, text, ws } = setup(name);
      const input = { text, path: file, languageId: 'dockerfile' };
      const once = fixAll(input, ws, { rules: ALL_RULES });
      expect(once.passes).toBeLessThan(10);
      const twice = fixAll({ ...input, text: once.text }, ws, { rules: ALL_RULES });
      expect(twice.text).toBe(once.text);
      expect(twice.fixed).toEqual([]);
      const errors: string[] = [];
      lint({ ...input, text: once.text }, ws, { rules: ALL_RULES, onRuleError: (rule, e) => errors.push(`${rule}: ${String(e)}`) });
      expect(errors).toEqual([]);
    });
  });
});

/** Findings (`rule:line`) on chosen corpus files, each checked by hand against the domain notes. */
const EXPECTED: Record<string, { has: string[]; not?: string[] }> = {
  // multi-stage, CGO_ENABLED=0, -s -w, Go 1.26 builder: only the untagged distroless base
  '001_GoogleCloudPlatform__microservices-demo__src__frontend__Dockerfile.Dockerfile': {
    has: ['base-image-unpinned:32'],
    not: ['go-strip-symbols', 'go-static-binary', 'go-single-stage', 'go-maxprocs', 'exec-form-cmd'],
  },
  // single stage on golang: toolchain shipped, unstripped build, Go < 1.25
  '036_docker__docker-gs-ping__Dockerfile.Dockerfile': { has: ['go-single-stage:3', 'go-strip-symbols:17', 'go-maxprocs:3'] },
  // shell-form ENTRYPOINT on the golang image
  '034_tilt-dev__tilt-example-go__0-base__deployments__Dockerfile.Dockerfile': { has: ['exec-form-cmd:5', 'go-single-stage:1'] },
  // golang:latest
  '065_eddycjy__go-gin-example__Dockerfile.Dockerfile': { has: ['base-image-unpinned:1', 'go-single-stage:1'] },
  // a Go binary shipped on Windows Server Core (ltsc2016: no nanoserver fix)
  '042_StefanScherer__dockerfiles-windows__swarm__Dockerfile.Dockerfile': { has: ['windows-servercore-runtime:26'] },
  // apk add without --no-cache in the final stage
  '059_open-telemetry__opentelemetry-collector-releases__cmd__builder__Dockerfile.Dockerfile': { has: ['apk-no-cache:2'] },
  // prebuilt binaries (no go build): Go build rules stay silent
  '003_etcd-io__etcd__Dockerfile.Dockerfile': { has: [], not: ['go-strip-symbols', 'go-static-binary', 'go-single-stage', 'go-mod-cache-order'] },
};

describe.skipIf(!present)('corpus: asserted findings', () => {
  it.each(Object.entries(EXPECTED))('%s', (name, exp) => {
    const { file, text, ws } = setup(name);
    const found = lint({ text, path: file, languageId: 'dockerfile' }, ws, { rules: ALL_RULES }).findings.map((f) => `${f.rule}:${f.range.start.line + 1}`);
    for (const h of exp.has) expect(found).toContain(h);
    for (const n of exp.not ?? []) expect(found.filter((f) => f.startsWith(n + ':'))).toEqual([]);
  });
});
