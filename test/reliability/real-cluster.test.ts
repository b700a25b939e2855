// The Kubernetes state Secret and the Lease lock against a REAL API server
// (kube-apiserver + etcd from test/cluster, the real kubectl): what the fake
// cluster of the other tests only imitates — server-side apply from stdin,
// MicroTime, resourceVersion conflicts when two runs race for the Lease.
// Skipped when the cluster binaries were not built (`bash scripts/cluster/build.sh`);
// under CI that fails instead (test/helpers/interop-tool.ts).

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { interopTool } from '../helpers/interop-tool.js';
import { LockHeldError } from '../../src/errors.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import type { RunOptions, Runner } from '../../src/process/runner.js';
import { FileStateStore } from '../../src/state/file-store.js';
import { LeaseLock } from '../../src/state/lease-lock.js';
import { lockOwner } from '../../src/state/lock.js';
import { MirroredStateStore } from '../../src/state/mirrored-store.js';
import { emptyState } from '../../src/state/types.js';
import { kubeLeaseBackend } from '../../src/targets/kubernetes/day2/lease.js';
import { ensureNamespace, kubeStateRemote, STATE_SECRET } from '../../src/targets/kubernetes/day2/state-secret.js';
import { TestCluster } from '../cluster/cluster.js';

const BIN = join(process.env.CLUSTER_CACHE ?? join(process.cwd(), '.cache/cluster'), 'bin');
const built = interopTool({
  name: `the cluster binaries in ${BIN}`,
  present: ['etcd', 'kube-apiserver', 'kubectl', 'kwok'].every((b) => existsSync(join(BIN, b))),
  install: 'npm run cluster:build (test:cluster builds them; .ci/run runs it first)',
});

/** The real kubectl for `kubectl`, recording every argv and stdin. */
class KubectlRunner implements Runner {
  readonly calls: { argv: string[]; input?: string }[] = [];
  private readonly inner = new ExecaRunner();
  constructor(private readonly kubectl: string) {}
  run(argv: readonly string[], options: RunOptions = {}) {
    this.calls.push({ argv: [...argv], ...(options.input !== undefined ? { input: options.input } : {}) });
    return this.inner.run(argv[0] === 'kubectl' ? [this.kubectl, ...argv.slice(1)] : argv, options);
  }
}

describe.skipIf(!built)('state Secret and Lease on a real API server', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start({ nodes: 1 });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const specFor = (ns: string) =>
    resolveConfig({
      preset: 'dev',
      sets: [`kubernetes.kubeconfig=${cluster.kubeconfig}`, `kubernetes.namespace=${ns}`],
    }).spec;

  it('creates the namespace, writes the state through stdin only, reads it back from another machine', async () => {
    const spec = specFor('state-test');
    const runner = new KubectlRunner(cluster.kubectlPath);
    await ensureNamespace(spec, runner);
    await ensureNamespace(spec, runner);
    const store = new MirroredStateStore(
      new FileStateStore(join(mkdtempSync(join(tmpdir(), 'oid-real-')), 'state.json')),
      kubeStateRemote(spec, runner),
    );
    expect((await store.load()).steps).toEqual({});
    const secret = 'a-generated-password-0123456789';
    await store.save({ ...emptyState(), secrets: { 'redis.password': secret } });
    await store.save({
      ...emptyState(),
      secrets: { 'redis.password': secret },
      steps: { a: { status: 'done', hash: 'h', at: 'x', attempt: 1 } },
    });
    await store.flush();
    // "Another machine": an empty local copy; the Secret is the truth.
    const elsewhere = new MirroredStateStore(
      new FileStateStore(join(mkdtempSync(join(tmpdir(), 'oid-real-')), 'state.json')),
      kubeStateRemote(spec, runner),
    );
    const loaded = await elsewhere.load();
    expect(loaded.secrets['redis.password']).toBe(secret);
    expect(loaded.steps.a?.status).toBe('done');
    expect(loaded.serial).toBe(2);
    const raw = JSON.parse(
      await cluster.kubectl(['-n', 'state-test', 'get', 'secret', STATE_SECRET, '-o', 'json']),
    ) as { type: string; metadata: { labels: Record<string, string> } };
    expect(raw.type).toBe('Opaque');
    expect(raw.metadata.labels['app.kubernetes.io/managed-by']).toBe('openim-deploy');
    // The value travelled only through stdin, never as an argument.
    expect(runner.calls.some((c) => c.argv.join(' ').includes(secret))).toBe(false);
    expect(runner.calls.some((c) => c.argv.includes('-') && c.input?.includes('"state.json"'))).toBe(true);
    await elsewhere.remove();
    expect(
      (
        await new MirroredStateStore(
          new FileStateStore(join(mkdtempSync(join(tmpdir(), 'oid-real-')), 'state.json')),
          kubeStateRemote(spec, runner),
        ).load()
      ).secrets,
    ).toEqual({});
  });

  it('the Lease: one holder at a time, renewals accepted (MicroTime), racing runs resolved by resourceVersion', async () => {
    const spec = specFor('lease-test');
    const runner = new KubectlRunner(cluster.kubectlPath);
    await ensureNamespace(spec, runner);
    const never = () => false;
    const backend = kubeLeaseBackend(spec, runner);
    const a = await new LeaseLock(backend, { renewMs: 300, holderGone: never }).acquire({
      owner: lockOwner('install'),
      wait: false,
    });
    const firstRenew = (await backend.get())!.renewTime;
    expect(firstRenew).toMatch(/\.\d{6}Z$/);
    const refused = await new LeaseLock(kubeLeaseBackend(spec, runner), { holderGone: never })
      .acquire({ owner: lockOwner('upgrade'), wait: false })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as Error).message).toContain(`pid ${process.pid} (openim-deploy install`);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await backend.get())!.renewTime > firstRenew).toBe(true);
    expect(a.lost.aborted).toBe(false);
    await a.release();
    expect((await backend.get())!.holder).toBe('');

    // Three runs race for the free Lease: the API server lets exactly one update win.
    const racers = await Promise.allSettled(
      [1, 2, 3].map((i) =>
        new LeaseLock(kubeLeaseBackend(spec, runner), { renewMs: 300, holderGone: never }).acquire({
          owner: { ...lockOwner(`racer ${i}`), holder: `racer ${i}` },
          wait: false,
        }),
      ),
    );
    const winners = racers.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const holder = (await backend.get())!.holder;
    expect(holder).toMatch(/^racer \d$/);

    // A takeover (the holder judged gone) makes the old holder's next renewal conflict: it learns it lost the lock.
    const old = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<LeaseLock['acquire']>>>).value;
    const thief = await new LeaseLock(kubeLeaseBackend(spec, runner), { holderGone: () => true }).acquire({
      owner: { ...lockOwner('thief'), holder: 'thief' },
      wait: false,
    });
    expect((await backend.get())!.holder).toBe('thief');
    await new Promise((r) => setTimeout(r, 1000));
    expect(old.lost.aborted).toBe(true);
    await thief.release();
    await old.release();
  }, 60_000);
});
