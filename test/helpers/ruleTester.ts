// A table-driven tester for rules, in the spirit of ESLint's RuleTester:
// `valid` cases must produce no finding; `invalid` cases list the findings
// (1-based line, the exact text their range covers, message/severity) and the
// exact text after applying the preferred fixes. Every case is also run with
// CRLF line endings, and every fix is checked to be idempotent and to clear
// its finding on re-lint.
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig, type Config } from '../../server/src/engine/config';
import { lint, compatiblePreferredEdits } from '../../server/src/engine/lint';
import type { Rule } from '../../server/src/engine/rule';
import { applyEdits, LineIndex } from '../../server/src/engine/text';
import type { Finding } from '../../server/src/engine/types';
import { MemoryWorkspace } from '../../server/src/engine/workspace';

export const ROOT = '/proj';

export interface Case {
  name?: string;
  code: string;
  /** Extra files, relative to /proj (the Dockerfile's folder unless `path` says otherwise). */
  files?: Record<string, string>;
  /** File path relative to /proj (default "Dockerfile", or the tester's `path` option). */
  path?: string;
  /** Configuration keys as in .container-tuner.yaml. */
  config?: Record<string, unknown>;
  /** Skip the automatic CRLF variant (e.g. a case about line endings itself). */
  noCrlf?: boolean;
}

export interface ExpectedFinding {
  /** 1-based line of the range start. */
  line: number;
  /** The exact text the finding's range covers (first line of it when multi-line). */
  text?: string;
  message?: string | RegExp;
  severity?: 'error' | 'warning' | 'info';
}

export interface InvalidCase extends Case {
  findings: ExpectedFinding[];
  /** Text after applying every preferred fix; null when no fix is preferred. */
  output?: string | null;
  /** Non-preferred (or all) fixes by title, and the text each one produces on its own. */
  fixes?: { title: string | RegExp; output: string }[];
}

let defaultPath = 'Dockerfile';

function run(rule: Rule, c: Case, code: string): { findings: Finding[]; ws: MemoryWorkspace; file: string; config: Config } {
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.files ?? {})) files[path.join(ROOT, k)] = v;
  const file = path.join(ROOT, c.path ?? defaultPath);
  files[file] = code;
  const ws = new MemoryWorkspace(files);
  const config = c.config ? mergeConfig(DEFAULT_CONFIG, c.config, path.join(ROOT, '.container-tuner.yaml')) : DEFAULT_CONFIG;
  const { findings } = lint({ text: code, path: file }, ws, {
    config,
    rules: [rule],
    onRuleError: (_id, e) => {
      throw e;
    },
  });
  return { findings, ws, file, config };
}

function covered(code: string, f: Finding): string {
  const idx = new LineIndex(code);
  const s = idx.offsetAt(f.range.start);
  const e = idx.offsetAt(f.range.end);
  return code.slice(s, e).split(/\r?\n/)[0];
}

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function applyPreferred(findings: Finding[], code: string): string {
  return applyEdits(code, compatiblePreferredEdits(findings).edits);
}

function checkInvalid(rule: Rule, c: InvalidCase, code: string, output: string | null | undefined) {
  const { findings, ws, file, config } = run(rule, c, code);
  const summary = findings.map((f) => `${f.range.start.line + 1}: ${covered(code, f)} — ${f.message}`).join('\n');
  expect(findings.length, `findings:\n${summary}`).toBe(c.findings.length);
  c.findings.forEach((exp, i) => {
    const f = findings[i];
    expect(f.rule).toBe(rule.id);
    expect(f.range.start.line + 1, summary).toBe(exp.line);
    if (exp.text !== undefined) expect(covered(code, f)).toBe(exp.text);
    if (exp.severity) expect(f.severity).toBe(exp.severity);
    if (typeof exp.message === 'string') expect(f.message).toContain(exp.message);
    else if (exp.message) expect(f.message).toMatch(exp.message);
    // every range lies inside the document
    const idx = new LineIndex(code);
    expect(idx.offsetAt(f.range.end)).toBeGreaterThanOrEqual(idx.offsetAt(f.range.start));
    expect(f.range.end.line).toBeLessThan(idx.lineCount);
  });
  if (output !== undefined) {
    const hasPreferred = findings.some((f) => f.fixes.some((x) => x.preferred));
    if (output === null) {
      expect(hasPreferred, 'no preferred fix expected').toBe(false);
    } else {
      expect(hasPreferred, 'a preferred fix expected').toBe(true);
      const fixed = applyPreferred(findings, code);
      expect(fixed).toBe(output);
      // re-linting no longer reports it, and a second pass changes nothing
      const again = lint({ text: fixed, path: file }, ws, { config, rules: [rule] }).findings;
      expect(again.filter((f) => f.fixes.some((x) => x.preferred)).map((f) => f.message)).toEqual([]);
      expect(applyPreferred(again, fixed)).toBe(fixed);
    }
  }
  for (const exp of c.fixes ?? []) {
    const all = findings.flatMap((f) => f.fixes);
    const fix = all.find((x) => (typeof exp.title === 'string' ? x.title === exp.title : exp.title.test(x.title)));
    expect(fix, `fix titled ${exp.title} among: ${all.map((x) => x.title).join(' | ')}`).toBeTruthy();
    const out = applyEdits(code, fix!.edits);
    expect(out).toBe(code === c.code ? exp.output : crlf(exp.output));
  }
}

/**
 * Registers the cases of one rule. `opts.path` sets the default file name
 * (e.g. 'deploy.yaml' for Kubernetes rules); a case's own `path` wins.
 */
export function ruleTester(rule: Rule, cases: { valid: Case[]; invalid: InvalidCase[] }, opts: { path?: string } = {}): void {
  describe(rule.id, () => {
    const setPath = () => {
      defaultPath = opts.path ?? 'Dockerfile';
    };
    beforeEach(setPath);
    it('has metadata', () => {
      expect(rule.id).toMatch(/^[a-z0-9-]+$/);
      expect(rule.summary.length).toBeGreaterThan(10);
      expect(['error', 'warning', 'info']).toContain(rule.defaultSeverity);
    });
    if (cases.valid.length) describe('valid', () => {
      cases.valid.forEach((c, i) => {
        it(c.name ?? `valid #${i + 1}`, () => {
          const { findings } = run(rule, c, c.code);
          expect(findings.map((f) => `${f.range.start.line + 1}: ${f.message}`)).toEqual([]);
          if (!c.noCrlf) expect(run(rule, c, crlf(c.code)).findings).toEqual([]);
        });
      });
    });
    if (cases.invalid.length) describe('invalid', () => {
      cases.invalid.forEach((c, i) => {
        it(c.name ?? `invalid #${i + 1}`, () => {
          checkInvalid(rule, c, c.code, c.output);
        });
        if (!c.noCrlf) {
          it(`${c.name ?? `invalid #${i + 1}`} (CRLF)`, () => {
            checkInvalid(rule, c, crlf(c.code), c.output == null ? c.output : crlf(c.output));
          });
        }
      });
    });
  });
}
