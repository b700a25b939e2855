// #19 High 1: local state that belongs to another cluster is never taken for
// this cluster's: no "unchanged" for a cluster with nothing installed, and
// the first cluster's journal and credentials never land in the second's.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { FileStateStore } from '../state/file-store.js';
import { MirroredStateStore, type RemoteState } from '../state/mirrored-store.js';
import { emptyState, type DeployState } from '../state/types.js';
import { clusterIdentity } from '../targets/kubernetes/day2/state-secret.js';
import { specFor } from '../../test/helpers/kubernetes-specs.js';

class ClusterSecret implements RemoteState {
  readonly location = 'Secret openim/openim-deploy-state';
  constructor(public text?: string) {}
  async read() {
    return this.text;
  }
  async write(text: string) {
    this.text = text;
  }
  async remove() {
    this.text = undefined;
  }
}

const installedOn = (cluster: string | undefined): DeployState => ({
  ...emptyState(),
  serial: 40,
  ...(cluster ? { cluster } : {}),
  secrets: { 'openim.secret': 'first-cluster-secret' },
  steps: { 'k8s.namespace': { status: 'done', hash: 'h', at: 'x', attempt: 1 } },
  installed: { serverVersion: 'v3.8.3-patch.16', chatVersion: 'v1.8.4-patch.5', at: 'x' },
});

async function localCopy(state: DeployState): Promise<FileStateStore> {
  const file = new FileStateStore(join(mkdtempSync(join(tmpdir(), 'oid-cluster-')), 'state.json'));
  await file.save(state);
  return file;
}

describe('#19 High 1: state of another cluster', () => {
  it("a second cluster starts from its own (empty) state; the first cluster's local copy is kept aside", async () => {
    const file = await localCopy(installedOn('uid-first'));
    const second = new ClusterSecret();
    const store = new MirroredStateStore(file, second, { cluster: 'uid-second' });
    const state = await store.load();
    expect(state.steps).toEqual({});
    expect(state.secrets).toEqual({});
    expect(state.installed).toBeUndefined();
    expect(store.setAside).toBeDefined();
    expect(JSON.parse(readFileSync(store.setAside!, 'utf8')).cluster).toBe('uid-first');
    await store.save({ ...state, cluster: 'uid-second' });
    await store.flush();
    expect(second.text).not.toContain('first-cluster-secret');
  });

  it('the same cluster keeps its state', async () => {
    const file = await localCopy(installedOn('uid-first'));
    const state = await new MirroredStateStore(file, new ClusterSecret(), { cluster: 'uid-first' }).load();
    expect(state.installed).toBeDefined();
  });

  it('refuses an unmarked local install that this cluster has no record of', async () => {
    const file = await localCopy(installedOn(undefined));
    await expect(new MirroredStateStore(file, new ClusterSecret(), { cluster: 'uid-second' }).load()).rejects.toThrow(
      /no record of|--workdir/,
    );
    expect(existsSync(file.location)).toBe(true);
  });

  it('an unmarked local copy that the cluster also holds is adopted (older versions did not mark it)', async () => {
    const old = installedOn(undefined);
    const file = await localCopy(old);
    const state = await new MirroredStateStore(file, new ClusterSecret(JSON.stringify(old)), {
      cluster: 'uid-first',
    }).load();
    expect(state.installed).toBeDefined();
  });

  it('the identity is the kube-system namespace UID', async () => {
    const runner = new RecordingRunner((argv) => ({
      exitCode: 0,
      stdout: argv.includes('kube-system') ? '{"metadata":{"name":"kube-system","uid":"5f1c-uid"}}' : '{}',
      stderr: '',
    }));
    expect(await clusterIdentity(specFor('dev'), runner)).toBe('5f1c-uid');
    const forbidden = new RecordingRunner(() => ({
      exitCode: 1,
      stdout: '',
      stderr: 'Error from server (Forbidden): namespaces "kube-system" is forbidden',
    }));
    expect(await clusterIdentity(specFor('dev'), forbidden)).toBeUndefined();
  });
});
