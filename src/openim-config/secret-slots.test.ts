import { describe, expect, it } from 'vitest';
import { secretRef } from '../secrets/secrets.js';
import { optionalSecret, resolveSecretSlots, secretSlot } from './secret-slots.js';

describe('resolveSecretSlots', () => {
  const files = {
    'redis.yml': { address: ['r:6379'], password: secretSlot('redis.password') },
    'kafka.yml': { password: optionalSecret(false, 'kafka.password') },
  };

  it('inline: placeholders, no env', () => {
    const out = resolveSecretSlots('server', files, 'inline');
    expect(out.files['redis.yml']).toEqual({ address: ['r:6379'], password: secretRef('redis.password') });
    expect(out.files['kafka.yml']).toEqual({ password: '' });
    expect(out.env).toEqual({});
  });

  it('env: empty values and env names from the key path', () => {
    const out = resolveSecretSlots(
      'chat',
      { 'chat-rpc-chat.yml': { verifyCode: { superCode: secretSlot('chat.superCode') } } },
      'env',
    );
    expect(out.files['chat-rpc-chat.yml']).toEqual({ verifyCode: { superCode: '' } });
    expect(out.env).toEqual({ CHATENV_CHAT_RPC_CHAT_VERIFYCODE_SUPERCODE: 'chat.superCode' });
  });

  it('refuses a secret inside a list, where no env variable can reach it', () => {
    expect(() => resolveSecretSlots('server', { 'x.yml': { list: [secretSlot('redis.password')] } }, 'env')).toThrow(
      /inside a list/,
    );
  });
});
