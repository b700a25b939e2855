// Backup and restore on a host. The parts:
//   mongodb/<db>.archive.gz  mongodump --archive --gzip of OpenIM's database (users,
//                            messages, conversations, seq: OpenIM 3.8 keeps seq in
//                            MongoDB, see below), with the install's own credentials
//                            passed in a 0600 --config file, never on a command line.
//   objects/<bucket>/…       every object of the MinIO bucket (uploaded files), over
//                            the S3 API (src/backup/s3.ts), with an index of keys.
//   config/…                 the rendered config tree (<configDir>), for reference.
//   state/state.json         the state file: secrets and journal.
// Redis is not saved: in OpenIM 3.8 it is a cache in front of MongoDB (open-im-server
// v3.8.3 pkg/common/storage/cache/redis/seq_conversation.go: Malloc takes seq
// blocks from the MongoDB seq collection, Redis only holds the current block;
// token.go: login tokens, which a restore invalidates: users log in again).
// Restore empties the bundled Redis instead, so no cache entry of the fresh
// install outlives the data it described.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import type { StagedFile } from '../../../backup/archive.js';
import { objectIndexes, restoreBucket, saveBucket } from '../../../backup/objects.js';
import { S3Client, type S3Credentials } from '../../../backup/s3.js';
import type { CollectedData, DataBackup } from '../../day2/backup-types.js';
import {
  backupRedactor,
  backupSecret,
  EXTERNAL_REDIS_NOTE,
  mongoDumpOf,
  mongorestoreLine,
  NOT_SAVED_NOTES,
  runOk,
  SKIP_INDEXES_NOTE,
} from '../../day2/backup-shared.js';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import type { DeployState } from '../../../state/types.js';
import { binaryEndpoints, bundledInfra } from '../endpoints.js';
import { binaryLayout } from '../layout.js';
import { findMongoTool, mongoToolsFix, type MongoTool } from '../mongo-tools.js';
import { TARGETS } from '../units.js';

/** The mongodb:// URI OpenIM itself uses (its user, its auth database). */
export function mongoUri(spec: DeploySpec, state: DeployState): string {
  const m = binaryEndpoints(spec).mongodb;
  if (m.uri) return m.uri;
  const password = backupSecret(spec, state, 'mongodb.password');
  const auth = m.username
    ? `${encodeURIComponent(m.username)}${password ? `:${encodeURIComponent(password)}` : ''}@`
    : '';
  return `mongodb://${auth}${m.address.join(',')}/?authSource=${encodeURIComponent(m.authSource || m.database)}`;
}

/** The mongo-tools --config file (YAML, `uri:`): the password stays out of argv, so out of `ps` and of any log. */
function mongoToolsConfig(uri: string): string {
  return stringify({ uri });
}

/** MinIO of this install (bundled or external), when object storage is MinIO. */
function objectStore(spec: DeploySpec, state: DeployState): { credentials: S3Credentials; bucket: string } | undefined {
  const os = spec.infrastructure.objectStorage;
  if (os.provider !== 'minio') return undefined;
  const e = binaryEndpoints(spec).objectStorage;
  const endpoint = /^https?:\/\//.test(e.internalAddress)
    ? e.internalAddress
    : `${e.useSSL ? 'https' : 'http'}://${e.internalAddress}`;
  return {
    credentials: {
      endpoint,
      region: os.region,
      accessKey: backupSecret(spec, state, 'objectStorage.accessKey'),
      secretKey: backupSecret(spec, state, 'objectStorage.secretKey'),
    },
    bucket: e.bucket,
  };
}

