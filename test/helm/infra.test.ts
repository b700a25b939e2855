// The infrastructure charts (MongoDB, Redis, Kafka, MinIO) with the values the
// plan writes, through real helm 3 and helm 4: lint --strict, template, schema
// validation of every object, and the properties the installer promises
// (topics, advertised listeners, replica-set members, mirror, non-root, PVCs).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import type { DeploySpec } from '../../src/config/schema.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import type { KubernetesFacts } from '../../src/facts/types.js';
import type { Step, WriteAction } from '../../src/plan/types.js';
import { infrastructureEndpoints as infrastructureEndpointsWith } from '../../src/targets/kubernetes/infrastructure/endpoints.js';
import { infrastructureSteps as infrastructureStepsWith } from '../../src/targets/kubernetes/infrastructure/steps.js';
import { ETCD_VOLUME_SIZE } from '../../src/targets/kubernetes/infrastructure/etcd.js';
import { storageSteps } from '../../src/targets/kubernetes/infrastructure/storage.js';
import { EXTERNAL_SETS } from '../helpers/kubernetes-infrastructure-specs.js';
import { helmBinaries, repoRoot } from '../helpers/tools.js';
import { validateObject } from './k8s-schemas.js';
import { withLayout } from '../helpers/kubernetes-specs.js';

const infrastructureEndpoints = withLayout(infrastructureEndpointsWith);
const infrastructureSteps = withLayout(infrastructureStepsWith);

const chartsDir = join(repoRoot, 'templates', 'charts');
const runner = new ExecaRunner();
const work = mkdtempSync(join(tmpdir(), 'openim-infra-helm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const unprobed: KubernetesFacts = { target: 'kubernetes', probed: false };

const CASES: Record<string, () => DeploySpec> = {
  dev: () => resolveConfig({ preset: 'dev' }).spec,
  production: () =>
    resolveConfig({
      preset: 'production',
      sets: ['openim.domain=im.example.com', NFS_SERVER_SET, 'kubernetes.namespace=im-prod'],
    }).spec,
  'production-mirror': () =>
    resolveConfig({
      preset: 'production',
      sets: [
        'openim.domain=im.example.com',
        NFS_SERVER_SET,
        'images.mirror=registry.internal:5000/mirror',
        'images.pullSecret=regcred',
      ],
    }).spec,
  'china-mirror': () => resolveConfig({ preset: 'china-mirror' }).spec,
  'external-kafka-topics': () =>
    resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET, ...EXTERNAL_SETS] })
      .spec,
};

type Obj = Record<string, any>;

interface Rendered {
  step: Step;
  chart: string;
  values: Obj;
  objects: Obj[];
}

