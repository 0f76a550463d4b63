import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy',
    include: ['test/**/*.test.ts'],
    // Each file starts real processes (HAProxy, nginx, API instances, PostgreSQL) on a
    // two-core machine: one file at a time keeps the failure tests' figures meaningful.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
