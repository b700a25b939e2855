// Two runs against the same target at once.
//   Kubernetes (the built CLI, a FAKE kubectl/helm sharing one simulated
//   cluster): while one install holds the Lease, a second refuses with exit 5
//   naming the holder; a third with --wait-lock waits and then completes; a
//   holder killed with SIGKILL leaves a Lease the next run on this host
//   takes over at once (its pid is gone) instead of waiting for expiry.
//   Hosts (two real processes on the O_EXCL lock file): the second refuses
//   with the first one's pid; after SIGKILL the lock is stale and taken over.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeCluster } from './fake-cluster.js';
import { fakeBin } from './fake-bin.js';
import { spawnCli, until } from './child.js';
import { readState, tempDir } from './harness.js';

function cluster(name: string) {
  const dir = tempDir(name);
  const clusterDir = join(dir, 'cluster');
  const c = new FakeCluster(clusterDir);
  const bin = fakeBin(dir);
  const workdir = join(dir, 'work');
  const args = [
    'install',
    '--preset',
    'dev',
    '--yes',
    '--workdir',
    workdir,
    '--ignore-preflight',
    'discovery.namespace-fixed',
  ];
  const holder = () =>
    (c.get('Lease', 'openim', 'openim-deploy-lock')?.spec?.holderIdentity as string | undefined) ?? '';
  return { dir, clusterDir, cluster: c, bin, workdir, args, holder };
}

describe('lock contention between processes', () => {
  it('Kubernetes: the second run refuses naming the holder, --wait-lock waits its turn', async () => {
    const k = cluster('lock-k8s');
    const a = spawnCli(k.args, { fakeBin: k.bin, clusterDir: k.clusterDir, cwd: k.dir, delayMs: 300 });
    await until(() => k.holder().includes(`pid ${a.child.pid}`), 30_000, 'run A to hold the Lease');

    const b = await spawnCli(k.args, { fakeBin: k.bin, clusterDir: k.clusterDir, cwd: k.dir }).done;
    expect(b.code, b.stderr).toBe(5);
    expect(b.stderr).toContain('holds the lock Lease openim/openim-deploy-lock');
    expect(b.stderr).toContain(`pid ${a.child.pid}`);

    const c = spawnCli([...k.args, '--wait-lock'], { fakeBin: k.bin, clusterDir: k.clusterDir, cwd: k.dir });
    await until(() => c.output().includes('waiting for the lock'), 30_000, 'run C to wait');
    expect(k.holder()).toContain(`pid ${a.child.pid}`);
    const resultA = await a.done;
    expect(resultA.code, resultA.stderr).toBe(0);
    const aEnded = Date.now();
    const resultC = await c.done;
    expect(resultC.code, resultC.stderr).toBe(0);
    expect(Date.now()).toBeGreaterThanOrEqual(aEnded);
    expect(resultC.stderr).toMatch(/done: 0 steps applied, \d+ unchanged/);
    expect(k.holder()).toBe('');
  });

  it('Kubernetes: a Lease whose holder was killed on this host is taken over at once', async () => {
    const k = cluster('lock-stale');
    const a = spawnCli(k.args, { fakeBin: k.bin, clusterDir: k.clusterDir, cwd: k.dir, delayMs: 400 });
    await until(() => k.holder().includes(`pid ${a.child.pid}`), 30_000, 'run A to hold the Lease');
    await until(() => k.cluster.calls().some((c) => c.tool === 'helm'), 30_000, 'run A to reach a release');
    a.child.kill('SIGKILL');
    await a.done;
    expect(k.holder()).toContain(`pid ${a.child.pid}`);
    const started = Date.now();
    const b = await spawnCli(k.args, { fakeBin: k.bin, clusterDir: k.clusterDir, cwd: k.dir }).done;
    expect(b.code, b.stderr).toBe(0);
    // Well inside the 60 s Lease duration: taken over because pid A is gone, not because it expired.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(Object.values(readState(k.workdir).steps).every((e) => e.status === 'done')).toBe(true);
  });

  it('hosts: the lock file refuses a second process and is taken over once its holder is dead', async () => {
    const dir = tempDir('lock-file');
    const path = join(dir, 'state', 'lock');
    const script = new URL('./hold-file-lock.ts', import.meta.url).pathname;
    const holdLock = (mode: 'nowait' | 'wait') => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, path, mode], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      return { child, done, out: () => out };
    };
    const first = holdLock('nowait');
    await until(() => first.out().includes('"locked":true'), 30_000, 'the first process to lock');
    const second = holdLock('nowait');
    expect(await second.done).toBe(5);
    expect(JSON.parse(second.out()).held).toContain(`pid ${first.child.pid}`);

    const waiter = holdLock('wait');
    await new Promise((r) => setTimeout(r, 500));
    expect(waiter.out()).toBe('');
    first.child.kill('SIGKILL');
    await first.done;
    // The dead holder's file is still there; the waiting process finds it stale and takes over.
    await until(() => waiter.out().includes('"locked":true'), 30_000, 'the waiting process to take over');
    waiter.child.stdin.end();
    expect(await waiter.done).toBe(0);
  });
});
