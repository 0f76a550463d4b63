import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'infra',
    include: ['test/**/*.test.ts'],
    // Synthesizes every profile once per run (cdk-nag gate included) and hands the
    // templates to the test files; see test/global-setup.ts.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    // The test files only read the shared templates: one module graph per worker instead of
    // one per file saves loading aws-cdk-lib (large) again for every file.
    isolate: false,
  },
});
