import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CHAT_MODULES,
  KAFKA_CONSUMER_GROUPS,
  KAFKA_TOPICS,
  SERVER_MODULES,
  type OpenIMModule,
} from '../catalog/modules.js';
import { OPENIM_DEFAULTS, serverRelease } from '../catalog/openim-versions.js';
import { materialise, SECRET_IDS, secretRef, type SecretValues } from '../secrets/secrets.js';
import { CHAT_CONFIG_FILES, generateOpenIMConfig, SERVER_CONFIG_FILES } from './generate.js';
import { ConfigError } from '../errors.js';
import { envVarName } from './env.js';
import { ConfigInputError } from './infra.js';
import { findPortCollisions } from './ports.js';
import { serialiseConfigFiles } from './serialise.js';
import {
  envOptions,
  hostEndpoints,
  inlineOptions,
  k8sEndpoints,
  specOf,
} from '../../test/helpers/openim-config-fixtures.js';
import type { ConfigFiles, OpenIMEndpoints } from './types.js';

const prodSpec = specOf({ profile: 'production', openim: { domain: 'im.example.com' } });
const devHostSpec = specOf({
  target: 'binary',
  profile: 'dev',
  openim: { domain: 'openim.localhost' },
  kubernetes: { ingress: { controller: 'none' } },
});

/** Values that look like nothing OpenIM ships, so a leak is unmistakable. */
const fakeSecrets = Object.fromEntries(
  SECRET_IDS.map((id, i) => [id, `S3cr3t-${i}-${id.replace('.', '-')}`]),
) as SecretValues;

function get(files: ConfigFiles, file: string, ...path: string[]): unknown {
  let v: unknown = files[file];
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

/** Every string leaf of an object tree. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** [key path, value] of every non-object leaf. */
function leaves(value: unknown, path: string[] = []): [string[], unknown][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[path, value]];
}

function moduleFileName(mod: OpenIMModule): string {
  if (!mod.configFile) throw new Error(`${mod.name} has no config file`);
  return mod.configFile;
}

describe('generateOpenIMConfig: files', () => {
  it('produces every server and chat file and nothing else', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(Object.keys(out.server).sort()).toEqual([...SERVER_CONFIG_FILES].sort());
    expect(Object.keys(out.chat).sort()).toEqual([...CHAT_CONFIG_FILES].sort());
    // Every module in the catalog has its own file among them.
    for (const mod of SERVER_MODULES) expect(out.server).toHaveProperty([moduleFileName(mod)]);
    for (const mod of CHAT_MODULES) expect(out.chat).toHaveProperty([moduleFileName(mod)]);
  });

  it('leaves chat out when it is not a component', () => {
    const out = generateOpenIMConfig(
      specOf({ profile: 'dev', openim: { components: { chat: false, adminFront: false } } }),
      k8sEndpoints,
      envOptions,
    );
    expect(out.chat).toEqual({});
    expect(out.chatEnv).toEqual({});
    expect(Object.keys(out.server)).toHaveLength(SERVER_CONFIG_FILES.length);
  });

  it('serialises to YAML that parses back to the same objects', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, inlineOptions);
    const text = serialiseConfigFiles(out.server);
    expect(Object.keys(text).sort()).toEqual([...SERVER_CONFIG_FILES].sort());
    for (const [name, yaml] of Object.entries(text)) expect(parse(yaml)).toEqual(out.server[name]);
    expect(text['share.yml']).toContain(secretRef('openim.secret'));
  });
});

