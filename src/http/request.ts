// HTTP with the failure handling every registry and chart repository needs:
// retries with backoff on network errors, 429 and 5xx (honouring Retry-After),
// a timeout until the headers arrive and an idle timeout while a body streams.

import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserAbort, DeployError, EXIT } from '../errors.js';
import { withRetries, type RetryOptions } from './retry.js';
import type { TlsSettings } from './tls.js';

export interface HttpOptions extends RetryOptions {
  /** Until the response headers arrive. */
  timeoutMs?: number;
  /** Longest pause between two chunks of a body. */
  idleTimeoutMs?: number;
  /** Injectable for tests that count requests; defaults to the global fetch. */
  fetch?: typeof fetch;
  userAgent?: string;
  /** TLS settings per host for requests made outside fetch (streamed uploads); see http/tls.ts. */
  tlsFor?: (host: string) => TlsSettings | undefined;
}

export class HttpError extends DeployError {
  readonly code = 'HTTP_FAILED';
  readonly exitStatus = EXIT.failed;
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

/** One request, no retries: a fresh AbortController joined to the caller's signal. */
export async function sendOnce(url: string | URL, init: RequestInit, options: HttpOptions = {}): Promise<SentResponse> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(new UserAbort());
  if (options.signal?.aborted) throw new UserAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = setTimeout(
    () =>
      controller.abort(
        new Error(`no response from ${new URL(url).host} within ${(options.timeoutMs ?? 60_000) / 1000}s`),
      ),
    options.timeoutMs ?? 60_000,
  );
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', options.userAgent ?? 'openim-deploy');
  try {
    const response = await (options.fetch ?? fetch)(url, {
      ...init,
      headers,
      signal: controller.signal,
      redirect: 'follow',
    });
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
 * A request retried on network errors and retryable statuses (retry.ts). `init`
 * is a factory so each attempt gets a fresh body. Other statuses are returned.
 */
export async function sendWithRetry(
  url: string | URL,
  init: () => RequestInit,
  options: HttpOptions = {},
): Promise<SentResponse> {
  return withRetries(
    url,
    () => sendOnce(url, init(), options),
    (sent) => ({
      status: sent.response.status,
      retryAfter: sent.response.headers.get('retry-after'),
      discard: () => discard(sent),
    }),
    options,
  );
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
