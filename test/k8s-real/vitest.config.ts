import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The real-node Kubernetes suite (issue #17): a control plane plus one real node (kubelet,
// containerd, kube-proxy, CoreDNS) that runs containers; needs root and
// `bash scripts/cluster/build.sh node`. Kept out of `npm test` and `npm run test:cluster`.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/k8s-real/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false, // one real node at a time
  },
});
