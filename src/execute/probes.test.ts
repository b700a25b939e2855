import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secretRef } from '../secrets/secrets.js';
import { defaultProbe } from './probes.js';

/** An OpenIM API stand-in for get_admin_token: errCode 0 for the right secret, else `failure`. */
function api(failure: {
  errCode: number;
  errMsg: string;
}): Promise<{ server: Server; port: number; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const body = JSON.parse(text) as { secret: string };
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          req.url === '/auth/get_admin_token' && body.secret === 'the-secret'
            ? { errCode: 0, data: { token: 't' } }
            : failure,
        ),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, bodies })),
  );
}

/** Talks like `kubectl port-forward` to `port` (the real one needs a cluster). */
function fakeKubectl(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'oid-probe-'));
  const path = join(dir, 'kubectl');
  writeFileSync(
    path,
    `#!${process.execPath}\nconsole.log('Forwarding from 127.0.0.1:${port} -> 10002'); setInterval(() => {}, 1000);\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

const ctx = {
  runner: { run: () => Promise.reject(new Error('no commands here')) } as never,
  cwd: '/',
  secrets: { 'openim.secret': 'the-secret' },
};

describe('openim-admin-token probe through a port-forward', () => {
  it('passes only when the API gives a token, with the secret filled in at run time', async () => {
    const ok = await api({ errCode: 1002, errMsg: 'wrong secret' });
    servers.push(ok.server);
    const probe = {
      kind: 'openim-admin-token' as const,
      apiUrl: 'http://openim-api.openim.svc:10002',
      secret: secretRef('openim.secret'),
      adminUserID: 'imAdmin',
      portForward: [fakeKubectl(ok.port), 'port-forward', 'svc/openim-api', ':10002'],
    };
    expect(await defaultProbe(probe, ctx)).toMatchObject({ ok: true });
    expect(ok.bodies).toEqual([{ secret: 'the-secret', userID: 'imAdmin' }]);
  });

  it('fails while the auth RPC cannot be reached (an errCode, not just any HTTP answer)', async () => {
    const down = await api({
      errCode: 14,
      errMsg: 'transport: Error while dialing: dial tcp :10200: connect: connection refused',
    });
    servers.push(down.server);
    const probe = {
      kind: 'openim-admin-token' as const,
      apiUrl: 'http://unused',
      secret: 'not-the-secret',
      adminUserID: 'imAdmin',
      portForward: [fakeKubectl(down.port), 'port-forward'],
    };
    const result = await defaultProbe(probe, ctx);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/errCode 14/);
  });

  it('fails (not throws) when kubectl port-forward cannot start', async () => {
    const probe = {
      kind: 'openim-admin-token' as const,
      apiUrl: 'http://unused',
      secret: 'x',
      adminUserID: 'imAdmin',
      portForward: ['/nonexistent/kubectl', 'port-forward'],
    };
    expect(await defaultProbe(probe, ctx)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/install kubectl/),
    });
  });
});
