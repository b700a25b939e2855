// Backup and restore on Kubernetes: runs what ./backup-plan.ts describes.
// The parts (same archive layout as a host's, src/backup):
//   mongodb/<db>.archive.gz  mongodump --archive --gzip of OpenIM's database, from a
//                            short-lived pod of the MongoDB image (see backup-plan.ts).
//   objects/<bucket>/…       every object of the bucket, over the S3 API through a
//                            `kubectl port-forward` to the bundled MinIO (src/backup/objects.ts).
//   config/…                 the release's ConfigMaps and Secrets as the cluster holds them.
//   state/state.json         the state Secret: secrets and journal.
// Redis is not saved, as on hosts (src/targets/binary/day2/backup.ts says why):
// restore empties the bundled one instead.
// Restore: everything that can fail without changing anything first (the tools
// pod starts); then OpenIM's Deployments go to 0 and their pods are gone before
// mongorestore --drop; objects back; Redis emptied. startOpenIM scales them back
// to the spec's replicas; after restore re-applies the application secrets, the
// Deployments are restarted so every pod reads the Secret again.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeploySpec } from '../../../config/schema.js';
import type { Runner } from '../../../process/runner.js';
import { startForward, type ForwardFn } from '../../../process/port-forward.js';
import type { StagedFile } from '../../../backup/archive.js';
import { objectIndexes, restoreBucket, saveBucket } from '../../../backup/objects.js';
import { S3Client, type S3Credentials } from '../../../backup/s3.js';
import type { BackupIo, CollectedData, DataBackup } from '../../day2/backup-types.js';
import {
  backupRedactor,
  backupSecret,
  EXTERNAL_REDIS_NOTE,
  mongoDumpOf,
  mongorestoreLine,
  NOT_SAVED_NOTES,
  runOk as runToolOk,
  SKIP_INDEXES_NOTE,
} from '../../day2/backup-shared.js';
import { Redactor } from '../../../secrets/redact.js';
import type { DeployState } from '../../../state/types.js';
import { infraEndpoints } from '../infra-bridge.js';
import { parseEndpoint } from '../infrastructure/endpoints.js';
import { objectStorageKind } from '../infrastructure/topology.js';
import {
  configGetArgv,
  minioForwardArgv,
  mongodumpArgv,
  mongodumpVersionArgv,
  mongorestoreArgv,
  podsGoneArgv,
  redisFlushArgv,
  restartArgv,
  scaleDownArgv,
  scaleUpArgvs,
  secretsGetArgv,
  toolsPodCreate,
  toolsPodDelete,
  toolsPodWaitReady,
  TOOLS_POD,
} from './backup-plan.js';
import { inNamespace } from './kubectl.js';
import { kubeStateRemote } from './state-secret.js';

const TOOL_TIMEOUT_MS = 6 * 3600_000;

/** kubectl calls end within 10 minutes unless a step says otherwise (the dump and restore take longer). */
const KUBECTL_TIMEOUT_MS = 600_000;

const runOk = (...[runner, argv, what, redactor, io, options]: Parameters<typeof runToolOk>): Promise<string> =>
  runToolOk(runner, argv, what, redactor, io, { timeoutMs: KUBECTL_TIMEOUT_MS, ...options });

/** Runs `fn` with the mongo-tools pod up; the pod is deleted afterwards, whatever happened. */
async function withToolsPod<T>(
  spec: DeploySpec,
  runner: Runner,
  redactor: Redactor,
  io: BackupIo,
  fn: () => Promise<T>,
): Promise<T> {
  await runOk(runner, toolsPodDelete(spec, true), `deleting a leftover pod ${TOOLS_POD}`, redactor, io);
  const create = toolsPodCreate(spec);
  try {
    io.log(`starting pod ${TOOLS_POD} (MongoDB's database tools)`);
    await runOk(runner, create.argv, `creating pod ${TOOLS_POD}`, redactor, io, { input: create.input });
    const ready = await runner.run(toolsPodWaitReady(spec), { signal: io.signal, timeoutMs: 330_000 });
    if (ready.exitCode !== 0) {
      const describe = await runner.run(inNamespace(spec, 'describe', 'pod', TOOLS_POD), {
        signal: io.signal,
        timeoutMs: 30_000,
      });
      const events = describe.stdout.split('\n').slice(-8).join('\n');
      throw new Error(
        `pod ${TOOLS_POD} did not become ready: ${redactor.redact(ready.stderr.trim())}\n${redactor.redact(events)}`,
      );
    }
    return await fn();
  } finally {
    await runner.run(toolsPodDelete(spec, false), { timeoutMs: 60_000 }).catch(() => undefined);
  }
}