/** Runs a mongo tool with the URI in a 0600 config file that exists only while it runs. */
async function withMongoConfig<T>(uri: string, fn: (config: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(process.env.TMPDIR ?? '/tmp', 'openim-mongo-'));
  const config = join(dir, 'tools.yaml');
  try {
    await writeFile(config, mongoToolsConfig(uri), { mode: 0o600 });
    return await fn(config);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

function tool(spec: DeploySpec, name: MongoTool): string {
  const found = findMongoTool(binaryLayout(spec), name);
  if (!found) throw new Error(mongoToolsFix(name));
  return found;
}

export const binaryDataBackup: DataBackup = {
  problems(spec, mode) {
    const name: MongoTool = mode === 'backup' ? 'mongodump' : 'mongorestore';
    return findMongoTool(binaryLayout(spec), name) ? [] : [mongoToolsFix(name)];
  },

  async collect(spec, runner, state, dir, io): Promise<CollectedData> {
    const layout = binaryLayout(spec);
    const redactor = backupRedactor(spec, state);
    const files: StagedFile[] = [];
    const parts: CollectedData['parts'] = {};
    const notes: string[] = [];

    // MongoDB.
    const database = spec.infrastructure.mongodb.database;
    const dump = tool(spec, 'mongodump');
    const version = /mongodump version: (\S+)/.exec(
      await runOk(runner, [dump, '--version'], 'mongodump --version', redactor, io),
    )?.[1];
    const dumpFile = join(dir, `${database}.archive.gz`);
    io.log(`mongodump of database ${database}`);
    await withMongoConfig(mongoUri(spec, state), (config) =>
      runOk(
        runner,
        [dump, `--config=${config}`, `--db=${database}`, `--archive=${dumpFile}`, '--gzip'],
        'mongodump',
        redactor,
        io,
      ),
    );
    files.push({ path: `mongodb/${database}.archive.gz`, kind: 'mongodb', file: dumpFile });
    parts.mongodb = `mongodump --archive --gzip of database ${database} (mongodump ${version ?? 'unknown version'})`;

    // Objects.
    const store = objectStore(spec, state);
    if (store) {
      const saved = await saveBucket(new S3Client(store.credentials), store.bucket, dir, io.signal, io.log);
      files.push(...saved.files);
      parts.objects = saved.description;
    } else {
      notes.push(
        `objects: object storage is ${spec.infrastructure.objectStorage.provider}, not MinIO: back its bucket up with the provider's tools`,
      );
    }

    // Config and state.
    const configFiles = await filesUnder(layout.configDir).catch(() => []);
    for (const f of configFiles)
      files.push({ path: `config/${relative(layout.configDir, f)}`, kind: 'config', file: f });
    parts.config = `${configFiles.length} file(s) of ${layout.configDir}`;
    const stateFile = join(spec.binary.stateDir, 'state.json');
    files.push({ path: 'state/state.json', kind: 'state', file: stateFile });
    parts.state = `${stateFile}: secrets and journal`;

    notes.push(...NOT_SAVED_NOTES);
    return { files, parts, notes, ...(version ? { mongodumpVersion: version } : {}) };
  },

  async restoreData(spec, runner, state, files, options, io) {
    const redactor = backupRedactor(spec, state);
    const notes: string[] = [];
    const restore = tool(spec, 'mongorestore');
    const chat = spec.openim.components.chat;
    io.log('stopping OpenIM');
    await runOk(
      runner,
      ['systemctl', 'stop', ...(chat ? [TARGETS.chat] : []), TARGETS.server],
      'systemctl stop',
      redactor,
      io,
    );

    const database = spec.infrastructure.mongodb.database;
    const dump = mongoDumpOf(files);
    io.log(mongorestoreLine(database, options.skipIndexes));
    const argv = (config: string) => [
      restore,
      `--config=${config}`,
      `--archive=${dump}`,
      '--gzip',
      '--drop',
      `--nsInclude=${database}.*`,
      ...(options.skipIndexes ? ['--noIndexRestore'] : []),
    ];
    await withMongoConfig(mongoUri(spec, state), (config) => runOk(runner, argv(config), 'mongorestore', redactor, io));
    if (options.skipIndexes) notes.push(SKIP_INDEXES_NOTE);

    const store = objectStore(spec, state);
    for (const { path, index } of await objectIndexes(files)) {
      if (!store) {
        notes.push(
          `objects: ${index.objects.length} object(s) of bucket ${index.bucket} not restored: object storage here is not MinIO`,
        );
        continue;
      }
      await restoreBucket(new S3Client(store.credentials), store.bucket, path, index, files, io.signal, io.log);
    }

    if (bundledInfra(spec).includes('redis')) {
      io.log('emptying the bundled Redis (a cache of what was just replaced)');
      // REDISCLI_AUTH: the password reaches redis-cli through its environment, not its argv.
      await runOk(
        runner,
        ['redis-cli', '-h', '127.0.0.1', '-p', String(HOST_INFRA_PORTS.redis), '--no-auth-warning', 'FLUSHALL'],
        'redis-cli FLUSHALL',
        redactor,
        io,
        { env: { REDISCLI_AUTH: backupSecret(spec, state, 'redis.password') } },
      );
    } else {
      notes.push(EXTERNAL_REDIS_NOTE);
    }
    return notes;
  },

  async startOpenIM(spec, runner, io) {
    io.log('starting OpenIM');
    const r = await runner.run(
      ['systemctl', 'start', TARGETS.server, ...(spec.openim.components.chat ? [TARGETS.chat] : [])],
      { signal: io.signal },
    );
    if (r.exitCode !== 0) throw new Error(`systemctl start failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  },
};
