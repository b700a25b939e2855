// #19 Medium 9: a preset carries no placeholder that satisfies a "required"
// rule. production used to ship `nfs.server: nfs.internal` and offline
// `images.mirror: registry.internal:5000`, so a forgotten NFS server or
// registry passed validation and failed later on the cluster. The presets
// leave them empty; the rule names the key and the fix before anything runs.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { packageRoot } from '../../src/util/package-root.js';

const home = () => mkdtempSync(join(tmpdir(), 'oid-preset-'));

describe('presets leave required values empty (#19 Medium 9)', () => {
  it('install --preset production --dry-run without an NFS server exits 2 naming kubernetes.storage.nfs.server and the fix', () => {
    const h = home();
    const r = cli(['install', '--preset', 'production', '--set', 'openim.domain=im.example.com', '--dry-run'], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kubernetes\.storage\.nfs\.server: required when kubernetes\.storage\.backend is nfs/);
    expect(r.stderr).toMatch(/--set kubernetes\.storage\.nfs\.server=/);
    expect(r.stdout).not.toMatch(/steps?/i);
    expect(readdirSync(h)).toEqual([]);
  });

  it('install --preset offline --dry-run without a registry exits 2 naming images.mirror and the fix', () => {
    const h = home();
    const r = cli(['install', '--preset', 'offline', '--set', 'openim.domain=im.example.com', '--dry-run'], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/images\.mirror: an offline install on Kubernetes needs the private registry/);
    expect(r.stderr).toMatch(/--set images\.mirror=/);
    expect(readdirSync(h)).toEqual([]);
  });

  it('with the values given explicitly the same presets plan', () => {
    const r = cli(['install', '--preset', 'production', '--set', 'openim.domain=im.example.com', '--set', 'kubernetes.storage.nfs.server=10.0.0.5', '--dry-run'], { env: { HOME: home() } });
    expect(r.stderr).not.toMatch(/kubernetes\.storage\.nfs\.server/);
    expect(r.code).toBe(0);
  });

  it('no preset file sets a value that only stands in for the operator’s own (NFS server, registry)', () => {
    const dir = join(packageRoot(), 'presets');
    for (const name of readdirSync(dir)) {
      const doc = parse(readFileSync(join(dir, name), 'utf8')) as { kubernetes?: { storage?: { nfs?: { server?: string } } }; images?: { mirror?: string }; offline?: unknown };
      expect(doc.kubernetes?.storage?.nfs?.server ?? '', name).toBe('');
      if (doc.offline) expect(doc.images?.mirror ?? '', name).toBe('');
    }
  });
});
