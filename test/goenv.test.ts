import { describe, expect, it } from 'vitest';
import { checkGoGC, checkGoMaxProcs, checkGoMemLimit, goAtoi64, parseByteCount, readGoMemLimit } from '../server/src/engine/goenv';

type Row = [value: string, valid: boolean, rewrite?: string, preferred?: boolean, alternatives?: string[]];

function table(name: string, check: typeof checkGoMemLimit, rows: Row[], badEffect: string) {
  describe(name, () => {
    for (const [value, valid, rewrite, preferred, alternatives] of rows) {
      it(JSON.stringify(value), () => {
        const r = check(value);
        expect(r.valid).toBe(valid);
        if (!valid) expect(r.effect).toBe(badEffect);
        expect(r.rewrite).toBe(rewrite);
        if (rewrite !== undefined) expect(!!r.preferred).toBe(!!preferred);
        if (alternatives) expect(r.alternatives).toEqual(alternatives);
        expect(r.reason.length).toBeGreaterThan(5);
        // a rewrite is always a value the runtime accepts and uses
        if (rewrite !== undefined) {
          const again = check(rewrite);
          expect(again.valid).toBe(true);
          for (const a of r.alternatives ?? []) expect(check(a).valid).toBe(true);
        }
      });
    }
  });
}

describe('runtime parsers', () => {
  it('atoi64 like the runtime', () => {
    expect(goAtoi64('123')).toBe(123n);
    expect(goAtoi64('-5')).toBe(-5n);
    expect(goAtoi64('-')).toBe(0n); // the runtime's loop does not run
    expect(goAtoi64('+5')).toBeUndefined();
    expect(goAtoi64(' 5')).toBeUndefined();
    expect(goAtoi64('')).toBeUndefined();
    expect(goAtoi64('9223372036854775807')).toBe(9223372036854775807n);
    expect(goAtoi64('9223372036854775808')).toBeUndefined();
    expect(goAtoi64('-9223372036854775808')).toBe(-9223372036854775808n);
  });
  it('parseByteCount like the runtime', () => {
    expect(parseByteCount('512MiB')).toBe(512n * 1024n * 1024n);
    expect(parseByteCount('1B')).toBe(1n);
    expect(parseByteCount('0')).toBe(0n);
    expect(parseByteCount('8TiB')).toBe(8n << 40n);
    expect(parseByteCount('8388608TiB')).toBeUndefined(); // 2^63: overflows int64
    expect(parseByteCount('8388607TiB')).toBe(8388607n << 40n);
    expect(parseByteCount('KiB')).toBeUndefined();
    expect(parseByteCount('iB')).toBeUndefined();
    expect(parseByteCount('-1')).toBeUndefined();
    expect(parseByteCount('512mib')).toBeUndefined();
    expect(parseByteCount('1PiB')).toBeUndefined();
  });
  it('readGoMemLimit', () => {
    expect(readGoMemLimit('')).toBe('off');
    expect(readGoMemLimit('off')).toBe('off');
    expect(readGoMemLimit('OFF')).toBeUndefined();
    expect(readGoMemLimit('1GiB')).toBe(1n << 30n);
  });
});

