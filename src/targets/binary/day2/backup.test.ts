import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ok, RecordingRunner } from '../../../../test/helpers/recording-runner.js';
import type { RunOptions } from '../../../process/runner.js';
import { emptyState, type DeployState } from '../../../state/types.js';
import { singleHost } from '../../../../test/helpers/binary-specs.js';
import { binaryDataBackup, mongoUri } from './backup.js';

const MONGO_PW = 'mongo-pw-with/odd:chars@1';
const REDIS_PW = 'redis-secret-77aa';
let root: string;
let state: DeployState;
const signal = new AbortController().signal;
const logs: string[] = [];
const io = { log: (l: string) => logs.push(l), signal };

/** A host layout under a temp folder, with mongodump/mongorestore "installed" where install puts them. */
function spec(...sets: string[]) {
  return singleHost(
    `binary.prefix=${root}/opt`,
    `binary.configDir=${root}/etc`,
    `binary.stateDir=${root}/state`,
    `binary.dataDir=${root}/data`,
    // Not MinIO: the object part (S3 calls) is proven by the real suite (test:openim), not against a fake here.
    'infrastructure.objectStorage.mode=external',
    'infrastructure.objectStorage.provider=s3',
    'infrastructure.objectStorage.endpoint=https://s3.example',
    'infrastructure.objectStorage.accessKey=AKIDEXAMPLE',
    'infrastructure.objectStorage.secretKey=s3-secret-key-example',
    ...sets,
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'binary-backup-'));
  const tools = join(root, 'opt/infra/mongotools-100.11.0/bin');
  mkdirSync(tools, { recursive: true });
  for (const t of ['mongodump', 'mongorestore']) {
    writeFileSync(join(tools, t), '#!/bin/sh\n');
    chmodSync(join(tools, t), 0o755);
  }
  mkdirSync(join(root, 'etc/server'), { recursive: true });
  writeFileSync(join(root, 'etc/server/share.yml'), 'secret: x\n');
  mkdirSync(join(root, 'state'), { recursive: true });
  writeFileSync(join(root, 'state/state.json'), '{}');
  state = {
    ...emptyState(),
    secrets: { 'mongodb.password': MONGO_PW, 'redis.password': REDIS_PW },
    installed: { serverVersion: 'v3.8.3', chatVersion: 'v1.8.4', at: 'now' },
  };
  logs.length = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Answers like the real tools: mongodump writes its --archive, and the --config it was given is captured. */
function toolRunner(seen: { config?: string; mode?: number }) {
  return new RecordingRunner((argv: readonly string[], _o: RunOptions) => {
    const config = argv.find((a) => a.startsWith('--config='))?.slice('--config='.length);
    if (config) {
      seen.config = readFileSync(config, 'utf8');
      seen.mode = statSync(config).mode & 0o777;
    }
    if (argv[1] === '--version') return ok('mongodump version: 100.11.0\ngit version: b8a566a7f38f\n');
    const archive = argv.find((a) => a.startsWith('--archive='))?.slice('--archive='.length);
    if (argv[0]!.endsWith('mongodump') && archive) writeFileSync(archive, 'dump bytes');
    return ok();
  });
}