/** The S3 endpoint of the object storage, when it is MinIO the CLI can reach (bundled: through a port-forward). */
async function withObjectStore<T>(
  forward: ForwardFn,
  spec: DeploySpec,
  state: DeployState,
  io: BackupIo,
  fn: (s3: S3Client, bucket: string) => Promise<T>,
): Promise<T | undefined> {
  const os = spec.infrastructure.objectStorage;
  const kind = objectStorageKind(spec);
  const credentials = (endpoint: string): S3Credentials => ({
    endpoint,
    region: os.region,
    accessKey: backupSecret(spec, state, 'objectStorage.accessKey'),
    secretKey: backupSecret(spec, state, 'objectStorage.secretKey'),
  });
  if (kind === 'minio') {
    const tunnel = await forward(minioForwardArgv(spec), io.signal);
    try {
      return await fn(new S3Client(credentials(`http://127.0.0.1:${tunnel.localPort}`)), os.bucket);
    } finally {
      tunnel.stop();
    }
  }
  if (kind === 'external' && os.provider === 'minio') {
    const e = parseEndpoint(os.endpoint);
    return fn(new S3Client(credentials(`${e.useSSL ? 'https' : 'http'}://${e.hostPort}`)), os.bucket);
  }
  return undefined;
}

function objectsNotSaved(spec: DeploySpec): string {
  const os = spec.infrastructure.objectStorage;
  return objectStorageKind(spec) === 'rook-ceph'
    ? `objects: the bucket is in Rook Ceph (its keys are in Rook's ObjectBucketClaim Secret): back it up with Ceph's tools`
    : `objects: object storage is ${os.provider}, not MinIO: back its bucket up with the provider's tools`;
}

