// Ctrl-C during `bundle create` (issue #19, Medium 10): the command's signal
// stops the download in flight (its connection is closed, not left to finish),
// the run ends as an interrupt (UserAbort: exit 130 in main.ts), and no file
// under the final name appears. A loopback HTTP server sends half a file, then
// waits: the rest is sent only if nobody hung up, which is what today's code
// let happen (and then wrote a complete bundle and returned as if all was well).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../catalog/openim-versions.js';
import { RegistryClient } from '../oci/registry-client.js';
import { templatesDir } from '../util/package-root.js';
import { createBundle } from './create.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

interface HalfServer {
  url: string;
  /** Resolves when the first half has been sent. */
  halfSent: Promise<void>;
  /** Whether the client hung up before the rest was sent. */
  hungUp: () => boolean;
  /** Whether the rest was sent. */
  finished: () => boolean;
}

async function halfServer(bytes: Buffer, waitMs: number): Promise<HalfServer> {
  let hungUp = false;
  let finished = false;
  let onHalf!: () => void;
  const halfSent = new Promise<void>((r) => (onHalf = r));
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': String(bytes.length) });
    res.on('close', () => {
      if (!finished) hungUp = true;
    });
    res.write(bytes.subarray(0, bytes.length / 2), () => onHalf());
    setTimeout(() => {
      if (hungUp) return;
      finished = true;
      res.end(bytes.subarray(bytes.length / 2));
    }, waitMs);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/openim-server.tar.gz`,
    halfSent,
    hungUp: () => hungUp,
    finished: () => finished,
  };
}

describe('bundle create interrupted by Ctrl-C', () => {
  it('aborts the download in flight, rejects as an interrupt, and writes no bundle under the final name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oid-create-interrupt-'));
    const output = join(dir, 'bundle.tar');
    const http = await halfServer(randomBytes(512 * 1024), 1500);
    const controller = new AbortController();
    const run = createBundle({
      output,
      contents: {
        components: ['openim-server'],
        gaps: [],
        images: [],
        charts: [],
        files: [{ id: 'openim-server', name: 'openim-server.tar.gz', arch: 'amd64', source: http.url, sha256: '' }],
      },
      platforms: [{ os: 'linux', architecture: 'amd64' }],
      meta: {
        target: 'binary',
        profile: 'dev',
        openim: { serverVersion: DEFAULT_SERVER_VERSION, chatVersion: DEFAULT_CHAT_VERSION },
        createdBy: 'test',
      },
      templatesDir: templatesDir(),
      concurrency: 2,
      client: new RegistryClient({ signal: controller.signal }),
      http: { signal: controller.signal },
      signal: controller.signal,
    });
    const settled = run.then(
      () => undefined,
      (error: Error) => error,
    );
    // Ctrl-C once the first half has reached the scratch file: the body is streaming.
    await http.halfSent;
    const part = join(`${output}.partial.d`, 'file-openim-server.tar.gz.part');
    for (let i = 0; i < 100 && !(existsSync(part) && statSync(part).size > 0); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(statSync(part).size).toBeGreaterThan(0);
    controller.abort();
    const error = await settled;
    // The server sees the hang-up a moment after the client closes the socket.
    for (let i = 0; i < 50 && !http.hungUp() && !http.finished(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(error, 'createBundle returned as if the interrupted run were complete').toBeInstanceOf(Error);
    expect(error!.name).toBe('UserAbort');
    expect(http.hungUp(), 'the download went on after Ctrl-C').toBe(true);
    expect(http.finished()).toBe(false);
    expect(existsSync(output)).toBe(false);
    // What is left is named as unfinished (and is what a re-run resumes from).
    expect(readdirSync(dir).every((n) => n.startsWith('bundle.tar.partial'))).toBe(true);
  });
});
