import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The wizard in a real terminal: tmux drives the BUILT CLI (npm run build
// first; `npm run test:wizard` does). Needs the Debian package tmux.
// One file at a time: each test owns a private tmux server.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/wizard/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
