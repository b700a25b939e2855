// A separate process that takes the host lock (src/state/file-lock.ts) and
// holds it until killed or stdin closes: the lock test runs two of these.
// Prints one JSON line: {"locked":true} or {"held":"<holder>"}.

import { FileLock } from '../../src/state/file-lock.js';
import { lockOwner } from '../../src/state/lock.js';
import { LockHeldError } from '../../src/errors.js';

const path = process.argv[2]!;
const wait = process.argv[3] === 'wait';
const lock = new FileLock(path);
try {
  const held = await lock.acquire({ owner: lockOwner('lock-test'), wait, pollMs: 50 });
  process.stdout.write(`${JSON.stringify({ locked: true, pid: process.pid })}\n`);
  process.stdin.resume();
  process.stdin.on(
    'end',
    () =>
      void (async () => {
        await held.release();
        process.exit(0);
      })(),
  );
} catch (e) {
  if (e instanceof LockHeldError) {
    process.stdout.write(`${JSON.stringify({ held: e.holder })}\n`);
    process.exit(5);
  }
  throw e;
}
