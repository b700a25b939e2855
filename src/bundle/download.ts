// Downloads into a scratch folder beside the bundle being written, resumable
// (a `.part` file is continued with a Range request) and verified before it
// is handed to the tar writer.

import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { HashCounter } from '../util/hash.js';
import { bodyStream, discard, HttpError, sendWithRetry, type HttpOptions } from '../http/request.js';

export interface Verified {
  file: string;
  sha256: string;
  size: number;
}

async function hashFile(file: string, counter: HashCounter): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) counter.update(chunk as Buffer);
}

/** Copies `stream` onto the end of `file`, hashing as it goes. */
async function appendTo(
  file: string,
  stream: AsyncIterable<Buffer>,
  counter: HashCounter,
  flags: 'a' | 'w',
): Promise<void> {
  const out = createWriteStream(file, { flags });
  try {
    for await (const chunk of stream) {
      counter.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

function check(what: string, counter: HashCounter, expected: { sha256?: string; size?: number }): string {
  const hex = counter.hex();
  if (expected.size !== undefined && counter.bytes !== expected.size)
    throw new Error(`${what}: got ${counter.bytes} bytes, expected ${expected.size}`);
  if (expected.sha256 && hex !== expected.sha256)
    throw new Error(`${what}: SHA-256 ${hex} does not match the pinned ${expected.sha256}`);
  return hex;
}

/**
 * Makes `dest` hold a verified copy. A complete `dest` from an earlier run is
 * re-hashed and kept; a `dest.part` is continued from where it stopped.
 * `open(offset)` returns the bytes from `offset` and the offset it honoured.
 */
export async function fetchVerified(
  what: string,
  dest: string,
  expected: { sha256?: string; size?: number },
  open: (offset: number) => Promise<{ stream: Readable | AsyncIterable<Buffer>; offset: number }>,
): Promise<Verified> {
  if (existsSync(dest)) {
    const counter = new HashCounter();
    await hashFile(dest, counter);
    try {
      return { file: dest, sha256: check(what, counter, expected), size: counter.bytes };
    } catch {
      await rm(dest, { force: true });
    }
  }
  const part = `${dest}.part`;
  let have = existsSync(part) ? (await stat(part)).size : 0;
  if (expected.size !== undefined && have > expected.size) have = 0;
  const { stream, offset } = await open(have);
  const counter = new HashCounter();
  if (offset > 0) await hashFile(part, counter);
  await appendTo(part, stream as AsyncIterable<Buffer>, counter, offset > 0 ? 'a' : 'w');
  let sha256: string;
  try {
    sha256 = check(what, counter, expected);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  await rename(part, dest);
  return { file: dest, sha256, size: counter.bytes };
}

/** The local path a source names (file:// URL or plain path), or undefined for http(s). */
export function localSource(url: string): string | undefined {
  if (/^https?:\/\//.test(url)) return undefined;
  return url.startsWith('file://') ? fileURLToPath(url) : url;
}

/** An opener for an http(s) URL (Range-resumable), file:// URL or local path. */
export function urlOpener(
  url: string,
  http: HttpOptions,
): (offset: number) => Promise<{ stream: Readable | AsyncIterable<Buffer>; offset: number }> {
  const path = localSource(url);
  if (path !== undefined) {
    return async (offset) => ({
      stream: createReadStream(path, { start: offset, highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>,
      offset,
    });
  }
  return async (offset) => {
    const sent = await sendWithRetry(
      url,
      (): RequestInit => ({ headers: offset > 0 ? { range: `bytes=${offset}-` } : ({} as Record<string, string>) }),
      http,
    );
    const status = sent.response.status;
    if (status !== 200 && status !== 206) {
      await discard(sent);
      throw new HttpError(`cannot download ${url}: HTTP ${status}`, status, url);
    }
    return { stream: bodyStream(sent, http), offset: status === 206 ? offset : 0 };
  };
}
