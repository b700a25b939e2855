// The infrastructure part of the Kubernetes plan: storage first, then one
// Helm release per bundled component (MongoDB, Redis, Kafka, object storage),
// all concurrently, or a reachability check per external one; then one step
// that everything OpenIM depends on.

import { toYaml } from '../../../secrets/yaml.js';
import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { applyActions, clearDeadPendingRelease } from '../helm-release.js';
import type { KubernetesLayout } from '../layout.js';
import { helmBase, kubectlBase } from '../tools.js';
import { NAMESPACE_STEP, SECRETS_STEP } from '../names.js';
import { ROOK_BUCKET_CLAIM } from './endpoints.js';
import { externalCheckStep, externalStepId } from './external.js';
import { bundledEtcd, etcdValues } from './etcd.js';
import { kafkaTopicsValues, kafkaValues } from './kafka.js';
import { minioValues } from './minio.js';
import { mongodbValues } from './mongodb.js';
import { INFRA_RELEASES, INFRASTRUCTURE_STEP, STORAGE_STEP, releaseStepId, valuesFile } from './names.js';
import { redisValues } from './redis.js';
import { rookBucketClaim } from './rook.js';
import { storageSteps } from './storage.js';
import { objectStorageKind } from './topology.js';

export const ROOK_BUCKET_STEP = 'k8s.objectstorage.rook-ceph';
const BUCKET_MANIFEST = `manifests/${ROOK_BUCKET_CLAIM}.yaml`;

/** A release of one of our charts (templates/charts/<chart>): copy it, write values, helm upgrade --install. */
function localReleaseStep(
  spec: DeploySpec,
  layout: KubernetesLayout,
  options: { release: string; chart: string; title: string; values: object; needs: string[]; component: string },
): Step {
  const ns = layout.namespace;
  const chartDir = `charts/${options.chart}`;
  const file = valuesFile(options.release);
  return {
    id: releaseStepId(options.release),
    title: options.title,
    phase: 'infrastructure',
    needs: options.needs,
    component: options.component,
    release: { name: options.release, namespace: ns, chart: `./${chartDir}`, valuesFile: file, local: true },
    retries: 1,
    actions: [
      { kind: 'copy', from: chartDir, to: chartDir, render: chartDir },
      { kind: 'write', path: file, mode: 0o644, content: toYaml(options.values), render: file },
      clearDeadPendingRelease(spec, options.release, ns),
      {
        kind: 'exec',
        argv: [
          ...helmBase(spec),
          'upgrade',
          '--install',
          options.release,
          `./${chartDir}`,
          '--namespace',
          ns,
          '--values',
          file,
          '--wait',
          '--timeout',
          spec.kubernetes.helmTimeout,
        ],
        mutates: true,
      },
    ],
  };
}

function rookBucketStep(spec: DeploySpec, layout: KubernetesLayout): Step {
  const kubectl = kubectlBase(spec);
  return {
    id: ROOK_BUCKET_STEP,
    title: 'Object storage: Ceph RGW bucket',
    phase: 'infrastructure',
    needs: [STORAGE_STEP, NAMESPACE_STEP],
    component: 'objectStorage',
    retries: 1,
    actions: [
      ...applyActions(spec, BUCKET_MANIFEST, toYaml(rookBucketClaim(spec, layout)), 0o644, BUCKET_MANIFEST),
      // Bound = bucket made and its keys written to the Secret of the same name.
      {
        kind: 'exec',
        argv: [
          ...kubectl,
          '--namespace',
          layout.namespace,
          'wait',
          `objectbucketclaim/${ROOK_BUCKET_CLAIM}`,
          '--for=jsonpath={.status.phase}=Bound',
          '--timeout=10m',
        ],
        mutates: false,
        timeoutSeconds: 660,
      },
    ],
  };
}

