import { rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { checkSignature, generateKeyPair, loadPrivateKey, loadPublicKey, signChecksums } from './signature.js';

const made: string[] = [];
const scratch = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ed25519 signatures over the checksum list', () => {
  it('keygen writes a private key only its owner reads; signatures verify with the pair only', async () => {
    const dir = scratch(mkdtempSync(join(tmpdir(), 'oid-keys-')));
    const one = await generateKeyPair(join(dir, 'one'));
    const two = await generateKeyPair(join(dir, 'two'));
    expect(statSync(one.privateKey).mode & 0o777).toBe(0o600);
    const list = Buffer.from('abc  file\n');
    const sig = signChecksums(list, await loadPrivateKey(one.privateKey));
    expect(checkSignature(list, sig, await loadPublicKey(one.publicKey))).toBe(true);
    expect(checkSignature(list, sig, await loadPublicKey(two.publicKey))).toBe(false);
    expect(checkSignature(Buffer.from('abd  file\n'), sig, await loadPublicKey(one.publicKey))).toBe(false);
    await expect(generateKeyPair(join(dir, 'one'))).rejects.toBeInstanceOf(ConfigError);
    await expect(loadPublicKey(one.privateKey)).resolves.toBeDefined();
    await expect(loadPrivateKey(one.publicKey)).rejects.toBeInstanceOf(ConfigError);
  });
});
