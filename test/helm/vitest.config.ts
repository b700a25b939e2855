import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Real helm 3 and helm 4 (run `npm run tools` first): lint of every own chart,
// `helm template` of every preset × ingress controller × storage backend
// through the render code path, and Kubernetes schema validation of every
// rendered object. One file at a time: helm is CPU-bound and CI has 2 cores.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/helm/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
