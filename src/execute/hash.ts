import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Step } from '../plan/types.js';
import { materialise, type SecretValues } from '../secrets/secrets.js';

async function hashTree(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const name of (await readdir(path)).sort()) {
      hash.update(`\0${name}\0`);
      await hashTree(hash, join(path, name));
    }
  } else hash.update(await readFile(path));
}

/**
 * Hash of everything a step would do, with secrets materialised (so a changed
 * credential re-runs the steps that use it) and copied templates read.
 */
export async function stepHash(step: Step, secrets: Partial<SecretValues>, templatesDir: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(
    materialise(JSON.stringify({ id: step.id, actions: step.actions, release: step.release ?? null }), secrets),
  );
  for (const action of step.actions) if (action.kind === 'copy') await hashTree(hash, join(templatesDir, action.from));
  return hash.digest('hex');
}
