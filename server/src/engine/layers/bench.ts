// Benchmark hook (for `npm run bench`, not for tests: no timing is asserted
// anywhere): the time from an edit to updated layer-table data, with `docker
// history` not cached (a fresh cache: every candidate image's history is read)
// and cached (what the language server does after its first computation: only
// `docker image ls` runs).
import { performance } from 'node:perf_hooks';
import type { Config } from '../config';
import type { DockerOptions } from '../docker/cli';
import type { Workspace } from '../types';
import { FsWorkspace } from '../workspace';
import { computeLayerTable, createLayerCache, layerModel, type LayerCache } from './compute';
import type { LayerTable } from './estimate';

export interface LayerTiming {
  /** Milliseconds per run, history not cached (a new cache each run). */
  uncachedMs: number[];
  /** Milliseconds per run, history cached (one cache warmed before the first run). */
  cachedMs: number[];
  /** The table of the last run (to check what was measured). */
  table: LayerTable;
}

export interface LayerBenchOptions {
  docker?: DockerOptions;
  workspace?: Workspace;
  config?: Config;
  /** Runs of each kind (default 5). */
  runs?: number;
  /** Applied to the text before each run (an "edit"), so that nothing but the history cache is reused. */
  edit?: (text: string, run: number) => string;
}

/** One computation as the server does it after an edit: parse, list images, match, estimate. */
export async function layerTableOnce(text: string, filePath: string, cache: LayerCache, opts: LayerBenchOptions = {}): Promise<LayerTable> {
  const model = layerModel(text, filePath, opts.workspace ?? new FsWorkspace(), opts.config);
  return (await computeLayerTable(model, { docker: opts.docker, cache })).table;
}

/** Times `layerTableOnce` with history not cached vs cached. */
export async function benchmarkLayerTable(text: string, filePath: string, opts: LayerBenchOptions = {}): Promise<LayerTiming> {
  const runs = opts.runs ?? 5;
  const edit = opts.edit ?? ((t: string, i: number) => `${t}${t.endsWith('\n') ? '' : '\n'}# edit ${i}\n`);
  const uncachedMs: number[] = [];
  const cachedMs: number[] = [];
  let table: LayerTable | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    table = await layerTableOnce(edit(text, i), filePath, createLayerCache(), opts);
    uncachedMs.push(performance.now() - t0);
  }
  const warm = createLayerCache();
  await layerTableOnce(text, filePath, warm, opts);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    table = await layerTableOnce(edit(text, runs + i), filePath, warm, opts);
    cachedMs.push(performance.now() - t0);
  }
  return { uncachedMs, cachedMs, table: table! };
}
