// Ids of the binary plan's steps: the planners name their steps and their
// dependencies (`needs`) with these, so an id is spelled once. Journals and
// `--only`/`--from` selections record these strings: changing one is a
// behaviour change, not a rename.

import type { Product } from './layout.js';

export const BINARY_STEP = {
  user: 'binary.user',
  dirs: 'binary.dirs',
  units: 'binary.units',
  infraPackages: 'binary.infra.packages',
  infraMongodb: 'binary.infra.mongodb',
  infraMongodbUsers: 'binary.infra.mongodb.users',
  infraRedis: 'binary.infra.redis',
  infraKafka: 'binary.infra.kafka',
  infraKafkaTopics: 'binary.infra.kafka.topics',
  infraMinio: 'binary.infra.minio',
  startInfra: 'binary.start.infra',
  infraReady: 'binary.infra.ready',
  mongoTools: 'binary.tools.mongotools',
  chatAdminPassword: 'binary.chat.admin-password',
  proxyInstall: 'binary.proxy.install',
  proxyCa: 'binary.proxy.ca',
  startProxy: 'binary.start.proxy',
  proxyHealth: 'binary.health.proxy',
  monitoringUser: 'binary.monitoring.user',
  monitoringDirs: 'binary.monitoring.dirs',
  monitoringPackages: 'binary.monitoring.packages',
  monitoringConfig: 'binary.monitoring.config',
  monitoringUnits: 'binary.monitoring.units',
  monitoringStart: 'binary.monitoring.start',
  monitoringHealth: 'binary.monitoring.health',
  verify: 'binary.verify',
  summary: 'binary.summary',
} as const;

/** Fetch and verify one artifact (ArtifactId: server, chat, mongodb, grafana …). */
export const fetchStepId = (artifact: string): string => `binary.fetch.${artifact}`;
/** Build a product from source instead of fetching it. */
export const buildStepId = (product: Product): string => `binary.build.${product}`;
export const extractStepId = (product: Product): string => `binary.extract.${product}`;
export const configStepId = (product: Product): string => `binary.config.${product}`;
export const switchStepId = (product: Product): string => `binary.switch.${product}`;
export const startStepId = (product: Product): string => `binary.start.${product}`;
export const healthStepId = (product: Product): string => `binary.health.${product}`;
/** Unpack one monitoring component (grafana, prometheus …). */
export const monitoringExtractStepId = (component: string): string => `binary.monitoring.extract.${component}`;
