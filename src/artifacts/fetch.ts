// Brings an artifact to a local file and proves it is the pinned one. Sources:
// an HTTP(S) URL (streamed, resumed with a Range request after an
// interruption, progress reported) or a local file. The file appears at `to`
// only when its SHA-256 matches; a mismatch deletes what was fetched and
// refuses. Requests go through the HTTP stack (src/http/). The one exception is a file an offline bundle already verified
// (`verifiedBy`): its pin is the bundle's signed checksum list.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sendWithRetry, type HttpOptions } from '../http/request.js';
import { CertificateError } from '../http/tls.js';
import { hashFile } from '../util/hash.js';
import { DeployError, EXIT } from '../errors.js';

const SHA256_PATTERN = /^[a-f0-9]{64}$/;

export class ChecksumError extends DeployError {
  readonly code = 'CHECKSUM_MISMATCH';
  readonly exitStatus = EXIT.failed;
  constructor(
    readonly artifact: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `SHA-256 mismatch for ${artifact}: expected ${expected}, got ${actual}; refusing it (the download was deleted)`,
    );
    this.name = 'ChecksumError';
  }
}

export class FetchError extends DeployError {
  readonly code = 'DOWNLOAD_FAILED';
  readonly exitStatus = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

export type ArtifactSource = { url: string } | { file: string };

export interface FetchOptions {
  source: ArtifactSource;
  sha256: string;
  to: string;
  /** With an empty sha256: who already verified this file (it is then hashed and accepted). */
  verifiedBy?: string;
  signal?: AbortSignal;
  /** Progress lines, throttled. */
  report?: (text: string) => void;
  /** Abort a download that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Minimum time between progress lines (default 1 s). */
  progressIntervalMs?: number;
  /** Retries and the fetch to use: registryTls(...).fetch trusts a custom CA (http/tls.ts). */
  http?: Pick<HttpOptions, 'fetch' | 'retries' | 'retryDelayMs' | 'userAgent'>;
}

export interface FetchResult {
  how: 'cached' | 'downloaded' | 'resumed' | 'copied';
  bytes: number;
  sha256: string;
}

function describeSource(source: ArtifactSource): string {
  return 'url' in source ? source.url : source.file;
}

const MiB = 1024 * 1024;
const mib = (n: number) => (n / MiB).toFixed(1);

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Counts and hashes what flows through, and reports progress. */
function meter(
  hash: Hash,
  name: string,
  already: number,
  total: number | undefined,
  options: FetchOptions,
  onData?: () => void,
): Transform {
  let done = already;
  let last = 0;
  const started = Date.now();
  const interval = options.progressIntervalMs ?? 1000;
  const line = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = `${mib((done - already) / seconds)} MiB/s`;
    const of = total ? ` / ${mib(total)} MiB (${Math.floor((done / total) * 100)}%)` : ' MiB';
    return `${name}: ${mib(done)}${of}, ${rate}`;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      done += chunk.length;
      onData?.();
      const now = Date.now();
      if (options.report && now - last >= interval) {
        last = now;
        options.report(line());
      }
      callback(null, chunk);
    },
    flush(callback) {
      options.report?.(line());
      callback();
    },
  });
}

