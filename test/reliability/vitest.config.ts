import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The reliability suite (issue #7): fault injection at every command of the
// dev plan, interrupts (in-process and a real SIGINT to the built CLI),
// secrets, lock contention between processes, and a property test over
// configs and argument vectors. Needs `npm run build` first (the child
// process tests run bin/openim-deploy.js). One file at a time: they time
// interrupts and share two cores.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/reliability/**/*.test.ts'],
    setupFiles: ['test/reliability/setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
