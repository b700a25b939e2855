// One file per server module (openim-api.yml, openim-rpc-*.yml, …), ports
// from the catalog, one port per instance. `autoSetPorts: false` always:
// random ports only work with etcd discovery and defeat static scraping,
// Services and firewalls.

import type { GenContext } from './context.js';
import { instancesOf, portList } from './ports.js';
import { thirdObjectBlock } from './object-storage.js';

/** Client-facing listeners (openim-api): every interface. */
const LISTEN_ALL = '0.0.0.0';

function count(ctx: GenContext, moduleName: string): number {
  return instancesOf(ctx.spec, ctx.options, moduleName);
}

/** `autoSetPorts: false` where the version reads the key (catalog config.autoSetPorts); absent elsewhere. */
function fixedPorts(ctx: GenContext): Record<string, unknown> {
  return ctx.server.config.autoSetPorts ? { autoSetPorts: false } : {};
}

/**
 * `prometheus`. Metrics listen on every interface whatever listenIP says
 * (pkg/common/prommetrics/prommetrics.go@v3.8.3:37 `:%d`). `ownAutoSetPorts`:
 * modules without an rpc block carry the switch here (openim-api.yml,
 * openim-msgtransfer.yml@v3.8.3-patch.16).
 */
function prometheus(ctx: GenContext, moduleName: string, ownAutoSetPorts = false): Record<string, unknown> {
  return {
    enable: ctx.spec.monitoring.enabled,
    ...(ownAutoSetPorts ? fixedPorts(ctx) : {}),
    ports: portList(moduleName, 'metrics', count(ctx, moduleName)),
  };
}

/**
 * The `rpc` + `prometheus` blocks every RPC module has. listenIP/registerIP
 * come from the target: loopback on a single host (the RPC ports carry no
 * authentication), all interfaces and the pod IP on Kubernetes.
 */
function rpcModule(ctx: GenContext, moduleName: string): Record<string, unknown> {
  const net = ctx.endpoints.network;
  return {
    rpc: {
      registerIP: net.rpcRegisterIP,
      listenIP: net.rpcListenIP,
      ...fixedPorts(ctx),
      ports: portList(moduleName, 'grpc', count(ctx, moduleName)),
    },
    prometheus: prometheus(ctx, moduleName),
  };
}

function apiFile(ctx: GenContext): Record<string, unknown> {
  const n = count(ctx, 'openim-api');
  return {
    api: {
      listenIP: ctx.endpoints.network.publicListenIP ?? LISTEN_ALL,
      ports: portList('openim-api', 'http', n),
      compressionLevel: 0,
    },
    prometheus: { ...prometheus(ctx, 'openim-api', true), grafanaURL: ctx.endpoints.grafanaURL },
  };
}

function msgGatewayFile(ctx: GenContext): Record<string, unknown> {
  const n = count(ctx, 'openim-msggateway');
  const net = ctx.endpoints.network;
  return {
    rpc: { registerIP: net.rpcRegisterIP, ...fixedPorts(ctx), ports: portList('openim-msggateway', 'grpc', n) },
    prometheus: prometheus(ctx, 'openim-msggateway'),
    // The gateway's RPC listener only: the WebSocket binds `:port` on every interface
    // (internal/msggateway/ws_server.go@v3.8.3:164).
    listenIP: net.rpcListenIP,
    longConnSvr: {
      // One WebSocket port per instance, like rpc.ports.
      ports: portList('openim-msggateway', 'ws', n),
      websocketMaxConnNum: 100000,
      websocketMaxMsgLen: 4096,
      websocketTimeout: 10,
    },
  };
}

/**
 * msgtransfer listens on nothing but its metrics port (internal/msgtransfer/init.go@v3.8.3), so on
 * Kubernetes the metrics endpoint stays on whatever monitoring says: it is what the pod's probes
 * check (found on the real node: with it off the probes failed and kubelet restarted the pod).
 */
function msgTransferFile(ctx: GenContext): Record<string, unknown> {
  const block = prometheus(ctx, 'openim-msgtransfer', true);
  return { prometheus: ctx.spec.target === 'kubernetes' ? { ...block, enable: true } : block };
}

function pushFile(ctx: GenContext): Record<string, unknown> {
  return {
    ...rpcModule(ctx, 'openim-push'),
    maxConcurrentWorkers: 3,
    // No offline push provider is configured by the installer: a value other
    // than geTui/fcm/jpush selects upstream's no-op pusher (inferred from the
    // 3.8 push factory). Users add credentials later.
    enable: 'none',
    geTui: {
      pushUrl: 'https://restapi.getui.com/v2/$appId',
      masterSecret: '',
      appKey: '',
      intent: '',
      channelID: '',
      channelName: '',
    },
    fcm: { filePath: '', authURL: '' },
    // `jpush` (config/openim-push.yml@v3.8.3, pkg/common/config/config.go@v3.8.3:223); `jpns` is read by nothing.
    jpush: { appKey: '', masterSecret: '', pushURL: '', pushIntent: '' },
    iosPush: { pushSound: 'xxx', badgeCount: true, production: false },
    fullUserCache: true,
  };
}

function cronTaskFile(): Record<string, unknown> {
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
