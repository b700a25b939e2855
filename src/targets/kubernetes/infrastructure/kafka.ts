// Values of templates/charts/openim-kafka (mirrors its values.schema.json),
// for the bundled Kafka and for the topics-only release against an external one.

import { createHash } from 'node:crypto';
import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE, JOB_RESOURCES, type ResourceSpec } from '../../../catalog/infrastructure.js';
import { KAFKA_CONSUMER_GROUPS, KAFKA_PARTITIONS, KAFKA_TOPICS } from '../../../catalog/modules.js';
import type { KubernetesLayout } from '../layout.js';
import { chartImage, pullSecrets, type ChartImage } from './images.js';
import { INFRA_SECRET_NAME, type InfraSecretKey } from './names.js';
import { storageClassFor } from './storage-class.js';
import { kafkaTopology } from './topology.js';

export interface KafkaValues {
  image: ChartImage;
  imagePullSecrets: string[];
  broker: { enabled: boolean };
  nodes: number;
  ports: { client: number; controller: number };
  clusterId: string;
  heapOpts: string;
  replication: { factor: number; minInsyncReplicas: number };
  logRetentionHours: number;
  topics: {
    enabled: boolean;
    bootstrapServers: string;
    /** 0 = the broker's default.replication.factor (external Kafka: its size is unknown). */
    replicationFactor: number;
    items: { name: string; partitions: number; group: string }[];
    security: {
      protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
      username: string;
      existingSecret: string;
      passwordKey: InfraSecretKey | '';
    };
  };
  persistence: { size: string; storageClass: string };
  resources: ResourceSpec;
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
  setupJob: { backoffLimit: number; activeDeadlineSeconds: number; resources: ResourceSpec };
}

/** JVM heap per profile: about half the memory request, the rest is page cache. */
const HEAP = { dev: '-Xms512m -Xmx512m', production: '-Xms1g -Xmx1g' } as const;

/**
 * KRaft cluster id: 16 bytes as base64url (22 characters). Derived from the
 * namespace so every run of the installer gives the same id; a formatted log
 * directory refuses a different one.
 */
export function kafkaClusterId(namespace: string): string {
  return createHash('sha256').update(`openim-kafka/${namespace}`).digest().subarray(0, 16).toString('base64url');
}

/** OpenIM's topics, with the partition count its consumer groups are sized for. */
function kafkaTopicItems(): { name: string; partitions: number; group: string }[] {
  return KAFKA_TOPICS.map((name) => ({ name, partitions: KAFKA_PARTITIONS, group: KAFKA_CONSUMER_GROUPS[name] }));
}

function common(
  spec: DeploySpec,
  layout: KubernetesLayout,
): Pick<
  KafkaValues,
  | 'image'
  | 'imagePullSecrets'
  | 'ports'
  | 'clusterId'
  | 'heapOpts'
  | 'logRetentionHours'
  | 'persistence'
  | 'resources'
  | 'securityContext'
  | 'setupJob'
> {
  const catalog = INFRASTRUCTURE.kafka;
  return {
    image: chartImage(spec, catalog.images.kafka),
    imagePullSecrets: pullSecrets(spec),
    ports: { client: catalog.ports.client, controller: catalog.ports.controller },
    clusterId: kafkaClusterId(layout.namespace),
    heapOpts: HEAP[spec.profile],
    logRetentionHours: 168,
    persistence: { size: spec.kubernetes.storage.sizes.kafka, storageClass: storageClassFor(spec) },
    resources: catalog.resources[spec.profile],
    securityContext: { runAsUser: catalog.user.uid, runAsGroup: catalog.user.gid, fsGroup: catalog.user.gid },
    setupJob: { backoffLimit: 6, activeDeadlineSeconds: 900, resources: JOB_RESOURCES },
  };
}

/** The bundled Kafka: KRaft nodes plus the topics Job. */
export function kafkaValues(spec: DeploySpec, layout: KubernetesLayout): KafkaValues {
  const topology = kafkaTopology(spec);
  return {
    ...common(spec, layout),
    broker: { enabled: true },
    nodes: topology.nodes,
    replication: { factor: topology.replicationFactor, minInsyncReplicas: topology.minInsyncReplicas },
    topics: {
      enabled: spec.infrastructure.kafka.createTopics,
      bootstrapServers: '',
      replicationFactor: topology.replicationFactor,
      items: kafkaTopicItems(),
      security: { protocol: 'PLAINTEXT', username: '', existingSecret: '', passwordKey: '' },
    },
  };
}

/** An external Kafka: no nodes, only the topics Job, authenticating as OpenIM does (SASL/PLAIN, TLS). */
export function kafkaTopicsValues(spec: DeploySpec, layout: KubernetesLayout): KafkaValues {
  const kafka = spec.infrastructure.kafka;
  const sasl = kafka.username !== '';
  const protocol = sasl ? (kafka.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : kafka.tls ? 'SSL' : 'PLAINTEXT';
  return {
    ...common(spec, layout),
    broker: { enabled: false },
    nodes: 1,
    replication: { factor: 1, minInsyncReplicas: 1 },
    topics: {
      enabled: true,
      bootstrapServers: kafka.address.join(','),
      replicationFactor: 0,
      items: kafkaTopicItems(),
      security: {
        protocol,
        username: kafka.username,
        existingSecret: sasl ? INFRA_SECRET_NAME : '',
        passwordKey: sasl ? 'kafka-password' : '',
      },
    },
  };
}
