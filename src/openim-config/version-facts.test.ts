// #15: each config defect found by the audit and the real runs, per version,
// driven by the catalog (src/catalog/openim-versions.ts names the upstream
// file of every fact). Each test failed on main before the fix.

import { describe, expect, it } from 'vitest';
import { SERVER_RELEASES, CHAT_RELEASES } from '../catalog/openim-versions.js';
import { resolveConfig } from '../config/resolve.js';
import { binaryEndpoints } from '../targets/binary/endpoints.js';
import { binaryChecks } from '../targets/binary/checks.js';
import { openimEndpoints } from '../targets/kubernetes/config/endpoints.js';
import { infraEndpoints } from '../targets/kubernetes/infra-bridge.js';
import { generateOpenIMConfig } from './generate.js';
import {
  envOptions,
  hostEndpoints,
  inlineOptions,
  k8sEndpoints,
  specOf,
} from '../../test/helpers/openim-config-fixtures.js';
import type { ConfigFiles } from './types.js';
import { NFS_SERVER_SET } from '../../test/helpers/config-presets.js';
import { kubernetesLayout } from '../targets/kubernetes/layout.js';

const get = (files: ConfigFiles, file: string, ...path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], files[file]);
const hostSpec = (serverVersion = 'v3.8.3', chatVersion = 'v1.8.4') =>
  specOf({
    target: 'binary',
    profile: 'dev',
    openim: { domain: '192.168.1.10', serverVersion, chatVersion },
    kubernetes: { ingress: { controller: 'none' } },
  });

describe('#15 defect 5: chat discovery.yml always names its RPC services', () => {
  it('etcd (binary and Kubernetes) and Kubernetes discovery all carry rpcService {chat, admin}', () => {
    for (const endpoints of [hostEndpoints, k8sEndpoints]) {
      const out = generateOpenIMConfig(hostSpec(), endpoints, inlineOptions);
      const names = get(out.chat, 'discovery.yml', 'rpcService') as Record<string, string>;
      expect(Object.keys(names).sort()).toEqual(['admin', 'chat']);
      expect(names.chat).not.toBe(names.admin);
      for (const n of Object.values(names)) expect(n).not.toBe('');
    }
  });
});

describe('#15 defect 6: chat share.yml proxyHeader only where a proxy sets it', () => {
  it('binary target (no proxy in front of chat): empty, so chat takes the peer address instead of answering 500', () => {
    const spec = hostSpec();
    const out = generateOpenIMConfig(spec, binaryEndpoints(spec), inlineOptions);
    expect(get(out.chat, 'share.yml', 'proxyHeader')).toBe('');
  });

  it('Kubernetes: the single-address header the ingress controller writes; none without an ingress', () => {
    const header = (controller: string) => {
      const sets = [
        'openim.domain=im.example.com',
        NFS_SERVER_SET,
        `kubernetes.ingress.controller=${controller}`,
        ...(controller === 'gateway-api' ? ['kubernetes.ingress.className=gw'] : []),
      ];
      const spec = resolveConfig({ preset: 'production', sets }).spec;
      return get(
        generateOpenIMConfig(spec, openimEndpoints(spec, kubernetesLayout(spec), infraEndpoints(spec)), envOptions)
          .chat,
        'share.yml',
        'proxyHeader',
      );
    };
    expect(header('nginx')).toBe('X-Real-IP');
    expect(header('traefik')).toBe('X-Real-Ip');
    // Never X-Forwarded-For: behind a second proxy it is a list, which chat cannot parse.
    for (const c of ['istio', 'gateway-api', 'none']) expect(header(c), c).toBe('');
  });
});

