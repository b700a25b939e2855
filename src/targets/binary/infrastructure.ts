// Bundled infrastructure on a host: each component gets its binaries (an
// upstream archive or the distribution package), a config folder, a data
// folder owned by the service user, a hardened unit, and generated
// credentials (Redis requirepass, MongoDB users, MinIO root keys). Kafka and
// etcd listen on loopback only and run without auth.

import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { DeploySpec } from '../../config/schema.js';
import {
  HOST_ARCHIVES,
  HOST_INFRA_PORTS,
  HOST_PACKAGES,
  type HostArch,
  type PackageManager,
} from '../../catalog/host-artifacts.js';
import { KAFKA_PARTITIONS, KAFKA_TOPICS } from '../../catalog/modules.js';
import type { Action, ExecAction, Step } from '../../plan/types.js';
import { encodeText } from '../../secrets/encode.js';
import { secretRef } from '../../secrets/secrets.js';
import { environmentFileText } from './env-file.js';
import { kafkaGroupActions } from './kafka-groups.js';
import { perTopicToolActions } from './kafka-tool.js';
import { packageInstallActions } from './packages.js';
import { proxied } from './proxy/urls.js';
import type { ArtifactId, PlannedArtifact } from './artifacts.js';
import { bundledInfra, type InfraId } from './endpoints.js';
import type { BinaryLayout } from './layout.js';
import { BINARY_STEP, fetchStepId } from './step-ids.js';
import { renderUnit, type UnitFile, type UnitSection } from './systemd-ini.js';
import { hardening, HEADER, PROXY_VARIABLES, TARGETS, type UnitText } from './units.js';
import { exec } from '../../plan/actions.js';

export const INFRA_UNITS: Record<InfraId, string> = {
  mongodb: 'openim-mongodb.service',
  redis: 'openim-redis.service',
  kafka: 'openim-kafka.service',
  objectStorage: 'openim-minio.service',
  etcd: 'openim-etcd.service',
};

/** Folder names under configDir, dataDir and the infra root. */
const FOLDER: Record<InfraId, string> = {
  mongodb: 'mongodb',
  redis: 'redis',
  kafka: 'kafka',
  objectStorage: 'minio',
  etcd: 'etcd',
};

export interface InfraContext {
  spec: DeploySpec;
  layout: BinaryLayout;
  arch: HostArch;
  packageManager: PackageManager;
  /** Packages already on the host (facts): no apt-get/dnf for them, so a host without a reachable mirror works. */
  installedPackages?: readonly string[];
  artifacts: Partial<Record<ArtifactId, PlannedArtifact>>;
}

export interface InfraPlan {
  /** Artifacts to fetch (and verify) before anything is installed. */
  artifacts: ArtifactId[];
  /** Install and configure, one step per component (needs binary.dirs and its fetches). */
  steps: Step[];
  units: UnitText[];
  unitNames: string[];
  /** Data and config folders to create. */
  dataDirs: { path: string; mode: string }[];
  configDirs: string[];
  /** After the units started: users, topics. */
  setup: Step[];
}

/** Archives each bundled component needs, plus Kafka's tools when topics go to an external Kafka. */
export function infraArtifacts(spec: DeploySpec): ArtifactId[] {
  const bundled = new Set(bundledInfra(spec));
  const ids: ArtifactId[] = [];
  if (bundled.has('mongodb')) ids.push('mongodb', 'mongosh');
  if (bundled.has('kafka') || (spec.infrastructure.kafka.mode === 'external' && spec.infrastructure.kafka.createTopics))
    ids.push('kafka');
  if (bundled.has('objectStorage')) ids.push('minio');
  return ids;
}

export function infraHome(layout: BinaryLayout, id: 'mongodb' | 'mongosh' | 'kafka' | 'minio'): string {
  return `${layout.infraRoot}/${id}-${HOST_ARCHIVES[id].version}`;
}

