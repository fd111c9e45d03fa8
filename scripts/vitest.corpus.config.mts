import { defineConfig } from 'vitest/config';

// Ad-hoc reports, not part of `npm test`.
export default defineConfig({ test: { include: ['scripts/**/*.test.ts'], testTimeout: 120_000 } });
