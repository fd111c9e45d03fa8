// The injection grammars under syntaxes/ run on top of VS Code's own Dockerfile,
// shell and YAML grammars, with vscode-tmgrammar-test (vscode-textmate + oniguruma,
// the engine VS Code uses):
//   - cases/*.test.{Dockerfile,yaml}: assertion files (`# SYNTAX TEST "<scope>"`, `^` lines)
//   - snap/*.{Dockerfile,yaml} + .snap: every token's scopes; refresh after a deliberate
//     grammar change with UPDATE_GRAMMAR_SNAPSHOTS=1 npm run test:grammar, and read the diff.
// The base grammars are not copied into this repository: they are read from the
// built-in extensions of the code-server that scripts/e2e-setup.sh installs. Without it
// the suite skips loudly (fails with REQUIRE_E2E=1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from 'vscode-tmgrammar-test/dist/common/index';
import { getVSCodeTokens, parseSnap, renderSnap } from 'vscode-tmgrammar-test/dist/snapshot/index';
import { parseGrammarTestCase, runGrammarTestCase } from 'vscode-tmgrammar-test/dist/unit/index';
import { builtinExtensionsDir } from '../e2e/harness/paths';

const ROOT = path.resolve(__dirname, '../..');
const CASES = path.join(__dirname, 'cases');
const SNAPS = path.join(__dirname, 'snap');
const BASE_EXTENSIONS = ['docker', 'shellscript', 'yaml'];

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
  language?: string;
}

function contributedGrammars(extDir: string): GrammarContribution[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  return (pkg.contributes?.grammars ?? []).map((g: GrammarContribution) => ({ ...g, path: path.join(extDir, g.path) }));
}

function scopeFor(file: string): string {
  return /\.ya?ml$/.test(file) ? 'source.yaml' : 'source.dockerfile';
}

const builtin = builtinExtensionsDir();
const missing = !builtin || BASE_EXTENSIONS.some((e) => !fs.existsSync(path.join(builtin, e, 'package.json')));
if (missing) {
  const why = `grammar tests SKIPPED: VS Code's built-in docker/shellscript/yaml grammars are read from code-server's extensions (${builtin ?? '.e2e/code-server not installed'}); run \`bash scripts/e2e-setup.sh\` (or npm run test:grammar)`;
  if (process.env.REQUIRE_E2E === '1') throw new Error(`${why} — REQUIRE_E2E=1 makes this a failure`);
  console.warn(`\n!!!!! ${why}\n`);
}

describe.skipIf(missing)('injection grammars (vscode-tmgrammar-test over VS Code 1.100 base grammars)', () => {
  const grammars = missing
    ? []
    : [...BASE_EXTENSIONS.flatMap((e) => contributedGrammars(path.join(builtin!, e))), ...contributedGrammars(ROOT)];
  const registry = missing ? undefined : createRegistry(grammars);

  it('package.json contributes both injection grammars, into the scopes the base grammars define', () => {
    const ours = contributedGrammars(ROOT);
    expect(ours.map((g) => g.scopeName).sort()).toEqual(['container-tuner.dockerfile.injection', 'container-tuner.pragma.injection']);
    const baseScopes = new Set(grammars.filter((g) => !g.injectTo).map((g) => g.scopeName));
    for (const g of ours) {
      expect(fs.existsSync(g.path), g.path).toBe(true);
      const raw = JSON.parse(fs.readFileSync(g.path, 'utf8'));
      expect(raw.scopeName).toBe(g.scopeName);
      for (const target of g.injectTo ?? []) expect(baseScopes.has(target), `${g.scopeName} injects into ${target}`).toBe(true);
    }
  });

  const caseFiles = fs.readdirSync(CASES).filter((f) => f.includes('.test.')).sort();
  it.each(caseFiles)('assertions in cases/%s', async (name) => {
    const tc = parseGrammarTestCase(fs.readFileSync(path.join(CASES, name), 'utf8'));
    const failures = await runGrammarTestCase(registry!, tc);
    const report = failures.map((f) =>
      [
        `cases/${name}:${f.line + 1} (source line ${f.srcLine + 1}, columns ${f.start}-${f.end}): ${JSON.stringify(tc.source[f.srcLine])}`,
        `  missing:    ${f.missing.join(' ')}`,
        `  unexpected: ${f.unexpected.join(' ')}`,
        `  actual:     ${f.actual.join(' ')}`,
      ].join('\n'),
    );
    expect(report.join('\n\n'), 'grammar assertions').toBe('');
    expect(tc.assertions.length, 'a case file without assertions proves nothing').toBeGreaterThan(0);
  });

  const snapFiles = fs.readdirSync(SNAPS).filter((f) => !f.endsWith('.snap')).sort();
  it.each(snapFiles)('snapshot of snap/%s', async (name) => {
    const file = path.join(SNAPS, name);
    const tokens = await getVSCodeTokens(registry!, scopeFor(name), fs.readFileSync(file, 'utf8'));
    const actual = renderSnap(tokens);
    if (process.env.UPDATE_GRAMMAR_SNAPSHOTS === '1' || !fs.existsSync(file + '.snap')) {
      if (process.env.CI && !fs.existsSync(file + '.snap')) throw new Error(`snap/${name}.snap is missing (run UPDATE_GRAMMAR_SNAPSHOTS=1 npm run test:grammar and commit it)`);
      fs.writeFileSync(file + '.snap', actual);
      console.warn(`wrote snap/${name}.snap`);
    }
    const expected = fs.readFileSync(file + '.snap', 'utf8');
    // parse both sides so a mismatch shows per-line token scopes
    expect(parseSnap(actual), `snap/${name}.snap differs (UPDATE_GRAMMAR_SNAPSHOTS=1 to accept a deliberate change)`).toEqual(parseSnap(expected));
  });
});