const dataOf = (layout: BinaryLayout, id: InfraId) => `${layout.dataDir}/${FOLDER[id]}`;
const configOf = (layout: BinaryLayout, id: InfraId) => `${layout.configDir}/${FOLDER[id]}`;

/**
 * Databases and JVMs need more than an OpenIM process: writable+executable
 * memory (Java's JIT, MongoDB's JavaScript engine), netlink for interface
 * lookups, rlimit/affinity calls, and all of /proc: MinIO refuses to start
 * without /proc/mounts (its disk checks), MongoDB and the JVM size themselves
 * from /proc/meminfo and /proc/sys. Still no privilege and a read-only system.
 */
function infraHardening(readWritePaths: string[], jit: boolean): UnitSection {
  const base = hardening(readWritePaths);
  return {
    ...base,
    MemoryDenyWriteExecute: !jit,
    ProcSubset: 'all',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    SystemCallFilter: '@system-service',
  };
}

function infraUnit(ctx: InfraContext, id: InfraId, description: string, service: UnitSection, jit = false): UnitText {
  const unit: UnitFile = {
    Unit: { Description: `${description} for OpenIM`, Wants: 'network-online.target', After: 'network-online.target' },
    Service: {
      Type: 'simple',
      User: ctx.layout.user,
      Group: ctx.layout.group,
      UnsetEnvironment: PROXY_VARIABLES.join(' '),
      WorkingDirectory: dataOf(ctx.layout, id),
      ...service,
      Restart: 'always',
      RestartSec: '5s',
      LimitNOFILE: 100000,
      ...infraHardening([dataOf(ctx.layout, id)], jit),
    },
    Install: { WantedBy: TARGETS.infra },
  };
  return { name: INFRA_UNITS[id], text: renderUnit(unit, HEADER) };
}

const write = (path: string, content: string, mode: number, render: string): Action => ({
  kind: 'write',
  path,
  mode,
  content,
  render,
});
const chown = (user: string, ...paths: string[]): ExecAction => exec(['chown', `root:${user}`, ...paths]);

function extractStep(ctx: InfraContext, id: InfraId, archive: 'mongodb' | 'mongosh' | 'kafka'): Action {
  const planned = ctx.artifacts[archive]!;
  return {
    kind: 'extract',
    archive: planned.path,
    to: infraHome(ctx.layout, archive),
    strip: HOST_ARCHIVES[archive].strip,
  };
}

/** Kafka wants a base64url cluster id of 16 bytes; derived from the data dir so a re-run formats nothing new. */
function kafkaClusterId(dataDir: string): string {
  return createHash('sha256').update(`openim-kafka:${dataDir}`).digest().subarray(0, 16).toString('base64url');
}

function properties(entries: Record<string, string | number>): string {
  return `${Object.entries(entries)
    .map(([k, v]) => `${k}=${encodeText('properties', String(v))}`)
    .join('\n')}\n`;
}

/** `kafka-topics.sh --create --if-not-exists` for each OpenIM topic (the server does not create them, pain point 4). */
function kafkaTopicActions(kafkaHome: string, bootstrap: string, logDir: string, commandConfig?: string): ExecAction[] {
  return perTopicToolActions(logDir, commandConfig, (topic, clientOptions) => [
    `${kafkaHome}/${HOST_ARCHIVES.kafka.executables.topics}`,
    '--bootstrap-server',
    bootstrap,
    ...clientOptions,
    '--create',
    '--if-not-exists',
    '--topic',
    topic,
    '--partitions',
    String(KAFKA_PARTITIONS),
    '--replication-factor',
    '1',
  ]);
}

/** What one bundled component adds to the plan: its config folder, install step, unit and after-start setup. */
interface ComponentParts {
  configDir?: string;
  step?: Step;
  unit: UnitText;
  setup?: Step;
}

const fetchNeeds = (ids: ArtifactId[]) => ids.map(fetchStepId);

