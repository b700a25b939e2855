// Files describing infrastructure: mongodb.yml, redis.yml, kafka.yml,
// discovery.yml, log.yml. mongodb/redis/discovery/log exist in both server
// and chat with the same keys, so one builder serves both.
// Keys: open-im-server 3.8 config/*.yml and deployments/deploy/openim-config.yml;
// chat 1.8 config/*.yml (see README.md in this folder).

import { KAFKA_CONSUMER_GROUPS, KAFKA_TOPICS } from '../catalog/modules.js';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import { ConfigError } from '../errors.js';
import type { GenContext } from './context.js';
import { optionalSecret, secretSlot } from './secret-slots.js';

/** Inputs that would give a broken install; a ConfigError, so the CLI exits 2 naming the config path. */
export class ConfigInputError extends ConfigError {
  constructor(path: string, message: string, hint?: string) {
    super([hint ? { path, message, hint } : { path, message }], 'OpenIM config cannot be generated');
    this.name = 'ConfigInputError';
  }
}

/** A mongodb:// URI with user:password@ in it. */
export function uriHasPassword(uri: string): boolean {
  return /^mongodb(\+srv)?:\/\/[^/@]*:[^/@]*@/.test(uri);
}

export function mongodbFile(ctx: GenContext): Record<string, unknown> {
  const m = ctx.endpoints.mongodb;
  if (m.uri && ctx.options.secretMode === 'env' && uriHasPassword(m.uri) && !m.uri.includes('«secret:')) {
    throw new ConfigInputError(
      'infrastructure.mongodb.uri',
      'carries a password and would land in a ConfigMap',
      'give address + username (the password then comes from the Secret) instead of a uri',
    );
  }
  return {
    // With a password in it the URI is a credential: a placeholder in plans and renders.
    uri: m.uri && uriHasPassword(m.uri) ? secretSlot('mongodb.uri') : m.uri,
    address: [...m.address],
    database: m.database,
    username: m.username,
    password: secretSlot('mongodb.password'),
    // Upstream defaults authSource to the database; a root user needs "admin" (pain point 6).
    authSource: m.authSource || m.database,
    maxPoolSize: 100,
    maxRetry: 10,
  };
}

/**
 * redis.yml. Server: `clusterMode: bool` or `redisMode: standalone|cluster`
 * by version (catalog config.redisMode), plus `poolSize`. Chat 1.8:
 * `enablePipeline`, `clusterMode`, no `poolSize` (catalog chat config).
 */
export function redisFile(ctx: GenContext, product: 'server' | 'chat'): Record<string, unknown> {
  const r = ctx.endpoints.redis;
  const base = { address: [...r.address], username: '', password: secretSlot('redis.password') };
  if (product === 'chat') {
    return {
      ...base,
      ...(ctx.chat.config.redisEnablePipeline ? { enablePipeline: false } : {}),
      clusterMode: r.clusterMode,
      db: 0,
      maxRetry: 10,
    };
  }
  const mode =
    ctx.server.config.redisMode === 'redisMode'
      ? { redisMode: r.clusterMode ? 'cluster' : 'standalone' }
      : { clusterMode: r.clusterMode };
  return { ...base, ...mode, db: 0, maxRetry: 10, poolSize: 100 };
}

export function kafkaFile(ctx: GenContext): Record<string, unknown> {
  const k = ctx.endpoints.kafka;
  const topics: Record<string, string> = {};
  const groups: Record<string, string> = {};
  for (const topic of KAFKA_TOPICS) {
    topics[`${topic}Topic`] = topic;
    groups[`${topic}GroupID`] = KAFKA_CONSUMER_GROUPS[topic];
  }
  return {
    username: k.username,
    password: optionalSecret(k.username !== '', 'kafka.password'),
    producerAck: '',
    compressType: 'none',
    address: [...k.address],
    ...topics,
    ...groups,
    tls: {
      enableTLS: k.tls,
      caCrt: '',
      clientCrt: '',
      clientKey: '',
      clientKeyPwd: '',
      insecureSkipVerify: false,
    },
  };
}

/** Kubernetes Service name of a module (the catalog module name unless the target overrides it). */
export function serviceName(ctx: GenContext, moduleName: string): string {
  const d = ctx.endpoints.discovery;
  return (d.kind === 'kubernetes' ? d.serviceNames?.[moduleName] : undefined) ?? moduleName;
}

function etcdBlock(ctx: GenContext): Record<string, unknown> {
  const d = ctx.endpoints.discovery;
  const etcd = d.kind === 'etcd' ? d : { address: [] as string[], username: '' };
  return {
    rootDirectory: 'openim',
    address: [...etcd.address],
    username: etcd.username,
    password: optionalSecret(etcd.username !== '', 'etcd.password'),
  };
}

/**
 * discovery.yml. `rpcService` (module key → name) is written wherever the
 * product reads it: chat always, whatever `enable` says (chat registers and
 * dials `rpcService.chat/admin` in every mode: pkg/common/config/config.go@v1.8.4:95,
 * an empty name gives "unknown service openim.chat.chat"); the server from
 * 3.8.4 on (3.8.3 reads share.yml rpcRegisterName instead).
 */
export function discoveryFile(
  ctx: GenContext,
  product: 'server' | 'chat',
  rpcService: Record<string, string>,
): Record<string, unknown> {
  const d = ctx.endpoints.discovery;
  const readsRpcService = product === 'chat' || ctx.server.config.rpcNames === 'discovery.rpcService';
  return {
    enable: d.kind === 'etcd' ? 'etcd' : 'kubernetes',
    etcd: etcdBlock(ctx),
    // Chat's file always has kubernetes.namespace (config/discovery.yml@v1.8.4:8-9); it is read only
    // when chat detects Kubernetes itself, which pods without a service-account token prevent.
    ...(d.kind === 'kubernetes' || product === 'chat' ? { kubernetes: { namespace: d.namespace ?? 'default' } } : {}),
    ...(readsRpcService ? { rpcService } : {}),
  };
}

export function logFile(ctx: GenContext): Record<string, unknown> {
  return {
    storageLocation: ctx.options.logDirectory,
    rotationTime: 24,
    remainRotationCount: 2,
    remainLogLevel: OPENIM_DEFAULTS.logLevel[ctx.spec.profile],
    isStdout: ctx.options.logToStdout,
    isJson: false,
    isSimplify: true,
    // No withStack: the Log structs read it (open-im-server pkg/common/config/config.go@v3.8.3:54,
    // chat pkg/common/config/config.go@v1.8.4:169) but upstream's log.yml does not carry it
    // (config/log.yml@v3.8.3), and false is its zero value.
  };
}
