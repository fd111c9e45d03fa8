// What vscode-languageclient needs from `semver`, and nothing more. Its
// LanguageClient constructor checks VS Code's version once, with
// `semver/functions/parse` and `semver/functions/satisfies` against a caret range
// (`'^1.82.0'`); the build (scripts/build.mjs) points those two imports here.
// The real package is 45 kB in the client bundle and builds about a hundred
// regular expressions when it loads: a few milliseconds of every activation for
// one comparison. test/client/semver.test.ts checks these against the real
// package; a range in another form throws, so a languageclient update that
// changes it fails the tests instead of passing silently.

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** dot-separated identifiers after `-` (numeric ones as numbers, like semver); the client empties it for insiders builds */
  prerelease: (string | number)[];
  build: string[];
  version: string;
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
// semver's strict (not `loose`) FULL form: optional `v` prefix, no leading zeros
const FULL = new RegExp(`^v?(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`);
const CARET = /^\^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `semver/functions/parse` for strings: a version, or null when the string is not one. */
export function parse(version: unknown): Version | null {
  if (isVersion(version)) return version;
  if (typeof version !== 'string' || version.length > 256) return null;
  const m = FULL.exec(version.trim());
  if (!m) return null;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  const prerelease = m[4] ? m[4].split('.').map((id) => (/^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id)) : [];
  const build = m[5] ? m[5].split('.') : [];
  return { major, minor, patch, prerelease, build, version: `${major}.${minor}.${patch}${prerelease.length ? `-${prerelease.join('.')}` : ''}` };
}

/** `semver/functions/satisfies` for caret ranges (`^1.82.0`), the only form vscode-languageclient passes. */
export function satisfies(version: unknown, range: string): boolean {
  const r = CARET.exec(String(range).trim());
  if (!r) throw new Error(`client/src/semver.ts: unsupported range ${JSON.stringify(range)} (only ^major.minor.patch)`);
  const v = parse(version);
  if (!v) return false;
  // a prerelease never satisfies a range whose comparators have none (semver's rule)
  if (v.prerelease.length > 0) return false;
  const [maj, min, pat] = [r[1], r[2], r[3]].map(Number);
  const cmp = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const have = [v.major, v.minor, v.patch];
  // ^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := >=0.2.3 <0.3.0; ^0.0.3 := >=0.0.3 <0.0.4
  const upper = maj > 0 ? [maj + 1, 0, 0] : min > 0 ? [0, min + 1, 0] : [0, 0, pat + 1];
  return cmp(have, [maj, min, pat]) >= 0 && cmp(have, upper) < 0;
}

function isVersion(v: unknown): v is Version {
  return !!v && typeof v === 'object' && typeof (v as Version).major === 'number' && Array.isArray((v as Version).prerelease);
}
