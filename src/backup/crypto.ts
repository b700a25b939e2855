// Encryption of a whole backup archive: AES-256-GCM (authenticated) with a
// key derived by scrypt from the passphrase in --key-file. The file is
//
//   magic "OIMBAK1\n" (8) | log2(N) r p (3 bytes) | salt (16) | iv (12) | ciphertext | tag (16)
//
// and the 27 header bytes are authenticated too (GCM additional data), so
// changing the scrypt cost or the salt is detected like changing the data.
// Decryption streams into a file that is used only after the tag checked out:
// nothing unauthenticated is ever restored.

import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { DeployError, EXIT } from '../errors.js';

export const ENCRYPTED_MAGIC = Buffer.from('OIMBAK1\n', 'ascii');
const HEADER = ENCRYPTED_MAGIC.length + 3 + 16 + 12;
const TAG = 16;
/** scrypt cost: 2^15 × r 8 = 32 MiB of memory, about 0.1 s: cheap for one run, costly for guessing. */
const DEFAULT_COST = { log2N: 15, r: 8, p: 1 };

export class BackupKeyError extends DeployError {
  readonly code = 'BACKUP_KEY';
  readonly exitStatus = EXIT.failed;
}

function deriveKey(passphrase: Buffer, salt: Buffer, cost: { log2N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** cost.log2N, r: cost.r, p: cost.p, maxmem: 256 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCb(passphrase, salt, 32, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** True when the file starts with the encrypted-archive magic. */
export async function isEncrypted(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(ENCRYPTED_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(ENCRYPTED_MAGIC);
  } finally {
    await handle.close();
  }
}

export async function encryptFile(from: string, to: string, passphrase: Buffer, cost = DEFAULT_COST): Promise<void> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = Buffer.concat([ENCRYPTED_MAGIC, Buffer.from([cost.log2N, cost.r, cost.p]), salt, iv]);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt, cost), iv);
  cipher.setAAD(header);
  const out = createWriteStream(to, { mode: 0o600 });
  out.write(header);
  await pipeline(createReadStream(from), cipher, out, { end: false });
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(cipher.getAuthTag(), () => resolve());
  });
}

/** Decrypts into `to`; throws BackupKeyError (and removes `to`) when the key or the data is not the one sealed. */
export async function decryptFile(from: string, to: string, passphrase: Buffer): Promise<void> {
  const size = (await stat(from)).size;
  if (size < HEADER + TAG) throw new BackupKeyError('the encrypted archive is truncated');
  const handle = await open(from, 'r');
  const header = Buffer.alloc(HEADER);
  const tag = Buffer.alloc(TAG);
  try {
    await handle.read(header, 0, HEADER, 0);
    await handle.read(tag, 0, TAG, size - TAG);
  } finally {
    await handle.close();
  }
  if (!header.subarray(0, ENCRYPTED_MAGIC.length).equals(ENCRYPTED_MAGIC))
    throw new BackupKeyError('not an encrypted openim-deploy backup');
  const at = ENCRYPTED_MAGIC.length;
  const cost = { log2N: header[at]!, r: header[at + 1]!, p: header[at + 2]! };
  if (cost.log2N < 10 || cost.log2N > 20 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16)
    throw new BackupKeyError('the encrypted archive header is damaged (scrypt parameters out of range)');
  const salt = header.subarray(at + 3, at + 19);
  const iv = header.subarray(at + 19, at + 31);
  const decipher = createDecipheriv('aes-256-gcm', await deriveKey(passphrase, salt, cost), iv);
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  try {
    await pipeline(
      createReadStream(from, { start: HEADER, end: size - TAG - 1 }),
      decipher,
      createWriteStream(to, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(to, { force: true });
    if (/authenticate/i.test((error as Error).message)) {
      throw new BackupKeyError(
        'the key does not open this archive: wrong --key-file, or the archive was changed after it was written',
      );
    }
    throw error;
  }
}

/** The passphrase in a key file (one trailing newline dropped); never printed. */
export function passphraseOf(text: Buffer, path: string): Buffer {
  let key = text;
  if (key.at(-1) === 0x0a) key = key.subarray(0, -1);
  if (key.at(-1) === 0x0d) key = key.subarray(0, -1);
  if (key.length < 16)
    throw new BackupKeyError(
      `key file ${path} holds ${key.length} byte(s); use at least 16 (e.g. openssl rand -base64 32 > ${path})`,
    );
  return key;
}
