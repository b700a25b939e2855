import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { OPENIM_DEFAULTS } from '../../catalog/openim-versions.js';
import { buildPlan } from '../build-plan.js';
import { formatPlan } from '../../plan/print.js';
import type { Plan, Step, WriteAction } from '../../plan/types.js';
import { SECRET_REF_PATTERN } from '../../secrets/secrets.js';
import { CONFIG_MAPS, OPENIM_SECRET } from './names.js';
import { enabledModules, kubernetesSteps } from './steps.js';
import { PROBED_CLUSTER_FIXTURE, specFor, UNPROBED } from '../../../test/helpers/kubernetes-specs.js';
import type { ServiceValues } from './modules/values.js';

const plans = {
  dev: buildPlan(specFor('dev'), UNPROBED),
  production: buildPlan(specFor('production'), UNPROBED),
};

const writes = (plan: Plan): WriteAction[] =>
  plan.steps.flatMap((s) => s.actions.filter((a): a is WriteAction => a.kind === 'write'));
const write = (plan: Plan, path: string): WriteAction => {
  const found = writes(plan).find((w) => w.path === path);
  if (!found) throw new Error(`no write of ${path}`);
  return found;
};
const values = (plan: Plan, module: string): ServiceValues =>
  parseYaml(write(plan, `values/${module}.yaml`).content) as ServiceValues;
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>);
const configMaps = (plan: Plan) => docs(write(plan, 'manifests/openim-config.yaml').content);
const step = (plan: Plan, id: string): Step => plan.steps.find((s) => s.id === id)!;

