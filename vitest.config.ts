import { defineConfig } from 'vitest/config';

// One test runner across the workspaces: each workspace with tests has its own
// vitest.config.ts, and this file only gathers them.
export default defineConfig({
  test: {
    projects: [
      'apps/*',
      'infra',
      'deploy',
      // Repository-wide checks: workflows (actionlint), dev container, docs links, smoke test.
      { test: { name: 'repo', include: ['test/**/*.test.ts'], testTimeout: 30_000 } },
    ],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
