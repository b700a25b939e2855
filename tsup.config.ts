import { defineConfig } from 'tsup';

// One ESM bundle for the CLI, dependencies included, split so that commands
// and heavy libraries load only when used: `--version` and `--help` load the
// entry chunk alone (cold start is benchmarked, issue #10).
//
// Because every runtime package (commander, zod, yaml, undici, execa, listr2,
// chalk, ws, @inquirer/prompts) is inside dist/, package.json lists them as
// devDependencies: the published package is self-contained, `npm install -g`
// downloads nothing more, and the versions that run are the ones the lockfile
// pinned at build time (tested), not whatever a user's install would resolve.
// Bundling stays: one pinned set of code, and the split chunks keep cold start low.
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
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
