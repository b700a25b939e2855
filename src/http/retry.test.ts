// The retry policy every request shares (fetch and node:http alike): fake
// timers prove the wait is the server's Retry-After, not the backoff.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3Client } from '../backup/s3.js';
import { sendWithRetry } from './request.js';
import { retryAfterMs } from './retry.js';

afterEach(() => vi.useRealTimers());

/** A fetch that answers the given statuses in turn (with their headers), counting calls. */
function scripted(answers: { status: number; headers?: Record<string, string> }[]) {
  const calls: number[] = [];
  const fetch = (async () => {
    const answer = answers[Math.min(calls.length, answers.length - 1)]!;
    calls.push(answer.status);
    return new Response(answer.status === 204 ? null : 'body', {
      status: answer.status,
      ...(answer.headers ? { headers: answer.headers } : {}),
    });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('retries', () => {
  it('waits what Retry-After (seconds) says, not the backoff, then tries again', async () => {
    vi.useFakeTimers();
    const { fetch, calls } = scripted([{ status: 503, headers: { 'retry-after': '7' } }, { status: 200 }]);
    const sent = sendWithRetry('http://registry.test/v2/', () => ({}), { fetch, retryDelayMs: 10 });
    await vi.advanceTimersByTimeAsync(6_999);
    expect(calls).toEqual([503]);
    await vi.advanceTimersByTimeAsync(1);
    expect((await sent).response.status).toBe(200);
    expect(calls).toEqual([503, 200]);
  });

  it('takes an HTTP date too, and caps any wait at a minute', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:00 GMT', now + 5_000)).toBe(0);
    expect(retryAfterMs('3600', now)).toBe(60_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('without Retry-After backs off exponentially; after the last retry the answer is returned', async () => {
    vi.useFakeTimers();
    const { fetch, calls } = scripted([{ status: 502 }]);
    const sent = sendWithRetry('http://registry.test/v2/', () => ({}), { fetch, retries: 2, retryDelayMs: 100 });
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect((await sent).response.status).toBe(502);
    expect(calls).toHaveLength(3);
  });

  it('a status that is not retryable is returned at once', async () => {
    const { fetch, calls } = scripted([{ status: 404 }]);
    expect((await sendWithRetry('http://registry.test/v2/', () => ({}), { fetch })).response.status).toBe(404);
    expect(calls).toEqual([404]);
  });
});

describe('upload retries (node:http, S3)', () => {
  let server: Server | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  it('a PUT answered 503 is sent again whole, its file read anew', async () => {
    const received: { status: number; body: string; path: string }[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = received.length === 0 ? 503 : 200;
        received.push({ status, body: Buffer.concat(chunks).toString(), path: req.url ?? '' });
        res.writeHead(status, status === 503 ? { 'retry-after': '0' } : {}).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'oid-s3-'));
    dirs.push(dir);
    const file = join(dir, 'backup.tar');
    writeFileSync(file, 'x'.repeat(100_000));
    const s3 = new S3Client(
      {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: 'us-east-1',
        accessKey: 'AK',
        secretKey: 'SK',
      },
      { retryDelayMs: 1 },
    );
    await s3.put('backups', 'openim/a b.tar', file, 100_000);
    expect(received.map((r) => [r.status, r.body.length, r.path])).toEqual([
      [503, 100_000, '/backups/openim/a%20b.tar'],
      [200, 100_000, '/backups/openim/a%20b.tar'],
    ]);
  });
});
