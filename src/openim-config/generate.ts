// generateOpenIMConfig: DeploySpec + endpoints → every server and chat config
// file as objects, secrets as placeholders (inline) or env variables (env).

import type { DeploySpec } from '../config/schema.js';
import { chatFiles } from './chat.js';
import { makeContext } from './context.js';
import { discoveryFile, kafkaFile, logFile, mongodbFile, redisFile } from './infra.js';
import { minioFile } from './object-storage.js';
import { notificationFile } from './notification.js';
import { resolveSecretSlots } from './secret-slots.js';
import { localCacheFile, serverRpcNames, serverShareFile, webhooksFile } from './server-shared.js';
import { serverServiceFiles } from './server-services.js';
import type { ConfigFiles, ConfigOptions, GeneratedConfig, OpenIMEndpoints } from './types.js';

/** Every file an OpenIM server process may load from its config folder (3.8). */
export const SERVER_CONFIG_FILES = [
  'discovery.yml',
  'kafka.yml',
  'local-cache.yml',
  'log.yml',
  'minio.yml',
  'mongodb.yml',
  'notification.yml',
  'redis.yml',
  'share.yml',
  'webhooks.yml',
  'openim-api.yml',
  'openim-crontask.yml',
  'openim-msggateway.yml',
  'openim-msgtransfer.yml',
  'openim-push.yml',
  'openim-rpc-auth.yml',
  'openim-rpc-conversation.yml',
  'openim-rpc-friend.yml',
  'openim-rpc-group.yml',
  'openim-rpc-msg.yml',
  'openim-rpc-third.yml',
  'openim-rpc-user.yml',
] as const;

export const CHAT_CONFIG_FILES = [
  'chat-api-admin.yml',
  'chat-api-chat.yml',
  'chat-rpc-admin.yml',
  'chat-rpc-chat.yml',
  'discovery.yml',
  'log.yml',
  'mongodb.yml',
  'redis.yml',
  'share.yml',
] as const;

export function generateOpenIMConfig(
  spec: DeploySpec,
  endpoints: OpenIMEndpoints,
  options: ConfigOptions,
): GeneratedConfig {
  const ctx = makeContext(spec, endpoints, options);
  const server: ConfigFiles = {
    'discovery.yml': discoveryFile(ctx, 'server', serverRpcNames(ctx, 'rpcServiceKey')),
    'kafka.yml': kafkaFile(ctx),
    'local-cache.yml': localCacheFile(),
    'log.yml': logFile(ctx),
    'minio.yml': minioFile(ctx),
    'mongodb.yml': mongodbFile(ctx),
    'notification.yml': notificationFile(ctx.server),
    'redis.yml': redisFile(ctx, 'server'),
    'share.yml': serverShareFile(ctx),
    'webhooks.yml': webhooksFile(),
    ...serverServiceFiles(ctx),
  };
  const serverOut = resolveSecretSlots('server', server, options.secretMode);
  if (!spec.openim.components.chat) return { server: serverOut.files, chat: {}, serverEnv: serverOut.env, chatEnv: {} };
  const chatOut = resolveSecretSlots('chat', chatFiles(ctx), options.secretMode);
  return { server: serverOut.files, chat: chatOut.files, serverEnv: serverOut.env, chatEnv: chatOut.env };
}
