// A real suite run alone on a machine without .ci/run's Debian packages stops
// at once with the command that installs them, not with an ENOENT from deep
// inside a test (issue #19).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
// @ts-expect-error: a plain .mjs script (it runs before the build), no type declarations
import { SUITES } from '../../scripts/require-packages.mjs';

const suites = SUITES as Record<string, { command: string; pkg?: string }[]>;

/** A PATH holding every command of this machine except `without`: a machine that lacks just those. */
function pathWithout(without: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'oid-path-'));
  const seen = new Set<string>(without);
  for (const from of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(from);
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name)) continue;
      try {
        if (!statSync(join(from, name)).isFile()) continue;
        symlinkSync(join(from, name), join(dir, name));
        seen.add(name);
      } catch {
        // unreadable entry: skip
      }
    }
  }
  return dir;
}

describe('real suites name their missing system packages', () => {
  it('npm run test:offline without docker-registry, skopeo, unshare and openssl: the apt-get line, exit 1, nothing run', () => {
    const path = pathWithout(suites.offline!.map((n) => n.command));
    const r = spawnSync('npm', ['run', 'test:offline'], {
      cwd: packageRoot(),
      env: { PATH: path, HOME: mkdtempSync(join(tmpdir(), 'oid-home-')), CI: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'npm run test:offline needs docker-registry, skopeo, unshare, openssl, not found on PATH.',
    );
    expect(r.stderr).toContain('apt-get install -y docker-registry skopeo util-linux openssl');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/ENOENT/);
    // Stopped before the build and the tests.
    expect(r.stdout).not.toMatch(/tsup|vitest run -c test\/offline\/vitest.config.ts\n.*RUN/);
  });

  it('every suite with a table checks it first, and names every command it lacks', () => {
    const scripts = (
      JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const [suite, needs] of Object.entries(suites)) {
      expect(scripts[`test:${suite}`], suite).toMatch(new RegExp(`^node scripts/require-packages\\.mjs ${suite} && `));
      const r = spawnSync(process.execPath, [join(packageRoot(), 'scripts', 'require-packages.mjs'), suite], {
        env: { PATH: mkdtempSync(join(tmpdir(), 'oid-empty-')) },
        encoding: 'utf8',
      });
      if (needs.length === 0) {
        expect(r.status, suite).toBe(0);
        continue;
      }
      expect(r.status, suite).toBe(1);
      for (const n of needs) expect(r.stderr, `${suite}: ${n.command}`).toContain(n.pkg ? n.pkg : n.command);
    }
  });
});
