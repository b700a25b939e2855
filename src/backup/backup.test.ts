import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBackupArchive, writeBackupArchive, type ManifestBase } from './archive.js';
import { BackupKeyError, ENCRYPTED_MAGIC, passphraseOf } from './crypto.js';
import { BACKUP_FORMAT, BackupFormatError, versionMismatch } from './manifest.js';
import { authorization, parseS3Url, signingKey, uriEncode } from './s3.js';
import { readTar } from '../archive/tar/reader.js';

const KEY = Buffer.from('correct horse battery staple 4711');
const SECRET_IN_STATE = 'state-secret-value-91b2c3';
const base: ManifestBase = {
  format: BACKUP_FORMAT,
  createdAt: '2026-12-04T10:00:00.000Z',
  target: 'binary',
  scope: '/opt/openim',
  openim: { serverVersion: 'v3.8.3', chatVersion: 'v1.8.4' },
  tools: { openimDeploy: '0.0.0-test', mongodump: '100.11.0' },
  parts: { mongodb: 'dump' },
  notes: [],
};
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'backup-test-'));
  writeFileSync(join(dir, 'dump'), Buffer.alloc(70_000, 7));
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ secrets: { 'openim.secret': SECRET_IN_STATE } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = () => [
  { path: 'mongodb/openim_v3.archive.gz', kind: 'mongodb' as const, file: join(dir, 'dump') },
  { path: 'state/state.json', kind: 'state' as const, file: join(dir, 'state.json') },
];

async function entriesOf(tar: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar([tar])) out.push(e.path);
  return out;
}

describe('backup archive', () => {
  it('is a tar of the parts and a manifest with the SHA-256 and size of each, last', async () => {
    const out = join(dir, 'out/a.tar');
    const manifest = await writeBackupArchive(out, files(), base);
    expect(await entriesOf(readFileSync(out))).toEqual([
      'mongodb/openim_v3.archive.gz',
      'state/state.json',
      'manifest.json',
    ]);
    expect(manifest.contents).toEqual([
      {
        path: 'mongodb/openim_v3.archive.gz',
        kind: 'mongodb',
        size: 70_000,
        sha256: sha(readFileSync(join(dir, 'dump'))),
      },
      {
        path: 'state/state.json',
        kind: 'state',
        size: readFileSync(join(dir, 'state.json')).length,
        sha256: sha(readFileSync(join(dir, 'state.json'))),
      },
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const opened = await openBackupArchive(out, join(dir, 'open'));
    expect(opened.encrypted).toBe(false);
    expect(opened.manifest).toEqual(manifest);
    expect(readFileSync(opened.files.get('mongodb/openim_v3.archive.gz')!)).toEqual(readFileSync(join(dir, 'dump')));
  });

  it('a changed byte in a plain archive is refused, naming the part, before anything is used', async () => {
    const out = join(dir, 'a.tar');
    await writeBackupArchive(out, files(), base);
    const bytes = readFileSync(out);
    bytes[512 + 1000] = bytes[512 + 1000]! ^ 1; // inside the dump's data (after its 512-byte header)
    writeFileSync(out, bytes);
    const error = await openBackupArchive(out, join(dir, 'open')).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BackupFormatError);
    expect((error as Error).message).toMatch(
      /mongodb\/openim_v3\.archive\.gz: SHA-256 \w+ \(70000 bytes\) does not match/,
    );
  });

  it('an entry the manifest does not list, or one it lists that is missing, is refused', async () => {
    const out = join(dir, 'a.tar');
    await writeBackupArchive(out, files(), base);
    // Splice: the first part of a one-part archive, then the manifest of the two-part one.
    const one = join(dir, 'one.tar');
    await writeBackupArchive(one, files().slice(0, 1), base);
    const tarA = readFileSync(out);
    const tarOne = readFileSync(one);
    const manifestAt = tarA.indexOf(Buffer.from('manifest.json'));
    const spliced = Buffer.concat([
      tarOne.subarray(0, tarOne.indexOf(Buffer.from('manifest.json'))),
      tarA.subarray(manifestAt),
    ]);
    writeFileSync(join(dir, 'spliced.tar'), spliced);
    const error = await openBackupArchive(join(dir, 'spliced.tar'), join(dir, 'open')).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/state\/state\.json: listed in the manifest, missing from the archive/);
  });

  it('encrypted with a key: nothing readable inside, the same key opens it, the secret never appears', async () => {
    const out = join(dir, 'a.tar.enc');
    await writeBackupArchive(out, files(), base, KEY);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, ENCRYPTED_MAGIC.length)).toEqual(ENCRYPTED_MAGIC);
    expect(bytes.includes(Buffer.from(SECRET_IN_STATE))).toBe(false);
    expect(bytes.includes(Buffer.from('manifest.json'))).toBe(false);
    expect(bytes.includes(KEY)).toBe(false);
    const opened = await openBackupArchive(out, join(dir, 'open'), KEY);
    expect(opened.encrypted).toBe(true);
    expect(readFileSync(opened.files.get('state/state.json')!, 'utf8')).toContain(SECRET_IN_STATE);
    // No plain copy is left next to the archive.
    expect(existsSync(`${out}.plain.partial`)).toBe(false);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('a part that cannot be read leaves nothing behind, under any name', async () => {
    const out = join(dir, 'a.tar.enc');
    const error = await writeBackupArchive(
      out,
      [...files(), { path: 'gone', kind: 'config', file: join(dir, 'missing') }],
      base,
      KEY,
    ).catch((e: Error) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(readdirSync(dir).sort()).toEqual(['dump', 'state.json']);
  });

  it('a wrong key is refused with a clear message that does not contain either key', async () => {
    const out = join(dir, 'a.tar.enc');
    await writeBackupArchive(out, files(), base, KEY);
    const wrong = Buffer.from('not the right passphrase at all');
    const error = await openBackupArchive(out, join(dir, 'open'), wrong).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BackupKeyError);
    expect((error as Error).message).toBe(
      'the key does not open this archive: wrong --key-file, or the archive was changed after it was written',
    );
    expect((error as Error).message).not.toContain(wrong.toString());
    expect((error as Error).message).not.toContain(KEY.toString());
  });

  it('an encrypted archive without a key asks for --key-file', async () => {
    const out = join(dir, 'a.tar.enc');
    await writeBackupArchive(out, files(), base, KEY);
    await expect(openBackupArchive(out, join(dir, 'open'))).rejects.toThrow(
      /is encrypted: pass the key it was written with \(--key-file\)/,
    );
  });

  it.each([
    ['ciphertext', (b: Buffer) => b.length - 100],
    ['header (scrypt salt)', () => 13],
    ['tag', (b: Buffer) => b.length - 1],
  ])('a changed byte in the %s of an encrypted archive is refused, and nothing is extracted', async (_what, at) => {
    const out = join(dir, 'a.tar.enc');
    await writeBackupArchive(out, files(), base, KEY);
    const bytes = readFileSync(out);
    const i = at(bytes);
    bytes[i] = bytes[i]! ^ 0x40;
    writeFileSync(out, bytes);
    const error = await openBackupArchive(out, join(dir, 'open'), KEY).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BackupKeyError);
    expect(() => readFileSync(join(dir, 'open', 'archive.tar'))).toThrow();
  });

  it('a key file needs 16 bytes at least; one trailing newline is not part of the key', () => {
    expect(() => passphraseOf(Buffer.from('short\n'), '/k')).toThrow(/holds 5 byte\(s\); use at least 16/);
    expect(passphraseOf(Buffer.from('0123456789abcdef\n'), '/k').toString()).toBe('0123456789abcdef');
    expect(passphraseOf(Buffer.from('0123456789abcdef\r\n'), '/k').toString()).toBe('0123456789abcdef');
  });
});