async function download(
  url: string,
  partial: string,
  name: string,
  options: FetchOptions,
): Promise<{ hash: Hash; resumed: boolean; bytes: number }> {
  const have = (await sizeOf(partial)) ?? 0;
  const idle = new AbortController();
  const signals = [idle.signal, ...(options.signal ? [options.signal] : [])];
  const signal = AbortSignal.any(signals);
  const idleMs = options.idleTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new FetchError(`${url}: no data for ${idleMs / 1000}s`)), idleMs);
  };
  try {
    const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
    let response: Response;
    try {
      // The HTTP stack's request: retried on network errors and busy answers (Retry-After honoured),
      // `idleMs` to the headers, the caller's CAs through `http.fetch`.
      const http: HttpOptions = {
        ...options.http,
        timeoutMs: idleMs,
        ...(options.signal ? { signal: options.signal } : {}),
      };
      response = (await sendWithRetry(url, () => ({ headers }), http)).response;
    } catch (e) {
      if (options.signal?.aborted || e instanceof CertificateError) throw e;
      throw new FetchError(`cannot download ${(e as Error).message}`);
    }
    touch();
    let resumed = false;
    if (response.status === 416 && have > 0) {
      // The partial file is already whole (the previous run was cut after the last byte).
      await response.body?.cancel();
      return { hash: await hashFile(partial), resumed: true, bytes: have };
    }
    if (response.status === 206 && have > 0) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        await response.body?.cancel();
        throw new FetchError(
          `${url}: the server answered a resume request with an unexpected range (${response.headers.get('content-range') ?? 'none'}); delete ${partial} and retry`,
        );
      }
      resumed = true;
    } else if (response.status !== 200) {
      await response.body?.cancel();
      throw new FetchError(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
    }
    if (!response.body) throw new FetchError(`${url}: empty response`);
    const hash = resumed ? await hashFile(partial) : createHash('sha256');
    const start = resumed ? have : 0;
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? start + length : undefined;
    if (resumed) options.report?.(`${name}: resuming at ${mib(have)} MiB`);
    const out = createWriteStream(partial, { flags: resumed ? 'a' : 'w', mode: 0o644 });
    try {
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
        meter(hash, name, start, total, options, touch),
        out as Writable,
        { signal },
      );
    } catch (e) {
      if (options.signal?.aborted) throw e;
      const why = idle.signal.aborted ? (idle.signal.reason as Error).message : (e as Error).message;
      // The partial file stays: the next attempt resumes from where this one stopped.
      throw new FetchError(
        `download of ${url} interrupted after ${mib((await sizeOf(partial)) ?? 0)} MiB (${why}); re-run to resume`,
      );
    }
    const bytes = (await sizeOf(partial)) ?? 0;
    if (total !== undefined && bytes !== total)
      throw new FetchError(`download of ${url} ended at ${bytes} of ${total} bytes; re-run to resume`);
    return { hash, resumed, bytes };
  } finally {
    clearTimeout(timer);
  }
}

async function copyStream(
  source: Readable,
  partial: string,
  name: string,
  total: number | undefined,
  options: FetchOptions,
): Promise<{ hash: Hash; bytes: number }> {
  const hash = createHash('sha256');
  await pipeline(
    Readable.from(source),
    meter(hash, name, 0, total, options),
    createWriteStream(partial, { mode: 0o644 }) as Writable,
    options.signal ? { signal: options.signal } : {},
  );
  return { hash, bytes: (await sizeOf(partial)) ?? 0 };
}

/** Fetch (or reuse) an artifact at `to`, verified against its pinned SHA-256. */
export async function fetchArtifact(options: FetchOptions): Promise<FetchResult> {
  const { source, to } = options;
  const label = describeSource(source);
  const expected = options.sha256.toLowerCase();
  const trusted = expected === '' && options.verifiedBy !== undefined && 'file' in source;
  if (!trusted && !SHA256_PATTERN.test(expected))
    throw new FetchError(`no pinned SHA-256 for ${label}: refusing to use an unverified artifact`);
  const name = basename(to);
  await mkdir(dirname(to), { recursive: true });

  // Already here from an earlier run: reuse only if it is still the pinned file.
  if (!trusted && (await sizeOf(to)) !== undefined) {
    if ((await hashFile(to)).digest('hex') === expected) {
      options.report?.(`${name}: already verified`);
      return { how: 'cached', bytes: (await sizeOf(to))!, sha256: expected };
    }
    await rm(to, { force: true });
  }

  const partial = `${to}.partial`;
  let result: { hash: Hash; bytes: number; how: FetchResult['how'] };
  if ('url' in source) {
    const got = await download(source.url, partial, name, options);
    result = { ...got, how: got.resumed ? 'resumed' : 'downloaded' };
  } else {
    await rm(partial, { force: true });
    const total = await sizeOf(source.file);
    if (total === undefined) throw new FetchError(`artifact file ${source.file} does not exist`);
    result = { ...(await copyStream(createReadStream(source.file), partial, name, total, options)), how: 'copied' };
  }

  const actual = result.hash.digest('hex');
  if (!trusted && actual !== expected) {
    await rm(partial, { force: true });
    throw new ChecksumError(label, expected, actual);
  }
  await rename(partial, to);
  return { how: result.how, bytes: result.bytes, sha256: actual };
}
