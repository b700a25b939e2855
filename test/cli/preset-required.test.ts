// #19 Medium 9: a preset carries no placeholder that satisfies a "required"
// rule. production used to ship `nfs.server: nfs.internal` and offline
// `images.mirror: registry.internal:5000`, so a forgotten NFS server or
// registry passed validation and failed later on the cluster. The presets
// leave them empty; the rule names the key and the fix before anything runs.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const home = () => mkdtempSync(join(tmpdir(), 'oid-preset-'));

describe('presets leave required values empty (#19 Medium 9)', () => {
  it('install --preset production --dry-run without an NFS server exits 2 naming kubernetes.storage.nfs.server and the fix', () => {
    const h = home();
    const r = cli(['install', '--preset', 'production', '--set', 'openim.domain=im.example.com', '--dry-run'], {
      env: { HOME: h },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kubernetes\.storage\.nfs\.server: required when kubernetes\.storage\.backend is nfs/);
    expect(r.stderr).toMatch(/--set kubernetes\.storage\.nfs\.server=/);
    expect(r.stdout).not.toMatch(/steps?/i);
    expect(readdirSync(h)).toEqual([]);
  });

  it('install --preset offline --dry-run without a registry exits 2 naming images.mirror and the fix', () => {
    const h = home();
    const r = cli(['install', '--preset', 'offline', '--set', 'openim.domain=im.example.com', '--dry-run'], {
      env: { HOME: h },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/images\.mirror: an offline install on Kubernetes needs the private registry/);
    expect(r.stderr).toMatch(/--set images\.mirror=/);
    expect(readdirSync(h)).toEqual([]);
  });

  it('with the values given explicitly the same presets plan', () => {
    const r = cli(
      [
        'install',
        '--preset',
        'production',
        '--set',
        'openim.domain=im.example.com',
        '--set',
        'kubernetes.storage.nfs.server=10.0.0.5',
        '--dry-run',
      ],
      { env: { HOME: home() } },
    );
    expect(r.stderr).not.toMatch(/kubernetes\.storage\.nfs\.server/);
    expect(r.code).toBe(0);
  });

  it('config validate agrees: each preset fails without its value and passes with it', () => {
    const validate = (...args: string[]) =>
      cli(['config', 'validate', '--set', 'openim.domain=im.example.com', ...args], { env: { HOME: home() } });
    const production = validate('--preset', 'production');
    expect(production.code).toBe(2);
    expect(production.stderr).toMatch(
      /kubernetes\.storage\.nfs\.server: required .*--set kubernetes\.storage\.nfs\.server=/,
    );
    expect(validate('--preset', 'production', '--set', 'kubernetes.storage.nfs.server=10.0.0.5').code).toBe(0);
    const offline = validate('--preset', 'offline');
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/images\.mirror: .*--set images\.mirror=/);
    expect(validate('--preset', 'offline', '--set', 'images.mirror=registry.example:5000').code).toBe(0);
    expect(validate('--preset', 'offline', '--mirror', 'registry.example:5000').code).toBe(0);
  });
});
