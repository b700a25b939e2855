import { afterEach, describe, expect, it } from 'vitest';
import { startAdminStandIn, type AdminStandIn } from '../../test/helpers/chat-admin-stand-in.js';
import { chatAdminCredentials, md5Hex } from './credentials.js';
import { ChatAdminPasswordError, ensureChatAdminPassword, type EnsureOptions } from './password.js';

let api: AdminStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const opts = (base: string, password: string, extra: Partial<EnsureOptions> = {}): EnsureOptions => ({
  base,
  account: 'chatAdmin',
  password,
  seeded: 'chatAdmin',
  timeoutSeconds: 5,
  intervalSeconds: 0.01,
  report: () => undefined,
  ...extra,
});

describe('ensureChatAdminPassword (against a stand-in of chat admin-api)', () => {
  it('replaces the seeded chatAdmin/chatAdmin login, then the seeded one no longer works', async () => {
    api = await startAdminStandIn();
    expect(api.stored.get('chatAdmin')).toBe(md5Hex('chatAdmin'));
    expect(await ensureChatAdminPassword(opts(api.url, 'N3w-strong-pw'))).toBe('changed');
    expect(api.stored.get('chatAdmin')).toBe(md5Hex('N3w-strong-pw'));
    expect(api.calls).toEqual(['/account/login', '/account/login', '/account/change_password', '/account/login']);
  });

  it('is idempotent: a re-run logs in with the configured password and changes nothing', async () => {
    api = await startAdminStandIn();
    await ensureChatAdminPassword(opts(api.url, 'N3w-strong-pw'));
    api.calls.length = 0;
    expect(await ensureChatAdminPassword(opts(api.url, 'N3w-strong-pw'))).toBe('already-set');
    expect(api.calls).toEqual(['/account/login']);
  });

  it('fails clearly (no retry) when the password was changed outside openim-deploy', async () => {
    api = await startAdminStandIn();
    api.stored.set('chatAdmin', md5Hex('someone-else-chose-this'));
    const error = await ensureChatAdminPassword(opts(api.url, 'N3w-strong-pw')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatAdminPasswordError);
    expect((error as Error).message).toMatch(/changed outside openim-deploy.*openim\.chatAdminPassword/);
    expect(api.stored.get('chatAdmin')).toBe(md5Hex('someone-else-chose-this'));
  });

  it('waits while admin-api is not ready (chat RPCs still starting), then sets the password', async () => {
    api = await startAdminStandIn();
    api.notReadyFor = 3;
    const reports: string[] = [];
    expect(await ensureChatAdminPassword(opts(api.url, 'N3w-strong-pw', { report: (t) => reports.push(t) }))).toBe(
      'changed',
    );
    expect(reports.filter((r) => r.startsWith('waiting for admin-api'))).toHaveLength(3);
  });

  it('gives up after its timeout when nothing answers, naming admin-api', async () => {
    api = await startAdminStandIn();
    const url = api.url;
    await api.close();
    api = undefined;
    await expect(ensureChatAdminPassword(opts(url, 'pw', { timeoutSeconds: 0.05 }))).rejects.toThrow(
      /admin-api at http:\/\/127\.0\.0\.1:\d+ did not get ready within/,
    );
  });
});

describe('chatAdminCredentials (what verify logs in with)', () => {
  it('reads the account and the stored password; no state, no guess', () => {
    expect(chatAdminCredentials({ 'chat.adminPassword': 'from-state' })).toEqual({
      account: 'chatAdmin',
      password: 'from-state',
    });
    expect(() => chatAdminCredentials({})).toThrow(/no chat\.adminPassword in the install state/);
  });
});