describe('#15 defect 7: MinIO externalAddress on a single host is what clients reach', () => {
  it('uses the domain or IP the user gives', () => {
    const spec = hostSpec();
    expect(
      get(generateOpenIMConfig(spec, binaryEndpoints(spec), inlineOptions).server, 'minio.yml', 'externalAddress'),
    ).toBe('http://192.168.1.10:10005');
  });

  it('never a *.localhost name (it does not resolve on Debian); dev falls back to 127.0.0.1 and preflight says files work on this machine only', () => {
    const spec = specOf({
      target: 'binary',
      profile: 'dev',
      openim: { domain: 'openim.localhost' },
      kubernetes: { ingress: { controller: 'none' } },
    });
    const external = get(
      generateOpenIMConfig(spec, binaryEndpoints(spec), inlineOptions).server,
      'minio.yml',
      'externalAddress',
    );
    expect(external).toBe('http://127.0.0.1:10005');
    const finding = binaryChecks(spec, { target: 'binary', probed: false }).find(
      (f) => f.id === 'objectStorage.local-only',
    );
    expect(finding?.severity).toBe('warn');
    expect(finding?.fix).toMatch(/--domain/);
  });

  it('production with no reachable name is refused', () => {
    const spec = specOf({
      target: 'binary',
      profile: 'production',
      openim: { domain: 'openim.localhost', superCode: '482913' },
      kubernetes: { ingress: { controller: 'none' } },
    });
    expect(() => generateOpenIMConfig(spec, binaryEndpoints(spec), inlineOptions)).toThrow(/loopback/);
  });
});

describe('#15 defect 8: key names per version', () => {
  it('push offline provider block is jpush (jpns is read by nothing)', () => {
    const out = generateOpenIMConfig(hostSpec(), hostEndpoints, inlineOptions);
    expect(get(out.server, 'openim-push.yml', 'jpush')).toEqual({
      appKey: '',
      masterSecret: '',
      pushURL: '',
      pushIntent: '',
    });
    expect(get(out.server, 'openim-push.yml', 'jpns')).toBeUndefined();
  });

  it('chat mail switch is verifyCode.mail.enable, not use', () => {
    const out = generateOpenIMConfig(hostSpec(), hostEndpoints, inlineOptions);
    expect(get(out.chat, 'chat-rpc-chat.yml', 'verifyCode', 'mail', 'enable')).toBe(false);
    expect(get(out.chat, 'chat-rpc-chat.yml', 'verifyCode', 'mail', 'use')).toBeUndefined();
  });

  it('rpcMaxBodySize where the version reads it (patch.16), absent where it does not (3.8.3)', () => {
    const patch = generateOpenIMConfig(hostSpec('v3.8.3-patch.16', 'v1.8.4-patch.5'), hostEndpoints, inlineOptions);
    expect(get(patch.server, 'share.yml', 'rpcMaxBodySize')).toEqual({
      requestMaxBodySize: 8388608,
      responseMaxBodySize: 8388608,
    });
    expect(
      get(generateOpenIMConfig(hostSpec(), hostEndpoints, inlineOptions).server, 'share.yml', 'rpcMaxBodySize'),
    ).toBeUndefined();
  });

  it('notification.yml offline-push flags follow each version (patch.16 turned friend/group application pushes on and the rest off)', () => {
    const flags = (v: string) => {
      const n = generateOpenIMConfig(hostSpec(v), hostEndpoints, inlineOptions).server['notification.yml'] as Record<
        string,
        { offlinePush: { enable: boolean } }
      >;
      return Object.entries(n)
        .filter(([, e]) => e.offlinePush.enable)
        .map(([k]) => k)
        .sort();
    };
    for (const r of SERVER_RELEASES) expect(flags(r.version), r.version).toEqual([...r.config.offlinePushOn].sort());
    expect(flags('v3.8.3')).toContain('friendAdded');
    expect(flags('v3.8.3-patch.16')).not.toContain('friendAdded');
    expect(flags('v3.8.3-patch.16')).toContain('joinGroupApplication');
  });

  it('redis.yml: clusterMode on 3.8.3, redisMode on patch.16; chat has enablePipeline and no poolSize', () => {
    const v383 = generateOpenIMConfig(hostSpec(), hostEndpoints, inlineOptions);
    expect(v383.server['redis.yml']).toMatchObject({ clusterMode: false, poolSize: 100 });
    expect(get(v383.server, 'redis.yml', 'redisMode')).toBeUndefined();
    const patch = generateOpenIMConfig(hostSpec('v3.8.3-patch.16', 'v1.8.4-patch.5'), hostEndpoints, inlineOptions);
    expect(patch.server['redis.yml']).toMatchObject({ redisMode: 'standalone' });
    expect(get(patch.server, 'redis.yml', 'clusterMode')).toBeUndefined();
    for (const r of CHAT_RELEASES) {
      const chat = generateOpenIMConfig(hostSpec('v3.8.3', r.version), hostEndpoints, inlineOptions).chat['redis.yml']!;
      expect(chat, r.version).toMatchObject({ enablePipeline: false, clusterMode: false });
      expect(chat.poolSize, r.version).toBeUndefined();
    }
  });

  it('autoSetPorts only where the version reads it; chat 1.8.4 share.yml without keys it does not read', () => {
    const v383 = generateOpenIMConfig(hostSpec(), hostEndpoints, inlineOptions);
    expect(get(v383.server, 'openim-rpc-user.yml', 'rpc', 'autoSetPorts')).toBeUndefined();
    const patch = generateOpenIMConfig(hostSpec('v3.8.3-patch.16'), hostEndpoints, inlineOptions);
    expect(get(patch.server, 'openim-rpc-user.yml', 'rpc', 'autoSetPorts')).toBe(false);
    expect(get(patch.server, 'openim-api.yml', 'prometheus', 'autoSetPorts')).toBe(false);
    expect(Object.keys(v383.chat['share.yml']!).sort()).toEqual(['chatAdmin', 'openIM', 'proxyHeader']);
    expect(Object.keys(get(v383.chat, 'share.yml', 'openIM') as object).sort()).toEqual([
      'adminUserID',
      'apiURL',
      'secret',
    ]);
  });

  it('a MongoDB password OpenIM would put into its URI unescaped is refused with the reason', () => {
    expect(() =>
      resolveConfig({
        preset: 'single-host',
        sets: [
          'infrastructure.mongodb.mode=external',
          'infrastructure.mongodb.address[0]=db:27017',
          'infrastructure.mongodb.password=p@ss:word',
        ],
      }),
    ).toThrow(/unescaped/);
    expect(() =>
      resolveConfig({
        preset: 'single-host',
        sets: [
          'infrastructure.mongodb.mode=external',
          'infrastructure.mongodb.address[0]=db:27017',
          'infrastructure.mongodb.password=Plain-Pass_42',
        ],
      }),
    ).not.toThrow();
  });
});

