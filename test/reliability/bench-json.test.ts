// `npm run bench` with JSON asked for prints only JSON on stdout (issue #19):
// the preparation (build, tools, test cluster) writes to stderr. `--only none`
// runs the real preparation and the real reporting, and no measurement.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // CLUSTER_CACHE (as .ci/run exports it) keeps the test cluster's binaries where the other suites built them.
  return spawnSync('npm', args, {
    cwd: packageRoot(),
    env: { ...process.env, CI: '1' },
    encoding: 'utf8',
    timeout: 1_200_000,
  });
}

describe('npm run bench with JSON', () => {
  it('npm run -s bench -- --json: stdout is one JSON document', () => {
    const r = bench(['run', '-s', 'bench', '--', '--json', '--only', 'none']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: [] });
    // The preparation spoke, on stderr.
    expect(r.stderr).toMatch(/helm4: helm/);
  });

  it("npm run bench --json (npm's JSON mode, its banner on stderr): stdout is one JSON document", () => {
    const r = bench(['run', 'bench', '--json', '--', '--only', 'none']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: [] });
    expect(r.stderr).toContain('> openim-deploy@');
  });
});
