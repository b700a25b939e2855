import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Real OpenIM on a real systemd (systemd-nspawn; needs root, the rootfs of
// scripts/systemd/make-rootfs.sh and the builds of scripts/openim/build.sh).
// One file at a time: the container shares the host's network namespace.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/openim/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 3_600_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
