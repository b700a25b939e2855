// An ed25519 signature over checksums.sha256 (which covers every other file).
// `bundle keygen` writes the key pair as PEM (PKCS#8 private, SPKI public);
// the signature file is base64 of the raw 64-byte signature.

import { generateKeyPairSync, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

export interface KeyPairFiles {
  privateKey: string;
  publicKey: string;
}

export async function generateKeyPair(base: string, force = false): Promise<KeyPairFiles> {
  const files = { privateKey: `${base}.key`, publicKey: `${base}.pub` };
  for (const f of Object.values(files)) {
    if (existsSync(f) && !force)
      throw new ConfigError([{ path: '-o', message: `${f} already exists`, hint: 'pass --force to overwrite it' }]);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(files.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(files.publicKey, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return files;
}

function ensureEd25519(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigError([
      {
        path: file,
        message: `is a ${key.asymmetricKeyType ?? 'symmetric'} key, not ed25519`,
        hint: 'make one with openim-deploy bundle keygen',
      },
    ]);
  return key;
}

/** Reads an ed25519 key of either kind; anything else (unreadable, not PEM, another algorithm) is a ConfigError. */
async function loadKey(file: string, kind: 'private' | 'public'): Promise<KeyObject> {
  try {
    const pem = await readFile(file);
    return ensureEd25519(kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem), file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ path: file, message: `cannot read the ${kind} key: ${(error as Error).message}` }]);
  }
}

export const loadPrivateKey = (file: string): Promise<KeyObject> => loadKey(file, 'private');

export const loadPublicKey = (file: string): Promise<KeyObject> => loadKey(file, 'public');

export function signChecksums(checksums: Buffer, key: KeyObject): Buffer {
  return Buffer.from(`${sign(null, checksums, key).toString('base64')}\n`, 'utf8');
}

export function checkSignature(checksums: Buffer, signatureFile: Buffer, key: KeyObject): boolean {
  const raw = Buffer.from(signatureFile.toString('utf8').trim(), 'base64');
  if (raw.length !== 64) return false;
  return verify(null, checksums, key, raw);
}