describe('binary backup', () => {
  it('mongodump gets the URI with the password in a 0600 --config file, gone afterwards; no argv holds a secret', async () => {
    const seen: { config?: string; mode?: number } = {};
    const runner = toolRunner(seen);
    const s = spec();
    const out = join(root, 'stage');
    mkdirSync(out);
    const collected = await binaryDataBackup.collect(s, runner, state, out, io);
    const dump = runner.argvs().find((a) => a[0]!.endsWith('/mongodump') && a.includes('--gzip'))!;
    expect(dump).toEqual([
      `${root}/opt/infra/mongotools-100.11.0/bin/mongodump`,
      expect.stringMatching(/^--config=.*tools\.yaml$/),
      '--db=openim_v3',
      `--archive=${out}/openim_v3.archive.gz`,
      '--gzip',
    ]);
    expect(seen.mode).toBe(0o600);
    expect(seen.config).toContain(encodeURIComponent(MONGO_PW));
    expect(existsSync(dump[1]!.slice('--config='.length))).toBe(false);
    for (const argv of runner.argvs()) expect(argv.join(' ')).not.toContain(encodeURIComponent(MONGO_PW));
    expect(logs.join('\n')).not.toContain(MONGO_PW);
    expect(collected.mongodumpVersion).toBe('100.11.0');
    expect(collected.files.map((f) => f.path)).toEqual([
      'mongodb/openim_v3.archive.gz',
      'config/server/share.yml',
      'state/state.json',
    ]);
    expect(collected.notes.join('\n')).toMatch(/objects: object storage is s3, not MinIO/);
    expect(collected.notes.join('\n')).toMatch(/redis: not saved/);
  });

  it('the URI is the one OpenIM uses: its user, its auth database, the password URL-encoded', () => {
    expect(mongoUri(spec(), state)).toBe(
      `mongodb://openIM:${encodeURIComponent(MONGO_PW)}@127.0.0.1:27017/?authSource=openim_v3`,
    );
    const external = spec(
      'infrastructure.mongodb.mode=external',
      'infrastructure.mongodb.address[0]=db1:27017',
      'infrastructure.mongodb.address[1]=db2:27017',
      'infrastructure.mongodb.authSource=admin',
      'infrastructure.mongodb.password=given-pw',
    );
    expect(mongoUri(external, state)).toBe('mongodb://openIM:given-pw@db1:27017,db2:27017/?authSource=admin');
  });

  it('restore: OpenIM stopped first, mongorestore --drop of only its database, Redis emptied with the password in the environment', async () => {
    const seen: { config?: string } = {};
    const runner = toolRunner(seen);
    writeFileSync(join(root, 'dump'), 'x');
    const notes = await binaryDataBackup.restoreData(
      spec(),
      runner,
      state,
      new Map([['mongodb/openim_v3.archive.gz', join(root, 'dump')]]),
      { skipIndexes: false },
      io,
    );
    const argvs = runner.argvs();
    expect(argvs[0]).toEqual(['systemctl', 'stop', 'openim-chat.target', 'openim-server.target']);
    expect(argvs[1]).toEqual([
      `${root}/opt/infra/mongotools-100.11.0/bin/mongorestore`,
      expect.stringMatching(/^--config=/),
      `--archive=${root}/dump`,
      '--gzip',
      '--drop',
      '--nsInclude=openim_v3.*',
    ]);
    expect(seen.config).toContain(encodeURIComponent(MONGO_PW));
    const flush = runner.calls[2]!;
    expect(flush.argv).toEqual(['redis-cli', '-h', '127.0.0.1', '-p', '6379', '--no-auth-warning', 'FLUSHALL']);
    expect(flush.options.env).toEqual({ REDISCLI_AUTH: REDIS_PW });
    expect(notes).toEqual([]);
  });

  it('restore --skip-indexes: documents only, and a note says which indexes come back', async () => {
    const runner = toolRunner({});
    writeFileSync(join(root, 'dump'), 'x');
    const notes = await binaryDataBackup.restoreData(
      spec(),
      runner,
      state,
      new Map([['mongodb/openim_v3.archive.gz', join(root, 'dump')]]),
      { skipIndexes: true },
      io,
    );
    expect(runner.argvs()[1]!.slice(-2)).toEqual(['--nsInclude=openim_v3.*', '--noIndexRestore']);
    expect(notes).toEqual([
      expect.stringMatching(/^mongodb: indexes not restored \(--skip-indexes\); OpenIM and chat created theirs/),
    ]);
  });

  it('a failing tool reports its output with every secret redacted', async () => {
    const runner = new RecordingRunner((argv) =>
      argv[1] === '--version'
        ? ok('mongodump version: 100.11.0')
        : { exitCode: 1, stdout: '', stderr: `auth failed for ${MONGO_PW}` },
    );
    mkdirSync(join(root, 'stage'));
    const error = await binaryDataBackup.collect(spec(), runner, state, join(root, 'stage'), io).catch((e: Error) => e);
    expect((error as Error).message).toBe('mongodump failed (exit 1): auth failed for «redacted»');
    expect((error as Error).message).not.toContain(MONGO_PW);
  });

  it('without the tools, preflight names the fix: the archive and binary.artifacts.mongotools, or PATH', () => {
    rmSync(join(root, 'opt/infra'), { recursive: true });
    const saved = process.env.PATH;
    process.env.PATH = join(root, 'empty');
    try {
      const [problem] = binaryDataBackup.problems(spec(), 'restore');
      expect(problem).toMatch(
        /^mongorestore \(MongoDB Database Tools 100\.11\.0\) is not installed\.\n {2}fix: set binary\.artifacts\.mongotools\.url \(or \.file\) and \.sha256/,
      );
      expect(problem).toContain(
        'https://fastdl.mongodb.org/tools/db/mongodb-database-tools-debian12-x86_64-100.11.0.tgz',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('install and the database tools', () => {
  it('are installed only when binary.artifacts.mongotools names a source: fetched and verified, then unpacked under the infra root', async () => {
    const { plan, byId } = await import('../../../../test/helpers/binary-specs.js');
    expect(byId(plan(spec())).has('binary.tools.mongotools')).toBe(false);
    const steps = byId(
      plan(
        spec(
          'binary.artifacts.mongotools.file=/srv/mongodb-database-tools-debian12-x86_64-100.11.0.tgz',
          `binary.artifacts.mongotools.sha256=${'b'.repeat(64)}`,
        ),
      ),
    );
    expect(steps.get('binary.fetch.mongotools')!.actions).toEqual([
      {
        kind: 'fetch',
        sha256: 'b'.repeat(64),
        to: 'artifacts/mongodb-database-tools-debian12-x86_64-100.11.0.tgz',
        file: '/srv/mongodb-database-tools-debian12-x86_64-100.11.0.tgz',
      },
    ]);
    expect(steps.get('binary.tools.mongotools')!.actions).toEqual([
      {
        kind: 'extract',
        archive: 'artifacts/mongodb-database-tools-debian12-x86_64-100.11.0.tgz',
        to: `${root}/opt/infra/mongotools-100.11.0`,
        strip: 1,
      },
    ]);
  });

  it('a source without its sha256 is a preflight error naming the field', async () => {
    const { binaryChecks } = await import('../checks.js');
    const { unprobed } = await import('../../../../test/helpers/binary-specs.js');
    const findings = binaryChecks(
      spec(
        'binary.artifacts.mongotools.url=https://fastdl.mongodb.org/tools/db/mongodb-database-tools-debian12-x86_64-100.11.0.tgz',
      ),
      unprobed,
    );
    expect(findings.find((f) => f.id === 'artifact.mongotools.sha256')?.fix).toMatch(
      /set binary\.artifacts\.mongotools\.sha256/,
    );
  });
});