export function infraPlan(ctx: InfraContext): InfraPlan {
  const { spec, layout } = ctx;
  const plan: InfraPlan = {
    artifacts: infraArtifacts(spec),
    steps: [],
    units: [],
    unitNames: [],
    dataDirs: [],
    configDirs: [],
    setup: [],
  };
  const packages = packagesStep(ctx);
  if (packages) plan.steps.push(packages);
  for (const id of bundledInfra(spec)) {
    plan.dataDirs.push({ path: dataOf(layout, id), mode: id === 'etcd' ? '0700' : '0750' });
    plan.unitNames.push(INFRA_UNITS[id]);
    const parts = COMPONENT_PARTS[id](ctx);
    if (parts.configDir) plan.configDirs.push(parts.configDir);
    if (parts.step) plan.steps.push(parts.step);
    plan.units.push(parts.unit);
    if (parts.setup) plan.setup.push(parts.setup);
  }
  const topics = kafkaTopicsStep(ctx);
  if (topics) plan.setup.push(topics);
  return plan;
}

const COMPONENT_PARTS: Record<InfraId, (ctx: InfraContext) => ComponentParts> = {
  mongodb: mongodbParts,
  redis: redisParts,
  kafka: kafkaParts,
  objectStorage: minioParts,
  etcd: etcdParts,
};

/** Redis and etcd come from the distribution's packages: installed unless already there, their own units disabled. */
function packagesStep(ctx: InfraContext): Step | undefined {
  const packages = bundledInfra(ctx.spec).filter((c): c is 'redis' | 'etcd' => c === 'redis' || c === 'etcd');
  if (packages.length === 0) return undefined;
  const pm = ctx.packageManager;
  const names = packages.map((c) => HOST_PACKAGES[c].names[pm]);
  const missing = names.filter((n) => !(ctx.installedPackages ?? []).includes(n));
  const theirUnits = packages.flatMap((c) => HOST_PACKAGES[c].packageUnits[pm]);
  const install = packageInstallActions(pm, missing);
  return {
    id: BINARY_STEP.infraPackages,
    title: missing.length ? `Packages ${missing.join(', ')}` : `Packages ${names.join(', ')} (installed)`,
    phase: 'infrastructure',
    needs: [BINARY_STEP.dirs],
    retries: 2,
    actions: [
      ...install,
      // The package's own service would hold the port; the hardened openim-* unit replaces it.
      ...(theirUnits.length ? [exec(['systemctl', 'disable', '--now', ...theirUnits])] : []),
    ],
  };
}

function mongodbParts(ctx: InfraContext): ComponentParts {
  const { spec, layout } = ctx;
  const data = dataOf(layout, 'mongodb');
  const conf = configOf(layout, 'mongodb');
  const home = infraHome(layout, 'mongodb');
  const config = {
    storage: { dbPath: data },
    net: { bindIp: '127.0.0.1', port: HOST_INFRA_PORTS.mongodb },
    security: { authorization: 'enabled' },
    processManagement: { fork: false },
  };
  return {
    configDir: conf,
    step: {
      id: BINARY_STEP.infraMongodb,
      title: `MongoDB ${HOST_ARCHIVES.mongodb.version}`,
      phase: 'infrastructure',
      component: 'mongodb',
      needs: [BINARY_STEP.dirs, ...fetchNeeds(['mongodb', 'mongosh'])],
      actions: [
        extractStep(ctx, 'mongodb', 'mongodb'),
        extractStep(ctx, 'mongodb', 'mongosh'),
        write(`${conf}/mongod.conf`, stringify(config), 0o640, 'config/mongodb/mongod.conf'),
        chown(layout.user, `${conf}/mongod.conf`),
      ],
    },
    unit: infraUnit(
      ctx,
      'mongodb',
      'MongoDB',
      {
        ExecStart: `${home}/${HOST_ARCHIVES.mongodb.executables.mongod} --config ${conf}/mongod.conf`,
        LimitNPROC: 64000,
      },
      true,
    ),
    setup: {
      id: BINARY_STEP.infraMongodbUsers,
      title: `MongoDB users (root, ${spec.infrastructure.mongodb.username} in ${spec.infrastructure.mongodb.database})`,
      phase: 'infrastructure',
      component: 'mongodb',
      needs: [],
      retries: 5,
      actions: [
        {
          kind: 'wait',
          probe: { kind: 'tcp', host: '127.0.0.1', port: HOST_INFRA_PORTS.mongodb },
          timeoutSeconds: 120,
          intervalSeconds: 2,
        },
        {
          kind: 'exec',
          argv: [
            `${infraHome(layout, 'mongosh')}/${HOST_ARCHIVES.mongosh.executables.mongosh}`,
            '--quiet',
            '--norc',
            `mongodb://127.0.0.1:${HOST_INFRA_PORTS.mongodb}/admin`,
          ],
          input: mongoUsersScript(spec),
          mutates: true,
          timeoutSeconds: 120,
        },
      ],
    },
  };
}

