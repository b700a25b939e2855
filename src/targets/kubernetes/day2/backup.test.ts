// The Kubernetes backup executor against a recording runner (a fake, named as one: the real
// kubectl and pods are test/k8s-real's): the order of its calls, what goes where, and that no
// secret value is ever in an argv or a manifest.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ok, RecordingRunner, type RecordedCall } from '../../../../test/helpers/recording-runner.js';
import type { RunOptions } from '../../../process/runner.js';
import { emptyState, type DeployState } from '../../../state/types.js';
import { devSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';
import { kubernetesDataBackup } from './backup.js';

const dir = mkdtempSync(join(tmpdir(), 'k8s-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Object storage outside MinIO: the objects part is a note here (the MinIO path needs a port-forward).
const spec = devSpec(
  'infrastructure.objectStorage.mode=external',
  'infrastructure.objectStorage.provider=s3',
  'infrastructure.objectStorage.endpoint=https://s3.eu-central-1.amazonaws.com',
  'infrastructure.objectStorage.accessKey=AKIAEXAMPLE1',
  'infrastructure.objectStorage.secretKey=Aws-Secret-Key-1',
);
const state: DeployState = {
  ...emptyState(),
  secrets: {
    'mongodb.password': 'Mongo-Secret-Value-1',
    'redis.password': 'Redis-Secret-Value-1',
    'openim.secret': 'Openim-Secret-Value-1',
  },
};
const SECRET_VALUES = ['Mongo-Secret-Value-1', 'Redis-Secret-Value-1', 'Openim-Secret-Value-1', 'Aws-Secret-Key-1'];
const io = { log: () => undefined, signal: new AbortController().signal };
const noForward = () => Promise.reject(new Error('no port-forward in this test'));
const line = (c: RecordedCall) => c.argv.join(' ');

function expectNoSecret(calls: RecordedCall[]) {
  for (const c of calls)
    for (const v of SECRET_VALUES) {
      expect(c.argv.join(' ')).not.toContain(v);
      expect(c.options.input ?? '').not.toContain(v);
    }
}

describe('Kubernetes backup: collect', () => {
  it('dumps through the tools pod into the staging folder, reads config, Secrets and the state Secret, deletes the pod', async () => {
    const stateText = JSON.stringify({ version: 1, secrets: state.secrets, steps: {} });
    const runner = new RecordingRunner((argv, options: RunOptions) => {
      const a = argv.join(' ');
      if (a.endsWith('mongodump --version')) return ok('mongodump version: 100.10.0\ngit version: x\n');
      if (a.includes(' mongodump ')) {
        writeFileSync(options.stdoutFile!, Buffer.from([0x1f, 0x8b, 0, 1, 2]));
        return { exitCode: 0, stdout: '', stderr: 'done dumping openim_v3.user (3 documents)\n' };
      }
      if (a.includes('get secret openim-deploy-state'))
        return ok(JSON.stringify({ data: { 'state.json': Buffer.from(stateText).toString('base64') } }));
      if (a.includes('get configmap')) return ok('{"kind":"List","items":[]}');
      if (a.includes('get secret openim-secrets')) return ok('{"kind":"List","items":[]}');
      return ok();
    });
    const staging = mkdtempSync(join(dir, 'collect-'));
    const collected = await kubernetesDataBackup(noForward).collect(spec, runner, state, staging, io);
    expect(runner.calls.map(line)).toEqual([
      'kubectl -n openim delete pod openim-deploy-mongo-tools --ignore-not-found --wait=true',
      'kubectl create -f -',
      'kubectl -n openim wait --for=condition=Ready pod/openim-deploy-mongo-tools --timeout=300s',
      'kubectl -n openim exec openim-deploy-mongo-tools -c mongo-tools -- mongodump --version',
      'kubectl -n openim exec openim-deploy-mongo-tools -c mongo-tools -- mongodump --config=/work/mongo-tools.yaml --host=openim-mongodb.openim.svc:27017 --username=openIM --authenticationDatabase=openim_v3 --db=openim_v3 --archive --gzip',
      'kubectl -n openim delete pod openim-deploy-mongo-tools --ignore-not-found --wait=false',
      'kubectl -n openim get configmap openim-server-config openim-chat-config --ignore-not-found -o json',
      'kubectl -n openim get secret openim-secrets openim-infra-secrets --ignore-not-found -o json',
      'kubectl -n openim get secret openim-deploy-state -o json',
    ]);
    expect(collected.files.map((f) => [f.path, f.kind])).toEqual([
      ['mongodb/openim_v3.archive.gz', 'mongodb'],
      ['config/configmaps.json', 'config'],
      ['config/secrets.json', 'config'],
      ['state/state.json', 'state'],
    ]);
    expect([...readFileSync(collected.files[0]!.file)]).toEqual([0x1f, 0x8b, 0, 1, 2]);
    expect(readFileSync(collected.files[3]!.file, 'utf8')).toBe(stateText);
    expect(collected.mongodumpVersion).toBe('100.10.0');
    expect(collected.notes[0]).toBe(
      "objects: object storage is s3, not MinIO: back its bucket up with the provider's tools",
    );
    expectNoSecret(runner.calls);
  });

  it('a failed dump says so without the password, and the pod is still deleted', async () => {
    const runner = new RecordingRunner((argv) =>
      argv.includes('--archive')
        ? { exitCode: 1, stdout: '', stderr: 'Failed: auth error for Mongo-Secret-Value-1' }
        : ok(),
    );
    const error = await kubernetesDataBackup(noForward)
      .collect(spec, runner, state, mkdtempSync(join(dir, 'fail-')), io)
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^mongodump failed \(exit 1\): Failed: auth error for /);
    expect((error as Error).message).not.toContain('Mongo-Secret-Value-1');
    expect(line(runner.calls.at(-1)!)).toBe(
      'kubectl -n openim delete pod openim-deploy-mongo-tools --ignore-not-found --wait=false',
    );
  });
});

describe('Kubernetes restore: restoreData, startOpenIM, afterSecretsRestored', () => {
  const dump = join(dir, 'dump.archive.gz');
  writeFileSync(dump, 'x');
  const files = new Map([['mongodb/openim_v3.archive.gz', dump]]);

  it('pod up first, then OpenIM to 0 and gone, mongorestore --drop from the file, pod deleted, Redis emptied', async () => {
    // No pod left to wait for: kubectl wait says so with an error, which is not one.
    const runner = new RecordingRunner((argv) =>
      argv.includes('--for=delete') ? { exitCode: 1, stdout: '', stderr: 'error: no matching resources found' } : ok(),
    );
    const notes = await kubernetesDataBackup(noForward).restoreData(
      spec,
      runner,
      state,
      files,
      { skipIndexes: true },
      io,
    );
    const calls = runner.calls.map(line);
    expect(calls.slice(0, 3)).toEqual([
      'kubectl -n openim delete pod openim-deploy-mongo-tools --ignore-not-found --wait=true',
      'kubectl create -f -',
      'kubectl -n openim wait --for=condition=Ready pod/openim-deploy-mongo-tools --timeout=300s',
    ]);
    expect(calls[3]).toMatch(/^kubectl -n openim scale deployment openim-api .* --replicas=0$/);
    expect(calls[4]).toMatch(
      /^kubectl -n openim wait --for=delete pod -l app.kubernetes.io\/name in \(openim-api,.*\) --timeout=300s$/,
    );
    expect(calls[5]).toBe(
      'kubectl -n openim exec -i openim-deploy-mongo-tools -c mongo-tools -- mongorestore --config=/work/mongo-tools.yaml --host=openim-mongodb.openim.svc:27017 --username=openIM --authenticationDatabase=openim_v3 --archive --gzip --drop --nsInclude=openim_v3.* --noIndexRestore',
    );
    expect(runner.calls[5]!.options.inputFile).toBe(dump);
    expect(calls.slice(6)).toEqual([
      'kubectl -n openim delete pod openim-deploy-mongo-tools --ignore-not-found --wait=false',
      'kubectl -n openim exec openim-redis-0 -c redis -- redis-cli -p 6379 FLUSHALL',
    ]);
    expect(notes).toEqual([
      'mongodb: indexes not restored (--skip-indexes); OpenIM and chat created theirs when they started, any index added by hand must be created again',
    ]);
    expectNoSecret(runner.calls);
  });

  it('a tools pod that does not start stops the restore before anything changed', async () => {
    const runner = new RecordingRunner((argv) =>
      argv.includes('--for=condition=Ready')
        ? { exitCode: 1, stdout: '', stderr: 'timed out waiting for the condition' }
        : ok('Events:\n  Warning  Failed  ErrImagePull'),
    );
    await expect(
      kubernetesDataBackup(noForward).restoreData(spec, runner, state, files, { skipIndexes: false }, io),
    ).rejects.toThrow(
      /pod openim-deploy-mongo-tools did not become ready: timed out waiting for the condition\n.*ErrImagePull/s,
    );
    expect(runner.calls.some((c) => c.argv.includes('scale') || c.argv.includes('mongorestore'))).toBe(false);
  });

  it("OpenIM comes back to the spec's replicas, and is restarted after the secrets are re-applied", async () => {
    const runner = new RecordingRunner();
    const data = kubernetesDataBackup(noForward);
    await data.startOpenIM(spec, runner, io);
    await data.afterSecretsRestored!(spec, runner, io);
    const calls = runner.calls.map(line);
    expect(calls[0]).toMatch(/^kubectl -n openim scale deployment openim-api .* --replicas=1$/);
    expect(calls.at(-1)).toMatch(/^kubectl -n openim rollout restart deployment openim-api /);
  });
});
