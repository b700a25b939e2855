// Replace chat's seeded admin password with the install's own, through the
// admin API, so no install ends with a well-known console login.
//
// Upstream facts (chat v1.8.4 and v1.8.4-patch.5, same code at both):
// - admin-rpc seeds every `share.yml chatAdmin` account that does not exist yet with
//   password hex(md5(account)) and userID share.yml openIM.adminUserID
//   (internal/rpc/admin/start.go@v1.8.4-patch.5:82 initAdmin);
// - POST /account/login {account, password} compares password with the stored string and
//   answers errCode 20001 PasswordError / 20002 AccountNotFound (internal/rpc/admin/admin.go:175,
//   pkg/eerrs/predefine.go:20); data carries adminToken and adminUserID;
// - POST /account/change_password {userID, currentPassword, newPassword} with the admin token
//   checks currentPassword and stores newPassword as sent (internal/api/admin/start.go:127,
//   internal/rpc/admin/admin.go:55).
//
// Idempotent: the configured password is tried first, so a re-run changes nothing.

import { sleep } from '../util/sleep.js';
import { adminPost, AdminUnreachable, type AdminAnswer } from './api.js';
import { md5Hex } from './credentials.js';
import { DeployError, EXIT } from '../errors.js';

/** chat pkg/eerrs/predefine.go@v1.8.4-patch.5:20-21 */
const CHAT_ERR = { password: 20001, accountNotFound: 20002 } as const;

export interface EnsureOptions {
  /** admin-api base URL, e.g. http://127.0.0.1:10009. */
  base: string;
  account: string;
  /** The password the account must end with (plain text). */
  password: string;
  /** The password chat seeded the account with (plain text). */
  seeded: string;
  timeoutSeconds: number;
  intervalSeconds: number;
  report: (text: string) => void;
  signal?: AbortSignal;
}

export type EnsureOutcome = 'already-set' | 'changed';

/** The account exists with a password neither configured nor seeded: retrying cannot help. */
export class ChatAdminPasswordError extends DeployError {
  readonly code = 'CHAT_ADMIN_PASSWORD';
  readonly exitStatus = EXIT.failed;
  override name = 'ChatAdminPasswordError';
}

/** Not ready yet (no answer, or chat's RPCs or the server behind it still starting): worth retrying. */
class NotReady extends Error {}

function check(answer: AdminAnswer, call: string): AdminAnswer {
  if (answer.errCode === 0) return answer;
  throw new NotReady(`${call}: errCode ${answer.errCode} ${answer.errMsg}`.trim());
}

async function attempt(o: EnsureOptions): Promise<EnsureOutcome> {
  const login = (password: string) =>
    adminPost(o.base, '/account/login', { account: o.account, password: md5Hex(password) }, undefined, o.signal);
  const wanted = await login(o.password);
  if (wanted.errCode === 0) return 'already-set';
  if (wanted.errCode === CHAT_ERR.accountNotFound) {
    throw new ChatAdminPasswordError(
      `admin account ${o.account} does not exist: chat seeds it from share.yml chatAdmin when admin-rpc starts; is the chat config the one openim-deploy wrote?`,
    );
  }
  if (wanted.errCode !== CHAT_ERR.password) check(wanted, 'POST /account/login');
  if (o.password === o.seeded)
    throw new ChatAdminPasswordError('the configured admin password is the seeded default, and it does not log in');
  const seeded = await login(o.seeded);
  if (seeded.errCode === CHAT_ERR.password) {
    throw new ChatAdminPasswordError(
      `admin account ${o.account} accepts neither the configured password nor chat's seeded one: it was changed outside openim-deploy ` +
        '(or openim.chatAdminPassword changed after install). Set openim.chatAdminPassword to the password the console has now, or change it in the console to the configured one, then re-run',
    );
  }
  check(seeded, 'POST /account/login (seeded password)');
  const token = String(seeded.data.adminToken ?? '');
  const userID = String(seeded.data.adminUserID ?? '');
  check(
    await adminPost(
      o.base,
      '/account/change_password',
      { userID, currentPassword: md5Hex(o.seeded), newPassword: md5Hex(o.password) },
      token,
      o.signal,
    ),
    'POST /account/change_password',
  );
  const confirmed = await login(o.password);
  if (confirmed.errCode !== 0)
    throw new ChatAdminPasswordError(
      `the password was changed but does not log in: errCode ${confirmed.errCode} ${confirmed.errMsg}`,
    );
  return 'changed';
}

/** Until the configured password logs in (changing the seeded one on the way), or the time is up. */
export async function ensureChatAdminPassword(o: EnsureOptions): Promise<EnsureOutcome> {
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  for (;;) {
    try {
      const outcome = await attempt(o);
      o.report(
        outcome === 'changed'
          ? `admin ${o.account}: seeded password replaced by the configured one`
          : `admin ${o.account}: the configured password already logs in`,
      );
      return outcome;
    } catch (e) {
      if (!(e instanceof NotReady || e instanceof AdminUnreachable)) throw e;
      o.report(`waiting for admin-api: ${e.message}`);
      if (Date.now() >= deadline)
        throw new Error(`admin-api at ${o.base} did not get ready within ${o.timeoutSeconds}s: ${e.message}`);
      await sleep(o.intervalSeconds * 1000, o.signal);
    }
  }
}