function redisParts(ctx: InfraContext): ComponentParts {
  const { layout } = ctx;
  const data = dataOf(layout, 'redis');
  const conf = configOf(layout, 'redis');
  const lines = [
    'bind 127.0.0.1 -::1',
    `port ${HOST_INFRA_PORTS.redis}`,
    'protected-mode yes',
    'daemonize no',
    'supervised no',
    'logfile ""',
    `dir ${data}`,
    'appendonly yes',
    `requirepass "${encodeText('redis', secretRef('redis.password'))}"`,
  ];
  return {
    configDir: conf,
    step: {
      id: BINARY_STEP.infraRedis,
      title: 'Redis config',
      phase: 'infrastructure',
      component: 'redis',
      needs: [BINARY_STEP.dirs, BINARY_STEP.infraPackages],
      actions: [
        write(`${conf}/redis.conf`, `${lines.join('\n')}\n`, 0o640, 'config/redis/redis.conf'),
        chown(layout.user, `${conf}/redis.conf`),
      ],
    },
    unit: infraUnit(ctx, 'redis', 'Redis', { ExecStart: `${HOST_PACKAGES.redis.executable} ${conf}/redis.conf` }),
  };
}

function kafkaParts(ctx: InfraContext): ComponentParts {
  const { spec, layout } = ctx;
  const data = dataOf(layout, 'kafka');
  const conf = configOf(layout, 'kafka');
  const home = infraHome(layout, 'kafka');
  const props = properties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${HOST_INFRA_PORTS.kafkaController}`,
    listeners: `PLAINTEXT://127.0.0.1:${HOST_INFRA_PORTS.kafka},CONTROLLER://127.0.0.1:${HOST_INFRA_PORTS.kafkaController}`,
    // OpenIM runs on this host: the advertised listener is the one it can reach (pain point 5).
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${HOST_INFRA_PORTS.kafka}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': `${data}/data`,
    'num.partitions': KAFKA_PARTITIONS,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
  });
  return {
    configDir: conf,
    step: {
      id: BINARY_STEP.infraKafka,
      title: `Kafka ${HOST_ARCHIVES.kafka.version} (KRaft)`,
      phase: 'infrastructure',
      component: 'kafka',
      needs: [BINARY_STEP.dirs, ...fetchNeeds(['kafka'])],
      actions: [
        extractStep(ctx, 'kafka', 'kafka'),
        write(`${conf}/server.properties`, props, 0o640, 'config/kafka/server.properties'),
        chown(layout.user, `${conf}/server.properties`),
        {
          kind: 'exec',
          argv: [
            'runuser',
            '-u',
            layout.user,
            '--',
            'env',
            `LOG_DIR=${data}/logs`,
            `${home}/${HOST_ARCHIVES.kafka.executables.storage}`,
            'format',
            '--ignore-formatted',
            '-t',
            kafkaClusterId(layout.dataDir),
            '-c',
            `${conf}/server.properties`,
          ],
          mutates: true,
          timeoutSeconds: 120,
        },
      ],
    },
    unit: infraUnit(
      ctx,
      'kafka',
      'Kafka (KRaft)',
      {
        // Quoted: an unquoted space would split the assignment.
        Environment: [
          `LOG_DIR=${data}/logs`,
          `"KAFKA_HEAP_OPTS=${spec.profile === 'production' ? '-Xms2g -Xmx2g' : '-Xms512m -Xmx512m'}"`,
        ],
        ExecStart: `${home}/${HOST_ARCHIVES.kafka.executables.server} ${conf}/server.properties`,
        TimeoutStopSec: '120s',
      },
      true,
    ),
  };
}

