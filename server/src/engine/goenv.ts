// The Go runtime's environment variables GOMEMLIMIT, GOMAXPROCS and GOGC:
// exactly what the runtime accepts, what it does with everything else, and
// the exact rewrite of common mistakes (Kubernetes quantities, SI units,
// Docker-style shorthands). Pure functions on strings: the Dockerfile rules
// use them for ENV/ARG values, the Kubernetes rules for manifest env values.
//
// Grammars (Go runtime source; domain notes §3):
// - GOMEMLIMIT: "" or "off" = no limit; otherwise parseByteCount:
//   ^[0-9]+(([KMGT]i)?B)?$ (case-sensitive), fitting in int64. Anything else
//   makes the runtime throw "malformed GOMEMLIMIT" at start.
// - GOMAXPROCS: atoi32(value) > 0 is used; anything else (0, negatives,
//   "500m", "1.5", "") is silently ignored (runtime default).
// - GOGC: "off" disables the GC; atoi32(value) is used (a negative value
//   disables the GC too); anything else silently falls back to 100.

export type GoEnvEffect =
  /** The runtime uses the value. */
  | 'used'
  /** Empty: the runtime behaves as if the variable were not set. */
  | 'default'
  /** The runtime silently ignores it (GOMAXPROCS) or falls back to its default (GOGC). */
  | 'ignored'
  /** The program aborts at start (GOMEMLIMIT). */
  | 'crash';

export interface GoEnvCheck {
  /** The runtime accepts the value as written. */
  valid: boolean;
  effect: GoEnvEffect;
  /** The value to write instead (without quotes), when one is known. */
  rewrite?: string;
  /** The rewrite is the exact equivalent of an unambiguous value: safe to apply blindly. */
  preferred?: boolean;
  /** Other plausible readings of an ambiguous value (never preferred). */
  alternatives?: string[];
  /** One or two sentences: what the runtime does with the value and what the rewrite means. Markdown code spans. */
  reason: string;
}

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT32 = -(1n << 31n);
const MAX_INT32 = (1n << 31n) - 1n;

/** The runtime's atoi64 (runtime/string.go), exactly: an optional '-' then decimal digits, no '+', no spaces. */
export function goAtoi64(s: string): bigint | undefined {
  if (s === '') return undefined;
  let neg = false;
  if (s[0] === '-') {
    neg = true;
    s = s.slice(1);
  }
  // note: the runtime accepts a lone "-" as 0 (its loop simply does not run)
  let un = 0n;
  for (const c of s) {
    if (c < '0' || c > '9') return undefined;
    un = un * 10n + BigInt(c.charCodeAt(0) - 48);
    if (un > MAX_UINT64) return undefined;
  }
  if (!neg && un > MAX_INT64) return undefined;
  if (neg && un > MAX_INT64 + 1n) return undefined;
  return neg ? -un : un;
}

/** The runtime's atoi32. */
export function goAtoi32(s: string): number | undefined {
  const n = goAtoi64(s);
  if (n === undefined || n < MIN_INT32 || n > MAX_INT32) return undefined;
  return Number(n);
}

/** The runtime's parseByteCount (runtime/debug.SetMemoryLimit's syntax), exactly: bytes, or undefined when malformed. */
export function parseByteCount(s: string): bigint | undefined {
  if (s === '') return undefined;
  const last = s[s.length - 1];
  if (last >= '0' && last <= '9') {
    const n = goAtoi64(s);
    return n === undefined || n < 0n ? undefined : n;
  }
  if (last !== 'B' || s.length < 2) return undefined;
  const c = s[s.length - 2];
  if (c >= '0' && c <= '9') {
    const n = goAtoi64(s.slice(0, -1));
    return n === undefined || n < 0n ? undefined : n;
  } else if (c !== 'i') return undefined;
  if (s.length < 4) return undefined;
  const power = 'KMGT'.indexOf(s[s.length - 3]) + 1;
  if (power === 0) return undefined;
  const n = goAtoi64(s.slice(0, -3));
  if (n === undefined || n < 0n) return undefined;
  const un = n * (1n << BigInt(10 * power));
  if (un > MAX_INT64) return undefined;
  return un;
}

/** The runtime's reading of GOMEMLIMIT: 'off' (no limit), bytes, or undefined (the program aborts). */
export function readGoMemLimit(value: string): bigint | 'off' | undefined {
  if (value === '' || value === 'off') return 'off';
  return parseByteCount(value);
}

