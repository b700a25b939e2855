// One file per server module (openim-api.yml, openim-rpc-*.yml, …), ports
// from the catalog, one port per instance. `autoSetPorts: false` always:
// random ports only work with etcd discovery and defeat static scraping,
// Services and firewalls.

import type { GenContext } from './context.js';
import { instancesOf, portList } from './ports.js';
import { thirdObjectBlock } from './object-storage.js';

const LISTEN_ALL = '0.0.0.0';

function count(ctx: GenContext, moduleName: string): number {
  return instancesOf(ctx.spec, ctx.options, moduleName);
}

function prometheus(ctx: GenContext, moduleName: string): Record<string, unknown> {
  return { enable: ctx.spec.monitoring.enabled, ports: portList(moduleName, 'metrics', count(ctx, moduleName)) };
}

/** The `rpc` + `prometheus` blocks every RPC module has. registerIP empty = the pod/host IP. */
function rpcModule(ctx: GenContext, moduleName: string): Record<string, unknown> {
  return {
    rpc: { registerIP: '', listenIP: LISTEN_ALL, autoSetPorts: false, ports: portList(moduleName, 'grpc', count(ctx, moduleName)) },
    prometheus: prometheus(ctx, moduleName),
  };
}

export function apiFile(ctx: GenContext): Record<string, unknown> {
  const n = count(ctx, 'openim-api');
  return {
    api: { listenIP: LISTEN_ALL, ports: portList('openim-api', 'http', n), compressionLevel: 0 },
    prometheus: { ...prometheus(ctx, 'openim-api'), grafanaURL: ctx.endpoints.grafanaURL },
  };
}

export function msgGatewayFile(ctx: GenContext): Record<string, unknown> {
  const n = count(ctx, 'openim-msggateway');
  return {
    rpc: { registerIP: '', autoSetPorts: false, ports: portList('openim-msggateway', 'grpc', n) },
    prometheus: prometheus(ctx, 'openim-msggateway'),
    listenIP: LISTEN_ALL,
    longConnSvr: {
      // One WebSocket port per instance, like rpc.ports.
      ports: portList('openim-msggateway', 'ws', n),
      websocketMaxConnNum: 100000,
      websocketMaxMsgLen: 4096,
      websocketTimeout: 10,
    },
  };
}

export function msgTransferFile(ctx: GenContext): Record<string, unknown> {
  return { prometheus: prometheus(ctx, 'openim-msgtransfer') };
}

export function pushFile(ctx: GenContext): Record<string, unknown> {
  return {
    ...rpcModule(ctx, 'openim-push'),
    maxConcurrentWorkers: 3,
    // No offline push provider is configured by the installer: a value other
    // than geTui/fcm/jpush selects upstream's no-op pusher (inferred from the
    // 3.8 push factory). Users add credentials later.
    enable: 'none',
    geTui: { pushUrl: 'https://restapi.getui.com/v2/$appId', masterSecret: '', appKey: '', intent: '', channelID: '', channelName: '' },
    fcm: { filePath: '', authURL: '' },
    jpns: { appKey: '', masterSecret: '', pushURL: '', pushIntent: '' },
    iosPush: { pushSound: 'xxx', badgeCount: true, production: false },
    fullUserCache: true,
  };
}

export function cronTaskFile(): Record<string, unknown> {
  return {
    cronExecuteTime: '0 2 * * *',
    retainChatRecords: 365,
    fileExpireTime: 180,
    deleteObjectType: ['msg-picture', 'msg-file', 'msg-voice', 'msg-video', 'msg-video-snapshot', 'sdklog'],
  };
}

/** All per-module server files, keyed by file name. */
export function serverServiceFiles(ctx: GenContext): Record<string, Record<string, unknown>> {
  return {
    'openim-api.yml': apiFile(ctx),
    'openim-crontask.yml': cronTaskFile(),
    'openim-msggateway.yml': msgGatewayFile(ctx),
    'openim-msgtransfer.yml': msgTransferFile(ctx),
    'openim-push.yml': pushFile(ctx),
    'openim-rpc-auth.yml': { ...rpcModule(ctx, 'openim-rpc-auth'), tokenPolicy: { expire: 90 } },
    'openim-rpc-conversation.yml': rpcModule(ctx, 'openim-rpc-conversation'),
    'openim-rpc-friend.yml': rpcModule(ctx, 'openim-rpc-friend'),
    'openim-rpc-group.yml': { ...rpcModule(ctx, 'openim-rpc-group'), enableHistoryForNewMembers: true },
    'openim-rpc-msg.yml': { ...rpcModule(ctx, 'openim-rpc-msg'), friendVerify: false },
    'openim-rpc-third.yml': { ...rpcModule(ctx, 'openim-rpc-third'), object: thirdObjectBlock(ctx) },
    'openim-rpc-user.yml': rpcModule(ctx, 'openim-rpc-user'),
  };
}
