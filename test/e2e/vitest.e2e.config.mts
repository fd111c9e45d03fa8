// The end-to-end suites (npm run test:e2e): real editors driving the packaged extension
// and the language server. Kept out of `npm test` (the main config only takes *.test.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.e2e.ts'],
    // one editor at a time: each wants a lot of memory and CPU
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ['verbose'],
  },
});
