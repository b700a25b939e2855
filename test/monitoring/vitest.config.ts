import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Monitoring checks with the real promtool (Debian's `prometheus` package):
// generated rules and host Prometheus configs pass `promtool check`, every
// alert is unit-tested with `promtool test rules`, and every dashboard PromQL
// expression parses. Run: npm run test:monitoring
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/monitoring/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
