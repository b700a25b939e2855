// The day after install, on the simulated cluster, through the CLI:
// status → upgrade (the catalog path) → install with the old config is
// refused → rollback (helm rollback to the recorded revisions) → uninstall
// keeping data and credentials → install again reuses them → uninstall
// --purge removes the state too. Plus: an immutable value refused.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeCluster, FakeRunner } from './fake-cluster.js';
import { readState, runCli, tempDir } from './harness.js';

describe('day two on Kubernetes (simulated cluster)', () => {
  it('status, upgrade, rollback, uninstall and reinstall keep one consistent story', async () => {
    const dir = tempDir('day2');
    const cluster = new FakeCluster(join(dir, 'cluster'));
    const workdir = join(dir, 'work');
    const config = ['--preset', 'dev', '--namespace', 'im', '--workdir', workdir];
    const cli = (args: string[]) => runCli(args, { runner: new FakeRunner(cluster), cwd: dir });
    const install = ['install', ...config, '--yes', '--ignore-preflight', 'discovery.namespace-fixed'];

    // Nothing installed yet: status says so and exits 4.
    const before = await cli(['status', ...config]);
    expect(before.code).toBe(4);
    expect(before.out).toContain('nothing installed yet');

    expect((await cli(install)).code).toBe(0);
    const installed = readState(workdir);
    const secrets = installed.secrets;
    expect(installed.installed?.serverVersion).toBe('v3.8.3');
    const firstRevisions = installed.history![0]!.revisions!;
    expect(firstRevisions['openim-api']).toBe(1);

    // The same install again changes nothing, its own record included: no new timestamps or serial,
    // so neither copy of the state is written (the store writes both or neither).
    const stateFile = readFileSync(join(workdir, 'state.json'), 'utf8');
    expect((await cli(install)).code).toBe(0);
    expect(readFileSync(join(workdir, 'state.json'), 'utf8')).toBe(stateFile);

    const status = await cli(['status', ...config, '--json']);
    expect(status.code, status.err).toBe(0);
    const report = JSON.parse(status.out) as {
      healthy: boolean;
      components: { name: string; ready: number }[];
      journal: { done: number };
    };
    expect(report.healthy).toBe(true);
    expect(report.components.map((c) => c.name)).toContain('openim-api');
    expect(report.journal.done).toBeGreaterThan(15);

    // doctor on the live install: the broker's topics, a real login with the stored password
    // and authSource (through stdin), the secret chat and server receive, chat's API, versions.
    const doctor = await cli(['doctor', ...config, '--json']);
    const live = (
      JSON.parse(doctor.out) as {
        live: {
          installed: boolean;
          diagnosis: { id: string; severity: string; what: string; why: string; fix: string }[];
        };
      }
    ).live;
    expect(live.installed).toBe(true);
    const verdict = Object.fromEntries(
      live.diagnosis
        .filter((d) => !d.id.startsWith('objectstorage') && d.id !== 'websocket.route')
        .map((d) => [d.id, d.severity]),
    );
    expect(verdict).toEqual({
      'kafka.topics': 'ok',
      'mongodb.auth': 'ok',
      'proxy.env': 'ok',
      'chat.secret': 'ok',
      'chat.api-url': 'ok',
      versions: 'ok',
    });
    const mongoLogin = cluster.calls().find((c) => c.args.includes('mongosh'))!;
    expect(mongoLogin.args.join(' ')).not.toContain(secrets['mongodb.password']!);
    for (const d of live.diagnosis.filter((x) => x.severity === 'error')) expect(d.why && d.fix, d.what).toBeTruthy();

    // A value that cannot change: refused before anything runs, naming the path.
    const moved = await cli([
      'install',
      '--preset',
      'dev',
      '--namespace',
      'elsewhere',
      '--workdir',
      workdir,
      '--yes',
      '--ignore-preflight',
      'discovery.namespace-fixed',
    ]);
    expect(moved.code).toBe(2);
    expect(String((moved.error as Error).message)).toContain('kubernetes.namespace: cannot change after install');

    // Upgrade along the catalog path.
    const dry = await cli(['upgrade', ...config, '--to', 'v3.8.4', '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('v3.8.3 → v3.8.4: dry run');
    const noYes = await cli(['upgrade', ...config, '--to', 'v3.8.4']);
    expect(noYes.code).toBe(2);
    // The product's own backup first; the hand-made mongodump stays as the fallback.
    expect(noYes.err).toContain(
      'Back up first: `openim-deploy backup --to <folder|s3://bucket/prefix>` (or `upgrade --backup`).',
    );
    expect(noYes.err).toContain('Or back up MongoDB by hand');
    const upgrade = await cli(['upgrade', ...config, '--to', 'v3.8.4', '--yes']);
    expect(upgrade.code, upgrade.err).toBe(0);
    const upgraded = readState(workdir);
    expect(upgraded.installed).toMatchObject({ serverVersion: 'v3.8.4', chatVersion: 'v1.8.4-patch.5' });
    expect(upgraded.upgrading).toBeUndefined();
    expect(upgraded.history!.map((h) => [h.action, h.serverVersion])).toEqual([
      ['install', 'v3.8.3'],
      ['upgrade', 'v3.8.4'],
    ]);
    expect(cluster.releases()['openim-api']!.values).toContain('v3.8.4');
    expect(upgraded.secrets).toEqual(secrets);
    // Going backwards through the same command is refused: v3.8.4 is installed.
    const back = await cli(install);
    expect(back.code).toBe(2);
    expect(String((back.error as Error).message)).toContain('openim.serverVersion');
    const wrong = await cli(['upgrade', ...config, '--to', 'v3.8.3', '--yes']);
    expect(wrong.code).toBe(2);
    expect(String((wrong.error as Error).message)).toContain('--to');

    // Rollback to the recorded revisions.
    const rollback = await cli(['rollback', ...config, '--yes']);
    expect(rollback.code, rollback.err).toBe(0);
    const rolledBack = cluster.calls().filter((c) => c.tool === 'helm' && c.args[0] === 'rollback');
    expect(rolledBack.find((c) => c.args[1] === 'openim-api')!.args[2]).toBe(String(firstRevisions['openim-api']));
    expect(readState(workdir).installed?.serverVersion).toBe('v3.8.3');
    // The old config applies again (every step once, the journal hashes were for v3.8.4).
    expect((await cli(install)).code).toBe(0);
    expect(cluster.releases()['openim-api']!.values).toContain('v3.8.3');
    const nothingLeft = await cli(['rollback', ...config, '--yes']);
    expect(nothingLeft.code).toBe(0);
    expect(readState(workdir).installed?.serverVersion).toBe('v3.8.4');
    expect((await cli(['rollback', ...config, '--yes'])).code).toBe(0);

    // Uninstall, keeping data and credentials.
    const plan = await cli(['uninstall', ...config, '--dry-run']);
    expect(plan.out).toContain('helm uninstall openim-api');
    expect(plan.out).not.toContain('delete pvc');
    expect((await cli(['uninstall', ...config])).code).toBe(2);
    const uninstall = await cli(['uninstall', ...config, '--yes']);
    expect(uninstall.code, uninstall.err).toBe(0);
    expect(Object.keys(cluster.releases())).toEqual([]);
    expect(cluster.get('ConfigMap', 'im', 'openim-server-config')).toBeUndefined();
    expect(cluster.get('Namespace', undefined, 'im')).toBeDefined();
    const kept = readState(workdir);
    expect(kept.steps).toEqual({});
    expect(kept.secrets).toEqual(secrets);
    expect((await cli(['status', ...config])).code).toBe(4);

    // Install again: the same credentials open the data left behind.
    expect((await cli(install)).code).toBe(0);
    expect(readState(workdir).secrets).toEqual(secrets);

    // Purge: releases, PVCs, the namespace and the state.
    const purgePlan = await cli(['uninstall', ...config, '--purge', '--dry-run']);
    expect(purgePlan.out).toContain("delete pvc -l 'app.kubernetes.io/instance in (");
    expect((await cli(['uninstall', ...config, '--purge', '--keep-data', '--yes'])).code).toBe(2);
    const purge = await cli(['uninstall', ...config, '--delete-data', '--yes']);
    expect(purge.code, purge.err).toBe(0);
    expect(existsSync(join(workdir, 'state.json'))).toBe(false);
    expect(cluster.get('Namespace', undefined, 'im')).toBeUndefined();
    expect(readFileSync(join(cluster.dir, 'calls.jsonl'), 'utf8')).toContain('"delete","pvc"');
  });
});
