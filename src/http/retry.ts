// When to try a request again and how long to wait first: network errors and
// the statuses a busy or restarting server answers (408, 425, 429, 5xx
// gateways), with exponential backoff, or the server's Retry-After when it
// gives one (capped at a minute). Shared by fetch requests (request.ts) and
// node:http(s) requests with replayable bodies (node-request.ts: uploads, S3).

import { UserAbort } from '../errors.js';
import { sleep } from '../util/sleep.js';
import { CERTIFICATE_HINT, CertificateError, isCertificateError } from './tls.js';

export interface RetryOptions {
  /** Attempts after the first one. */
  retries?: number;
  /** First backoff; doubled on each attempt. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function isRetryableStatus(status: number): boolean {
  return RETRY_STATUS.has(status);
}

const MAX_RETRY_AFTER_MS = 60_000;

/** A Retry-After header (seconds, or an HTTP date) as a wait in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** A network error as one line, with the cause's code (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN…) when there is one. */
export function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: Error & { code?: string } };
  const cause = e.cause?.code ?? e.cause?.message ?? (e as { code?: string }).code;
  return cause ? `${e.message} (${cause})` : e.message;
}

/** What an attempt's answer says about retrying it. */
export interface Answer {
  status: number;
  retryAfter: string | null | undefined;
  /** Frees the answer that is thrown away for the next attempt (its body). */
  discard(): Promise<void>;
}

/**
 * Runs `attempt` until it answers a status that is not retryable or the
 * retries are used up (that answer is returned), or throws: at once for a
 * Ctrl-C or an untrusted certificate (retrying cannot help), else after the
 * last retry, naming `url`.
 */
export async function withRetries<T>(
  url: string | URL,
  attempt: () => Promise<T>,
  answer: (result: T) => Answer,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 4;
  let delay = options.retryDelayMs ?? 500;
  for (let n = 0; ; n++) {
    let wait = delay;
    try {
      const result = await attempt();
      const { status, retryAfter, discard } = answer(result);
      if (!isRetryableStatus(status) || n >= retries) return result;
      wait = retryAfterMs(retryAfter) ?? delay;
      await discard();
    } catch (error) {
      if (error instanceof UserAbort) throw error;
      // A certificate that is not trusted now will not be trusted on the next attempt either.
      // fetch puts the TLS code on the cause, node:https on the error itself.
      const e = error as { code?: string; cause?: { code?: string } };
      if (isCertificateError(e.cause?.code ?? e.code))
        throw new CertificateError(`${String(url)}: ${describeFetchError(error)}: ${CERTIFICATE_HINT}`);
      if (n >= retries) throw new Error(`${String(url)}: ${describeFetchError(error)}`);
    }
    await sleep(wait, options.signal, () => new UserAbort());
    delay *= 2;
  }
}
