import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'api',
    include: ['test/**/*.test.ts'],
    // Builds dist/ (for the tests that start real processes) and a migrated PGlite folder
    // that each test copies instead of running PGlite's slow initdb again.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
