import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubernetesFacts } from '../../../facts/types.js';
import { graphProblems } from '../../../plan/graph.js';
import type { ExecAction, Step, WaitAction, WriteAction } from '../../../plan/types.js';
import { SECRET_REF_PATTERN } from '../../../secrets/secrets.js';
import { NAMESPACE_STEP, SECRETS_STEP } from '../names.js';
import type { kafkaValues } from './kafka.js';
import { mongodbValues } from './mongodb.js';
import { INFRASTRUCTURE_STEP, STORAGE_STEP } from './names.js';
import { infrastructureSteps as infrastructureStepsWith, ROOK_BUCKET_STEP } from './steps.js';
import { devSpec, EXTERNAL_SETS, productionSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';
import { withLayout } from '../../../../test/helpers/kubernetes-specs.js';

const infrastructureSteps = withLayout(infrastructureStepsWith);

const unprobed: KubernetesFacts = { target: 'kubernetes', probed: false };
/** The target's own steps these depend on, so the graph can be checked whole. */
const targetSteps: Step[] = [
  { id: NAMESPACE_STEP, title: 'ns', phase: 'prepare', needs: [], actions: [] },
  { id: SECRETS_STEP, title: 'secrets', phase: 'config', needs: [NAMESPACE_STEP], actions: [] },
];

const byId = (steps: Step[], id: string): Step => {
  const step = steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${steps.map((s) => s.id).join(', ')}`);
  return step;
};
const execs = (step: Step) => step.actions.filter((a): a is ExecAction => a.kind === 'exec');
const writes = (step: Step) => step.actions.filter((a): a is WriteAction => a.kind === 'write');

describe('infrastructureSteps', () => {
  it('dev: storage, one release per bundled component, then the ready step', () => {
    const steps = infrastructureSteps(devSpec(), unprobed);
    expect(steps.map((s) => s.id)).toEqual([
      STORAGE_STEP,
      'k8s.release.openim-mongodb',
      'k8s.release.openim-redis',
      'k8s.release.openim-kafka',
      'k8s.release.openim-minio',
      // Discovery: every catalog version registers in etcd on Kubernetes too.
      'k8s.release.openim-etcd',
      INFRASTRUCTURE_STEP,
    ]);
    expect(graphProblems([...targetSteps, ...steps])).toEqual([]);
    expect(byId(steps, INFRASTRUCTURE_STEP).needs).toEqual(steps.slice(1, -1).map((s) => s.id));
  });

  it('installs the components concurrently: each needs only the secrets and storage steps', () => {
    for (const step of infrastructureSteps(productionSpec(), unprobed).filter((s) => s.id.startsWith('k8s.release.'))) {
      expect(step.needs).toEqual([SECRETS_STEP, STORAGE_STEP]);
      expect(step.phase).toBe('infrastructure');
    }
  });

  it('copies the chart, writes its values and runs helm upgrade --install with --wait', () => {
    const spec = productionSpec('kubernetes.helmTimeout=15m', 'kubernetes.context=prod');
    const step = byId(infrastructureSteps(spec, unprobed), 'k8s.release.openim-mongodb');
    expect(step.release).toEqual({
      name: 'openim-mongodb',
      namespace: 'openim',
      chart: './charts/openim-mongodb',
      valuesFile: 'values/openim-mongodb.yaml',
      local: true,
    });
    expect(step.actions[0]).toEqual({
      kind: 'copy',
      from: 'charts/openim-mongodb',
      to: 'charts/openim-mongodb',
      render: 'charts/openim-mongodb',
    });
    const [values] = writes(step);
    expect(values).toMatchObject({ path: 'values/openim-mongodb.yaml', render: 'values/openim-mongodb.yaml' });
    expect(parse(values!.content)).toEqual(mongodbValues(spec));
    expect(execs(step).map((a) => a.argv)).toEqual([
      [
        'kubectl',
        '--context',
        'prod',
        '--namespace',
        'openim',
        'delete',
        'secret',
        '--ignore-not-found',
        '--selector',
        'owner=helm,name=openim-mongodb,status in (pending-install,pending-upgrade,pending-rollback)',
      ],
      [
        'helm',
        '--kube-context',
        'prod',
        'upgrade',
        '--install',
        'openim-mongodb',
        './charts/openim-mongodb',
        '--namespace',
        'openim',
        '--values',
        'values/openim-mongodb.yaml',
        '--wait',
        '--timeout',
        '15m',
      ],
    ]);
  });

  it('writes the topics into the Kafka release values: 4 topics x 8 partitions, each with the consumer group that reads it', () => {
    const step = byId(infrastructureSteps(productionSpec(), unprobed), 'k8s.release.openim-kafka');
    const values = parse(writes(step)[0]!.content) as ReturnType<typeof kafkaValues>;
    expect(values.topics.items).toEqual([
      { name: 'toRedis', partitions: 8, group: 'redis' },
      { name: 'toMongo', partitions: 8, group: 'mongo' },
      { name: 'toPush', partitions: 8, group: 'push' },
      { name: 'toOfflinePush', partitions: 8, group: 'offlinePush' },
    ]);
  });

  it('external: reachability checks from inside the cluster instead of releases, and topics for the external Kafka', () => {
    const spec = productionSpec(...EXTERNAL_SETS);
    const steps = infrastructureSteps(spec, unprobed);
    expect(steps.map((s) => s.id)).toEqual([
      STORAGE_STEP,
      'k8s.external.mongodb',
      'k8s.external.redis',
      'k8s.external.kafka',
      'k8s.release.openim-kafka-topics',
      'k8s.external.objectStorage',
      'k8s.external.etcd',
      INFRASTRUCTURE_STEP,
    ]);
    expect(graphProblems([...targetSteps, ...steps])).toEqual([]);
    // The storage provisioner stays (monitoring and logs claim volumes too); the only component release is the topics one.
    expect(steps.filter((s) => s.release?.local).map((s) => s.release!.name)).toEqual(['openim-kafka-topics']);
    expect(JSON.stringify(byId(steps, 'k8s.external.etcd').actions)).toContain('etcd.internal');

    const kafka = byId(steps, 'k8s.external.kafka').actions[0] as WaitAction;
    expect(kafka.kind).toBe('wait');
    const argv = kafka.probe.kind === 'exec' ? kafka.probe.argv : [];
    expect(argv.slice(0, 6)).toEqual([
      'kubectl',
      '--namespace',
      'openim',
      'run',
      'openim-check-kafka',
      '--image=docker.io/library/busybox:1.36.1',
    ]);
    expect(argv.at(-1)).toContain(`nc -z -w 5 'kafka-1.mq.internal' '9093'`);
    expect(argv.at(-1)).toContain(`nc -z -w 5 'kafka-2.mq.internal' '9093'`);

    const topics = byId(steps, 'k8s.release.openim-kafka-topics');
    expect(topics.needs).toEqual([SECRETS_STEP, 'k8s.external.kafka']);
    expect(topics.release).toMatchObject({ chart: './charts/openim-kafka', local: true });
    expect(parse(writes(topics)[0]!.content)).toMatchObject({
      broker: { enabled: false },
      topics: { bootstrapServers: 'kafka-1.mq.internal:9093,kafka-2.mq.internal:9093' },
    });
  });

  it('never puts a credential in a plan: only placeholders or Secret references', () => {
    for (const spec of [devSpec(), productionSpec(), productionSpec(...EXTERNAL_SETS)]) {
      const text = JSON.stringify(infrastructureSteps(spec, unprobed));
      for (const value of ['Mongo-Pass-1', 'Kafka-Pass-1', 'AKIAEXAMPLE', 'Secret-Key-Example'])
        expect(text).not.toContain(value);
      expect(text).not.toMatch(SECRET_REF_PATTERN);
      expect(text).not.toMatch(/bitnami/i);
    }
  });

  it('checks the hosts of a mongodb:// URI without copying its credentials', () => {
    const spec = productionSpec(
      ...EXTERNAL_SETS,
      'infrastructure.mongodb.address=[]',
      'infrastructure.mongodb.uri=mongodb://openIM:UriPass@m1.db:27017,m2.db/openim_v3?replicaSet=rs0',
    );
    const wait = byId(infrastructureSteps(spec, unprobed), 'k8s.external.mongodb').actions[0] as WaitAction;
    const script = wait.probe.kind === 'exec' ? wait.probe.argv.at(-1)! : '';
    expect(script).toContain(`'m1.db' '27017'`);
    expect(script).toContain(`'m2.db' '27017'`);
    expect(script).not.toContain('UriPass');
  });

  it('rook-ceph object storage: a bucket claim on RGW instead of MinIO', () => {
    const spec = productionSpec(
      'kubernetes.storage.backend=rook-ceph',
      'infrastructure.objectStorage.provider=rook-ceph',
    );
    const steps = infrastructureSteps(spec, unprobed);
    expect(steps.map((s) => s.id)).not.toContain('k8s.release.openim-minio');
    const bucket = byId(steps, ROOK_BUCKET_STEP);
    expect(bucket.needs).toContain(STORAGE_STEP);
    expect(parse(writes(bucket)[0]!.content)).toEqual({
      apiVersion: 'objectbucket.io/v1alpha1',
      kind: 'ObjectBucketClaim',
      metadata: {
        name: 'openim-bucket',
        namespace: 'openim',
        labels: { 'app.kubernetes.io/managed-by': 'openim-deploy', 'app.kubernetes.io/part-of': 'openim' },
      },
      spec: { bucketName: 'openim', storageClassName: 'ceph-bucket' },
    });
    expect(execs(bucket).at(-1)!.argv).toEqual([
      'kubectl',
      '--namespace',
      'openim',
      'wait',
      'objectbucketclaim/openim-bucket',
      '--for=jsonpath={.status.phase}=Bound',
      '--timeout=10m',
    ]);
    expect(graphProblems([...targetSteps, ...steps])).toEqual([]);
  });
});
