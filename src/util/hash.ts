// SHA-256, the one hash that proves content here (artifact pins, bundle and
// backup checksum lists, OCI digests in oci/digest.ts): of bytes in memory, of
// a stream as it passes, of a file.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Counts and hashes bytes as they pass; used by every streaming copy. */
export class HashCounter {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Feeds a file's bytes into `hash` (a new SHA-256 unless given, e.g. to go on hashing a resumed download). */
export async function hashFile(path: string, hash: Hash = createHash('sha256')): Promise<Hash> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

/** The SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  return (await hashFile(path)).digest('hex');
}
