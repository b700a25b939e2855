// `bundle create`, `bundle push` and `install --bundle --dry-run` inside a
// network namespace with only loopback (unshare -n): nothing can leave the
// machine, so anything that tried would fail. Needs root (CI runs as root).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { cliPath } from './helpers/cli.js';

function inNamespace(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tsx = join(packageRoot(), 'node_modules', '.bin', 'tsx');
  const script = join(packageRoot(), 'test', 'offline', 'airgap-scenario.ts');
  return new Promise((resolve, reject) => {
    // The shell only brings lo up; the scenario is an argv, not a string.
    const child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', tsx, script], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('air-gapped: a network namespace with only loopback', () => {
  it('makes, verifies and pushes a bundle for the production config, and install --bundle --dry-run passes', async () => {
    cliPath(); // dist must exist
    const result = await inNamespace();
    const last = result.stdout.trim().split('\n').pop() ?? '';
    let report: Record<string, any>;
    try {
      report = JSON.parse(last);
    } catch {
      throw new Error(`scenario printed no report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    expect(report.error).toBeUndefined();
    expect(report.interfaces).toEqual(['lo']);
    expect(report.outbound).toMatch(/^blocked/);
    expect(report.create, JSON.stringify(report.create)).toMatchObject({ code: 0 });
    expect(report.needed.images).toBeGreaterThanOrEqual(18);
    expect(report.verify).toMatchObject({ code: 0 });
    expect(report.push, JSON.stringify(report.push)).toMatchObject({ code: 0 });
    expect(report.digests.images).toBe(report.needed.images);
    expect(report.digests.mismatches).toEqual([]);
    expect(report.install, JSON.stringify(report.install)).toMatchObject({ code: 0, mentionsMirror: true });
    expect(report.install.stderr).toContain('verified');
    expect(report.install.helmReleases).toBeGreaterThanOrEqual(18);
  }, 600_000);
});
