// Readiness probes used by `wait` actions. Network probes are real sockets
// and HTTP; tests point them at loopback servers.

import { connect } from 'node:net';
import type { Probe } from '../plan/types.js';
import type { Runner } from '../process/runner.js';
import { materialise } from '../secrets/secrets.js';
import type { SecretValues } from '../secrets/secrets.js';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import { CHAT_ADMIN_SECRET } from '../chat-admin/credentials.js';
import { startForward } from '../process/port-forward.js';
import { callApi } from '../verify/api.js';
import { runVerify } from '../verify/checks.js';
import { buildReport, problems } from '../verify/report.js';

interface ProbeContext {
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

/** The API and its auth RPC serve: get_admin_token answers errCode 0 (open-im-server internal/api/router.go@v3.8.3:199). */
export async function openimAdminToken(
  apiUrl: string,
  secret: string,
  adminUserID: string,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  try {
    await callApi(
      apiUrl,
      '/auth/get_admin_token',
      { secret, userID: adminUserID },
      { timeoutMs: 10_000, ...(signal ? { signal } : {}) },
    );
    return { ok: true, detail: `${apiUrl} gave an admin token` };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

/** One run of every verify check; the detail lists what failed, or what passed with its time. */
async function openimVerify(
  probe: Extract<Probe, { kind: 'openim-verify' }>,
  secrets: Partial<SecretValues>,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const started = performance.now();
  const checks = await runVerify({
    endpoints: probe.endpoints,
    credentials: {
      secret: materialise(probe.secret, secrets),
      imAdminUserID: probe.adminUserID,
      superCode: materialise(probe.superCode, secrets),
      chatAdminAccount: OPENIM_DEFAULTS.chatAdminAccount,
      chatAdminPassword: secrets[CHAT_ADMIN_SECRET] ?? '',
    },
    chat: probe.chat,
    openRegistration: probe.openRegistration,
    deliveryTimeoutMs: probe.deliveryTimeoutSeconds * 1000,
    ...(signal ? { signal } : {}),
  });
  const report = buildReport('direct', probe.endpoints, checks, Math.round(performance.now() - started));
  if (report.passed)
    return {
      ok: true,
      detail: checks.map((c) => (c.status === 'passed' ? `${c.id} ok ${c.ms} ms` : `${c.id} ${c.status}`)).join(', '),
    };
  return { ok: false, detail: problems(report).join('; ') };
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
      const result = await ctx.runner.run(
        probe.argv.map((a) => materialise(a, ctx.secrets)),
        { cwd: ctx.cwd, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      );
      return {
        ok: result.exitCode === 0,
        detail: result.exitCode === 0 ? 'ok' : (result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}`),
      };
    }
    case 'openim-admin-token': {
      const secret = materialise(probe.secret, ctx.secrets);
      if (!probe.portForward) return openimAdminToken(probe.apiUrl, secret, probe.adminUserID, ctx.signal);
      let forward;
      try {
        forward = await startForward(probe.portForward, ctx.signal);
      } catch (e) {
        if (ctx.signal?.aborted) throw e;
        return { ok: false, detail: (e as Error).message };
      }
      try {
        return await openimAdminToken(`http://127.0.0.1:${forward.localPort}`, secret, probe.adminUserID, ctx.signal);
      } finally {
        forward.stop();
      }
    }
    case 'openim-verify':
      try {
        return await openimVerify(probe, ctx.secrets, ctx.signal);
      } catch (e) {
        if (ctx.signal?.aborted) throw e;
        return { ok: false, detail: `${probe.endpoints.api}: ${(e as Error).message}` };
      }
  }
};
