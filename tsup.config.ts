import { defineConfig } from 'tsup';

// One ESM bundle for the CLI; commands are split into chunks so `--version`
// and `--help` load only the entry (cold start is benchmarked, issue #10).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
});
