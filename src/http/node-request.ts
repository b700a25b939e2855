// Requests over node:http(s) rather than fetch, for bodies that stream from
// disk (a registry blob, an S3 object): backpressure is the socket's, so a
// multi-gigabyte body never sits in memory (fetch buffered such bodies), and
// headers are sent exactly as given (S3 signs its Host header). TLS per host
// comes from HttpOptions.tlsFor (http/tls.ts), like fetch's dispatcher.

import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { UserAbort } from '../errors.js';
import type { HttpOptions } from './request.js';
import { withRetries } from './retry.js';

export interface NodeRequestInit {
  method: string;
  headers: Record<string, string>;
  /** Sent as it streams; nothing for a request without a body. */
  body?: Readable;
}

/** A URL, or an origin and a path sent exactly as given (already encoded, never normalised: a signature covers it). */
export type NodeTarget = string | { origin: string; path: string };

const describeTarget = (target: NodeTarget) => (typeof target === 'string' ? target : `${target.origin}${target.path}`);

/**
 * One request; resolves with the response once its headers are in (its body
 * is the caller's to read or resume). A pause of `idleTimeoutMs` in either
 * direction fails it; the caller's signal aborts it with UserAbort.
 */
async function nodeRequest(
  target: NodeTarget,
  init: NodeRequestInit,
  options: HttpOptions = {},
): Promise<IncomingMessage> {
  const url = new URL(typeof target === 'string' ? target : target.origin);
  const path = typeof target === 'string' ? `${url.pathname}${url.search}` : target.path;
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const { pipeline } = await import('node:stream/promises');
  if (options.signal?.aborted) throw new UserAbort();
  return new Promise<IncomingMessage>((resolve, reject) => {
    const tls = url.protocol === 'https:' ? options.tlsFor?.(url.host) : undefined;
    const req = request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        path,
        method: init.method,
        headers: { 'user-agent': options.userAgent ?? 'openim-deploy', ...init.headers },
        ...(options.signal ? { signal: options.signal } : {}),
        ...tls,
      },
      resolve,
    );
    req.setTimeout(options.idleTimeoutMs ?? 60_000, () =>
      req.destroy(new Error(`${init.body ? 'upload' : 'request'} to ${url.host} stalled`)),
    );
    const fail = (error: Error) => reject(options.signal?.aborted ? new UserAbort() : error);
    req.on('error', fail);
    if (init.body) pipeline(init.body, req).catch(fail);
    else req.end();
  });
}

/**
 * A request retried like sendWithRetry (retry.ts: network errors, retryable
 * statuses, Retry-After). `init` is a factory: each attempt streams its body
 * anew (a file opened again), which is what makes an upload retryable.
 */
export async function nodeRequestWithRetry(
  target: NodeTarget,
  init: () => NodeRequestInit,
  options: HttpOptions = {},
): Promise<IncomingMessage> {
  return withRetries(
    describeTarget(target),
    () => nodeRequest(target, init(), options),
    (res) => ({
      status: res.statusCode ?? 0,
      retryAfter: [res.headers['retry-after']].flat()[0],
      discard: async () => void res.resume(),
    }),
    options,
  );
}

export interface StreamedResponse {
  status: number;
  headers: Headers;
  url: string;
  /** The (small) response body, for error messages. */
  text: string;
}

/**
 * A request whose body is a stream, its (small) answer read whole. Not
 * retried: the registry client replays it itself after a 401 (a new token).
 */
export async function sendStream(
  url: string,
  init: { method: string; headers: Record<string, string>; body: Readable },
  options: HttpOptions = {},
): Promise<StreamedResponse> {
  const res = await nodeRequest(url, init, options);
  return new Promise<StreamedResponse>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size < 64 * 1024) chunks.push(c);
    });
    res.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      resolve({ status: res.statusCode ?? 0, headers, url, text: Buffer.concat(chunks).toString('utf8') });
    });
    res.on('error', (error) => reject(options.signal?.aborted ? new UserAbort() : error));
  });
}
