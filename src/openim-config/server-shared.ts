// Server files shared by every module: share.yml, local-cache.yml, webhooks.yml.

import { SERVER_MODULES } from '../catalog/modules.js';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import type { GenContext } from './context.js';
import { serviceName } from './infra.js';
import { secretSlot } from './secret-slots.js';

/** rpcRegisterName / rpcService key → name, for the modules that register an RPC service. */
export function serverRpcNames(ctx: GenContext, key: 'rpcRegisterName' | 'rpcServiceKey'): Record<string, string> {
  const names: Record<string, string> = {};
  for (const mod of SERVER_MODULES) {
    const k = mod[key];
    if (!k) continue;
    // etcd: any name works (it is only a key); keep upstream's. Kubernetes: the Service name.
    names[k] = ctx.endpoints.discovery.kind === 'kubernetes' ? serviceName(ctx, mod.name) : k;
  }
  return names;
}

export function serverShareFile(ctx: GenContext): Record<string, unknown> {
  const keys = ctx.server.config;
  const usesRegisterName = keys.rpcNames === 'share.rpcRegisterName';
  return {
    // Must equal chat share.yml openIM.secret (pain point 8): same secret id on both sides.
    secret: secretSlot('openim.secret'),
    ...(usesRegisterName ? { rpcRegisterName: serverRpcNames(ctx, 'rpcRegisterName') } : {}),
    imAdminUserID: [OPENIM_DEFAULTS.imAdminUserID],
    // 1: one session per platform class (upstream default).
    multiLogin: { policy: 1, maxNumOneEnd: 30 },
    // gRPC message size limits, 8 MiB each as upstream ships them (config/share.yml@v3.8.3-patch.16:20-22);
    // a zero value where the version reads the key would cap every RPC at nothing.
    ...(keys.rpcMaxBodySize ? { rpcMaxBodySize: { requestMaxBodySize: 8388608, responseMaxBodySize: 8388608 } } : {}),
  };
}

export function localCacheFile(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['user', 'group', 'friend', 'conversation']) {
    out[name] = {
      topic: `DELETE_CACHE_${name.toUpperCase()}`,
      slotNum: 100,
      slotSize: 2000,
      successExpire: 300,
      failedExpire: 5,
    };
  }
  return out;
}

/** Webhooks the 3.8 server knows; all off. `before*` hooks may block the action, so they carry failedContinue. */
const WEBHOOKS = [
  'beforeSendSingleMsg',
  'beforeUpdateUserInfoEx',
  'afterUpdateUserInfoEx',
  'afterSendSingleMsg',
  'beforeSendGroupMsg',
  'beforeMsgModify',
  'afterSendGroupMsg',
  'afterUserOnline',
  'afterUserOffline',
  'afterUserKickOff',
  'beforeOfflinePush',
  'beforeOnlinePush',
  'beforeGroupOnlinePush',
  'beforeAddFriend',
  'beforeUpdateUserInfo',
  'afterUpdateUserInfo',
  'beforeCreateGroup',
  'afterCreateGroup',
  'beforeMemberJoinGroup',
  'beforeSetGroupMemberInfo',
  'afterSetGroupMemberInfo',
  'afterQuitGroup',
  'afterKickGroupMember',
  'afterDismissGroup',
  'beforeApplyJoinGroup',
  'afterGroupMsgRead',
  'afterSingleMsgRead',
  'beforeUserRegister',
  'afterUserRegister',
  'afterTransferGroupOwner',
  'beforeSetFriendRemark',
  'afterSetFriendRemark',
  'afterGroupMsgRevoke',
  'afterJoinGroup',
  'beforeInviteUserToGroup',
  'afterSetGroupInfo',
  'beforeSetGroupInfo',
  'afterSetGroupInfoEx',
  'beforeSetGroupInfoEx',
  'afterRevokeMsg',
  'beforeAddBlack',
  'afterAddFriend',
  'beforeAddFriendAgree',
  'afterAddFriendAgree',
  'afterDeleteFriend',
  'beforeImportFriends',
  'afterImportFriends',
  'afterRemoveBlack',
] as const;

/**
 * Message hooks upstream ships with content-type filters (`allowedTypes`/`deniedTypes`, empty =
 * every type) and, for afterSendSingleMsg, `attentionIds` (config/webhooks.yml@v3.8.3:2-51; read by
 * BeforeConfig/AfterConfig in pkg/common/config/config.go@v3.8.3:352-366). Written empty, as upstream.
 */
const TYPE_FILTERED: Record<string, Record<string, string[]>> = {
  beforeSendSingleMsg: { allowedTypes: [], deniedTypes: [] },
  afterSendSingleMsg: { attentionIds: [], allowedTypes: [], deniedTypes: [] },
  beforeSendGroupMsg: { allowedTypes: [], deniedTypes: [] },
  beforeMsgModify: { allowedTypes: [], deniedTypes: [] },
  afterSendGroupMsg: { allowedTypes: [], deniedTypes: [] },
};

export function webhooksFile(): Record<string, unknown> {
  const out: Record<string, unknown> = { url: '' };
  for (const name of WEBHOOKS) {
    const base = name.startsWith('before')
      ? { enable: false, timeout: 5, failedContinue: true }
      : { enable: false, timeout: 5 };
    out[name] = { ...base, ...TYPE_FILTERED[name] };
  }
  return out;
}
