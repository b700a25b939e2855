import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChecksumError, fetchArtifact, FetchError } from './fetch.js';

const payload = randomBytes(3 * 1024 * 1024 + 123);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const good = sha(payload);

/** A loopback file server with Range support; `cutAfter` drops the connection mid-body once. */
const serverState = { cutAfter: 0, ranges: [] as string[], requests: 0, body: payload, ignoreRange: false };
let server: Server;
let base: string;

function handler(req: IncomingMessage, res: ServerResponse): void {
  serverState.requests++;
  if (req.url !== '/artifact.tar.gz') {
    res.writeHead(404).end('not found');
    return;
  }
  const body = serverState.body;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && !serverState.ignoreRange) serverState.ranges.push(req.headers.range!);
  let start = 0;
  if (range && !serverState.ignoreRange) {
    start = Number(range[1]);
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
  } else res.writeHead(200, { 'content-length': body.length });
  if (serverState.cutAfter > 0) {
    const cut = serverState.cutAfter;
    serverState.cutAfter = 0;
    res.write(body.subarray(start, start + cut), () => res.destroy());
    return;
  }
  res.end(body.subarray(start));
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fetch-test-'));
  Object.assign(serverState, { cutAfter: 0, ranges: [], requests: 0, body: payload, ignoreRange: false });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('fetchArtifact', () => {
  it('downloads, verifies and reports progress', async () => {
    const lines: string[] = [];
    const to = join(dir, 'a/artifact.tar.gz');
    const result = await fetchArtifact({
      source: { url: `${base}/artifact.tar.gz` },
      sha256: good,
      to,
      report: (t) => lines.push(t),
      progressIntervalMs: 0,
    });
    expect(result).toEqual({ how: 'downloaded', bytes: payload.length, sha256: good });
    expect(sha(readFileSync(to))).toBe(good);
    expect(lines.at(-1)).toMatch(/artifact\.tar\.gz: 3\.0 \/ 3\.0 MiB \(100%\)/);
    expect(existsSync(`${to}.partial`)).toBe(false);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const to = join(dir, 'artifact.tar.gz');
    serverState.cutAfter = 1024 * 1024;
    const first = await fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: good, to }).catch(
      (e: Error) => e,
    );
    expect(first).toBeInstanceOf(FetchError);
    expect((first as Error).message).toMatch(/interrupted after .* re-run to resume/);
    const partialSize = readFileSync(`${to}.partial`).length;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThan(payload.length);

    const lines: string[] = [];
    const second = await fetchArtifact({
      source: { url: `${base}/artifact.tar.gz` },
      sha256: good,
      to,
      report: (t) => lines.push(t),
    });
    expect(second.how).toBe('resumed');
    expect(serverState.ranges).toEqual([`bytes=${partialSize}-`]);
    expect(lines.some((l) => l.includes('resuming at'))).toBe(true);
    expect(sha(readFileSync(to))).toBe(good);
  });

  it('starts over when the server ignores the Range header', async () => {
    const to = join(dir, 'artifact.tar.gz');
    writeFileSync(`${to}.partial`, payload.subarray(0, 1000));
    serverState.ignoreRange = true;
    const result = await fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: good, to });
    expect(result.how).toBe('downloaded');
    expect(sha(readFileSync(to))).toBe(good);
  });

  it('accepts a partial file that is already complete (416)', async () => {
    const to = join(dir, 'artifact.tar.gz');
    writeFileSync(`${to}.partial`, payload);
    expect((await fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: good, to })).how).toBe('resumed');
  });

  it('refuses a tampered artifact and deletes it', async () => {
    const tampered = Buffer.from(payload);
    tampered[1000] = tampered[1000]! ^ 1;
    serverState.body = tampered;
    const to = join(dir, 'artifact.tar.gz');
    const error = await fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: good, to }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(ChecksumError);
    expect((error as ChecksumError).actual).toBe(sha(tampered));
    expect(existsSync(to)).toBe(false);
    expect(existsSync(`${to}.partial`)).toBe(false);
  });

  it('refuses without a pinned checksum, before any request', async () => {
    await expect(
      fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: '', to: join(dir, 'x') }),
    ).rejects.toThrow(/no pinned SHA-256/);
    expect(serverState.requests).toBe(0);
  });

  it('reuses a verified file without downloading, and replaces one that no longer matches', async () => {
    const to = join(dir, 'artifact.tar.gz');
    writeFileSync(to, payload);
    expect((await fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: good, to })).how).toBe('cached');
    expect(serverState.requests).toBe(0);
    writeFileSync(to, 'changed on disk');
    expect((await fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: good, to })).how).toBe(
      'downloaded',
    );
  });

  it('reports HTTP errors with the status', async () => {
    await expect(
      fetchArtifact({ source: { url: `${base}/missing.tar.gz` }, sha256: good, to: join(dir, 'x') }),
    ).rejects.toThrow(/HTTP 404/);
  });

  it('copies a local file, verifying it', async () => {
    const file = join(dir, 'local.tar.gz');
    writeFileSync(file, payload);
    const to = join(dir, 'out/artifact.tar.gz');
    expect((await fetchArtifact({ source: { file }, sha256: good, to })).how).toBe('copied');
    await expect(
      fetchArtifact({ source: { file }, sha256: 'a'.repeat(64), to: join(dir, 'out/other') }),
    ).rejects.toThrow(ChecksumError);
    expect(existsSync(join(dir, 'out/other'))).toBe(false);
  });

  it('accepts an unpinned file only when something else verified it (offline bundle)', async () => {
    const file = join(dir, 'staged.tar.gz');
    writeFileSync(file, payload);
    await expect(fetchArtifact({ source: { file }, sha256: '', to: join(dir, 'a') })).rejects.toThrow(
      /no pinned SHA-256/,
    );
    const result = await fetchArtifact({
      source: { file },
      sha256: '',
      verifiedBy: 'the offline bundle',
      to: join(dir, 'b'),
    });
    expect(result).toMatchObject({ how: 'copied', sha256: good });
    // A URL is never trusted that way.
    await expect(
      fetchArtifact({ source: { url: `${base}/artifact.tar.gz` }, sha256: '', verifiedBy: 'x', to: join(dir, 'c') }),
    ).rejects.toThrow(/no pinned SHA-256/);
  });
});