describe('generateOpenIMConfig: secrets', () => {
  it('uses one placeholder for share.secret in server and chat (inline)', () => {
    const out = generateOpenIMConfig(prodSpec, hostEndpoints, inlineOptions);
    expect(get(out.server, 'share.yml', 'secret')).toBe(secretRef('openim.secret'));
    expect(get(out.chat, 'share.yml', 'openIM', 'secret')).toBe(secretRef('openim.secret'));
    expect(out.serverEnv).toEqual({});
    expect(out.chatEnv).toEqual({});
  });

  it('maps the same secret id to the server and chat env variables (env)', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(out.serverEnv['IMENV_SHARE_SECRET']).toBe('openim.secret');
    expect(out.chatEnv['CHATENV_SHARE_OPENIM_SECRET']).toBe('openim.secret');
    expect(get(out.server, 'share.yml', 'secret')).toBe('');
    expect(get(out.chat, 'share.yml', 'openIM', 'secret')).toBe('');
  });

  it('names the env variables after the keys that hold them', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(out.serverEnv).toMatchObject({
      IMENV_MONGODB_PASSWORD: 'mongodb.password',
      IMENV_REDIS_PASSWORD: 'redis.password',
      IMENV_MINIO_ACCESSKEYID: 'objectStorage.accessKey',
      IMENV_MINIO_SECRETACCESSKEY: 'objectStorage.secretKey',
    });
    expect(out.chatEnv).toMatchObject({
      CHATENV_MONGODB_PASSWORD: 'mongodb.password',
      CHATENV_REDIS_PASSWORD: 'redis.password',
      CHATENV_CHAT_RPC_CHAT_VERIFYCODE_SUPERCODE: 'chat.superCode',
      CHATENV_CHAT_RPC_ADMIN_SECRET: 'chat.adminTokenSecret',
    });
    // Each variable's key exists (empty) in its file, or viper would not read it.
    for (const [name] of Object.entries(out.serverEnv)) expect(name.startsWith('IMENV_')).toBe(true);
  });

  it('every env variable names a key that is present and empty in its file', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    for (const [product, files, env] of [
      ['server', out.server, out.serverEnv],
      ['chat', out.chat, out.chatEnv],
    ] as const) {
      const emptyLeaves = new Set<string>();
      for (const [file, content] of Object.entries(files)) {
        for (const [path, value] of leaves(content)) if (value === '') emptyLeaves.add(envVarName(product, file, path));
      }
      for (const name of Object.keys(env)) expect(emptyLeaves, name).toContain(name);
    }
    // As many variables as inline placeholders: none lost, none invented.
    const inline = generateOpenIMConfig(prodSpec, k8sEndpoints, inlineOptions);
    expect(Object.keys(out.serverEnv)).toHaveLength(
      strings(inline.server).filter((s) => s.startsWith('«secret:')).length,
    );
    expect(Object.keys(out.chatEnv)).toHaveLength(strings(inline.chat).filter((s) => s.startsWith('«secret:')).length);
  });

  it('env mode output holds no secret values, placeholders or OpenIM default passwords', () => {
    for (const spec of [prodSpec, devHostSpec]) {
      const out = generateOpenIMConfig(spec, k8sEndpoints, envOptions);
      const text = Object.values({ ...serialiseConfigFiles(out.server), ...serialiseConfigFiles(out.chat) }).join('\n');
      expect(text).not.toContain('«secret:');
      for (const weak of [...OPENIM_DEFAULTS.weakSecrets, 'chat123', 'openIM123']) {
        // chatAdmin is also the admin account name (not a credential) in chat share.yml.
        if (weak === 'chatAdmin') continue;
        expect(text).not.toContain(weak);
      }
      for (const value of Object.values(fakeSecrets)) expect(text).not.toContain(value);
    }
  });

  it('inline placeholders materialise to the real values, identical in server and chat', () => {
    const out = generateOpenIMConfig(prodSpec, hostEndpoints, inlineOptions);
    const serverShare = parse(materialise(serialiseConfigFiles(out.server)['share.yml']!, fakeSecrets)) as Record<
      string,
      unknown
    >;
    const chatShare = parse(materialise(serialiseConfigFiles(out.chat)['share.yml']!, fakeSecrets)) as {
      openIM: Record<string, unknown>;
    };
    expect(serverShare['secret']).toBe(fakeSecrets['openim.secret']);
    expect(chatShare.openIM['secret']).toBe(serverShare['secret']);
  });

  it('leaves kafka and etcd passwords empty when no username is set, and uses them when one is', () => {
    const plain = generateOpenIMConfig(prodSpec, hostEndpoints, inlineOptions);
    expect(get(plain.server, 'kafka.yml', 'password')).toBe('');
    expect(get(plain.server, 'discovery.yml', 'etcd', 'password')).toBe('');
    const authed: OpenIMEndpoints = {
      ...hostEndpoints,
      kafka: { ...hostEndpoints.kafka, username: 'openim' },
      discovery: { kind: 'etcd', address: ['10.0.0.9:2379'], username: 'root' },
    };
    const env = generateOpenIMConfig(prodSpec, authed, envOptions);
    expect(env.serverEnv['IMENV_KAFKA_PASSWORD']).toBe('kafka.password');
    expect(env.serverEnv['IMENV_DISCOVERY_ETCD_PASSWORD']).toBe('etcd.password');
    expect(env.chatEnv['CHATENV_DISCOVERY_ETCD_PASSWORD']).toBe('etcd.password');
  });

  it('refuses a Mongo URI with an embedded password in env mode', () => {
    const ep: OpenIMEndpoints = {
      ...k8sEndpoints,
      mongodb: { ...k8sEndpoints.mongodb, uri: 'mongodb://openIM:hunter2@db:27017/openim_v3' },
    };
    expect(() => generateOpenIMConfig(prodSpec, ep, envOptions)).toThrow(ConfigInputError);
    // Inline (hosts): a credential, so a placeholder like every other one (#19 Medium 11).
    expect(get(generateOpenIMConfig(prodSpec, ep, inlineOptions).server, 'mongodb.yml', 'uri')).toBe(
      '«secret:mongodb.uri»',
    );
  });
});

