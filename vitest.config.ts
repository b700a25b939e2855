import { defineConfig } from 'vitest/config';

// The fast suite: unit tests beside the code, the test helpers' own tests, the import rules (test/architecture) and the CLI end-to-end tests.
// Slower real-infrastructure suites have their own configs (test/*/vitest.config.ts).
export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/cli/**/*.test.ts',
      'test/helpers/**/*.test.ts',
      'test/architecture/**/*.test.ts',
    ],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
