// client/src/semver.ts stands in for `semver/functions/parse` and `.../satisfies` in the
// client bundle (scripts/build.mjs): it must answer exactly as the real package does
// for what vscode-languageclient asks (parse VS Code's version, drop an insiders
// prerelease, satisfies against its caret range).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, satisfies } from '../../client/src/semver';

const require = createRequire(import.meta.url);
// the real package, as vscode-languageclient resolves it
const lcDir = path.dirname(require.resolve('vscode-languageclient/package.json'));
const realParse = require(require.resolve('semver/functions/parse', { paths: [lcDir] })) as (v: unknown) => { major: number; minor: number; patch: number; prerelease: (string | number)[]; version: string } | null;
const realSatisfies = require(require.resolve('semver/functions/satisfies', { paths: [lcDir] })) as (v: unknown, r: string) => boolean;

/** What LanguageClient.checkVersion does with a version string, with either implementation. */
function check(p: typeof realParse, s: typeof realSatisfies, version: string, range: string): string {
  const v = p(version);
  if (!v) return 'invalid';
  if (v.prerelease && v.prerelease.length > 0) v.prerelease = [];
  return s(v, range) ? 'ok' : 'too old/new';
}

const VERSIONS = [
  '1.100.3', '1.82.0', '1.81.9', '1.82.1', '2.0.0', '1.0.0', '0.9.0', '1.100.0-insider', '1.82.0-insider', '1.81.0-insider',
  'v1.90.0', '=1.90.0', ' 1.90.0 ', '1.90', '1.90.0.1', '01.90.0', '1.090.0', '1.90.0+build.5', '1.90.0-rc.1+b', '1.90.0-01', '1.90.0-0',
  '', 'x', '1.x.0', '1.90.0-', '1.90.0+', '99999999999999999999.0.0', '1.2.3-alpha.1.beta-2', '1.2.3-αβ',
];
const RANGES = ['^1.82.0', '^1.100.0', '^0.3.2', '^0.0.4', '^2.0.0'];

describe('client/src/semver.ts (the client bundle\'s semver)', () => {
  it('parses like semver', () => {
    for (const v of VERSIONS) {
      const want = realParse(v);
      const got = parse(v);
      if (!want) expect(got, v).toBeNull();
      else expect(got && { major: got.major, minor: got.minor, patch: got.patch, prerelease: got.prerelease, version: got.version }, v).toEqual({ major: want.major, minor: want.minor, patch: want.patch, prerelease: want.prerelease, version: want.version });
    }
  });

  it('answers the version check like semver', () => {
    for (const v of VERSIONS) for (const r of RANGES) expect(check(parse as typeof realParse, satisfies, v, r), `${v} ${r}`).toBe(check(realParse, realSatisfies, v, r));
    // a prerelease left in place never satisfies a plain caret range
    for (const r of RANGES) expect(satisfies(parse('1.100.0-insider'), r)).toBe(realSatisfies(realParse('1.100.0-insider'), r));
  });

  it('agrees with semver on generated versions and caret ranges', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 200 }));
    fc.assert(
      fc.property(part, part, part, fc.option(fc.constantFrom('insider', 'rc.1', '0', 'alpha.beta'), { nil: undefined }), part, part, part, (a, b, c, pre, x, y, z) => {
        const v = `${a}.${b}.${c}${pre ? `-${pre}` : ''}`;
        const r = `^${x}.${y}.${z}`;
        expect(check(parse as typeof realParse, satisfies, v, r), `${v} ${r}`).toBe(check(realParse, realSatisfies, v, r));
        expect(satisfies(v, r), `${v} ${r} (string)`).toBe(realSatisfies(v, r));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses range forms it does not implement (a languageclient update must fail here, not pass silently)', () => {
    for (const r of ['>=1.82.0', '~1.82.0', '1.82.x', '^1.82', '^1.82.0 || ^2.0.0', '*']) expect(() => satisfies('1.100.0', r), r).toThrow(/unsupported range/);
  });

  it('covers the range vscode-languageclient passes', () => {
    const main = fs.readFileSync(path.join(lcDir, 'lib', 'node', 'main.js'), 'utf8');
    const m = /REQUIRED_VSCODE_VERSION\s*=\s*'([^']+)'/.exec(main);
    expect(m, 'REQUIRED_VSCODE_VERSION in vscode-languageclient/lib/node/main.js').toBeTruthy();
    expect(() => satisfies('1.100.3', m![1])).not.toThrow();
    expect(satisfies('1.100.3', m![1])).toBe(true);
    // and it asks for exactly these two functions (scripts/build.mjs maps them)
    const semverImports = [...main.matchAll(/require\("(semver[^"]*)"\)/g)].map((x) => x[1]).sort();
    expect(semverImports).toEqual(['semver/functions/parse', 'semver/functions/satisfies']);
    const rest = fs.readdirSync(path.join(lcDir, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') && f !== path.join('node', 'main.js'));
    for (const f of rest) expect(fs.readFileSync(path.join(lcDir, 'lib', f), 'utf8'), f).not.toMatch(/require\("semver/);
  });
});