describe('generateOpenIMConfig: wiring rules', () => {
  it('points chat at the server API and admin user', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(get(out.chat, 'share.yml', 'openIM', 'apiURL')).toBe(k8sEndpoints.apiURL);
    expect(get(out.chat, 'share.yml', 'openIM', 'adminUserID')).toBe(OPENIM_DEFAULTS.imAdminUserID);
    expect(get(out.server, 'share.yml', 'imAdminUserID')).toEqual([OPENIM_DEFAULTS.imAdminUserID]);
    // Production: open registration is off unless asked for.
    expect(get(out.chat, 'chat-rpc-chat.yml', 'allowRegister')).toBe(false);
    const open = generateOpenIMConfig(
      specOf({ profile: 'production', openim: { domain: 'im.example.com', allowRegister: true } }),
      k8sEndpoints,
      envOptions,
    );
    expect(get(open.chat, 'chat-rpc-chat.yml', 'allowRegister')).toBe(true);
  });

  it('uses the external MinIO address given and refuses ones clients cannot reach', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(get(out.server, 'minio.yml', 'externalAddress')).toBe('https://im.example.com/im-minio-api');
    expect(get(out.server, 'minio.yml', 'internalAddress')).toBe('openim-minio.openim.svc:9000');
    for (const bad of [
      'http://openim-minio.openim.svc:9000',
      'http://minio.openim.svc.cluster.local:9000',
      'http://external_ip:10005',
      'http://openim-minio:9000',
      'openim-minio.openim.svc:9000',
      'http://127.0.0.1:10005',
      'http://localhost:10005',
    ]) {
      const ep: OpenIMEndpoints = {
        ...k8sEndpoints,
        objectStorage: { ...k8sEndpoints.objectStorage, externalAddress: bad },
      };
      expect(() => generateOpenIMConfig(prodSpec, ep, envOptions), bad).toThrow(ConfigInputError);
    }
    const bad: OpenIMEndpoints = {
      ...k8sEndpoints,
      objectStorage: { ...k8sEndpoints.objectStorage, externalAddress: 'http://external_ip:10005' },
    };
    try {
      generateOpenIMConfig(prodSpec, bad, envOptions);
      expect.unreachable();
    } catch (e) {
      // A ConfigError naming the user-facing key: the CLI exits 2 with the path.
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues[0]?.path).toBe('infrastructure.objectStorage.externalAddress');
    }
    // Loopback is reachable by a client on the same machine: dev only.
    const local: OpenIMEndpoints = {
      ...hostEndpoints,
      objectStorage: { ...hostEndpoints.objectStorage, externalAddress: 'http://127.0.0.1:10005' },
    };
    expect(get(generateOpenIMConfig(devHostSpec, local, inlineOptions).server, 'minio.yml', 'externalAddress')).toBe(
      'http://127.0.0.1:10005',
    );
  });

  it('sets authSource to the database when empty, keeps it when given', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(get(out.server, 'mongodb.yml', 'authSource')).toBe('openim_v3');
    expect(get(out.chat, 'mongodb.yml', 'authSource')).toBe('openim_v3');
    expect(get(out.server, 'mongodb.yml', 'username')).toBe('openIM');
    const root: OpenIMEndpoints = {
      ...k8sEndpoints,
      mongodb: { ...k8sEndpoints.mongodb, username: 'root', authSource: 'admin' },
    };
    expect(get(generateOpenIMConfig(prodSpec, root, envOptions).server, 'mongodb.yml', 'authSource')).toBe('admin');
  });

  it('logs at level 3 in production and 6 in dev, to stdout as asked', () => {
    const prod = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(get(prod.server, 'log.yml', 'remainLogLevel')).toBe(3);
    expect(get(prod.chat, 'log.yml', 'remainLogLevel')).toBe(3);
    expect(get(prod.server, 'log.yml', 'isStdout')).toBe(true);
    const dev = generateOpenIMConfig(devHostSpec, hostEndpoints, { ...inlineOptions, logToStdout: false });
    expect(get(dev.server, 'log.yml', 'remainLogLevel')).toBe(6);
    expect(get(dev.server, 'log.yml', 'isStdout')).toBe(false);
    expect(get(dev.server, 'log.yml', 'storageLocation')).toBe('/var/log/openim');
  });

  it('turns prometheus on with monitoring and passes the Grafana URL', () => {
    const out = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions);
    expect(get(out.server, 'openim-api.yml', 'prometheus')).toMatchObject({
      enable: true,
      grafanaURL: 'https://im.example.com/grafana',
    });
    const off = generateOpenIMConfig(
      specOf({ profile: 'dev', monitoring: { enabled: false } }),
      k8sEndpoints,
      envOptions,
    );
    expect(get(off.server, 'openim-rpc-user.yml', 'prometheus', 'enable')).toBe(false);
  });

  it("keeps msgtransfer's metrics port on on Kubernetes (its only port: the probes check it), off on a host without monitoring", () => {
    const k8s = generateOpenIMConfig(
      specOf({ profile: 'dev', monitoring: { enabled: false } }),
      k8sEndpoints,
      envOptions,
    );
    expect(get(k8s.server, 'openim-msgtransfer.yml', 'prometheus', 'enable')).toBe(true);
    const host = generateOpenIMConfig(
      specOf({
        target: 'binary',
        profile: 'dev',
        monitoring: { enabled: false },
        kubernetes: { ingress: { controller: 'none' } },
      }),
      hostEndpoints,
      envOptions,
    );
    expect(get(host.server, 'openim-msgtransfer.yml', 'prometheus', 'enable')).toBe(false);
  });

  it('names the Kafka topics and consumer groups from the catalog', () => {
    const kafka = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions).server['kafka.yml']!;
    for (const topic of KAFKA_TOPICS) {
      expect(kafka[`${topic}Topic`]).toBe(topic);
      expect(kafka[`${topic}GroupID`]).toBe(KAFKA_CONSUMER_GROUPS[topic]);
    }
    expect(kafka['toOfflinePushGroupID']).toBe('offlinePush');
  });

  it('builds a complete notification.yml', () => {
    const n = generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions).server['notification.yml']!;
    expect(Object.keys(n).length).toBeGreaterThanOrEqual(30);
    expect(n['groupCreated']).toMatchObject({ isSendMsg: true, reliabilityLevel: 1 });
    expect(n['joinGroupApplication']).toMatchObject({ isSendMsg: false, reliabilityLevel: 1 });
    for (const v of Object.values(n))
      expect(v).toMatchObject({ reliabilityLevel: 1, offlinePush: { enable: expect.any(Boolean) } });
  });

  it('selects the cloud driver and puts credentials only in its block', () => {
    const cos: OpenIMEndpoints = {
      ...k8sEndpoints,
      objectStorage: {
        provider: 'cos',
        internalAddress: 'https://b-1.cos.ap-x.myqcloud.com',
        externalAddress: 'https://b-1.cos.ap-x.myqcloud.com',
        bucket: 'b-1',
        region: 'ap-x',
        useSSL: true,
      },
    };
    const out = generateOpenIMConfig(prodSpec, cos, envOptions);
    expect(get(out.server, 'openim-rpc-third.yml', 'object', 'enable')).toBe('cos');
    expect(out.serverEnv['IMENV_OPENIM_RPC_THIRD_OBJECT_COS_SECRETID']).toBe('objectStorage.accessKey');
    expect(out.serverEnv['IMENV_OPENIM_RPC_THIRD_OBJECT_COS_SECRETKEY']).toBe('objectStorage.secretKey');
    expect(out.serverEnv).not.toHaveProperty('IMENV_MINIO_SECRETACCESSKEY');
    expect(
      get(generateOpenIMConfig(prodSpec, k8sEndpoints, envOptions).server, 'openim-rpc-third.yml', 'object', 'enable'),
    ).toBe('minio');
  });
});