/** `forward`: how the MinIO port-forward starts (tests give their own). */
export const kubernetesDataBackup = (forward: ForwardFn = startForward): DataBackup => ({
  problems() {
    // kubectl is what every day-two command already needs; the tools run in the cluster.
    return [];
  },

  async collect(spec, runner, state, dir, io): Promise<CollectedData> {
    const redactor = backupRedactor(spec, state);
    const files: StagedFile[] = [];
    const parts: CollectedData['parts'] = {};
    const notes: string[] = [];

    // MongoDB.
    const database = spec.infrastructure.mongodb.database;
    const dumpFile = join(dir, `${database}.archive.gz`);
    const version = await withToolsPod(spec, runner, redactor, io, async () => {
      const v = /mongodump version: (\S+)/.exec(
        await runOk(runner, mongodumpVersionArgv(spec), 'mongodump --version', redactor, io),
      )?.[1];
      io.log(
        `mongodump of database ${database} at ${infraEndpoints(spec).mongodb.address.join(',') || 'the configured URI'}`,
      );
      await runOk(runner, mongodumpArgv(spec), 'mongodump', redactor, io, {
        stdoutFile: dumpFile,
        timeoutMs: TOOL_TIMEOUT_MS,
      });
      return v;
    });
    files.push({ path: `mongodb/${database}.archive.gz`, kind: 'mongodb', file: dumpFile });
    parts.mongodb = `mongodump --archive --gzip of database ${database} (mongodump ${version ?? 'unknown version'}, in pod ${TOOLS_POD})`;

    // Objects.
    const saved = await withObjectStore(forward, spec, state, io, (s3, bucket) =>
      saveBucket(s3, bucket, dir, io.signal, io.log),
    );
    if (saved) {
      files.push(...saved.files);
      parts.objects = saved.description;
    } else notes.push(objectsNotSaved(spec));

    // Config: the release's ConfigMaps and Secrets as the cluster holds them.
    const configFile = join(dir, 'configmaps.json');
    await writeFile(
      configFile,
      await runOk(runner, configGetArgv(spec), 'reading the ConfigMaps', redactor, io).then((t) => t.trim() || '{}'),
      { mode: 0o600 },
    );
    const secretsFile = join(dir, 'secrets.json');
    await writeFile(
      secretsFile,
      await runOk(runner, secretsGetArgv(spec), 'reading the Secrets', redactor, io).then((t) => t.trim() || '{}'),
      { mode: 0o600 },
    );
    files.push(
      { path: 'config/configmaps.json', kind: 'config', file: configFile },
      { path: 'config/secrets.json', kind: 'config', file: secretsFile },
    );
    parts.config = `ConfigMaps and Secrets of namespace ${spec.kubernetes.namespace} (OpenIM's config and credentials)`;

    // State: the state Secret (the lock is held: it is what the session loaded).
    const remote = kubeStateRemote(spec, runner);
    const stateFile = join(dir, 'state.json');
    await writeFile(stateFile, (await remote.read()) ?? `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    files.push({ path: 'state/state.json', kind: 'state', file: stateFile });
    parts.state = `${remote.location}: secrets and journal`;

    notes.push(...NOT_SAVED_NOTES);
    return { files, parts, notes, ...(version ? { mongodumpVersion: version } : {}) };
  },

  async restoreData(spec, runner, state, files, options, io) {
    const redactor = backupRedactor(spec, state);
    const notes: string[] = [];
    const database = spec.infrastructure.mongodb.database;
    const dump = mongoDumpOf(files);

    await withToolsPod(spec, runner, redactor, io, async () => {
      // The pod is up before anything stops: a pod that cannot start changes nothing.
      io.log('scaling OpenIM to 0 and waiting until its pods are gone');
      await runOk(runner, scaleDownArgv(spec), 'kubectl scale --replicas=0', redactor, io);
      const gone = await runner.run(podsGoneArgv(spec), { signal: io.signal, timeoutMs: 330_000 });
      // `kubectl wait` fails with "no matching resources found" when the pods were gone already.
      if (gone.exitCode !== 0 && !/no matching resources found/i.test(gone.stderr))
        throw new Error(`OpenIM's pods did not go away: ${redactor.redact(gone.stderr.trim())}`);
      io.log(mongorestoreLine(database, options.skipIndexes));
      await runOk(runner, mongorestoreArgv(spec, options.skipIndexes), 'mongorestore', redactor, io, {
        inputFile: dump,
        timeoutMs: TOOL_TIMEOUT_MS,
      });
    });
    if (options.skipIndexes) notes.push(SKIP_INDEXES_NOTE);

    const indexes = await objectIndexes(files);
    if (indexes.length) {
      const put = await withObjectStore(forward, spec, state, io, async (s3, bucket) => {
        for (const { path, index } of indexes) await restoreBucket(s3, bucket, path, index, files, io.signal, io.log);
        return true;
      });
      if (!put)
        for (const { index } of indexes)
          notes.push(
            `objects: ${index.objects.length} object(s) of bucket ${index.bucket} not restored: ${objectsNotSaved(spec)}`,
          );
    }

    const flush = redisFlushArgv(spec);
    if (flush) {
      io.log('emptying the bundled Redis (a cache of what was just replaced)');
      await runOk(runner, flush, 'redis-cli FLUSHALL', redactor, io);
    } else {
      notes.push(EXTERNAL_REDIS_NOTE);
    }
    return notes;
  },

  async startOpenIM(spec, runner, io) {
    io.log('scaling OpenIM back up');
    const redactor = new Redactor([]);
    for (const argv of scaleUpArgvs(spec)) await runOk(runner, argv, 'kubectl scale', redactor, io);
  },

  async afterSecretsRestored(spec, runner, io) {
    io.log('restarting OpenIM so every pod reads the restored secrets');
    await runOk(runner, restartArgv(spec), 'kubectl rollout restart', new Redactor([]), io);
  },
});
