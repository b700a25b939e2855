// Chat config files (chat 1.8: config/*.yml). Chat reaches the server only
// over HTTP (openIM.apiURL) with the shared secret; it never dials server RPCs.

import { CHAT_MODULES } from '../catalog/modules.js';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import type { GenContext } from './context.js';
import { discoveryFile, logFile, mongodbFile, redisFile, serviceName } from './infra.js';
import { instancesOf, portList } from './ports.js';
import { secretSlot } from './secret-slots.js';

const LISTEN_ALL = '0.0.0.0';

function chatRpcNames(ctx: GenContext): Record<string, string> {
  const names: Record<string, string> = {};
  for (const mod of CHAT_MODULES) {
    if (!mod.rpcServiceKey) continue;
    names[mod.rpcServiceKey] = ctx.endpoints.discovery.kind === 'kubernetes' ? serviceName(ctx, mod.name) : mod.rpcServiceKey;
  }
  return names;
}

function rpc(ctx: GenContext, moduleName: string): Record<string, unknown> {
  return { registerIP: '', listenIP: LISTEN_ALL, autoSetPorts: false, ports: portList(moduleName, 'grpc', instancesOf(ctx.spec, ctx.options, moduleName)) };
}

function api(ctx: GenContext, moduleName: string): Record<string, unknown> {
  return { api: { listenIP: LISTEN_ALL, ports: portList(moduleName, 'http', instancesOf(ctx.spec, ctx.options, moduleName)) } };
}

export function chatShareFile(ctx: GenContext): Record<string, unknown> {
  return {
    openIM: {
      apiURL: ctx.endpoints.apiURL,
      // Same secret id as the server's share.yml secret: they cannot drift apart.
      secret: secretSlot('openim.secret'),
      adminUserID: OPENIM_DEFAULTS.imAdminUserID,
      // Minutes between refreshes of chat's cached imAdmin token (upstream 120); newer 1.8 builds
      // read it and a zero interval is not safe for a ticker, so it is always written.
      tokenRefreshInterval: 120,
    },
    // Older chat lines name their RPC services here; newer read discovery.yml rpcService. Both are written.
    rpcRegisterName: chatRpcNames(ctx),
    chatAdmin: [OPENIM_DEFAULTS.chatAdminAccount],
    // Ingress/proxies put the client address here; chat records it at login/registration.
    proxyHeader: 'X-Forwarded-For',
  };
}

function aliBlock(): Record<string, unknown> {
  return { endpoint: '', accessKeyId: '', accessKeySecret: '', signName: '', verificationCodeTemplateCode: '' };
}

export function chatRpcChatFile(ctx: GenContext): Record<string, unknown> {
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
      mail: { use: '', title: '', senderMail: '', senderAuthorizationCode: '', smtpAddr: '', smtpPort: 0 },
    },
    liveKit: { url: '', key: '', secret: '' },
    allowRegister: ctx.spec.openim.allowRegister,
  };
}

export function chatRpcAdminFile(ctx: GenContext): Record<string, unknown> {
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
    'redis.yml': redisFile(ctx),
    'share.yml': chatShareFile(ctx),
  };
}
