// A lint leaves nothing that V8's young-generation collector must keep: once
// lint() has returned, its model, scripts and memos are garbage for the next
// scavenge. Module-level WeakMaps keyed by a lint's objects broke this (their
// tables live in the old generation, and each scavenge kept what they referred
// to): each scavenge then copied and promoted ~0.4 MB of models, scavenges took
// 6-10 ms and full collections followed (server/src/engine/memo.ts). The
// measure is bytes, not time: heap growth over two minor collections right
// after a lint (young-gen-child.ts, a child with --expose-gc). The control
// keeps a lint's objects in a module-level WeakMap the old way and must show
// the growth the probe is there to catch. (The manifest's parse cache keeps
// the edited document's new parse on purpose: ~30 KB here, before and after.)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('young-generation garbage', () => {
  it('a lint (Dockerfile or manifest) leaves nothing reachable that survives two scavenges; the WeakMap control does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-young-'));
    try {
      const outfile = path.join(dir, 'child.cjs');
      buildSync({ entryPoints: [path.join(__dirname, 'young-gen-child.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'error' });
      const r = spawnSync(process.execPath, ['--expose-gc', outfile], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const kb = Object.fromEntries(Object.entries(JSON.parse(r.stdout) as Record<string, number>).map(([k, v]) => [k, Math.round(v / 1024)]));
      console.log(`heap growth over two scavenges after one lint (median of 40), KB: ${JSON.stringify(kb)}`);
      expect(kb.dockerfile).toBeLessThan(64);
      expect(kb.manifest).toBeLessThan(64);
      expect(kb.control).toBeGreaterThan(128);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
