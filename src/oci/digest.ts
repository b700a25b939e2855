// Content digests: the identity of every blob and manifest. Only sha256 is
// produced; anything else read from a registry is refused rather than trusted.

import { sha256Hex } from '../util/hash.js';

export type Digest = `sha256:${string}`;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(text: string): text is Digest {
  return DIGEST.test(text);
}

function assertDigest(text: string, what = 'digest'): Digest {
  if (!isDigest(text)) throw new Error(`${what} "${text}" is not a sha256 digest`);
  return text;
}

export function digestOf(data: Buffer | string): Digest {
  return `sha256:${sha256Hex(data)}`;
}

/** The hex part, used as a file name under blobs/sha256/. */
export function digestHex(digest: string): string {
  return assertDigest(digest).slice('sha256:'.length);
}