describe('generateOpenIMConfig: ports', () => {
  const instances = { 'openim-push': 8, 'openim-msgtransfer': 8, 'openim-rpc-user': 3, 'chat-rpc': 2 };
  const out = generateOpenIMConfig(prodSpec, hostEndpoints, { ...inlineOptions, instances });

  function expectPorts(files: ConfigFiles, mod: OpenIMModule, count: number) {
    const file = moduleFileName(mod);
    for (const p of mod.ports) {
      const path =
        p.name === 'metrics'
          ? ['prometheus', 'ports']
          : p.name === 'ws'
            ? ['longConnSvr', 'ports']
            : p.name === 'grpc'
              ? ['rpc', 'ports']
              : ['api', 'ports'];
      const ports = get(files, file, ...path) as number[];
      expect(ports.length, `${file} ${path.join('.')}`).toBeGreaterThanOrEqual(count);
      expect(ports[0], `${file} ${path.join('.')}`).toBe(p.port);
      ports.forEach((port, i) => expect(port).toBe(p.port + i));
    }
  }

  it('takes every port from the catalog, one per instance, never random', () => {
    for (const mod of SERVER_MODULES) {
      const count = instances[mod.name as keyof typeof instances] ?? mod.instances.production;
      expectPorts(out.server, mod, count);
      const rpc = get(out.server, moduleFileName(mod), 'rpc') as Record<string, unknown> | undefined;
      // false where the version reads the switch (patch line), absent where it does not (3.8.3): never true.
      if (rpc)
        expect(rpc['autoSetPorts']).toBe(
          serverRelease(prodSpec.openim.serverVersion).config.autoSetPorts ? false : undefined,
        );
    }
    for (const mod of CHAT_MODULES)
      expectPorts(out.chat, mod, instances[mod.name as keyof typeof instances] ?? mod.instances.production);
    expect(get(out.server, 'openim-push.yml', 'rpc', 'ports')).toEqual([
      10170, 10171, 10172, 10173, 10174, 10175, 10176, 10177,
    ]);
  });

  it('falls back to spec replicas, then the profile default', () => {
    const spec = specOf({ profile: 'dev', openim: { replicas: { 'openim-rpc-group': 3 } } });
    const dev = generateOpenIMConfig(spec, k8sEndpoints, envOptions);
    expect(get(dev.server, 'openim-rpc-group.yml', 'rpc', 'ports')).toEqual([10260, 10261, 10262]);
    expect(get(dev.server, 'openim-rpc-user.yml', 'rpc', 'ports')).toEqual([10320]);
  });

  it('reports ports two instances would share on one host', () => {
    const clash = findPortCollisions(devHostSpec, { ...inlineOptions, instances: { 'openim-msggateway': 2 } }, [
      'openim-api',
      'openim-msggateway',
    ]);
    expect(clash).toEqual([
      [
        { module: 'openim-api', portName: 'http', port: 10002 },
        { module: 'openim-msggateway', portName: 'ws', port: 10002 },
      ],
    ]);
    expect(
      findPortCollisions(
        devHostSpec,
        inlineOptions,
        SERVER_MODULES.map((m) => m.name),
      ),
    ).toEqual([]);
  });
});

