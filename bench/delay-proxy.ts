// A TCP proxy on loopback that delays every chunk by half a round trip in
// each direction: a registry "across a network" for P6, since this machine
// has no netem. Order is kept (constant delay, timers fire in order).
import { connect, createServer, type Socket } from 'node:net';

export interface DelayProxy {
  host: string;
  stop(): Promise<void>;
}

function delayed(from: Socket, to: Socket, ms: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, ms);
  });
  from.on('end', () => setTimeout(() => to.end(), ms));
}

export async function startDelayProxy(target: string, roundTripMs: number): Promise<DelayProxy> {
  const [host, port] = target.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), host!);
    sockets.add(client).add(upstream);
    delayed(client, upstream, roundTripMs / 2);
    delayed(upstream, client, roundTripMs / 2);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    // A side that closes has its last bytes still in flight: close the other one after them.
    const closeLater = () => setTimeout(close, roundTripMs);
    client.on('error', close).on('close', closeLater);
    upstream.on('error', close).on('close', closeLater);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('delay proxy: no port');
  return {
    host: `127.0.0.1:${address.port}`,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
