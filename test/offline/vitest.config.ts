import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The offline bundle against real registries (Debian's docker-registry 2.8 on
// loopback, seeded with skopeo) and, for the air-gap case, inside a network
// namespace with only loopback (needs root for `unshare -n`). Uses the built
// CLI: run `npm run build` first. One file at a time: 2 cores.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/offline/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
