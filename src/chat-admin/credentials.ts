// The chat admin console login as openim-deploy manages it: one account
// (share.yml chatAdmin) whose password is the secret `chat.adminPassword`
// (openim.chatAdminPassword when given, else generated once and kept in the
// install state). Chat seeds the account with a well-known password; the
// install's `chat-admin-password` step replaces it through the admin API.

import { createHash } from 'node:crypto';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import { secretRef, type SecretValues } from '../secrets/secrets.js';

export const CHAT_ADMIN_SECRET = 'chat.adminPassword' as const;

export interface ChatAdminCredentials {
  account: string;
  /** Plain text, as typed into the console; the admin API takes md5Hex(password). */
  password: string;
}

/**
 * Who `verify` (and anything else) logs in to admin-api as, from the secrets of the install
 * state (`loadSecrets` / session secrets). Throws when the state holds no password: then
 * nothing was installed with this config, and guessing the upstream default would hide it.
 */
export function chatAdminCredentials(secrets: Partial<SecretValues>): ChatAdminCredentials {
  const password = secrets[CHAT_ADMIN_SECRET];
  if (!password)
    throw new Error(
      `no ${CHAT_ADMIN_SECRET} in the install state: is chat installed with this config (same -c/--preset, --workdir)?`,
    );
  return { account: OPENIM_DEFAULTS.chatAdminAccount, password };
}

/** The placeholder plans carry instead of the password. */
export const chatAdminPasswordRef = (): string => secretRef(CHAT_ADMIN_SECRET);

/**
 * The console hashes what is typed and sends hex(md5(text)); admin-rpc compares that string with
 * the stored one as is (chat internal/rpc/admin/admin.go@v1.8.4-patch.5:175 Login), and
 * ChangeAdminPassword stores newPassword as sent (admin.go:55). So the API always gets md5 hex.
 */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