describe('kubernetes plan', () => {
  for (const [name, plan] of Object.entries(plans)) {
    it(`${name}: the printed plan (commands in order) matches the snapshot`, () => {
      // File sizes move with every config tweak; the contents have their own tests below.
      expect(formatPlan(plan).replace(/, \d+ bytes\)/g, ', N bytes)')).toMatchSnapshot();
    });
  }

  it('has one release per module, 18 with every component', () => {
    const releases = plans.production.steps
      .filter((s) => s.release?.chart === './charts/openim-service')
      .map((s) => s.release!.name);
    expect(releases).toEqual(enabledModules(specFor('production')).map((m) => m.name));
    expect(releases).toHaveLength(18);
  });

  it('runs every helm call as upgrade --install with namespace, values file, wait and timeout', () => {
    for (const s of plans.production.steps.filter((x) => x.release?.chart === './charts/openim-service')) {
      const [clear, exec] = s.actions.filter((a) => a.kind === 'exec').map((a) => a.argv);
      // First the pending record a killed helm may have left (else "another operation is in progress" for ever).
      expect(clear).toEqual([
        'kubectl',
        '--namespace',
        'openim',
        'delete',
        'secret',
        '--ignore-not-found',
        '--selector',
        `owner=helm,name=${s.release!.name},status in (pending-install,pending-upgrade,pending-rollback)`,
      ]);
      expect(exec?.slice(0, 9)).toEqual([
        'helm',
        'upgrade',
        '--install',
        s.release!.name,
        './charts/openim-service',
        '--namespace',
        'openim',
        '--values',
        `values/${s.release!.name}.yaml`,
      ]);
      expect(exec?.slice(9)).toEqual(['--wait', '--timeout', '10m']);
    }
  });

  it('puts the infrastructure (teammate folder) between the namespace and the OpenIM releases', () => {
    const api = step(plans.production, 'k8s.release.openim-api');
    expect(api.needs).toContain('k8s.infrastructure');
    const mongo = step(plans.production, 'k8s.release.openim-mongodb');
    expect(mongo.needs).toContain('k8s.secrets');
    const secrets = docs(write(plans.production, 'manifests/openim-secrets.yaml').content).map((d) => d.metadata.name);
    expect(secrets).toEqual([OPENIM_SECRET, 'openim-infra-secrets']);
  });

  it('orders namespace → config → server → api answers → chat → fronts → ingress → verify → summary', () => {
    const ids = plans.production.steps.map((s) => s.id);
    const at = (id: string) => ids.indexOf(id);
    expect(at('k8s.namespace')).toBe(0);
    expect(at('k8s.config')).toBeLessThan(at('k8s.release.openim-api'));
    expect(step(plans.production, 'k8s.release.chat-api').needs).toContain('k8s.wait.openim-api');
    expect(step(plans.production, 'k8s.wait.openim-api').needs).toEqual([
      'k8s.release.openim-api',
      'k8s.release.openim-rpc-auth',
    ]);
    expect(at('k8s.release.admin-api')).toBeLessThan(at('k8s.release.openim-admin-front'));
    expect(ids.slice(-3)).toEqual(['k8s.ingress', 'k8s.verify', 'k8s.summary']);
  });

  it('trap: one share secret, the same Secret key for server share.secret and chat openIM.secret', () => {
    const refs = new Set<string>();
    for (const mod of ['openim-api', 'openim-rpc-auth', 'chat-api', 'admin-api', 'chat-rpc', 'admin-rpc']) {
      const env = values(plans.production, mod).secretEnv.filter(
        (e) => e.name === 'IMENV_SHARE_SECRET' || e.name === 'CHATENV_SHARE_OPENIM_SECRET',
      );
      expect(env.length, `${mod} gets the share secret`).toBe(1);
      refs.add(`${env[0]!.secretName}/${env[0]!.key}`);
    }
    expect([...refs]).toEqual([`${OPENIM_SECRET}/openim.secret`]);
  });

  it('trap: MinIO externalAddress is the public route, never an internal address', () => {
    const server = configMaps(plans.production).find((c) => c.metadata.name === CONFIG_MAPS.server)!;
    const minio = parseYaml(server.data['minio.yml']);
    expect(minio.externalAddress).toBe('https://im.example.com/im-minio-api');
    expect(minio.internalAddress).toMatch(/\.openim\.svc:\d+$/);
  });

  it('trap: chat reaches the API through its Service', () => {
    const chat = configMaps(plans.production).find((c) => c.metadata.name === CONFIG_MAPS.chat)!;
    expect(parseYaml(chat.data['share.yml']).openIM.apiURL).toBe('http://openim-api.openim.svc:10002');
  });

  it('#15 defects 2+3: every catalog version registers in the in-cluster etcd (auth on), server and chat alike, without a service-account token', () => {
    for (const [server, chat] of [
      ['v3.8.3', 'v1.8.4'],
      ['v3.8.3-patch.16', 'v1.8.4-patch.5'],
      ['v3.8.4', 'v1.8.4'],
    ] as const) {
      const plan = buildPlan(
        specFor('production', [`openim.serverVersion=${server}`, `openim.chatVersion=${chat}`]),
        UNPROBED,
      );
      expect(
        plan.steps.map((s) => s.id),
        server,
      ).toContain('k8s.release.openim-etcd');
      for (const product of ['server', 'chat'] as const) {
        const discovery = parseYaml(
          configMaps(plan).find((c) => c.metadata.name === CONFIG_MAPS[product])!.data['discovery.yml'],
        );
        expect(discovery.enable, `${server} ${product}`).toBe('etcd');
        expect(discovery.etcd).toMatchObject({
          address: ['openim-etcd.openim.svc:2379'],
          username: 'root',
          password: '',
        });
      }
      // The password reaches both products from the Secret, as the etcd chart's root password.
      expect(values(plan, 'openim-rpc-user').secretEnv).toContainEqual({
        name: 'IMENV_DISCOVERY_ETCD_PASSWORD',
        secretName: OPENIM_SECRET,
        key: 'etcd.password',
      });
      expect(values(plan, 'chat-rpc').secretEnv).toContainEqual({
        name: 'CHATENV_DISCOVERY_ETCD_PASSWORD',
        secretName: OPENIM_SECRET,
        key: 'etcd.password',
      });
      // No token: chat 1.8.4 and server 3.8.4 would switch to Kubernetes discovery (and crash) on seeing one.
      for (const mod of enabledModules(specFor('production')))
        expect(values(plan, mod.name).rbac.discovery, `${server} ${mod.name}`).toBe(false);
    }
  });

  it('#15 defect 5: chat discovery.yml names its RPC services (rpcService) in etcd mode too', () => {
    const chat = parseYaml(
      configMaps(plans.production).find((c) => c.metadata.name === CONFIG_MAPS.chat)!.data['discovery.yml'],
    );
    expect(chat.rpcService).toEqual({ chat: 'chat', admin: 'admin' });
    const server = parseYaml(
      configMaps(plans.production).find((c) => c.metadata.name === CONFIG_MAPS.server)!.data['share.yml'],
    );
    expect(server.rpcRegisterName.messageGateway).toBe('messageGateway');
  });

  it('trap: the gRPC port is named grpc and listed first', () => {
    for (const mod of enabledModules(specFor('production'))) {
      const v = values(plans.production, mod.name);
      const grpc = v.ports.findIndex((p) => p.name === 'grpc');
      if (grpc >= 0) expect(grpc, mod.name).toBe(0);
    }
  });

  it('trap: no upstream default password anywhere in the plan', () => {
    for (const plan of Object.values(plans)) {
      const text = JSON.stringify(plan);
      for (const weak of ['openIM123', '666666', 'chat123']) expect(text).not.toContain(weak);
      // chatAdmin is the account name; it must never be a credential value.
      for (const cm of configMaps(plan)) {
        for (const [file, body] of Object.entries(cm.data as Record<string, string>)) {
          const walk = (v: unknown, key: string): void => {
            if (typeof v === 'string' && /password|secret|supercode/i.test(key))
              expect(OPENIM_DEFAULTS.weakSecrets as readonly string[], `${file} ${key}`).not.toContain(v);
            else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
          };
          walk(parseYaml(body), '');
        }
      }
    }
  });

  it('trap: ConfigMaps hold no secret, not even a placeholder; the Secret only placeholders, written 0600', () => {
    const spec = specFor('production', [
      'openim.secret=GivenShareSecret42',
      'infrastructure.redis.password=GivenRedisPass42',
    ]);
    const plan = buildPlan(spec, UNPROBED);
    expect(JSON.stringify(plan)).not.toMatch(/GivenShareSecret42|GivenRedisPass42/);
    for (const cm of configMaps(plan))
      expect(JSON.stringify(cm.data)).not.toMatch(new RegExp(SECRET_REF_PATTERN.source));
    const secretWrite = write(plan, 'manifests/openim-secrets.yaml');
    expect(secretWrite.mode).toBe(0o600);
    const secret = docs(secretWrite.content)[0]!;
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>))
      expect(value).toBe(`«secret:${key}»`);
  });

  it('rolls only the modules whose files changed', () => {
    const a = buildPlan(specFor('production'), UNPROBED);
    const b = buildPlan(specFor('production', ['openim.allowRegister=true']), UNPROBED);
    const sum = (p: Plan, m: string) => values(p, m).config.checksum;
    expect(sum(a, 'chat-rpc')).not.toBe(sum(b, 'chat-rpc'));
    expect(sum(a, 'openim-api')).toBe(sum(b, 'openim-api'));
    expect(sum(a, 'openim-api')).toMatch(/^[a-f0-9]{64}$/);
  });

  it('#15 defect 1: every pod gets -c <dir> (CONFIG_PATH nowhere): args after the server entrypoint, the binary itself for chat images whose sh -c drops args', () => {
    for (const [server, chat, chatBinary] of [
      ['v3.8.3', 'v1.8.4', '/openim-chat/_output/chat-rpc'],
      ['v3.8.3-patch.16', 'v1.8.4-patch.5', '/openim-chat/_output/openim-chat-rpc'],
      ['v3.8.4', 'v1.8.4', '/openim-chat/_output/chat-rpc'],
    ] as const) {
      const plan = buildPlan(
        specFor('production', [`openim.serverVersion=${server}`, `openim.chatVersion=${chat}`]),
        UNPROBED,
      );
      const user = values(plan, 'openim-rpc-user');
      expect(user.command, server).toEqual([]);
      expect(user.args, server).toEqual(['-c', '/config', '-i', '0']);
      expect(
        user.env.map((e) => e.name),
        server,
      ).not.toContain('CONFIG_PATH');
      const chatRpc = values(plan, 'chat-rpc');
      expect(chatRpc.command, chat).toEqual([chatBinary]);
      expect(chatRpc.args, chat).toEqual(['-c', '/config', '-i', '0']);
      expect(
        chatRpc.env.map((e) => e.name),
        chat,
      ).not.toContain('CONFIG_PATH');
    }
    expect(values(plans.production, 'openim-web-front').args).toEqual([]);
  });

  it('rewrites every image: registry choice, then the mirror', () => {
    const aliyun = buildPlan(specFor('production', ['images.registry=aliyun']), UNPROBED);
    expect(values(aliyun, 'openim-api').image.repository).toBe(
      'registry.cn-hangzhou.aliyuncs.com/openimsdk/openim-api',
    );
    const mirrored = buildPlan(
      specFor('production', ['images.registry=ghcr.io', 'images.mirror=m.daocloud.io', 'images.pullSecret=regcred']),
      UNPROBED,
    );
    expect(values(mirrored, 'openim-api').image.repository).toBe('m.daocloud.io/ghcr.io/openimsdk/openim-api');
    expect(values(mirrored, 'openim-web-front').image.tag).toBe('release-v3.8.3');
    expect(values(mirrored, 'openim-api').imagePullSecrets).toEqual(['regcred']);
  });

  it('verify: not applicable (no actions, a reason) unless probed, the real probe on a probed cluster', () => {
    const unprobed = step(plans.production, 'k8s.verify');
    expect(unprobed.actions).toEqual([]);
    expect(unprobed.notApplicable).toMatch(/^verify not applicable: the cluster was not probed/);
    const live = kubernetesSteps(specFor('production'), PROBED_CLUSTER_FIXTURE).find((s) => s.id === 'k8s.verify')!;
    expect(live.actions[0]).toMatchObject({
      kind: 'wait',
      probe: {
        kind: 'openim-verify',
        endpoints: {
          api: 'https://im.example.com/api',
          ws: 'wss://im.example.com/msg_gateway',
          chat: 'https://im.example.com/chat',
          admin: 'https://im.example.com/complete_admin',
          objectStorage: 'https://im.example.com/im-minio-api',
        },
        chat: true,
        secret: '«secret:openim.secret»',
        superCode: '«secret:chat.superCode»',
      },
    });
    const off = kubernetesSteps(specFor('production', ['verify.afterInstall=false']), PROBED_CLUSTER_FIXTURE).find(
      (s) => s.id === 'k8s.verify',
    )!;
    expect(off).toMatchObject({ actions: [], notApplicable: expect.stringMatching(/verify\.afterInstall false/) });
    const simulated = { ...PROBED_CLUSTER_FIXTURE, cluster: { ...PROBED_CLUSTER_FIXTURE.cluster!, simulated: true } };
    const simulatedSmoke = kubernetesSteps(specFor('production'), simulated).find((s) => s.id === 'k8s.verify')!;
    expect(simulatedSmoke.actions).toEqual([]);
    expect(simulatedSmoke.notApplicable).toMatch(/^verify not applicable: the cluster is simulated/);
    expect(live.notApplicable).toBeUndefined();
  });

  it('API check: an admin token through a port-forward on a real cluster, not applicable on a simulated one', () => {
    const live = kubernetesSteps(specFor('production'), PROBED_CLUSTER_FIXTURE).find(
      (s) => s.id === 'k8s.wait.openim-api',
    )!;
    expect(live.actions.map((a) => a.kind)).toEqual(['wait']);
    const probe = live.actions[0]!.kind === 'wait' ? live.actions[0]!.probe : undefined;
    expect(probe).toMatchObject({
      kind: 'openim-admin-token',
      adminUserID: 'imAdmin',
      portForward: expect.arrayContaining(['port-forward', 'svc/openim-api', ':10002']),
    });
    // The secret is a placeholder, filled in only when the probe runs.
    expect(JSON.stringify(probe)).not.toMatch(/secret":"[A-Za-z0-9]{20,}"/);
    const simulated = { ...PROBED_CLUSTER_FIXTURE, cluster: { ...PROBED_CLUSTER_FIXTURE.cluster!, simulated: true } };
    const note = kubernetesSteps(specFor('production'), simulated).find((s) => s.id === 'k8s.wait.openim-api')!;
    expect(note.actions).toEqual([]);
    expect(note.notApplicable).toMatch(/^API check not applicable: the cluster is simulated/);
    expect(live.notApplicable).toBeUndefined();
  });

  it('summary names the SDK addresses and where credentials are, never their values', () => {
    const note = step(plans.production, 'k8s.summary').actions[0]!;
    expect(note.kind === 'note' && note.text).toContain(
      'apiAddr=https://im.example.com/api wsAddr=wss://im.example.com/msg_gateway',
    );
    expect(note.kind === 'note' && note.text).toContain('openim/openim-secrets');
  });

  it('installs the ingress controller from the pinned chart when asked', () => {
    const plan = buildPlan(specFor('production', ['kubernetes.ingress.install=true']), UNPROBED);
    const s = step(plan, 'k8s.ingress-controller.traefik');
    expect(s.release).toMatchObject({ local: false, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(step(plan, 'k8s.ingress').needs).toContain('k8s.ingress-controller.traefik');
  });
});
