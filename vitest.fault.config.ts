import { defineConfig } from 'vitest/config';

// Long fault-injection cases (../shared/RELIABILITY.md); run by `npm run test:fault` and by .ci/run.
export default defineConfig({
  test: {
    include: ['test/fault/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    fileParallelism: false,
  },
});
