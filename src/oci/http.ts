// HTTP with the failure handling every registry and chart repository needs:
// retries with backoff on network errors, 429 and 5xx (honouring Retry-After),
// a timeout until the headers arrive and an idle timeout while a body streams.

import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserAbort } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { CERTIFICATE_HINT, CertificateError, isCertificateError } from './tls.js';

export interface HttpOptions {
  /** Attempts after the first one. */
  retries?: number;
  /** First backoff; doubled on each attempt. */
  retryDelayMs?: number;
  /** Until the response headers arrive. */
  timeoutMs?: number;
  /** Longest pause between two chunks of a body. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Injectable for tests that count requests; defaults to the global fetch. */
  fetch?: typeof fetch;
  userAgent?: string;
  /** TLS settings per host for requests made outside fetch (streamed uploads); see oci/tls.ts. */
  tlsFor?: (host: string) => TlsSettings | undefined;
}

export interface TlsSettings {
  /** The whole list of CAs to trust (system roots included). */
  ca?: string[];
  rejectUnauthorized?: boolean;
}

export class HttpError extends Error {
  readonly status: number;
  readonly url: string;
  constructor(message: string, status: number, url: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.url = url;
  }
}

export interface SentResponse {
  response: Response;
  /** Aborts this request (and its body); used by the idle watchdog. */
  abort: (reason: Error) => void;
}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUS.has(status);
}

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, 60_000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.min(Math.max(at - Date.now(), 0), 60_000) : undefined;
}

export function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: Error & { code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}

/** One request, no retries: a fresh AbortController joined to the caller's signal. */
export async function sendOnce(url: string | URL, init: RequestInit, options: HttpOptions = {}): Promise<SentResponse> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(new UserAbort());
  if (options.signal?.aborted) throw new UserAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = setTimeout(() => controller.abort(new Error(`no response from ${new URL(url).host} within ${(options.timeoutMs ?? 60_000) / 1000}s`)), options.timeoutMs ?? 60_000);
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', options.userAgent ?? 'openim-deploy');
  try {
    const response = await (options.fetch ?? fetch)(url, { ...init, headers, signal: controller.signal, redirect: 'follow' });
    return { response, abort: (reason) => controller.abort(reason) };
  } catch (error) {
    if (options.signal?.aborted) throw new UserAbort();
    const reason = controller.signal.reason as Error | undefined;
    throw reason && !(reason instanceof UserAbort) ? reason : error;
  } finally {
    clearTimeout(timeout);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A request retried on network errors and retryable statuses. `init` is a
 * factory so each attempt gets a fresh body. Other statuses are returned.
 */
export async function sendWithRetry(url: string | URL, init: () => RequestInit, options: HttpOptions = {}): Promise<SentResponse> {
  const retries = options.retries ?? 4;
  let delay = options.retryDelayMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    let wait = delay;
    try {
      const sent = await sendOnce(url, init(), options);
      if (!isRetryableStatus(sent.response.status) || attempt >= retries) return sent;
      wait = retryAfterMs(sent.response) ?? delay;
      await sent.response.body?.cancel().catch(() => undefined);
    } catch (error) {
      if (error instanceof UserAbort) throw error;
      // A certificate that is not trusted now will not be trusted on the next attempt either.
      const certificate = isCertificateError((error as { cause?: { code?: string } }).cause?.code);
      if (certificate) throw new CertificateError(`${String(url)}: ${describeFetchError(error)}: ${CERTIFICATE_HINT}`);
      if (attempt >= retries) throw new Error(`${String(url)}: ${describeFetchError(error)}`);
    }
    await sleep(wait, options.signal, () => new UserAbort());
    delay *= 2;
  }
}

/**
 * The response body as a Node stream that fails when no chunk arrives for `idleTimeoutMs`,
 * and when the caller's signal fires: sendOnce stops listening once the headers are in, so
 * without this a Ctrl-C would let a multi-gigabyte body stream on to its end.
 */
export function bodyStream(sent: SentResponse, options: HttpOptions = {}): Readable {
  const body = sent.response.body;
  if (!body) return Readable.from([]);
  if (options.signal?.aborted) {
    sent.abort(new UserAbort());
    // A stream that fails on its first read, as a cancelled download does.
    // eslint-disable-next-line require-yield -- it throws before anything could be yielded
    const failing = async function* () {
      throw new UserAbort();
    };
    return Readable.from(failing());
  }
  const idleMs = options.idleTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    clearTimeout(timer);
    sent.abort(new UserAbort());
    watchdog.destroy(new UserAbort());
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => sent.abort(new Error(`download stalled: no data for ${idleMs / 1000}s`)), idleMs);
  };
  const watchdog = new Transform({
    transform(chunk: Buffer, _enc, done) {
      arm();
      done(null, chunk);
    },
    flush(done) {
      clearTimeout(timer);
      done();
    },
  });
  watchdog.on('close', () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  arm();
  const source = Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>);
  source.on('error', (error) => watchdog.destroy(error));
  return source.pipe(watchdog);
}

/** A whole (bounded) body in memory; `signal` (the command's Ctrl-C) stops it like any other body. */
export async function readBody(sent: SentResponse, limit = 32 * 1024 * 1024, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of bodyStream(sent, signal ? { signal } : {})) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      sent.abort(new Error('too large'));
      throw new Error(`response from ${sent.response.url} is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function discard(sent: SentResponse): Promise<void> {
  await sent.response.body?.cancel().catch(() => undefined);
}

export interface StreamedResponse {
  status: number;
  headers: Headers;
  url: string;
  /** The (small) response body, for error messages. */
  text: string;
}

/**
 * A request whose body is a stream, over node:http(s): backpressure is the
 * socket's, so a multi-gigabyte layer never sits in memory (fetch buffered
 * such bodies). Not retried: a stream cannot be replayed.
 */
export async function sendStream(url: string, init: { method: string; headers: Record<string, string>; body: Readable }, options: HttpOptions = {}): Promise<StreamedResponse> {
  const target = new URL(url);
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const { pipeline } = await import('node:stream/promises');
  if (options.signal?.aborted) throw new UserAbort();
  return new Promise<StreamedResponse>((resolve, reject) => {
    const tls = target.protocol === 'https:' ? options.tlsFor?.(target.host) : undefined;
    const req = request(target, { method: init.method, headers: { 'user-agent': options.userAgent ?? 'openim-deploy', ...init.headers }, ...(options.signal ? { signal: options.signal } : {}), ...tls }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size < 64 * 1024) chunks.push(c);
      });
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers, url, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(options.idleTimeoutMs ?? 60_000, () => req.destroy(new Error(`upload to ${target.host} stalled`)));
    req.on('error', (error) => reject(options.signal?.aborted ? new UserAbort() : error));
    pipeline(init.body, req).catch((error: Error) => reject(options.signal?.aborted ? new UserAbort() : error));
  });
}