describe('backup manifest', () => {
  const m = { ...base, contents: [] };
  it('the same versions may be restored; others are refused, naming both', () => {
    expect(versionMismatch(m, { serverVersion: 'v3.8.3', chatVersion: 'v1.8.4' })).toBeUndefined();
    expect(versionMismatch(m, { serverVersion: 'v3.8.4', chatVersion: 'v1.8.4' })).toBe(
      'the backup is of OpenIM v3.8.3 (chat v1.8.4) and v3.8.4 (chat v1.8.4) is installed',
    );
    expect(versionMismatch(m, { serverVersion: 'v3.8.3', chatVersion: 'v1.8.5' })).toMatch(/v1\.8\.5/);
    expect(versionMismatch(m, undefined)).toMatch(/nothing is installed here yet/);
  });
  it('an archive with no manifest is not a backup', async () => {
    const { tarArchive } = await import('../archive/tar/in-memory.js');
    writeFileSync(join(dir, 'x.tar'), tarArchive([{ path: 'a', data: 'b' }]));
    await expect(openBackupArchive(join(dir, 'x.tar'), join(dir, 'open'))).rejects.toThrow(
      /has no manifest\.json: not an openim-deploy backup/,
    );
  });
});

describe('S3 Signature Version 4', () => {
  // AWS documentation, "Signature Version 4 signing process" examples (IAM ListUsers, 2015-08-30).
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  it('derives the documented signing key', () => {
    expect(signingKey(secret, '20150830', 'us-east-1', 'iam').toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
  });
  it('signs the documented GET request to the documented signature', () => {
    const header = authorization({
      method: 'GET',
      path: '/',
      query: { Action: 'ListUsers', Version: '2010-05-08' },
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        host: 'iam.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
      },
      payloadHash: sha(''),
      amzDate: '20150830T123600Z',
      region: 'us-east-1',
      service: 'iam',
      accessKey: 'AKIDEXAMPLE',
      secretKey: secret,
    });
    expect(header).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });
  it('encodes keys as RFC 3986 wants, keeping slashes in object paths', () => {
    expect(uriEncode("a b/c(d)*!'", true)).toBe('a%20b/c%28d%29%2A%21%27');
    expect(uriEncode('a/b')).toBe('a%2Fb');
  });
  it('parses s3://bucket/prefix', () => {
    expect(parseS3Url('s3://backups/openim/')).toEqual({ bucket: 'backups', prefix: 'openim' });
    expect(parseS3Url('s3://backups')).toEqual({ bucket: 'backups', prefix: '' });
    expect(parseS3Url('s3://A')).toBeUndefined();
  });
});
