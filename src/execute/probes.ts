// Readiness probes used by `wait` actions. Network probes are real sockets
// and HTTP; tests point them at loopback servers.

import { connect } from 'node:net';
import type { Probe } from '../plan/types.js';
import type { Runner } from '../exec/runner.js';
import { materialise } from '../secrets/secrets.js';
import type { SecretValues } from '../secrets/secrets.js';

export interface ProbeContext {
  runner: Runner;
  cwd: string;
  secrets: Partial<SecretValues>;
  signal?: AbortSignal;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export type ProbeFn = (probe: Probe, ctx: ProbeContext) => Promise<ProbeResult>;

export function tcpProbe(host: string, port: number, timeoutMs = 3000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean, detail: string) => {
      socket.destroy();
      resolve({ ok, detail });
    };
    socket.setTimeout(timeoutMs, () => done(false, `${host}:${port} timed out`));
    socket.once('connect', () => done(true, `${host}:${port} open`));
    socket.once('error', (e) => done(false, `${host}:${port} ${(e as NodeJS.ErrnoException).code ?? e.message}`));
  });
}

async function postJson(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<{ errCode: number; errMsg?: string; data?: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', operationID: `openim-deploy-${Date.now()}`, ...headers },
    body: JSON.stringify(body),
    signal: signal ?? AbortSignal.timeout(10_000),
  });
  if (!response.ok) return { errCode: -response.status, errMsg: `HTTP ${response.status}` };
  return (await response.json()) as { errCode: number; errMsg?: string; data?: Record<string, unknown> };
}

/** OPENIM.md §6: admin token → register a unique user → that user's token. */
export async function openimSmoke(apiUrl: string, secret: string, adminUserID: string, signal?: AbortSignal): Promise<ProbeResult> {
  const base = apiUrl.replace(/\/+$/, '');
  const admin = await postJson(`${base}/auth/get_admin_token`, { secret, userID: adminUserID }, {}, signal);
  if (admin.errCode !== 0) return { ok: false, detail: `get_admin_token: errCode ${admin.errCode} ${admin.errMsg ?? ''}`.trim() };
  const token = String(admin.data?.token ?? '');
  const userID = `smoke${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const reg = await postJson(`${base}/user/user_register`, { users: [{ userID, nickname: 'openim-deploy smoke test' }] }, { token }, signal);
  if (reg.errCode !== 0) return { ok: false, detail: `user_register: errCode ${reg.errCode} ${reg.errMsg ?? ''}`.trim() };
  const user = await postJson(`${base}/auth/get_user_token`, { platformID: 1, userID }, { token }, signal);
  if (user.errCode !== 0) return { ok: false, detail: `get_user_token: errCode ${user.errCode} ${user.errMsg ?? ''}`.trim() };
  return { ok: true, detail: `registered ${userID} and got a user token` };
}

export const defaultProbe: ProbeFn = async (probe, ctx) => {
  switch (probe.kind) {
    case 'tcp':
      return tcpProbe(probe.host, probe.port);
    case 'http': {
      try {
        const response = await fetch(probe.url, { signal: ctx.signal ?? AbortSignal.timeout(5000) });
        return { ok: response.status === probe.expectStatus, detail: `${probe.url} → ${response.status}` };
      } catch (e) {
        return { ok: false, detail: `${probe.url}: ${(e as Error).message}` };
      }
    }
    case 'exec': {
      const result = await ctx.runner.run(probe.argv.map((a) => materialise(a, ctx.secrets)), { cwd: ctx.cwd, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      return { ok: result.exitCode === 0, detail: result.exitCode === 0 ? 'ok' : result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}` };
    }
    case 'openim-smoke':
      try {
        return await openimSmoke(probe.apiUrl, materialise(probe.secret, ctx.secrets), probe.adminUserID, ctx.signal);
      } catch (e) {
        return { ok: false, detail: `${probe.apiUrl}: ${(e as Error).message}` };
      }
  }
};