function minioParts(ctx: InfraContext): ComponentParts {
  const { spec, layout } = ctx;
  const data = dataOf(layout, 'objectStorage');
  const conf = configOf(layout, 'objectStorage');
  const home = infraHome(layout, 'minio');
  const env = environmentFileText({
    MINIO_ROOT_USER: secretRef('objectStorage.accessKey'),
    MINIO_ROOT_PASSWORD: secretRef('objectStorage.secretKey'),
  });
  return {
    configDir: conf,
    step: {
      id: BINARY_STEP.infraMinio,
      title: `MinIO ${HOST_ARCHIVES.minio.version}`,
      phase: 'infrastructure',
      component: 'minio',
      needs: [BINARY_STEP.dirs, ...fetchNeeds(['minio'])],
      actions: [
        {
          kind: 'exec',
          argv: [
            'install',
            '-D',
            '-m',
            '0755',
            ctx.artifacts.minio!.path,
            `${home}/${HOST_ARCHIVES.minio.executables.minio}`,
          ],
          mutates: true,
        },
        // Not rendered: it holds nothing but credentials.
        { kind: 'write', path: `${conf}/minio.env`, mode: 0o640, content: env },
        chown(layout.user, `${conf}/minio.env`),
      ],
    },
    unit: infraUnit(ctx, 'objectStorage', 'MinIO', {
      EnvironmentFile: `${conf}/minio.env`,
      ExecStart: `${home}/${HOST_ARCHIVES.minio.executables.minio} server ${data} --address ${proxied(spec) ? '127.0.0.1' : ''}:${HOST_INFRA_PORTS.minio} --console-address 127.0.0.1:${HOST_INFRA_PORTS.minioConsole}`,
    }),
  };
}

/** etcd: the distribution's binary, no config file (flags only), no install step. */
function etcdParts(ctx: InfraContext): ComponentParts {
  const data = dataOf(ctx.layout, 'etcd');
  const peer = `http://127.0.0.1:${HOST_INFRA_PORTS.etcdPeer}`;
  const client = `http://127.0.0.1:${HOST_INFRA_PORTS.etcd}`;
  return {
    unit: infraUnit(ctx, 'etcd', 'etcd', {
      ...(ctx.arch === 'arm64' ? { Environment: 'ETCD_UNSUPPORTED_ARCH=arm64' } : {}),
      ExecStart: [
        HOST_PACKAGES.etcd.executable,
        '--name openim',
        `--data-dir ${data}`,
        `--listen-client-urls ${client}`,
        `--advertise-client-urls ${client}`,
        `--listen-peer-urls ${peer}`,
        `--initial-advertise-peer-urls ${peer}`,
        `--initial-cluster openim=${peer}`,
      ].join(' '),
    }),
  };
}

