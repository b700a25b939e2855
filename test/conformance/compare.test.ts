// The comparison itself, on small inputs: it must see each kind of difference.

import { describe, expect, it } from 'vitest';
import { compareFile, compareFileSets, envFindings, findingId } from './compare.js';

const upstream = 'rpc:\n  registerIP:\n  ports: [ 10170 ]\nenable: geTui\njpush:\n  appKey:\nlist: []\n';

describe('compareFile', () => {
  it('accepts the same keys, a typed value for an empty upstream one and any list for an empty list', () => {
    expect(
      compareFile(
        'server',
        'openim-push.yml',
        'rpc:\n  registerIP: ""\n  ports: [10170, 10171]\nenable: none\njpush:\n  appKey: ""\nlist: [a]\n',
        upstream,
      ),
    ).toEqual([]);
  });

  it('reports an unknown subtree once, a missing key, and a type change', () => {
    const rendered =
      'rpc:\n  registerIP: ""\n  ports: ["10170"]\n  autoSetPorts: false\nenable: 3\njpns:\n  appKey: ""\nlist: []\n';
    expect(compareFile('server', 'openim-push.yml', rendered, upstream).map(findingId).sort()).toEqual([
      'key-missing server openim-push.yml jpush',
      'key-type server openim-push.yml enable',
      'key-type server openim-push.yml rpc.ports',
      'key-unknown server openim-push.yml jpns',
      'key-unknown server openim-push.yml rpc.autoSetPorts',
    ]);
  });
});

describe('compareFileSets', () => {
  it('reports files on either side only', () => {
    expect(compareFileSets('chat', ['a.yml', 'b.yml'], ['b.yml', 'c.yml']).map(findingId)).toEqual([
      'file-missing chat c.yml',
      'file-unknown chat a.yml',
    ]);
  });
});

describe('envFindings', () => {
  const files = { 'chat-rpc-chat.yml': 'verifyCode:\n  superCode: ""\n', 'share.yml': 'openIM:\n  secret: ""\n' };
  it('maps a variable to a key of the file with the longest prefix', () => {
    expect(
      envFindings('chat', ['CHATENV_CHAT_RPC_CHAT_VERIFYCODE_SUPERCODE', 'CHATENV_SHARE_OPENIM_SECRET'], files),
    ).toEqual([]);
  });
  it('reports a variable naming no key, and one naming no file', () => {
    expect(envFindings('chat', ['CHATENV_SHARE_SECRET', 'CHATENV_NOTHING_X'], files).map(findingId)).toEqual([
      'env-unknown chat share.yml CHATENV_SHARE_SECRET',
      'env-unknown chat (none) CHATENV_NOTHING_X',
    ]);
  });
});
