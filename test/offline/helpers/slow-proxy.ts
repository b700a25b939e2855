// A TCP proxy that passes responses at a limited rate: slow enough that a
// `bundle create` through it can be killed halfway.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './ports.js';

export interface SlowProxy {
  host: string;
  stop(): Promise<void>;
}

export async function startSlowProxy(target: string, bytesPerSecond: number): Promise<SlowProxy> {
  const [targetHost, targetPort] = target.split(':');
  const port = await freePort();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), targetHost!);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      upstream.pause();
      let offset = 0;
      const step = () => {
        if (client.destroyed) return;
        const piece = chunk.subarray(offset, offset + Math.max(1024, Math.floor(bytesPerSecond / 20)));
        offset += piece.length;
        client.write(piece);
        if (offset < chunk.length) setTimeout(step, 50);
        else setTimeout(() => upstream.resume(), 50);
      };
      step();
    });
    upstream.on('end', () => client.end());
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
