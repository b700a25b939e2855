// OpenIM processes, their ports and images (open-im-server config/openim-*.yml
// and start-config.yml@v3.8.3, chat config/*.yml@v1.8.4). The single source
// for every OpenIM port in the code base.

type Product = 'server' | 'chat' | 'front';

export interface ModulePort {
  /** `grpc` must be exactly this name: msggateway fan-out reads Endpoint ports named `grpc`. */
  name: 'grpc' | 'http' | 'ws' | 'metrics';
  port: number;
}

export interface OpenIMModule {
  /** Release, unit and Service name. */
  name: string;
  product: Product;
  /** Image repository name under the OpenIM organisation (`openim/<image>`). */
  image: string;
  /** Config file of its own, beside the shared ones. */
  configFile?: string;
  /** Ports in the order a Service lists them (grpc first). */
  ports: ModulePort[];
  /** Instances per profile (binary: `-i` indices; Kubernetes: replicas). */
  instances: { dev: number; production: number };
  /** Highest useful instance count (Kafka consumer groups have 8 partitions). */
  maxInstances?: number;
  /** `share.yml rpcRegisterName` key for Kubernetes discovery on 3.8.3. */
  rpcRegisterName?: string;
  /** `discovery.rpcService` key and Service name on 3.8.4+. */
  rpcServiceKey?: string;
  /** Only one instance may run (scheduled jobs). */
  singleton?: boolean;
}

const grpc = (port: number): ModulePort => ({ name: 'grpc', port });
const metrics = (port: number): ModulePort => ({ name: 'metrics', port });

export const KAFKA_PARTITIONS = 8;

