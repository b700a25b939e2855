import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startForward } from './port-forward.js';

/** A program that talks like `kubectl port-forward` (the real one needs a cluster). */
function fakeKubectl(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oid-pf-'));
  const path = join(dir, 'kubectl');
  writeFileSync(path, `#!${process.execPath}\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('startForward', () => {
  it('reads the local port kubectl prints, and stop() ends the process', async () => {
    const bin = fakeKubectl(`console.log('Forwarding from 127.0.0.1:45678 -> 10009'); setInterval(() => {}, 1000);`);
    const forward = await startForward([bin, 'port-forward', 'svc/admin-api', ':10009']);
    expect(forward.localPort).toBe(45678);
    forward.stop();
  });

  it("fails with kubectl's last error line when it exits, and names the fix when kubectl is missing", async () => {
    const bin = fakeKubectl(`console.error('error: services "admin-api" not found'); process.exit(1);`);
    await expect(startForward([bin, 'port-forward'])).rejects.toThrow(
      /exited 1: error: services "admin-api" not found/,
    );
    await expect(startForward(['/nonexistent/kubectl', 'port-forward'])).rejects.toThrow(
      /not found on PATH \(install kubectl\)/,
    );
  });
});