describe('generateOpenIMConfig: discovery', () => {
  it('etcd: address and root directory, no Kubernetes keys; chat also names its RPC services', () => {
    const out = generateOpenIMConfig(devHostSpec, hostEndpoints, inlineOptions);
    expect(out.server['discovery.yml']).toEqual({
      enable: 'etcd',
      etcd: { rootDirectory: 'openim', address: ['127.0.0.1:2379'], username: '', password: '' },
    });
    expect(out.chat['discovery.yml']).toEqual({
      ...out.server['discovery.yml'],
      kubernetes: { namespace: 'default' },
      rpcService: { chat: 'chat', admin: 'admin' },
    });
    // etcd keys are free-form: upstream's register names stay.
    expect(get(out.server, 'share.yml', 'rpcRegisterName', 'messageGateway')).toBe('messageGateway');
  });

  it('kubernetes (for a version whose catalog entry uses it): namespace and rpcService in discovery.yml, overrides honoured', () => {
    const spec = specOf({
      profile: 'production',
      openim: { domain: 'im.example.com', serverVersion: 'v3.8.4', chatVersion: 'v1.8.4' },
    });
    const ep: OpenIMEndpoints = {
      ...k8sEndpoints,
      discovery: { kind: 'kubernetes', namespace: 'openim', serviceNames: { 'openim-rpc-user': 'user-rpc-service' } },
    };
    const out = generateOpenIMConfig(spec, ep, envOptions);
    expect(get(out.server, 'discovery.yml', 'enable')).toBe('kubernetes');
    expect(get(out.server, 'discovery.yml', 'kubernetes')).toEqual({ namespace: 'openim' });
    expect(get(out.server, 'discovery.yml', 'rpcService', 'user')).toBe('user-rpc-service');
    expect(get(out.server, 'discovery.yml', 'rpcService', 'messageGateway')).toBe('openim-msggateway');
    expect(get(out.server, 'share.yml', 'rpcRegisterName')).toBeUndefined();
    expect(get(out.chat, 'discovery.yml', 'rpcService')).toEqual({ chat: 'chat-rpc', admin: 'admin-rpc' });
  });
});
