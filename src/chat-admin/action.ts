// The plan action both targets use to set the chat admin password.

import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import type { ChatAdminPasswordAction } from '../plan/types.js';
import { chatAdminPasswordRef } from './credentials.js';

export function chatAdminPasswordAction(adminApi: ChatAdminPasswordAction['adminApi']): ChatAdminPasswordAction {
  return {
    kind: 'chat-admin-password',
    adminApi,
    account: OPENIM_DEFAULTS.chatAdminAccount,
    password: chatAdminPasswordRef(),
    seeded: OPENIM_DEFAULTS.chatAdminDefaultPassword,
    // admin-api answers only once admin-rpc, chat-rpc and the server's admin token work.
    timeoutSeconds: 300,
    intervalSeconds: 5,
  };
}
