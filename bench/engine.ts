// Entry bundled by bench/lib.mjs (esbuild, into a temp folder) so that the
// benchmarks call the engine's TypeScript directly, without ts-node.
export { lint, fixAll, documentKind } from '../server/src/engine/lint';
export { FsWorkspace, CachedFsWorkspace } from '../server/src/engine/workspace';
export { DEFAULT_CONFIG, configFor } from '../server/src/engine/config';
export { benchmarkLayerTable } from '../server/src/engine/layers/bench';
export { analyzeTarget, readImageArchive, analyzeArchive } from '../server/src/engine/image/index';
