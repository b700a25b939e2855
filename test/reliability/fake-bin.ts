// Puts FAKE `kubectl` and `helm` on a PATH for tests that run the built CLI
// as a child process: one bundled script (fake-kube-cli.ts) behind two
// small shell wrappers named after the tools they fake.

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export function fakeBin(dir: string): string {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  const script = join(bin, 'fake-kube.mjs');
  buildSync({
    entryPoints: [new URL('./fake-kube-cli.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  for (const tool of ['kubectl', 'helm']) {
    const wrapper = join(bin, tool);
    writeFileSync(
      wrapper,
      `#!/bin/sh\n# FAKE ${tool} for openim-deploy tests (test/reliability/fake-cluster.ts)\nexec "${process.execPath}" "${script}" ${tool} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
  }
  return bin;
}