async function helmRun(helm: string, argv: string[]): Promise<string> {
  const r = await runner.run([helm, ...argv]);
  if (r.exitCode !== 0) throw new Error(`helm ${argv.join(' ')} exited ${r.exitCode}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Lint and template every local release the plan makes for this spec. */
async function renderAll(helm: string, label: string, name: string, spec: DeploySpec): Promise<Rendered[]> {
  const out: Rendered[] = [];
  for (const step of infrastructureSteps(spec, unprobed).filter((s) => s.release?.local)) {
    const release = step.release!;
    const chart = release.chart.replace('./charts/', '');
    const write = step.actions.find((a): a is WriteAction => a.kind === 'write')!;
    const valuesPath = join(work, `${label}-${name}-${release.name}.yaml`);
    writeFileSync(valuesPath, write.content);
    await helmRun(helm, [
      'lint',
      '--strict',
      join(chartsDir, chart),
      '--namespace',
      release.namespace,
      '--values',
      valuesPath,
    ]);
    const manifest = await helmRun(helm, [
      'template',
      release.name,
      join(chartsDir, chart),
      '--namespace',
      release.namespace,
      '--values',
      valuesPath,
    ]);
    const objects = parseAllDocuments(manifest)
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
    out.push({ step, chart, values: parse(write.content) as Obj, objects });
  }
  return out;
}

function podSpecs(objects: Obj[]): { owner: string; spec: Obj }[] {
  return objects
    .filter((o) => o.kind === 'StatefulSet' || o.kind === 'Job')
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
}

function env(container: Obj, name: string): string | undefined {
  return (container.env as Obj[] | undefined)?.find((e) => e.name === name)?.value;
}

describe.each(helmBinaries())('$label: infrastructure charts', ({ label, helm }) => {
  const rendered = new Map<string, Rendered[]>();
  const get = async (name: string): Promise<{ spec: DeploySpec; releases: Rendered[] }> => {
    const spec = CASES[name]!();
    if (!rendered.has(name)) rendered.set(name, await renderAll(helm, label, name, spec));
    return { spec, releases: rendered.get(name)! };
  };
  const release = (releases: Rendered[], name: string): Rendered => {
    const found = releases.find((r) => r.step.release!.name === name);
    if (!found) throw new Error(`no release ${name}`);
    return found;
  };

  it.each(Object.keys(CASES))(
    '%s: lint --strict and template pass, every object passes its Kubernetes schema',
    async (name) => {
      const { releases } = await get(name);
      expect(releases.length).toBeGreaterThan(0);
      for (const r of releases) {
        expect(r.objects.length).toBeGreaterThan(0);
        const problems = r.objects.flatMap((o) => validateObject(o));
        expect(problems, r.step.release!.name).toEqual([]);
        const text = JSON.stringify(r.objects);
        expect(text).not.toMatch(/bitnami/i);
        expect(text).not.toContain('«secret:');
      }
    },
  );

  it.each(Object.keys(CASES))(
    '%s: every pod is non-root with requests, limits and probes on long-running containers',
    async (name) => {
      const { releases } = await get(name);
      for (const { owner, spec } of releases.flatMap((r) => podSpecs(r.objects))) {
        expect(spec.securityContext, owner).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.automountServiceAccountToken, owner).toBe(false);
        for (const c of spec.containers as Obj[]) {
          expect(c.securityContext, owner).toEqual({
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(c.resources?.requests?.memory, owner).toBeTruthy();
          expect(c.resources?.limits?.memory, owner).toBeTruthy();
          if (owner.startsWith('StatefulSet/')) {
            expect(c.readinessProbe, owner).toBeTruthy();
            expect(c.livenessProbe, owner).toBeTruthy();
          }
        }
      }
    },
  );

  it.each(['production-mirror', 'china-mirror'])(
    '%s: every image, infrastructure and storage, comes from the mirror',
    async (name) => {
      const { spec, releases } = await get(name);
      const prefix = `${spec.images.mirror}/`;
      const images = releases.flatMap((r) =>
        podSpecs(r.objects).flatMap(({ spec: s }) => (s.containers as Obj[]).map((c) => String(c.image))),
      );
      // One StatefulSet per release, plus the setup Jobs.
      expect(images.length).toBeGreaterThan(releases.length);
      for (const image of images) expect(image.startsWith(prefix), image).toBe(true);
      // The storage provisioner's images too (local-path manifest, nfs/rook values).
      const storage = JSON.stringify(
        storageSteps(spec, unprobed).flatMap((s) =>
          s.actions.filter((a): a is WriteAction => a.kind === 'write').map((a) => parse(a.content)),
        ),
      );
      const refs = [...storage.matchAll(/"(?:image|repository)":"([^"]+)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(ref.startsWith(prefix), ref).toBe(true);
      if (spec.images.pullSecret) {
        for (const r of releases)
          for (const { spec: s } of podSpecs(r.objects))
            expect(s.imagePullSecrets).toEqual([{ name: spec.images.pullSecret }]);
      }
    },
  );

  it('dev: single instances with the dev PVC sizes on local-path', async () => {
    const { spec, releases } = await get('dev');
    const sizes = spec.kubernetes.storage.sizes;
    const expected: Record<string, string> = {
      'openim-mongodb': sizes.mongodb,
      'openim-redis': sizes.redis,
      'openim-kafka': sizes.kafka,
      'openim-minio': sizes.objectStorage,
      'openim-etcd': ETCD_VOLUME_SIZE,
    };
    for (const r of releases) {
      const sts = r.objects.find((o) => o.kind === 'StatefulSet')!;
      expect(sts.spec.replicas).toBe(1);
      expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
        storageClassName: 'local-path',
        resources: { requests: { storage: expected[r.step.release!.name] } },
      });
      expect(r.objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    }
    const mongo = release(releases, 'openim-mongodb').objects.find((o) => o.kind === 'StatefulSet')!;
    expect(env(mongo.spec.template.spec.containers[0], 'REPLICA_SET')).toBe('');
  });

  it('production: replicas, PVC sizes and PodDisruptionBudgets', async () => {
    const { spec, releases } = await get('production');
    const sizes = spec.kubernetes.storage.sizes;
    const expected: Record<string, [number, string]> = {
      'openim-mongodb': [3, sizes.mongodb],
      'openim-redis': [6, sizes.redis],
      'openim-kafka': [3, sizes.kafka],
      'openim-minio': [4, sizes.objectStorage],
      'openim-etcd': [3, ETCD_VOLUME_SIZE],
    };
    for (const r of releases) {
      const [replicas, size] = expected[r.step.release!.name]!;
      const sts = r.objects.find((o) => o.kind === 'StatefulSet')!;
      expect(sts.spec.replicas).toBe(replicas);
      expect(sts.spec.podManagementPolicy).toBe('Parallel');
      expect(sts.metadata.namespace).toBe('im-prod');
      expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
        storageClassName: 'nfs-client',
        resources: { requests: { storage: size } },
      });
      expect(r.objects.find((o) => o.kind === 'PodDisruptionBudget')?.spec.maxUnavailable).toBe(1);
      const headless = r.objects.find((o) => o.kind === 'Service' && o.spec.clusterIP === 'None')!;
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
      expect(sts.spec.serviceName).toBe(headless.metadata.name);
    }
  });

  it('production: etcd (discovery) forms a 3-member cluster on its headless names, and a hook Job turns auth on with the root password from the infra Secret', async () => {
    const { releases } = await get('production');
    const etcd = release(releases, 'openim-etcd');
    const c = etcd.objects.find((o) => o.kind === 'StatefulSet')!.spec.template.spec.containers[0];
    expect(env(c, 'ETCD_INITIAL_CLUSTER')!.split(',')).toEqual(
      [0, 1, 2].map((i) => `openim-etcd-${i}=http://openim-etcd-${i}.openim-etcd-headless.im-prod.svc:2380`),
    );
    expect(env(c, 'ETCD_ADVERTISE_CLIENT_URLS')).toBe('http://$(POD_NAME).openim-etcd-headless.im-prod.svc:2379');
    const job = etcd.objects.find((o) => o.kind === 'Job')!;
    expect(job.metadata.annotations['helm.sh/hook']).toBe('post-install,post-upgrade');
    const jc = job.spec.template.spec.containers[0];
    expect(env(jc, 'ETCD_URL')).toBe('http://openim-etcd.im-prod.svc:2379');
    expect(jc.env.find((e: Obj) => e.name === 'ETCD_ROOT_PASSWORD').valueFrom.secretKeyRef).toEqual({
      name: 'openim-infra-secrets',
      key: 'etcd-root-password',
    });
  });

  it('production: the Kafka topics Job creates 4 topics x 8 partitions with replication 3', async () => {
    const { releases } = await get('production');
    const kafka = release(releases, 'openim-kafka');
    const job = kafka.objects.find((o) => o.kind === 'Job')!;
    expect(job.metadata.annotations['helm.sh/hook']).toBe('post-install,post-upgrade');
    const c = job.spec.template.spec.containers[0];
    expect(env(c, 'TOPICS')).toBe('toRedis:8 toMongo:8 toPush:8 toOfflinePush:8');
    expect(env(c, 'REPLICATION_FACTOR')).toBe('3');
    const script = kafka.objects.find((o) => o.kind === 'ConfigMap')!.data['create-topics.sh'] as string;
    expect(script).toContain('--create --if-not-exists');
  });

  it('production: Kafka advertises the per-pod DNS names OpenIM is given, with a 3-voter quorum', async () => {
    const { spec, releases } = await get('production');
    const sts = release(releases, 'openim-kafka').objects.find((o) => o.kind === 'StatefulSet')!;
    const c = sts.spec.template.spec.containers[0];
    const advertised = env(c, 'KAFKA_ADVERTISED_LISTENERS')!;
    expect(advertised).toBe('PLAINTEXT://$(POD_NAME).openim-kafka-headless.im-prod.svc:9092');
    // What each pod advertises is exactly one of the addresses handed to OpenIM.
    const names = [0, 1, 2].map((i) =>
      advertised.replace('PLAINTEXT://', '').replace('$(POD_NAME)', `${sts.metadata.name}-${i}`),
    );
    expect(names).toEqual(infrastructureEndpoints(spec).kafka.address);
    expect(env(c, 'KAFKA_CONTROLLER_QUORUM_VOTERS')!.split(',')).toEqual(
      [0, 1, 2].map((i) => `${i}@openim-kafka-${i}.openim-kafka-headless.im-prod.svc:9093`),
    );
    expect(env(c, 'KAFKA_PROCESS_ROLES')).toBe('broker,controller');
    expect(env(c, 'KAFKA_MIN_INSYNC_REPLICAS')).toBe('2');
    expect(sts.spec.template.spec.enableServiceLinks).toBe(false);
  });

  it('production: the MongoDB setup Job initiates the replica set with the members OpenIM is given', async () => {
    const { spec, releases } = await get('production');
    const mongo = release(releases, 'openim-mongodb');
    const job = mongo.objects.find((o) => o.kind === 'Job')!;
    const c = job.spec.template.spec.containers[0];
    const endpoints = infrastructureEndpoints(spec).mongodb;
    expect(env(c, 'MEMBERS')).toBe(endpoints.address.join(','));
    expect(env(c, 'REPLICA_SET')).toBe(endpoints.replicaSet);
    expect(env(c, 'APP_USERNAME')).toBe(endpoints.username);
    expect(env(c, 'APP_DATABASE')).toBe(endpoints.authSource);
    const secretRefs = (c.env as Obj[])
      .filter((e) => e.valueFrom)
      .map((e) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]);
    expect(secretRefs).toEqual([
      ['ROOT_PASSWORD', 'openim-infra-secrets', 'mongodb-root-password'],
      ['APP_PASSWORD', 'openim-infra-secrets', 'mongodb-password'],
    ]);
    const sts = mongo.objects.find((o) => o.kind === 'StatefulSet')!;
    const keyfile = (sts.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'keyfile')!;
    expect(keyfile.secret).toMatchObject({
      secretName: 'openim-infra-secrets',
      items: [{ key: 'mongodb-replica-set-key', path: 'keyfile' }],
    });
  });

  it('production: Redis runs as a cluster whose node names are the addresses OpenIM is given', async () => {
    const { spec, releases } = await get('production');
    const redis = release(releases, 'openim-redis');
    const conf = redis.objects.find((o) => o.kind === 'ConfigMap')!.data['redis.conf'] as string;
    expect(conf).toContain('cluster-enabled yes');
    expect(conf).toContain('appendonly yes');
    expect(conf).not.toMatch(/requirepass/);
    const job = redis.objects.find((o) => o.kind === 'Job')!;
    const c = job.spec.template.spec.containers[0];
    const names = [0, 1, 2, 3, 4, 5].map((i) => `${env(c, 'STATEFULSET')}-${i}.${env(c, 'HEADLESS_DOMAIN')}:6379`);
    expect(names).toEqual(infrastructureEndpoints(spec).redis.address);
    expect(env(c, 'REDIS_CLUSTER_REPLICAS')).toBe('1');
  });

  it('production: MinIO runs distributed over the four pods and makes the bucket', async () => {
    const { releases } = await get('production');
    const minio = release(releases, 'openim-minio');
    const sts = minio.objects.find((o) => o.kind === 'StatefulSet')!;
    expect(sts.spec.template.spec.containers[0].args).toContain(
      'http://openim-minio-{0...3}.openim-minio-headless.im-prod.svc:9000/data',
    );
    const job = minio.objects.find((o) => o.kind === 'Job')!;
    expect(env(job.spec.template.spec.containers[0], 'BUCKET')).toBe('openim');
  });

  it('external Kafka: only the topics Job, against the external brokers with SASL_SSL', async () => {
    const { releases } = await get('external-kafka-topics');
    expect(releases.map((r) => r.step.release!.name)).toEqual(['openim-kafka-topics']);
    const objects = releases[0]!.objects;
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Job']);
    const c = objects.find((o) => o.kind === 'Job')!.spec.template.spec.containers[0];
    expect(env(c, 'BOOTSTRAP')).toBe('kafka-1.mq.internal:9093,kafka-2.mq.internal:9093');
    expect(env(c, 'SECURITY_PROTOCOL')).toBe('SASL_SSL');
    expect(env(c, 'SASL_USERNAME')).toBe('openim');
    expect((c.env as Obj[]).find((e) => e.name === 'SASL_PASSWORD')!.valueFrom.secretKeyRef).toEqual({
      name: 'openim-infra-secrets',
      key: 'kafka-password',
    });
  });

  it.each([
    ['openim-redis', ['--set', 'mode=cluster', '--set', 'nodes=4'], 'mode cluster needs at least 3 masters'],
    ['openim-redis', ['--set', 'nodes=3'], 'mode standalone runs exactly one node'],
    ['openim-mongodb', ['--set', 'nodes=3'], 'needs replicaSet.enabled'],
    ['openim-minio', ['--set', 'nodes=2'], 'at least 4 nodes'],
    ['openim-kafka', ['--set', 'broker.enabled=false'], 'needs topics.bootstrapServers'],
    ['openim-kafka', ['--set', 'replica=3'], 'additional propert'],
  ])('%s refuses %j', async (chart, args, message) => {
    const r = await runner.run([helm, 'template', 'x', join(chartsDir, chart), ...args]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toLowerCase()).toContain(message.toLowerCase());
  });

  it('the local-path manifest the plan applies passes its schemas', () => {
    const [step] = storageSteps(CASES.dev!(), unprobed);
    const list = parse(step!.actions.find((a): a is WriteAction => a.kind === 'write')!.content) as Obj;
    expect(list.kind).toBe('List');
    expect((list.items as Obj[]).flatMap((o) => validateObject(o))).toEqual([]);
  });
});
