// dive's figures on a hand-built image whose numbers are worked out below,
// and the OCI view of the same bytes (what later layers hide).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeArchive } from '../../server/src/engine/image/analyze';
import { readImageTar } from '../../server/src/engine/image/archive';
import { diveFigures } from '../../server/src/engine/image/dive';
import { imageConfig, legacyArchive, tarOf, type TEntry } from './fixtures';

async function report(layerEntries: TEntry[][]) {
  const layers = await Promise.all(layerEntries.map(tarOf));
  const buf = await legacyArchive(layers, imageConfig(layers, { user: '65532' }));
  return analyzeArchive(await readImageTar(Readable.from([buf])));
}

/*
 * L0  bin/busybox 1000, etc/conf 100, data/a 300, data/b 200, tmp/x 50   (+ their directories)
 * L1  etc/conf 120 (replaces L0's), big 5000
 * L2  .wh.big (deletes big), data/ + data/.wh..wh..opq (opaque: hides data/a, data/b) + data/c 10
 * L3  .wh.data (deletes data/ and everything in it)
 *
 * dive, per leaf path (size in each layer where it is a leaf → cumulative, min):
 *   /bin/busybox 1000                      → 1000, 1000
 *   /etc/conf    100, 120                  →  220,  100   (2 layers: inefficient)
 *   /data/a 300, /data/b 200, /tmp/x 50    → themselves
 *   /big         5000, whiteout of a file 0 → 5000,   0   (2 layers: inefficient)
 *   /data/c      10                        →   10,   10
 *   /data        whiteout of a directory: its size and everything under it in
 *                L0..L2 stacked (dive ignores the opaque marker): 0 + 300 + 200 + 10 = 510
 *                                          →  510,  510   (1 layer: not inefficient)
 *   efficiency = Σmin / Σcumulative = 2170 / 7290
 *   wasted     = 220 + 5000 = 5220
 *   layer sizes 1650, 5120, 10, 0; user size (all but the first) = 5130
 *   user wasted percent = 5220 / 5130
 */
const CASE: TEntry[][] = [
  [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', size: 1000 },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/conf', size: 100 },
    { name: 'data/', type: 'directory' },
    { name: 'data/a', size: 300 },
    { name: 'data/b', size: 200 },
    { name: 'tmp/', type: 'directory' },
    { name: 'tmp/x', size: 50 },
  ],
  [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/conf', size: 120 },
    { name: 'big', size: 5000 },
  ],
  [
    { name: '.wh.big', size: 0 },
    { name: 'data/', type: 'directory' },
    { name: 'data/.wh..wh..opq', size: 0 },
    { name: 'data/c', size: 10 },
  ],
  [{ name: '.wh.data', size: 0 }],
];

describe("dive's figures", () => {
  it('efficiency, wasted bytes and user wasted percent on a case worked out by hand', async () => {
    const r = await report(CASE);
    expect(r.waste.efficiency).toBe(2170 / 7290);
    expect(r.waste.wastedBytes).toBe(5220);
    expect(r.layers.map((l) => l.size)).toEqual([1650, 5120, 10, 0]);
    expect(r.image.totalSize).toBe(6780);
    expect(r.waste.userSize).toBe(5130);
    expect(r.waste.userWastedPercent).toBe(5220 / 5130);
    expect(r.waste.inefficiencies).toEqual([
      { path: '/big', cumulativeSize: 5000, layers: [1, 2] },
      { path: '/etc/conf', cumulativeSize: 220, layers: [0, 1] },
    ]);
    expect(r.waste.inefficiencyCount).toBe(2);
  });

  it('the OCI view: what each layer adds that later layers hide, opaque directories included', async () => {
    const r = await report(CASE);
    expect(r.waste.wastedPaths).toEqual([
      { path: '/big', size: 5000, files: 1, addedIn: 1, removedIn: 2, how: 'deleted' },
      { path: '/data/a', size: 300, files: 1, addedIn: 0, removedIn: 2, how: 'opaque' },
      { path: '/data/b', size: 200, files: 1, addedIn: 0, removedIn: 2, how: 'opaque' },
      { path: '/etc/conf', size: 100, files: 1, addedIn: 0, removedIn: 1, how: 'overwritten' },
      { path: '/data', size: 10, files: 1, addedIn: 2, removedIn: 3, how: 'deleted' },
    ]);
    expect(r.waste.hiddenBytes).toBe(5610);
    expect(r.layers.map((l) => l.hiddenBytes)).toEqual([600, 5000, 10, 0]);
    expect(r.image.finalSize).toBe(1000 + 120 + 50);
    expect(r.image.finalFiles).toBe(3);
    expect(r.layers.map((l) => [l.whiteouts, l.opaqueDirs])).toEqual([
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 0],
    ]);
  });

  it('nothing repeated: efficiency 1, nothing wasted; a single layer: user wasted percent undefined (dive: NaN)', () => {
    const f = diveFigures([{ entries: [{ name: 'a', type: 'file', size: 10, mode: 0 }], size: 10 }]);
    expect(f.efficiency).toBe(1);
    expect(f.wastedBytes).toBe(0);
    expect(Number.isNaN(f.userWastedPercent)).toBe(true);
    expect(diveFigures([]).efficiency).toBe(1);
  });

  it("dive's quirk: a whiteout of a path missing below ends that layer's visit", () => {
    const f = diveFigures([
      { entries: [{ name: 'a', type: 'file', size: 5, mode: 0 }], size: 5 },
      {
        entries: [
          { name: '.wh.nothere', type: 'file', size: 0, mode: 0 },
          { name: 'zzz', type: 'file', size: 7, mode: 0 },
        ],
        size: 7,
      },
    ]);
    // `.wh.nothere` sorts before `zzz`: zzz is never counted
    expect(f.efficiency).toBe(1);
    expect(f.sizeBytes).toBe(12);
  });

  it('a whiteout of a directory that only existed implicitly counts 0 (dive knows it only as a node without payload)', () => {
    const f = diveFigures([
      { entries: [{ name: 'd/x', type: 'file', size: 40, mode: 0 }], size: 40 },
      { entries: [{ name: '.wh.d', type: 'file', size: 0, mode: 0 }], size: 0 },
    ]);
    expect(f.efficiency).toBe(40 / 40);
    expect(f.wastedBytes).toBe(0);
  });
});