/** Component steps only (no storage, no aggregate). */
function componentSteps(spec: DeploySpec, layout: KubernetesLayout): Step[] {
  const infra = spec.infrastructure;
  // Every chart reads its credentials from the Secret and claims volumes from the StorageClass.
  const needs = [SECRETS_STEP, STORAGE_STEP];
  const steps: Step[] = [];

  if (infra.mongodb.mode === 'bundled') {
    steps.push(
      localReleaseStep(spec, layout, {
        release: INFRA_RELEASES.mongodb,
        chart: 'openim-mongodb',
        title: 'MongoDB',
        values: mongodbValues(spec),
        needs,
        component: 'mongodb',
      }),
    );
  } else steps.push(externalCheckStep(spec, layout, 'mongodb'));

  if (infra.redis.mode === 'bundled') {
    steps.push(
      localReleaseStep(spec, layout, {
        release: INFRA_RELEASES.redis,
        chart: 'openim-redis',
        title: 'Redis',
        values: redisValues(spec),
        needs,
        component: 'redis',
      }),
    );
  } else steps.push(externalCheckStep(spec, layout, 'redis'));

  if (infra.kafka.mode === 'bundled') {
    steps.push(
      localReleaseStep(spec, layout, {
        release: INFRA_RELEASES.kafka,
        chart: 'openim-kafka',
        title: 'Kafka (KRaft) and topics',
        values: kafkaValues(spec, layout),
        needs,
        component: 'kafka',
      }),
    );
  } else {
    steps.push(externalCheckStep(spec, layout, 'kafka'));
    if (infra.kafka.createTopics) {
      // OpenIM never creates its topics (pain point 4): do it in the user's Kafka too.
      steps.push(
        localReleaseStep(spec, layout, {
          release: INFRA_RELEASES.kafkaTopics,
          chart: 'openim-kafka',
          title: 'Kafka topics (external Kafka)',
          values: kafkaTopicsValues(spec, layout),
          needs: [SECRETS_STEP, externalStepId('kafka')],
          component: 'kafka',
        }),
      );
    }
  }

  switch (objectStorageKind(spec)) {
    case 'minio':
      steps.push(
        localReleaseStep(spec, layout, {
          release: INFRA_RELEASES.minio,
          chart: 'openim-minio',
          title: 'MinIO and bucket',
          values: minioValues(spec),
          needs,
          component: 'objectStorage',
        }),
      );
      break;
    case 'rook-ceph':
      steps.push(rookBucketStep(spec, layout));
      break;
    case 'external':
      steps.push(externalCheckStep(spec, layout, 'objectStorage'));
      break;
  }

  // Discovery: the catalog versions register in etcd on Kubernetes too (their Kubernetes-API discovery does not work).
  if (bundledEtcd(spec)) {
    steps.push(
      localReleaseStep(spec, layout, {
        release: INFRA_RELEASES.etcd,
        chart: 'openim-etcd',
        title: 'etcd (service discovery, auth on)',
        values: etcdValues(spec),
        needs,
        component: 'etcd',
      }),
    );
  } else if (spec.infrastructure.etcd.mode === 'external') steps.push(externalCheckStep(spec, layout, 'etcd'));
  return steps;
}

/**
 * Storage, infrastructure and the `k8s.infrastructure` step that waits for all
 * of it. Needs the target's `k8s.namespace` and `k8s.secrets` steps (the latter
 * must write the infrastructure Secret: see infraSecret()).
 */
export function infrastructureSteps(spec: DeploySpec, layout: KubernetesLayout, facts: KubernetesFacts): Step[] {
  const storage = storageSteps(spec, facts);
  const components = componentSteps(spec, layout);
  const ready: Step = {
    id: INFRASTRUCTURE_STEP,
    title: 'Infrastructure ready',
    phase: 'infrastructure',
    needs: components.map((s) => s.id),
    actions: [
      {
        kind: 'note',
        text: `MongoDB, Redis, Kafka (with topics), object storage${bundledEtcd(spec) ? ' and etcd' : ''} are ready in namespace ${layout.namespace}`,
      },
    ],
  };
  return [...storage, ...components, ready];
}
