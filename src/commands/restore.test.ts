// `restore` and `backup` refusals at the command: each before anything runs on
// the host (the fake runner, named as one, records no call) and with a message
// that names the problem and never a secret.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBackupArchive } from '../backup/archive.js';
import { BACKUP_FORMAT } from '../backup/manifest.js';
import { ConfigError } from '../errors.js';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { restoreCommand } from './restore.js';

const KEY = 'the right passphrase, 4711 4711';
let root: string;
let runner: RecordingRunner;
const lines: string[] = [];
const ctx = () => ({
  io: { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s), interactive: false, tty: false },
  env: { HOME: root },
  cwd: root,
  runner,
  prompter: { confirm: async () => true } as never,
  signal: new AbortController().signal,
});
const flags = () => ({
  target: 'binary',
  preset: 'single-host',
  workdir: join(root, 'work'),
  set: [
    `binary.prefix=${root}/opt`,
    `binary.configDir=${root}/etc`,
    `binary.stateDir=${root}/state`,
    `binary.dataDir=${root}/data`,
  ],
});

async function archive(serverVersion: string, key?: string): Promise<string> {
  writeFileSync(join(root, 'state.json'), JSON.stringify({ secrets: { 'openim.secret': 'backed-up-secret-0042' } }));
  const out = join(root, `backup-${serverVersion}.tar`);
  await writeBackupArchive(
    out,
    [{ path: 'state/state.json', kind: 'state', file: join(root, 'state.json') }],
    {
      format: BACKUP_FORMAT,
      createdAt: '2026-12-04T10:00:00.000Z',
      target: 'binary',
      scope: '/opt/openim',
      openim: { serverVersion, chatVersion: 'v1.8.4' },
      tools: { openimDeploy: 'test' },
      parts: {},
      notes: [],
    },
    key ? Buffer.from(key) : undefined,
  );
  return out;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'restore-cmd-'));
  runner = new RecordingRunner();
  lines.length = 0;
  const tools = join(root, 'opt/infra/mongotools-100.11.0/bin');
  mkdirSync(tools, { recursive: true });
  for (const t of ['mongodump', 'mongorestore']) {
    writeFileSync(join(tools, t), '#!/bin/sh\n');
    chmodSync(join(tools, t), 0o755);
  }
  mkdirSync(join(root, 'state'));
  writeFileSync(
    join(root, 'state/state.json'),
    JSON.stringify({
      version: 1,
      secrets: { 'openim.secret': 'installed-secret-0099' },
      steps: {},
      installed: { serverVersion: 'v3.8.3', chatVersion: 'v1.8.4', at: 'x' },
    }),
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('restore refuses before changing anything', () => {
  it('a backup of other versions than those installed, naming both and the flag', async () => {
    const error = await restoreCommand(ctx(), await archive('v3.8.2'), flags()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]!.message).toBe(
      'the backup is of OpenIM v3.8.2 (chat v1.8.4) and v3.8.3 (chat v1.8.4) is installed: nothing was restored',
    );
    expect((error as ConfigError).issues[0]!.hint).toMatch(/--allow-version-mismatch/);
    expect(runner.calls).toEqual([]);
  });

  it('an encrypted backup with the wrong key, or none', async () => {
    const sealed = await archive('v3.8.3', KEY);
    writeFileSync(join(root, 'wrong.key'), 'some other passphrase entirely\n');
    const wrong = await restoreCommand(ctx(), sealed, { ...flags(), keyFile: 'wrong.key' }).catch((e: Error) => e);
    expect((wrong as ConfigError).issues[0]!.message).toBe(
      'the key does not open this archive: wrong --key-file, or the archive was changed after it was written',
    );
    const none = await restoreCommand(ctx(), sealed, flags()).catch((e: Error) => e);
    expect((none as ConfigError).issues[0]!.message).toMatch(
      /is encrypted: pass the key it was written with \(--key-file\)/,
    );
    expect(runner.calls).toEqual([]);
    expect(lines.join('\n')).not.toContain('some other passphrase');
  });

  it('on Kubernetes, a backup of a host install is refused after reading the state only', async () => {
    runner = new RecordingRunner(() => ({
      exitCode: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): secrets "openim-deploy-state" not found',
    }));
    const error = await restoreCommand(ctx(), await archive('v3.8.3'), {
      preset: 'dev',
      workdir: join(root, 'work'),
    }).catch((e: Error) => e);
    expect((error as ConfigError).issues[0]!.message).toBe('the backup is of a binary install; this is kubernetes');
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual([
      'kubectl -n openim get secret openim-deploy-state -o json',
    ]);
  });
});
