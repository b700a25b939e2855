// The verify client against a loopback STAND-IN of OpenIM (test/helpers/openim-stand-in.ts):
// the logic of each check, the dependencies between them, and the error
// classification. Real OpenIM: npm run test:openim (h-harness).

import { afterEach, describe, expect, it } from 'vitest';
import { runVerify, THROWAWAY_NICKNAME, type VerifyOptions } from './checks.js';
import { buildReport } from './report.js';
import type { CheckResult } from './types.js';
import { startStandIn, type StandIn, type StandInOptions } from '../../test/helpers/openim-stand-in.js';

const creds = {
  secret: 's3cret',
  imAdminUserID: 'imAdmin',
  superCode: '314159',
  chatAdminAccount: 'chatAdmin',
  chatAdminPassword: 'adm1n-pass',
};
let standIn: StandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function verify(
  o: Partial<StandInOptions> = {},
  extra: Partial<VerifyOptions> = {},
): Promise<Record<string, CheckResult>> {
  standIn = await startStandIn({
    secret: creds.secret,
    superCode: creds.superCode,
    adminPassword: creds.chatAdminPassword,
    ...o,
  });
  const b = standIn.base;
  const results = await runVerify({
    endpoints: {
      api: `${b}/api`,
      ws: `${b.replace('http', 'ws')}/gw`,
      chat: `${b}/chat`,
      admin: `${b}/admin`,
      objectStorage: `${b}/minio`,
    },
    credentials: creds,
    chat: true,
    deliveryTimeoutMs: 1500,
    requestTimeoutMs: 3000,
    ...extra,
  });
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

describe('verify checks', () => {
  it('passes every check against a system that answers as OpenIM does, each timed', async () => {
    const r = await verify();
    for (const c of Object.values(r)) expect(c.status, `${c.id}: ${c.detail}`).toBe('passed');
    expect(Object.keys(r)).toHaveLength(13);
    expect(r['push-frame']!.detail).toMatch(/2001 frame in si_verify\w+_verify\w+, seq 1/);
    expect(r['object-download']!.detail).toMatch(/identical bytes/);
    // Throw-away users are marked and logged out.
    const marked = [...standIn!.users.values()].filter((u) => u.nickname === THROWAWAY_NICKNAME);
    expect(marked.length).toBe(3);
    expect(standIn!.loggedOut).toHaveLength(3);
    expect(
      buildReport('direct', { api: '', ws: '', chat: '', admin: '', objectStorage: '' }, Object.values(r), 1).passed,
    ).toBe(true);
  });

  it('a wrong secret fails the admin token and runs nothing that needs it', async () => {
    standIn = undefined;
    const r = await verify({ secret: 'other' });
    expect(r['admin-token']).toMatchObject({
      status: 'failed',
      errCode: 1002,
      kind: 'failure',
      call: 'POST /auth/get_admin_token',
    });
    for (const id of [
      'user-register',
      'user-token',
      'websocket-connect',
      'send-msg',
      'push-frame',
      'message-stored',
      'object-upload',
      'object-download',
    ]) {
      expect(r[id]!.status, id).toBe('not-run');
      expect(r[id]!.ms).toBe(0);
    }
    // chat does not depend on the server's admin token.
    expect(r['chat-register']!.status).toBe('passed');
    expect(
      buildReport('direct', { api: '', ws: '', chat: '', admin: '', objectStorage: '' }, Object.values(r), 1).passed,
    ).toBe(false);
  });

  it('classifies a FerretDB aggregation-pipeline error as a test-database gap, never passed', async () => {
    const r = await verify({
      fail: {
        '/api/msg/send_msg': {
          errCode: 500,
          errMsg: 'ServerInternalError',
          errDlt:
            'Unknown modifier: 0. Expected a valid update modifier or pipeline-style update specified as an array',
        },
      },
    });
    expect(r['send-msg']).toMatchObject({
      status: 'failed',
      kind: 'test-database-gap',
      errCode: 500,
      errMsg: 'ServerInternalError',
    });
    expect(r['push-frame']!.status).toBe('not-run');
    expect(r['message-stored']!.status).toBe('not-run');
  });

  it('an errCode 500 that is not a database gap stays a plain failure', async () => {
    const r = await verify({
      fail: {
        '/api/user/user_register': { errCode: 500, errMsg: 'ServerInternalError', errDlt: 'connection refused' },
      },
    });
    expect(r['user-register']).toMatchObject({ status: 'failed', kind: 'failure', errCode: 500 });
  });

  it('a missing push frame fails push-frame but the stored message still counts', async () => {
    const r = await verify({ noPush: true });
    expect(r['push-frame']!.status).toBe('failed');
    expect(r['push-frame']!.detail).toMatch(/no push frame/);
    expect(r['message-stored']!.status).toBe('passed');
  });

  it('an upload URL off the object storage external address fails with the reason', async () => {
    const r = await verify({ wrongUploadOrigin: true });
    expect(r['object-upload']!.status).toBe('failed');
    expect(r['object-upload']!.detail).toMatch(/not the object storage external address/);
    expect(r['object-download']!.status).toBe('not-run');
  });

  it("a wrong admin password fails admin-login with chat's error", async () => {
    const r = await verify({ adminPassword: 'changed-in-console' });
    expect(r['admin-login']).toMatchObject({ status: 'failed', errCode: 20001 });
  });

  it('admin-login says why it cannot run when the state holds no chat admin password', async () => {
    const r = await verify({}, { credentials: { ...creds, chatAdminPassword: '' } });
    expect(r['admin-login']).toMatchObject({
      status: 'not-applicable',
      ms: 0,
      detail: expect.stringMatching(/no chat\.adminPassword in the install state/),
    });
    expect(r['chat-login']!.status).toBe('passed');
  });

  it('says why chat checks do not apply when chat is not installed', async () => {
    const r = await verify({}, { chat: false });
    for (const id of ['chat-register', 'chat-login', 'admin-login'])
      expect(r[id]).toMatchObject({ status: 'not-applicable', detail: expect.stringMatching(/chat is not installed/) });
  });

  it('an unreachable API is a failure with the network error, not an errCode', async () => {
    // A port that was free a moment ago: nothing listens there.
    standIn = await startStandIn({
      secret: creds.secret,
      superCode: creds.superCode,
      adminPassword: creds.chatAdminPassword,
    });
    const closed = standIn.base;
    await standIn.close();
    standIn = undefined;
    const results = await runVerify({
      endpoints: { api: closed, ws: closed.replace('http', 'ws'), chat: '', admin: '', objectStorage: closed },
      credentials: creds,
      chat: false,
      requestTimeoutMs: 2000,
    });
    const admin = results.find((c) => c.id === 'admin-token')!;
    expect(admin.status).toBe('failed');
    expect(admin.detail).toMatch(/ECONNREFUSED/);
    expect(admin.errCode).toBeUndefined();
    expect(results.find((c) => c.id === 'cleanup')!.status).toBe('not-applicable');
  });
});

describe("verify with open registration off (openim.allowRegister false, production's default)", () => {
  it('the admin adds the throw-away chat account, which then logs in; every check passes', async () => {
    const r = await verify({ closedRegistration: true }, { openRegistration: false });
    for (const c of Object.values(r)) expect(c.status, `${c.id}: ${c.detail}`).toBe('passed');
    expect(r['chat-register']!.detail).toMatch(
      /added verify-\w+@openim-deploy\.example through admin-api \(open registration is off\)/,
    );
    expect(standIn!.calls).toContain('POST /admin/account/add_user');
    expect(standIn!.calls).not.toContain('POST /chat/account/register');
    // Marked like every throw-away account.
    expect([...standIn!.users.values()].filter((u) => u.nickname === THROWAWAY_NICKNAME)).toHaveLength(3);
  });

  it('registering as anyone would fails against a closed server: what verify did before (issue #19)', async () => {
    const r = await verify({ closedRegistration: true });
    expect(r['chat-register']).toMatchObject({ status: 'failed', errCode: 1002 });
    expect(r['chat-login']!.status).toBe('not-run');
  });
});
