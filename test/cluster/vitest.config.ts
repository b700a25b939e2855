import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The loopback Kubernetes suite (issue #9): needs `npm run cluster:build` first, and is
// kept out of the fast `npm test` because a control plane takes seconds and ~600 MB.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One control plane at a time on a 2-core machine.
    fileParallelism: false,
  },
});
