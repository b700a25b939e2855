import { defineConfig } from 'tsup';

// One ESM bundle for the CLI, dependencies included, split so that commands
// and heavy libraries load only when used: `--version` and `--help` load the
// entry chunk alone (cold start is benchmarked, issue #10).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  noExternal: [/.*/],
  minifyWhitespace: true,
  minifySyntax: true,
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
