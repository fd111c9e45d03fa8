import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyMemo } from '../../server/src/engine/memo';

describe('KeyMemo (WeakMap semantics, kept on the key)', () => {
  it('gets, sets, has and deletes like a WeakMap, undefined values included', () => {
    const m = new KeyMemo<object, number | undefined>();
    const k = { a: 1 };
    expect(m.has(k)).toBe(false);
    expect(m.get(k)).toBeUndefined();
    expect(m.set(k, 5)).toBe(m);
    expect(m.get(k)).toBe(5);
    m.set(k, 6);
    expect(m.get(k)).toBe(6);
    m.set(k, undefined);
    expect(m.has(k)).toBe(true);
    expect(m.delete(k)).toBe(true);
    expect(m.has(k)).toBe(false);
    expect(m.delete(k)).toBe(false);
  });

  it('memos on the same key are independent', () => {
    const a = new KeyMemo<object, string>();
    const b = new KeyMemo<object, string>();
    const k = {};
    a.set(k, 'a');
    expect(b.has(k)).toBe(false);
    b.set(k, 'b');
    expect([a.get(k), b.get(k)]).toEqual(['a', 'b']);
    a.delete(k);
    expect(b.get(k)).toBe('b');
  });

  it('is invisible: keys, JSON, spread and deep equality do not see it', () => {
    const m = new KeyMemo<object, number>();
    const k = { line: 3, text: 'RUN' };
    m.set(k, 1);
    expect(Object.keys(k)).toEqual(['line', 'text']);
    expect(JSON.stringify(k)).toBe('{"line":3,"text":"RUN"}');
    expect(k).toEqual({ line: 3, text: 'RUN' });
    expect(Object.getOwnPropertySymbols({ ...k })).toEqual([]);
  });

  it('a copy of a key, or an object made from it, is another key', () => {
    const m = new KeyMemo<object, number>();
    const k = { n: 1 };
    m.set(k, 1);
    const copy = Object.assign({}, k);
    const child = Object.create(k) as object;
    expect(m.has(copy)).toBe(false);
    expect(m.get(child)).toBeUndefined();
    m.set(child, 2);
    expect([m.get(k), m.get(child)]).toEqual([1, 2]);
  });

  it('keys that cannot take a property (frozen, sealed, non-extensible) still work', () => {
    const m = new KeyMemo<object, string>();
    const keys = [Object.freeze({}), Object.seal({}), Object.preventExtensions({}), Object.freeze([1, 2])];
    keys.forEach((k, i) => m.set(k, `v${i}`));
    expect(keys.map((k) => m.get(k))).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(m.delete(keys[0])).toBe(true);
    expect(m.has(keys[0])).toBe(false);
    expect(m.has(keys[1])).toBe(true);
  });

  it('the engine memoizes with KeyMemo, not module-level WeakMaps (test/robustness/young-gen.test.ts says why)', () => {
    const root = path.resolve(__dirname, '../../server/src/engine');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith(`${path.sep}memo.ts`) && /new WeakMap\b/.test(fs.readFileSync(p, 'utf8'))) offenders.push(path.relative(root, p));
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
