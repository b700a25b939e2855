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

import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import type { Runner } from '../../../process/runner.js';
import type { StagedFile } from '../../../backup/archive.js';
import { S3Client, type S3Credentials } from '../../../backup/s3.js';
import type { BackupIo, CollectedData, DataBackup } from '../../day2/backup-types.js';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import { Redactor } from '../../../secrets/redact.js';
import { givenSecrets, type SecretId } from '../../../secrets/secrets.js';
import type { DeployState } from '../../../state/types.js';
import { binaryEndpoints, bundledInfra } from '../endpoints.js';
import { binaryLayout } from '../layout.js';
import { findMongoTool, mongoToolsFix, type MongoTool } from '../mongo-tools.js';
import { TARGETS } from '../units.js';

const secretOf = (spec: DeploySpec, state: DeployState, id: SecretId): string =>
  givenSecrets(spec)[id] ?? state.secrets[id] ?? '';

/** The mongodb:// URI OpenIM itself uses (its user, its auth database). */
export function mongoUri(spec: DeploySpec, state: DeployState): string {
  const m = binaryEndpoints(spec).mongodb;
  if (m.uri) return m.uri;
  const password = secretOf(spec, state, 'mongodb.password');
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
      accessKey: secretOf(spec, state, 'objectStorage.accessKey'),
      secretKey: secretOf(spec, state, 'objectStorage.secretKey'),
    },
    bucket: e.bucket,
  };
}

function redactorOf(spec: DeploySpec, state: DeployState): Redactor {
  return new Redactor([
    ...Object.values(state.secrets).filter((v): v is string => typeof v === 'string'),
    ...Object.values(givenSecrets(spec)).filter((v): v is string => typeof v === 'string'),
  ]);
}

async function runOk(
  runner: Runner,
  argv: string[],
  what: string,
  redactor: Redactor,
  io: BackupIo,
  env?: Record<string, string>,
): Promise<string> {
  const r = await runner.run(argv, { signal: io.signal, ...(env ? { env } : {}) });
  if (r.exitCode !== 0)
    throw new Error(
      `${what} failed (exit ${r.exitCode}): ${redactor.redact(`${r.stderr}\n${r.stdout}`.trim()).split('\n').slice(-12).join('\n')}`,
    );
  return `${r.stdout}\n${r.stderr}`;
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

interface ObjectIndexEntry {
  key: string;
  size: number;
  contentType: string;
  /** Entry name under objects/<bucket>/ (keys may hold anything; entry names do not). */
  file: string;
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
    const redactor = redactorOf(spec, state);
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
      const s3 = new S3Client(store.credentials);
      const objects = await s3.list(store.bucket);
      const objDir = join(dir, 'objects');
      await mkdir(objDir, { recursive: true, mode: 0o700 });
      const index: ObjectIndexEntry[] = [];
      io.log(`${objects.length} object(s) in bucket ${store.bucket}`);
      for (const [i, o] of objects.entries()) {
        if (io.signal.aborted) throw new Error('interrupted');
        const file = String(i).padStart(6, '0');
        const contentType = await s3.get(store.bucket, o.key, join(objDir, file));
        index.push({ key: o.key, size: (await stat(join(objDir, file))).size, contentType, file });
        files.push({ path: `objects/${store.bucket}/${file}`, kind: 'objects', file: join(objDir, file) });
      }
      await writeFile(
        join(objDir, 'index.json'),
        `${JSON.stringify({ bucket: store.bucket, objects: index }, null, 2)}\n`,
        { mode: 0o600 },
      );
      files.push({ path: `objects/${store.bucket}/index.json`, kind: 'objects', file: join(objDir, 'index.json') });
      parts.objects = `${index.length} object(s), ${index.reduce((n, o) => n + o.size, 0)} bytes, of bucket ${store.bucket}`;
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

    notes.push(
      'redis: not saved; in OpenIM 3.8 it caches what MongoDB holds (seq in MongoDB, login tokens: users log in again after a restore)',
    );
    notes.push('kafka: not saved; messages still queued for msgtransfer when the backup ran are not in it');
    return { files, parts, notes, ...(version ? { mongodumpVersion: version } : {}) };
  },

  async restoreData(spec, runner, state, files, options, io) {
    const redactor = redactorOf(spec, state);
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
    const dump = [...files.entries()].find(([p]) => p.startsWith('mongodb/'));
    if (!dump) throw new Error('the archive holds no MongoDB dump');
    io.log(
      `mongorestore --drop into database ${database}${options.skipIndexes ? ' (documents only: OpenIM creates its indexes when it starts)' : ''}`,
    );
    const argv = (config: string) => [
      restore,
      `--config=${config}`,
      `--archive=${dump[1]}`,
      '--gzip',
      '--drop',
      `--nsInclude=${database}.*`,
      ...(options.skipIndexes ? ['--noIndexRestore'] : []),
    ];
    await withMongoConfig(mongoUri(spec, state), (config) => runOk(runner, argv(config), 'mongorestore', redactor, io));
    if (options.skipIndexes)
      notes.push(
        'mongodb: indexes not restored (--skip-indexes); OpenIM and chat created theirs when they started, any index added by hand must be created again',
      );

    const indexes = [...files.entries()].filter(([p]) => /^objects\/[^/]+\/index\.json$/.test(p));
    const store = objectStore(spec, state);
    for (const [path, file] of indexes) {
      const index = JSON.parse(await readFile(file, 'utf8')) as { bucket: string; objects: ObjectIndexEntry[] };
      if (!store) {
        notes.push(
          `objects: ${index.objects.length} object(s) of bucket ${index.bucket} not restored: object storage here is not MinIO`,
        );
        continue;
      }
      const s3 = new S3Client(store.credentials);
      io.log(`putting ${index.objects.length} object(s) back into bucket ${store.bucket}`);
      if (!(await s3.bucketExists(store.bucket))) await s3.createBucket(store.bucket);
      for (const o of index.objects) {
        const local = files.get(`${path.slice(0, -'index.json'.length)}${o.file}`);
        if (!local) throw new Error(`object ${o.key}: ${o.file} missing from the archive`);
        await s3.put(store.bucket, o.key, local, o.size, o.contentType);
      }
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
        { REDISCLI_AUTH: secretOf(spec, state, 'redis.password') },
      );
    } else {
      notes.push(
        'redis: external, not emptied: if it serves only this OpenIM, FLUSHALL it now so no stale cache entry (seq, tokens) outlives the restore',
      );
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
