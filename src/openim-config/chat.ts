// Chat config files (chat 1.8: config/*.yml). Chat reaches the server only
// over HTTP (openIM.apiURL) with the shared secret; it never dials server RPCs.

import { CHAT_MODULES } from '../catalog/modules.js';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import type { GenContext } from './context.js';
import { discoveryFile, logFile, mongodbFile, redisFile, serviceName } from './infra.js';
import { instancesOf, portList } from './ports.js';
import { secretSlot } from './secret-slots.js';

function chatRpcNames(ctx: GenContext): Record<string, string> {
  const names: Record<string, string> = {};
  for (const mod of CHAT_MODULES) {
    if (!mod.rpcServiceKey) continue;
    names[mod.rpcServiceKey] =
      ctx.endpoints.discovery.kind === 'kubernetes' ? serviceName(ctx, mod.name) : mod.rpcServiceKey;
  }
  return names;
}

/** chat-rpc-*.yml `rpc` (pkg/common/config/config.go@v1.8.4:110-114: registerIP, listenIP, ports; no autoSetPorts). */
function rpc(ctx: GenContext, moduleName: string): Record<string, unknown> {
  const net = ctx.endpoints.network;
  return {
    registerIP: net.rpcRegisterIP,
    listenIP: net.rpcListenIP,
    ports: portList(moduleName, 'grpc', instancesOf(ctx.spec, ctx.options, moduleName)),
  };
}

/** chat-api-*.yml: client-facing, all interfaces (chat 1.8 binds `:port` whatever listenIP says: internal/api/chat/start.go@v1.8.4:82). */
function api(ctx: GenContext, moduleName: string): Record<string, unknown> {
  return {
    api: {
      listenIP: ctx.endpoints.network.publicListenIP ?? '0.0.0.0',
      ports: portList(moduleName, 'http', instancesOf(ctx.spec, ctx.options, moduleName)),
    },
  };
}

function chatShareFile(ctx: GenContext): Record<string, unknown> {
  const keys = ctx.chat.config;
  return {
    openIM: {
      apiURL: ctx.endpoints.apiURL,
      // Same secret id as the server's share.yml secret: they cannot drift apart.
      secret: secretSlot('openim.secret'),
      adminUserID: OPENIM_DEFAULTS.imAdminUserID,
      // Minutes between refreshes of chat's cached imAdmin token, on the lines that read it.
      ...(keys.tokenRefreshInterval ? { tokenRefreshInterval: 120 } : {}),
    },
    ...(keys.shareRpcRegisterName ? { rpcRegisterName: chatRpcNames(ctx) } : {}),
    chatAdmin: [OPENIM_DEFAULTS.chatAdminAccount],
    // Only a proxy that writes a single client address may be named here: with a header
    // that is missing or a list, register and login answer 500 (catalog CHAT_PROXY_HEADER_NONE).
    proxyHeader: ctx.endpoints.chatProxyHeader,
  };
}

function aliBlock(): Record<string, unknown> {
  return { endpoint: '', accessKeyId: '', accessKeySecret: '', signName: '', verificationCodeTemplateCode: '' };
}

function chatRpcChatFile(ctx: GenContext): Record<string, unknown> {
  return {
    rpc: rpc(ctx, 'chat-rpc'),
    verifyCode: {
      validTime: 300,
      validCount: 5,
      uintTime: 86400,
      maxCount: 10,
      // Upstream default 666666 lets anyone log in as anyone: always a generated secret.
      superCode: secretSlot('chat.superCode'),
      len: 6,
      // No SMS/mail provider configured: codes are only usable through superCode until one is added.
      phone: { use: '', ali: aliBlock() },
      mail: {
        [ctx.chat.config.mailSwitch]: false,
        title: '',
        senderMail: '',
        senderAuthorizationCode: '',
        smtpAddr: '',
        smtpPort: 0,
      },
    },
    liveKit: { url: '', key: '', secret: '' },
    allowRegister: ctx.spec.openim.allowRegister,
  };
}

function chatRpcAdminFile(ctx: GenContext): Record<string, unknown> {
  return {
    rpc: rpc(ctx, 'admin-rpc'),
    tokenPolicy: { expire: 90 },
    // Signs admin console tokens; upstream ships chat123.
    secret: secretSlot('chat.adminTokenSecret'),
  };
}

export function chatFiles(ctx: GenContext): Record<string, Record<string, unknown>> {
  return {
    'chat-api-admin.yml': api(ctx, 'admin-api'),
    'chat-api-chat.yml': api(ctx, 'chat-api'),
    'chat-rpc-admin.yml': chatRpcAdminFile(ctx),
    'chat-rpc-chat.yml': chatRpcChatFile(ctx),
    'discovery.yml': discoveryFile(ctx, 'chat', chatRpcNames(ctx)),
    'log.yml': logFile(ctx),
    'mongodb.yml': mongodbFile(ctx),
    'redis.yml': redisFile(ctx, 'chat'),
    'share.yml': chatShareFile(ctx),
  };
}
