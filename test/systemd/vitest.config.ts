import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests against a real systemd booted with systemd-nspawn (needs root; build
// the rootfs first with `bash scripts/systemd/make-rootfs.sh`). One file at a
// time: containers share the host's network namespace and its ports.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/systemd/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