/** Topics, on the bundled Kafka once it listens, or on an external one with the tools from the Kafka archive (needs Java, checked in preflight). */
function kafkaTopicsStep(ctx: InfraContext): Step | undefined {
  const { spec, layout } = ctx;
  const kafka = spec.infrastructure.kafka;
  if (!kafka.createTopics) return undefined;
  const home = infraHome(layout, 'kafka');
  const external = kafka.mode === 'external';
  const bootstrap = external ? kafka.address.join(',') : `127.0.0.1:${HOST_INFRA_PORTS.kafka}`;
  const actions: Action[] = [];
  let commandConfig: string | undefined;
  if (external) {
    actions.push({ kind: 'extract', archive: ctx.artifacts.kafka!.path, to: home, strip: HOST_ARCHIVES.kafka.strip });
    if (kafka.username || kafka.tls) {
      commandConfig = 'kafka-client.properties';
      actions.push({
        kind: 'write',
        path: commandConfig,
        mode: 0o600,
        content: properties(kafkaClientProperties(kafka)),
      });
    }
  } else {
    actions.push({
      kind: 'wait',
      probe: { kind: 'tcp', host: '127.0.0.1', port: HOST_INFRA_PORTS.kafka },
      timeoutSeconds: 180,
      intervalSeconds: 2,
    });
  }
  actions.push(...kafkaTopicActions(home, bootstrap, `${dataOf(layout, 'kafka')}/logs`, commandConfig));
  actions.push(...kafkaGroupActions(home, bootstrap, `${dataOf(layout, 'kafka')}/logs`, commandConfig));
  return {
    id: BINARY_STEP.infraKafkaTopics,
    title: `Kafka topics ${KAFKA_TOPICS.join(', ')} (${KAFKA_PARTITIONS} partitions) and OpenIM's consumer groups`,
    phase: 'infrastructure',
    component: 'kafka',
    needs: external ? [BINARY_STEP.dirs, ...fetchNeeds(['kafka'])] : [],
    retries: 5,
    actions,
  };
}

/** Client settings for kafka-topics.sh against an external Kafka with SASL and/or TLS. */
function kafkaClientProperties(kafka: DeploySpec['infrastructure']['kafka']): Record<string, string> {
  const protocol = kafka.tls ? (kafka.username ? 'SASL_SSL' : 'SSL') : 'SASL_PLAINTEXT';
  const client: Record<string, string> = { 'security.protocol': protocol };
  if (kafka.username) {
    client['sasl.mechanism'] = 'PLAIN';
    client['sasl.jaas.config'] =
      `org.apache.kafka.common.security.plain.PlainLoginModule required username="${encodeText('jaas', kafka.username)}" password="${encodeText('jaas', secretRef('kafka.password'))}";`;
  }
  return client;
}

/**
 * mongosh script (stdin, never argv): a root user through the localhost
 * exception, then the OpenIM user with readWrite on its database (pain
 * point 6). Re-runnable: existing users get their password reset instead.
 */
export function mongoUsersScript(spec: DeploySpec): string {
  const m = spec.infrastructure.mongodb;
  // Double-quoted JS strings, the values escaped for them when written (encode.ts `js`).
  const root = `"${encodeText('js', secretRef('mongodb.rootPassword'))}"`;
  const pw = `"${encodeText('js', secretRef('mongodb.password'))}"`;
  return [
    `const admin = db.getSiblingDB('admin');`,
    `let authed = false;`,
    `try { authed = admin.auth('root', ${root}).ok === 1; } catch (e) { authed = false; }`,
    `if (!authed) { admin.createUser({ user: 'root', pwd: ${root}, roles: ['root'] }); admin.auth('root', ${root}); }`,
    `const app = db.getSiblingDB(${JSON.stringify(m.database)});`,
    `const roles = [{ role: 'readWrite', db: ${JSON.stringify(m.database)} }];`,
    `if (app.getUser(${JSON.stringify(m.username)})) app.updateUser(${JSON.stringify(m.username)}, { pwd: ${pw}, roles });`,
    `else app.createUser({ user: ${JSON.stringify(m.username)}, pwd: ${pw}, roles });`,
    `print('openim-deploy: MongoDB users ready');`,
    '',
  ].join('\n');
}
