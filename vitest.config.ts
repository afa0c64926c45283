import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/plain-summary.ts'],
    testTimeout: 60_000,
    // Native addon + worker_threads tests: one process per file keeps them isolated.
    pool: 'forks',
  },
});