/** Spaces trimmed, surrounding quotes removed (repeatedly), spaces between a number and its unit removed. */
function tidy(value: string): string {
  let v = value.trim();
  for (let m; (m = /^(["'])(.*)\1$/s.exec(v)); ) v = m[2].trim();
  return v.replace(/^([+-]?[0-9.]+)\s+([A-Za-z%]+)$/, '$1$2');
}

/** An exact non-negative decimal: value = num / den. */
interface Decimal {
  num: bigint;
  den: bigint;
}

function parseDecimal(s: string): Decimal | undefined {
  const m = /^([0-9]*)(?:\.([0-9]*))?$/.exec(s);
  if (!m || (!m[1] && !m[2])) return undefined;
  const frac = m[2] ?? '';
  return { num: BigInt((m[1] || '0') + frac), den: 10n ** BigInt(frac.length) };
}

function scale(d: Decimal, factor: bigint): Decimal {
  return { num: d.num * factor, den: d.den };
}

const isInt = (d: Decimal) => d.num % d.den === 0n;
const ceilOf = (d: Decimal) => (d.num + d.den - 1n) / d.den;

const BINARY_UNITS = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SI_UNITS = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Bytes written in the largest Go unit (TiB..KiB) that divides them exactly, else plain bytes. */
function formatBytesExact(bytes: bigint): string {
  for (let p = 4; p >= 1; p--) {
    const m = 1n << BigInt(10 * p);
    if (bytes !== 0n && bytes % m === 0n) return `${bytes / m}${BINARY_UNITS[p]}B`;
  }
  return `${bytes}`;
}

/** `n` of unit `Xi` (power p) as a Go value: keep the unit when n is an integer and Go has it, else the exact bytes. */
function binaryRewrite(d: Decimal, p: number): { value: string; exact: boolean } | undefined {
  if (isInt(d) && p >= 1 && p <= 4) {
    const n = d.num / d.den;
    const bytes = n << BigInt(10 * p);
    if (bytes > MAX_INT64) return undefined;
    return { value: `${n}${BINARY_UNITS[p]}B`, exact: true };
  }
  const b = scale(d, 1n << BigInt(10 * p));
  const bytes = isInt(b) ? b.num / b.den : ceilOf(b);
  if (bytes > MAX_INT64) return undefined;
  return { value: isInt(b) ? formatBytesExact(bytes) : `${bytes}`, exact: isInt(b) };
}

function siRewrite(d: Decimal, p: number): { value: string; exact: boolean } | undefined {
  const b = scale(d, 1000n ** BigInt(p));
  const bytes = isInt(b) ? b.num / b.den : ceilOf(b);
  if (bytes > MAX_INT64) return undefined;
  return { value: `${bytes}`, exact: isInt(b) };
}

const code = (s: string) => '`' + s + '`';

export function checkGoMemLimit(value: string): GoEnvCheck {
  if (value === '' || value === 'off') return { valid: true, effect: value === '' ? 'default' : 'used', reason: 'No soft memory limit.' };
  const n = parseByteCount(value);
  if (n !== undefined) return { valid: true, effect: 'used', reason: `A soft memory limit of ${n} bytes.` };
  const bad = (rest: Omit<GoEnvCheck, 'valid' | 'effect'>): GoEnvCheck => ({ valid: false, effect: 'crash', ...rest });

  const v = tidy(value);
  if (v !== value) {
    const r = readGoMemLimit(v);
    if (r !== undefined && v !== '') {
      return bad({ rewrite: v, preferred: true, reason: `Go reads the value as written, spaces and quotes included; ${code(v)} is the valid form.` });
    }
  }
  if (/^off$/i.test(v)) return bad({ rewrite: 'off', preferred: true, reason: `Only lower-case ${code('off')} disables the limit.` });
  if (/^-/.test(v)) return bad({ reason: 'Go rejects negative limits; use `off` for no limit.' });
  if (/%$/.test(v)) {
    return bad({
      reason: 'Go does not accept a percentage: give bytes (about 90 % of the container memory limit), or let `github.com/KimMachineGun/automemlimit` compute it.',
    });
  }

  // 1e9, 1.5E9 (Kubernetes accepts decimal exponents)
  let m = /^([0-9]+(?:\.[0-9]+)?)[eE]\+?([0-9]{1,2})$/.exec(v);
  if (m) {
    const d = scale(parseDecimal(m[1])!, 10n ** BigInt(m[2]));
    if (isInt(d) && d.num / d.den <= MAX_INT64) {
      return bad({ rewrite: `${d.num / d.den}`, preferred: true, reason: `Go does not accept exponents: ${code(v)} is ${d.num / d.den} bytes.` });
    }
    return bad({ reason: `Go does not accept exponents; give a whole number of bytes.` });
  }

  // (`[0-9]*(?:\.[0-9]*)?`, not `[0-9]*\.?[0-9]*`: two adjacent digit runs backtracked quadratically on long digit strings)
  m = /^([0-9]*(?:\.[0-9]*)?)([A-Za-z]*)$/.exec(v);
  const d = m ? parseDecimal(m[1]) : undefined;
  if (!m || !d) return bad({ reason: 'Go accepts only digits with an optional `B`, `KiB`, `MiB`, `GiB` or `TiB` suffix, or `off`.' });
  const unit = m[2];
  const num = m[1];

  // plain bytes with a decimal point, or a lower-case b
  if (unit === '' || unit === 'B' || unit === 'b') {
    if (isInt(d)) {
      const bytes = d.num / d.den;
      if (bytes <= MAX_INT64) return bad({ rewrite: `${bytes}`, preferred: true, reason: `Go wants a whole number of bytes: ${code(`${bytes}`)}.` });
    }
    return bad({ reason: 'Go wants a whole number of bytes.' });
  }

  // binary units: Ki, Mi, KiB, mib, MIB, 1.5GiB ... unambiguous
  let u = /^([KkMmGgTtPpEe])[iI]([Bb]?)$/.exec(unit);
  if (u) {
    const p = 'KMGTPE'.indexOf(u[1].toUpperCase()) + 1;
    const r = binaryRewrite(d, p);
    if (!r) return bad({ reason: 'The value is larger than Go accepts (2^63-1 bytes).' });
    const what =
      unit === BINARY_UNITS[p] && isInt(d)
        ? `${code(v)} is a Kubernetes quantity; Go wants the \`B\`: ${code(r.value)}.`
        : !isInt(d)
          ? `Go does not accept decimals: ${code(v)} is ${r.exact ? 'exactly' : 'about'} ${code(r.value)}.`
          : p > 4
            ? `Go has no ${BINARY_UNITS[p]}B unit: ${code(v)} is ${code(r.value)} bytes.`
            : `Go's units are case-sensitive: ${code(r.value)}.`;
    return bad({ rewrite: r.value, preferred: r.exact, reason: what });
  }

  // Kubernetes decimal (SI) suffixes: k, M, G, T, P, E; and SI bytes: kB, KB, MB, GB, TB, PB, EB
  u = /^(k|M|G|T|P|E)$/.exec(unit) ?? /^(k|K|M|G|T|P|E)B$/.exec(unit);
  if (u) {
    const p = 'KMGTPE'.indexOf(u[1].toUpperCase()) + 1;
    const r = siRewrite(d, p);
    if (!r) return bad({ reason: 'The value is larger than Go accepts (2^63-1 bytes).' });
    const alt = binaryRewrite(d, p);
    const alternatives = alt && p <= 4 && alt.value !== r.value ? [alt.value] : undefined;
    return bad({
      rewrite: r.value,
      preferred: r.exact,
      alternatives,
      reason: `Go does not accept SI units: ${code(v)} is ${r.exact ? '' : 'about '}${r.value} bytes (${u[1]} = 10^${3 * p})${
        alternatives ? `; ${code(alternatives[0])} if 1024-based units were meant` : ''
      }.`,
    });
  }

  // Docker-style shorthands: 400m, 2g, 512K, 512mb, 1Gb ... Docker reads them as binary units,
  // Kubernetes as something else (m = milli): ambiguous, never preferred.
  u = /^([KkMmGgTt])([Bb]?)$/.exec(unit);
  if (u) {
    const p = 'KMGT'.indexOf(u[1].toUpperCase()) + 1;
    const r = binaryRewrite(d, p);
    if (!r) return bad({ reason: 'The value is larger than Go accepts (2^63-1 bytes).' });
    const si = siRewrite(d, p);
    const alternatives = si && si.value !== r.value ? [si.value] : undefined;
    const k8s = u[1] === 'm' && !u[2] ? 'Kubernetes reads `m` as milli' : 'Kubernetes does not accept it';
    return bad({
      rewrite: r.value,
      preferred: false,
      alternatives,
      reason: `${code(v)} is a Docker-style size (Docker: ${num} ${BINARY_UNITS[p]}B; ${k8s}); Go accepts neither: ${code(r.value)} if ${BINARY_UNITS[p]}B were meant.`,
    });
  }

  return bad({ reason: 'Go accepts only digits with an optional `B`, `KiB`, `MiB`, `GiB` or `TiB` suffix, or `off`.' });
}

export function checkGoMaxProcs(value: string): GoEnvCheck {
  if (value === '') return { valid: true, effect: 'default', reason: 'Unset: the runtime default.' };
  const n = goAtoi32(value);
  if (n !== undefined && n > 0) return { valid: true, effect: 'used', reason: `GOMAXPROCS=${n}.` };
  const bad = (rest: Omit<GoEnvCheck, 'valid' | 'effect'>): GoEnvCheck => ({ valid: false, effect: 'ignored', ...rest });
  if (n !== undefined) {
    return bad({ reason: `Only a positive integer is used; ${code(value)} is silently ignored and the runtime default applies (before Go 1.25: every CPU of the node).` });
  }
  const v = tidy(value).replace(/^\+(?=[0-9.])/, '');
  const t = goAtoi32(v);
  if (t !== undefined && t > 0) {
    return bad({ rewrite: `${t}`, preferred: true, reason: `Go reads the value as written (spaces, quotes and \`+\` included) and ignores it; ${code(`${t}`)} is the valid form.` });
  }
  // CPU quantities: 500m, 1.5, 2000m
  // (one digit run before the dot and one after it: linear on long digit strings)
  const m = /^([0-9]*(?:\.[0-9]*)?)(m?)$/.exec(v);
  const d = m ? parseDecimal(m[1]) : undefined;
  if (m && d && d.num > 0n) {
    const cores: Decimal = m[2] ? { num: d.num, den: d.den * 1000n } : d;
    let c = ceilOf(cores);
    if (c < 1n) c = 1n;
    if (c <= MAX_INT32) {
      const kind = m[2] ? 'a Kubernetes CPU quantity' : 'not an integer';
      return bad({
        rewrite: `${c}`,
        preferred: true,
        reason: `${code(value)} is ${kind}: Go silently ignores it and uses the runtime default (before Go 1.25: every CPU of the node). ${code(`${c}`)} is the CPU count rounded up, as the Kubernetes downward API and Go 1.25 do.`,
      });
    }
  }
  return bad({ reason: `Only a positive integer is used; ${code(value)} is silently ignored and the runtime default applies.` });
}

export function checkGoGC(value: string): GoEnvCheck {
  if (value === '') return { valid: true, effect: 'default', reason: 'Unset: GOGC=100.' };
  if (value === 'off') return { valid: true, effect: 'used', reason: 'The garbage collector is off.' };
  const n = goAtoi32(value);
  if (n !== undefined) return { valid: true, effect: 'used', reason: n < 0 ? 'A negative GOGC turns the garbage collector off.' : `GOGC=${n}.` };
  const bad = (rest: Omit<GoEnvCheck, 'valid' | 'effect'>): GoEnvCheck => ({ valid: false, effect: 'ignored', ...rest });
  const fallback = `Go silently ignores ${code(value)} and uses the default GOGC=100`;
  const v = tidy(value);
  if (/^off$/i.test(v)) {
    if (v === 'off') return bad({ rewrite: 'off', preferred: true, reason: `${fallback}; ${code('off')} is the valid form.` });
    // disabling the GC blindly could get the container OOM-killed: not preferred
    return bad({ rewrite: 'off', preferred: false, reason: `${fallback}: only lower-case ${code('off')} disables the garbage collector.` });
  }
  const m = /^\+?([0-9]+(?:\.0*)?)\s*%?$/.exec(v);
  if (m) {
    const t = goAtoi32(m[1].replace(/\.0*$/, ''));
    if (t !== undefined) return bad({ rewrite: `${t}`, preferred: true, reason: `${fallback}: it takes a bare integer percentage, ${code(`${t}`)}.` });
  }
  return bad({ reason: `${fallback}: it takes \`off\` or an integer percentage.` });
}
