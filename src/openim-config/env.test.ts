import { describe, expect, it } from 'vitest';
import { envPrefix, envVarName } from './env.js';

// Expected names are the ones upstream documents and uses in its own manifests
// (open-im-server deployments/deploy/*.yml: IMENV_MONGODB_PASSWORD, IMENV_REDIS_PASSWORD;
// pkg/common/config/load_config.go@v3.8.3 takes the prefix per file: IMENV_SHARE_SECRET,
// IMENV_MINIO_EXTERNALADDRESS; chat's CHATENV_SHARE_OPENIM_APIURL likewise).
describe('envVarName', () => {
  it('derives the prefix from the file name: upper case, "-" → "_"', () => {
    expect(envPrefix('server', 'openim-rpc-third.yml')).toBe('IMENV_OPENIM_RPC_THIRD');
    expect(envPrefix('server', 'local-cache.yml')).toBe('IMENV_LOCAL_CACHE');
    expect(envPrefix('chat', 'chat-rpc-admin.yml')).toBe('CHATENV_CHAT_RPC_ADMIN');
  });

  it('joins the key path with "_" in upper case', () => {
    expect(envVarName('server', 'mongodb.yml', ['password'])).toBe('IMENV_MONGODB_PASSWORD');
    expect(envVarName('server', 'share.yml', ['secret'])).toBe('IMENV_SHARE_SECRET');
    expect(envVarName('server', 'minio.yml', ['secretAccessKey'])).toBe('IMENV_MINIO_SECRETACCESSKEY');
    expect(envVarName('server', 'minio.yml', ['externalAddress'])).toBe('IMENV_MINIO_EXTERNALADDRESS');
    expect(envVarName('server', 'discovery.yml', ['etcd', 'password'])).toBe('IMENV_DISCOVERY_ETCD_PASSWORD');
    expect(envVarName('server', 'log.yml', ['isStdout'])).toBe('IMENV_LOG_ISSTDOUT');
    expect(envVarName('chat', 'share.yml', ['openIM', 'secret'])).toBe('CHATENV_SHARE_OPENIM_SECRET');
    expect(envVarName('chat', 'share.yml', ['openIM', 'apiURL'])).toBe('CHATENV_SHARE_OPENIM_APIURL');
    expect(envVarName('chat', 'chat-rpc-chat.yml', ['verifyCode', 'superCode'])).toBe(
      'CHATENV_CHAT_RPC_CHAT_VERIFYCODE_SUPERCODE',
    );
  });

  it('refuses an empty key path', () => {
    expect(() => envVarName('server', 'share.yml', [])).toThrow();
  });
});
