// Network checks `doctor` runs from this machine, as a client would:
// the object storage external address (presigned URLs point there, pain
// point 1) and the WebSocket route with a real Upgrade handshake (pain
// point 10: proxies that drop the Upgrade headers, or route only
// `/msg_gateway/`). Tests point them at loopback servers.

import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface NetResult {
  url: string;
  /** HTTP status, 101 for an accepted upgrade; undefined when no HTTP answer came. */
  status?: number;
  error?: string;
}

export async function probeHttp(url: string, timeoutMs = 5000, fetchImpl: typeof fetch = fetch): Promise<NetResult> {
  try {
    const response = await fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    return { url, status: response.status };
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause;
    return { url, error: cause?.message ?? (e as Error).message };
  }
}

/** MinIO answers 200 on /minio/health/live; for other providers any HTTP answer shows the address is reachable. */
export function objectStorageProbeUrl(externalAddress: string, provider: string | undefined): string {
  const base = externalAddress.replace(/\/+$/, '');
  return provider === 'minio' ? `${base}/minio/health/live` : `${base}/`;
}

/**
 * A WebSocket handshake without a token: OpenIM's gateway answers it (an
 * error frame or a 4xx), while a proxy without the route answers 404 and
 * one that strips Upgrade answers like a plain GET. Only the status is read.
 */
export function probeWebSocket(wsUrl: string, timeoutMs = 5000): Promise<NetResult> {
  const httpUrl = wsUrl.replace(/^ws(s?):/, 'http$1:');
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(httpUrl);
    } catch {
      resolve({ url: wsUrl, error: 'not a URL' });
      return;
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, {
      method: 'GET',
      timeout: timeoutMs,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    const done = (r: NetResult) => {
      req.destroy();
      resolve(r);
    };
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      done({ url: wsUrl, status: res.statusCode ?? 101 });
    });
    req.on('response', (res) => {
      res.resume();
      done({ url: wsUrl, status: res.statusCode ?? 0 });
    });
    req.on('timeout', () => done({ url: wsUrl, error: `no answer in ${timeoutMs} ms` }));
    req.on('error', (e) => done({ url: wsUrl, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

/** Both spellings of the gateway path: some proxies route only one of them. */
export function webSocketVariants(wsUrl: string): string[] {
  const trimmed = wsUrl.replace(/\/+$/, '');
  return trimmed === wsUrl ? [wsUrl, `${wsUrl}/`] : [wsUrl, trimmed];
}