table('checkGoMemLimit', checkGoMemLimit, [
  // valid
  ['off', true],
  ['', true],
  ['536870912', true],
  ['512B', true],
  ['512KiB', true],
  ['512MiB', true],
  ['7GiB', true],
  ['1TiB', true],
  ['0', true],
  // Kubernetes binary quantities: exact, preferred
  ['512Mi', false, '512MiB', true],
  ['768Mi', false, '768MiB', true],
  ['1Gi', false, '1GiB', true],
  ['64Ki', false, '64KiB', true],
  ['2Ti', false, '2TiB', true],
  ['1024Mi', false, '1024MiB', true],
  ['1Pi', false, '1024TiB', true],
  // case
  ['512mib', false, '512MiB', true],
  ['512MIB', false, '512MiB', true],
  ['1gi', false, '1GiB', true],
  ['OFF', false, 'off', true],
  ['Off', false, 'off', true],
  // decimals
  ['1.5Gi', false, '1536MiB', true],
  ['1.5GiB', false, '1536MiB', true],
  ['0.5Gi', false, '512MiB', true],
  ['1.25Mi', false, '1280KiB', true],
  ['1.3Gi', false, '1395864372', false],
  ['512.0', false, '512', true],
  ['512b', false, '512', true],
  // SI: exact bytes, binary reading as an alternative
  ['1G', false, '1000000000', true, ['1GiB']],
  ['500M', false, '500000000', true, ['500MiB']],
  ['1k', false, '1000', true, ['1KiB']],
  ['512MB', false, '512000000', true, ['512MiB']],
  ['1GB', false, '1000000000', true, ['1GiB']],
  ['1kB', false, '1000', true, ['1KiB']],
  ['1.5G', false, '1500000000', true, ['1536MiB']],
  ['1e9', false, '1000000000', true],
  ['1P', false, '1000000000000000', true],
  // Docker-style: ambiguous, never preferred
  ['400m', false, '400MiB', false, ['400000000']],
  ['2g', false, '2GiB', false, ['2000000000']],
  ['512K', false, '512KiB', false, ['512000']],
  ['512mb', false, '512MiB', false, ['512000000']],
  ['1.5g', false, '1536MiB', false],
  // spaces and quotes
  [' 512MiB', false, '512MiB', true],
  ['512MiB ', false, '512MiB', true],
  ['512 MiB', false, '512MiB', true],
  ['512 Mi', false, '512MiB', true],
  ["'512Mi'", false, '512MiB', true],
  ['"1GiB"', false, '1GiB', true],
  // no rewrite
  ['-1', false],
  ['90%', false],
  ['lots', false],
  ['1.5.5Gi', false],
  ['9223372036854775808', false],
  ['99999999999Ti', false],
], 'crash');

table('checkGoMaxProcs', checkGoMaxProcs, [
  ['1', true],
  ['2', true],
  ['64', true],
  ['02', true],
  ['', true],
  ['500m', false, '1', true],
  ['250m', false, '1', true],
  ['1500m', false, '2', true],
  ['2000m', false, '2', true],
  ['1.5', false, '2', true],
  ['0.5', false, '1', true],
  ['2.0', false, '2', true],
  [' 4', false, '4', true],
  ['"4"', false, '4', true],
  ['+4', false, '4', true],
  ['0', false],
  ['-1', false],
  ['0m', false],
  ['0.0', false],
  ['auto', false],
  ['max', false],
  ['3000000000', false],
], 'ignored');

table('checkGoGC', checkGoGC, [
  ['off', true],
  ['100', true],
  ['0', true],
  ['-1', true],
  ['400', true],
  ['', true],
  ['OFF', false, 'off', false],
  ['Off', false, 'off', false],
  [' off', false, 'off', true],
  ['200%', false, '200', true],
  ['+200', false, '200', true],
  ['150.0', false, '150', true],
  [' 50 ', false, '50', true],
  ['1.5', false],
  ['none', false],
  ['false', false],
  ['99999999999', false],
], 'ignored');

describe('reasons', () => {
  it('say what the value means', () => {
    expect(checkGoMemLimit('512Mi').reason).toContain('`512MiB`');
    expect(checkGoMemLimit('1G').reason).toContain('1000000000 bytes');
    expect(checkGoMemLimit('1G').reason).toContain('`1GiB`');
    expect(checkGoMemLimit('400m').reason).toMatch(/Docker/);
    expect(checkGoMemLimit('400m').reason).toMatch(/milli/);
    expect(checkGoMaxProcs('500m').reason).toMatch(/CPU quantity/);
    expect(checkGoMaxProcs('0').reason).toMatch(/ignored/);
    expect(checkGoGC('200%').reason).toMatch(/GOGC=100/);
  });
});
