// The command's signal (Ctrl-C) stops a response body that is already
// streaming, not only a request still waiting for its headers: the connection
// is closed and the reader fails with UserAbort (exit 130 in main.ts).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyStream, readBody, sendWithRetry } from './request.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** Sends the headers and a first chunk, then nothing more until the client hangs up. */
async function stallingServer(): Promise<{ url: string; hungUp: Promise<void> }> {
  let onClose!: () => void;
  const hungUp = new Promise<void>((r) => (onClose = r));
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': String(1024 * 1024) });
    res.write(Buffer.alloc(1024));
    res.on('close', onClose);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hungUp };
}

describe('Ctrl-C while a body streams', () => {
  it('bodyStream fails with UserAbort and the connection is closed', async () => {
    const { url, hungUp } = await stallingServer();
    const controller = new AbortController();
    const sent = await sendWithRetry(url, () => ({}), { signal: controller.signal });
    const read = (async () => {
      for await (const _chunk of bodyStream(sent, { signal: controller.signal })) controller.abort();
    })();
    await expect(read).rejects.toMatchObject({ name: 'UserAbort' });
    await hungUp;
  });

  it('readBody too', async () => {
    const { url, hungUp } = await stallingServer();
    const controller = new AbortController();
    const sent = await sendWithRetry(url, () => ({}), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(readBody(sent, undefined, controller.signal)).rejects.toMatchObject({ name: 'UserAbort' });
    await hungUp;
  });
});
