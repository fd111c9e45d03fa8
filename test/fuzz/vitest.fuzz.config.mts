import { defineConfig } from 'vitest/config';

// `npm run fuzz` (scripts/fuzz.mjs sets FUZZ=1, FUZZ_SECONDS, FUZZ_RUNS, FUZZ_SEED):
// the property tests of test/fuzz with fresh seeds for as long as asked.
export default defineConfig({
  test: {
    include: ['test/fuzz/*.test.ts'],
    exclude: ['test/fuzz/failures.test.ts'],
    testTimeout: 0,
    hookTimeout: 0,
    // each generator in its own worker, side by side
    fileParallelism: true,
    maxWorkers: 3,
  },
});
