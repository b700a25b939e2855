import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectStorageProbeUrl, probeHttp, probeWebSocket, webSocketVariants } from './net-probes.js';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/im-minio-api/minio/health/live') res.writeHead(200).end();
    else if (req.url === '/msg_gateway' && req.headers.upgrade !== 'websocket')
      res.writeHead(400).end('missing upgrade');
    else res.writeHead(404).end();
  });
  // A real handshake on /msg_gateway: 101 Switching Protocols.
  server.on('upgrade', (req, socket) => {
    if (req.url === '/msg_gateway')
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('network probes (loopback servers)', () => {
  it('MinIO health through the external address', async () => {
    expect(objectStorageProbeUrl(`http://${base}/im-minio-api/`, 'minio')).toBe(
      `http://${base}/im-minio-api/minio/health/live`,
    );
    expect(await probeHttp(objectStorageProbeUrl(`http://${base}/im-minio-api`, 'minio'))).toMatchObject({
      status: 200,
    });
    expect(await probeHttp(objectStorageProbeUrl(`http://${base}/wrong`, 'minio'))).toMatchObject({ status: 404 });
    const refused = await probeHttp('http://127.0.0.1:1/');
    expect(refused.status).toBeUndefined();
    expect(refused.error).toBeTruthy();
  });

  it('WebSocket: a real 101, the 404 of a missing route, and both spellings of the path', async () => {
    expect(await probeWebSocket(`ws://${base}/msg_gateway`)).toMatchObject({ status: 101 });
    expect(await probeWebSocket(`ws://${base}/msg_gateway/`)).toMatchObject({ status: 404 });
    expect(webSocketVariants('wss://im.example.com/msg_gateway')).toEqual([
      'wss://im.example.com/msg_gateway',
      'wss://im.example.com/msg_gateway/',
    ]);
    expect((await probeWebSocket('ws://127.0.0.1:1/msg_gateway')).error).toBeTruthy();
  });
});