describe('#15: RPC and metrics exposure on a single host', () => {
  it('RPC servers listen on and register loopback; client-facing ports stay on every interface', () => {
    const spec = hostSpec();
    const out = generateOpenIMConfig(spec, binaryEndpoints(spec), inlineOptions);
    expect(get(out.server, 'openim-rpc-user.yml', 'rpc')).toMatchObject({
      listenIP: '127.0.0.1',
      registerIP: '127.0.0.1',
    });
    expect(get(out.server, 'openim-msggateway.yml', 'listenIP')).toBe('127.0.0.1');
    expect(get(out.server, 'openim-msggateway.yml', 'rpc', 'registerIP')).toBe('127.0.0.1');
    expect(get(out.server, 'openim-api.yml', 'api', 'listenIP')).toBe('0.0.0.0');
    expect(get(out.chat, 'chat-rpc-chat.yml', 'rpc')).toMatchObject({ listenIP: '127.0.0.1', registerIP: '127.0.0.1' });
    expect(get(out.chat, 'chat-api-chat.yml', 'api', 'listenIP')).toBe('0.0.0.0');
  });

  it('Kubernetes pods listen on their interfaces and register the pod IP', () => {
    const out = generateOpenIMConfig(
      specOf({ profile: 'production', openim: { domain: 'im.example.com' } }),
      k8sEndpoints,
      envOptions,
    );
    expect(get(out.server, 'openim-rpc-user.yml', 'rpc')).toMatchObject({ listenIP: '0.0.0.0', registerIP: '' });
  });
});
