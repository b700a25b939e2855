// The FAKE cluster as executables: bundled by fake-bin.ts into one script
// that `kubectl` and `helm` wrappers on PATH run. State lives in
// $FAKE_KUBE_DIR; $FAKE_KUBE_DELAY_MS slows the commands that change things.
// Each invocation leaves a marker in $FAKE_KUBE_DIR/running while it runs,
// removed when it ends, also on SIGTERM/SIGINT: a run that was interrupted
// must leave no marker behind ("the running command was ended").

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCluster, SLOW } from './fake-cluster.js';

const [tool, ...args] = process.argv.slice(2);
const dir = process.env.FAKE_KUBE_DIR;
if (!dir || !tool) {
  process.stderr.write('fake-kube: FAKE_KUBE_DIR and a tool name are required\n');
  process.exit(2);
}
const argv = [tool, ...args];
const running = join(dir, 'running');
const marker = join(running, `${process.pid}`);
const end = (code: number) => {
  rmSync(marker, { force: true });
  process.exit(code);
};
// Handlers before the marker: a signal can never leave a marker behind.
process.on('SIGTERM', () => end(143));
process.on('SIGINT', () => end(130));
mkdirSync(running, { recursive: true });
writeFileSync(marker, argv.join(' '));

const delay = Number(process.env.FAKE_KUBE_DELAY_MS ?? 0);
const input = args.includes('-') ? readFileSync(0, 'utf8') : undefined;
setTimeout(
  () => {
    try {
      const result = new FakeCluster(dir).exec(argv, { cwd: process.cwd(), ...(input !== undefined ? { input } : {}) });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      end(result.exitCode);
    } catch (e) {
      process.stderr.write(`fake-kube: ${(e as Error).stack ?? e}\n`);
      end(70);
    }
  },
  delay && SLOW(argv) ? delay : 0,
);
