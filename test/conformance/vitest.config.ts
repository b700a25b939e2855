import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Conformance of the rendered OpenIM config with upstream's own config folder
// and config structs (issue #15 item 3). Needs `npm run tools` (real helm) and
// scripts/conformance/prepare.sh (upstream config from the Go module proxy, the
// strict Go decoder); `npm run test:conformance` runs both first.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/conformance/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