export const SERVER_MODULES: readonly OpenIMModule[] = [
  {
    name: 'openim-api',
    product: 'server',
    image: 'openim-api',
    configFile: 'openim-api.yml',
    ports: [{ name: 'http', port: 10002 }, metrics(12002)],
    instances: { dev: 1, production: 2 },
  },
  {
    name: 'openim-msggateway',
    product: 'server',
    image: 'openim-msggateway',
    configFile: 'openim-msggateway.yml',
    ports: [grpc(10140), { name: 'ws', port: 10001 }, metrics(12140)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'messageGateway',
    rpcServiceKey: 'messageGateway',
  },
  {
    name: 'openim-msgtransfer',
    product: 'server',
    image: 'openim-msgtransfer',
    configFile: 'openim-msgtransfer.yml',
    ports: [metrics(12020)],
    instances: { dev: 1, production: 4 },
    maxInstances: KAFKA_PARTITIONS,
  },
  {
    name: 'openim-push',
    product: 'server',
    image: 'openim-push',
    configFile: 'openim-push.yml',
    ports: [grpc(10170), metrics(12170)],
    instances: { dev: 1, production: 2 },
    maxInstances: KAFKA_PARTITIONS,
    rpcRegisterName: 'push',
    rpcServiceKey: 'push',
  },
  {
    name: 'openim-crontask',
    product: 'server',
    image: 'openim-crontask',
    configFile: 'openim-crontask.yml',
    ports: [],
    instances: { dev: 1, production: 1 },
    singleton: true,
  },
  {
    name: 'openim-rpc-auth',
    product: 'server',
    image: 'openim-rpc-auth',
    configFile: 'openim-rpc-auth.yml',
    ports: [grpc(10200), metrics(12200)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'auth',
    rpcServiceKey: 'auth',
  },
  {
    name: 'openim-rpc-conversation',
    product: 'server',
    image: 'openim-rpc-conversation',
    configFile: 'openim-rpc-conversation.yml',
    ports: [grpc(10220), metrics(12220)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'conversation',
    rpcServiceKey: 'conversation',
  },
  {
    name: 'openim-rpc-friend',
    product: 'server',
    image: 'openim-rpc-friend',
    configFile: 'openim-rpc-friend.yml',
    ports: [grpc(10240), metrics(12240)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'friend',
    rpcServiceKey: 'friend',
  },
  {
    name: 'openim-rpc-group',
    product: 'server',
    image: 'openim-rpc-group',
    configFile: 'openim-rpc-group.yml',
    ports: [grpc(10260), metrics(12260)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'group',
    rpcServiceKey: 'group',
  },
  {
    name: 'openim-rpc-msg',
    product: 'server',
    image: 'openim-rpc-msg',
    configFile: 'openim-rpc-msg.yml',
    ports: [grpc(10280), metrics(12280)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'msg',
    rpcServiceKey: 'msg',
  },
  {
    name: 'openim-rpc-third',
    product: 'server',
    image: 'openim-rpc-third',
    configFile: 'openim-rpc-third.yml',
    ports: [grpc(10300), metrics(12300)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'third',
    rpcServiceKey: 'third',
  },
  {
    name: 'openim-rpc-user',
    product: 'server',
    image: 'openim-rpc-user',
    configFile: 'openim-rpc-user.yml',
    ports: [grpc(10320), metrics(12320)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'user',
    rpcServiceKey: 'user',
  },
];

// Chat per-service images follow the upstream per-service manifests
// (openim/openim-{chat,admin}-{api,rpc}); upstream publishes them to ghcr.io
// first, so mirror or bundle them before pinning a Docker Hub tag.
export const CHAT_MODULES: readonly OpenIMModule[] = [
  {
    name: 'chat-rpc',
    product: 'chat',
    image: 'openim-chat-rpc',
    configFile: 'chat-rpc-chat.yml',
    ports: [grpc(30300)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'chat',
    rpcServiceKey: 'chat',
  },
  {
    name: 'admin-rpc',
    product: 'chat',
    image: 'openim-admin-rpc',
    configFile: 'chat-rpc-admin.yml',
    ports: [grpc(30200)],
    instances: { dev: 1, production: 2 },
    rpcRegisterName: 'admin',
    rpcServiceKey: 'admin',
  },
  {
    name: 'chat-api',
    product: 'chat',
    image: 'openim-chat-api',
    configFile: 'chat-api-chat.yml',
    ports: [{ name: 'http', port: 10008 }],
    instances: { dev: 1, production: 2 },
  },
  {
    name: 'admin-api',
    product: 'chat',
    image: 'openim-admin-api',
    configFile: 'chat-api-admin.yml',
    ports: [{ name: 'http', port: 10009 }],
    instances: { dev: 1, production: 2 },
  },
];

export const FRONT_MODULES: readonly OpenIMModule[] = [
  {
    name: 'openim-web-front',
    product: 'front',
    image: 'openim-web-front',
    ports: [{ name: 'http', port: 80 }],
    instances: { dev: 1, production: 2 },
  },
  {
    name: 'openim-admin-front',
    product: 'front',
    image: 'openim-admin-front',
    ports: [{ name: 'http', port: 80 }],
    instances: { dev: 1, production: 2 },
  },
];

/** Host ports for the fronts on the binary target (open-im-server docker-compose.yml@v3.8.3). */
export const FRONT_HOST_PORTS: Record<string, number> = { 'openim-web-front': 11001, 'openim-admin-front': 11002 };

export const ALL_MODULES: readonly OpenIMModule[] = [...SERVER_MODULES, ...CHAT_MODULES, ...FRONT_MODULES];

export function findModule(name: string): OpenIMModule | undefined {
  return ALL_MODULES.find((m) => m.name === name);
}

export function modulePort(name: string, portName: ModulePort['name']): number {
  const port = findModule(name)?.ports.find((p) => p.name === portName)?.port;
  if (port === undefined) throw new Error(`module ${name} has no ${portName} port`);
  return port;
}

/** Ports clients reach (ingress back ends, health probes, smoke test). */
export const PUBLIC_PORTS = {
  api: modulePort('openim-api', 'http'),
  msgGateway: modulePort('openim-msggateway', 'ws'),
  chatApi: modulePort('chat-api', 'http'),
  adminApi: modulePort('admin-api', 'http'),
} as const;

/** Kafka topics the server needs and does not create itself (open-im-server config/kafka.yml@v3.8.3; issues #2694, #2726). */
export const KAFKA_TOPICS = ['toRedis', 'toMongo', 'toPush', 'toOfflinePush'] as const;

/** Consumer group per topic (kafka.yml `<topic>GroupID`); doctor and monitoring read lag by these names. */
export const KAFKA_CONSUMER_GROUPS: Record<(typeof KAFKA_TOPICS)[number], string> = {
  toRedis: 'redis',
  toMongo: 'mongo',
  toPush: 'push',
  toOfflinePush: 'offlinePush',
};
