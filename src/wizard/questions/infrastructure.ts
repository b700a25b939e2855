// MongoDB, Redis, Kafka and (binary) etcd: bundled, or external with an
// address, credentials and a live connectivity check.

import { INFRASTRUCTURE } from '../../catalog/infrastructure.js';
import type { QuestionContext } from './context.js';
import { addressList, confirmReachable, parseHostPort } from './reach.js';

type Service = 'mongodb' | 'redis' | 'kafka' | 'etcd';

const SERVICES: Record<Service, { title: string; port: number; what: string; example: string }> = {
  mongodb: {
    title: 'MongoDB',
    port: INFRASTRUCTURE.mongodb.ports.mongo,
    what: 'stores users, groups, conversations and message history',
    example: 'mongo-0.db.internal',
  },
  redis: {
    title: 'Redis',
    port: INFRASTRUCTURE.redis.ports.redis,
    what: 'caches sessions, sequences and online state',
    example: 'redis.internal',
  },
  kafka: {
    title: 'Kafka',
    port: INFRASTRUCTURE.kafka.ports.client,
    what: 'carries every message between the OpenIM services',
    example: 'kafka-0.internal',
  },
  etcd: {
    title: 'etcd',
    port: INFRASTRUCTURE.etcd.ports.client,
    what: 'lets the OpenIM services on this host find each other',
    example: 'etcd.internal',
  },
};

async function askMode(q: QuestionContext, service: Service): Promise<'bundled' | 'external'> {
  const s = SERVICES[service];
  return q.ask.choose<'bundled' | 'external'>(`infrastructure.${service}.mode`, {
    message: `${s.title}: bundled or external?`,
    help: `${s.title} ${s.what}. Bundled: the installer runs and secures it for you. External: you give the address of one you already operate (backups and HA are then yours).`,
    default: 'bundled',
    choices: [
      { value: 'bundled', name: `bundled: install ${s.title}`, description: 'Pinned version, generated credentials.' },
      {
        value: 'external',
        name: `external: use an existing ${s.title}`,
        description: 'You give the address and credentials; it is checked from here.',
      },
    ],
  });
}

/** Asks the address list until it is reachable or the user keeps it anyway. */
async function askAddresses(q: QuestionContext, service: Service, help: string): Promise<void> {
  const path = `infrastructure.${service}.address`;
  const s = SERVICES[service];
  if (q.answers.given(path)) return;
  for (;;) {
    const list = await q.ask.text<string[]>(path, {
      message: `${s.title} address (host:port, comma-separated)`,
      help: `${help} A host without a port means :${s.port}.`,
      toValue: (text) => addressList(text, s.port),
      extra: (value) =>
        (value as string[]).length === 0 ? `at least one host:port, e.g. ${s.example}:${s.port}` : true,
    });
    const endpoints = list.map(parseHostPort).filter((e) => e !== undefined);
    if (await confirmReachable(q, path, endpoints)) return;
    q.answers.forget(path);
  }
}

async function askMongo(q: QuestionContext): Promise<void> {
  if ((await askMode(q, 'mongodb')) !== 'external') return;
  const { ask, answers } = q;
  if (answers.get<string>('infrastructure.mongodb.uri') !== '') return; // a full URI (from a file or env) says it all
  await askAddresses(q, 'mongodb', 'The replica-set members OpenIM connects to.');
  await ask.text('infrastructure.mongodb.database', {
    message: 'MongoDB database',
    default: answers.get<string>('infrastructure.mongodb.database'),
  });
  await ask.text('infrastructure.mongodb.username', {
    message: 'MongoDB user',
    help: 'A user with readWrite on the database.',
    default: answers.get<string>('infrastructure.mongodb.username'),
  });
  await ask.secret('infrastructure.mongodb.password', {
    message: 'MongoDB password',
    help: 'Used only to write the OpenIM config; never shown or saved to the answers file.',
    required: true,
  });
  await ask.text('infrastructure.mongodb.authSource', {
    message: 'Authentication database (empty: the database above)',
    help: 'Where the user is defined: admin for a root user.',
    default: answers.get<string>('infrastructure.mongodb.authSource'),
  });
}

async function askRedis(q: QuestionContext): Promise<void> {
  if ((await askMode(q, 'redis')) !== 'external') return;
  await askAddresses(q, 'redis', 'One address for a single Redis or a replica; every master for a Redis Cluster.');
  await q.ask.secret('infrastructure.redis.password', {
    message: 'Redis password (empty: none)',
    help: 'The requirepass of the server, if it has one.',
    required: false,
  });
  await q.ask.yesNo('infrastructure.redis.clusterMode', {
    message: 'Is it a Redis Cluster?',
    help: 'OpenIM uses a different client for Redis Cluster; a wrong answer fails at start.',
    default: false,
  });
}

async function askKafka(q: QuestionContext): Promise<void> {
  if ((await askMode(q, 'kafka')) !== 'external') return;
  await askAddresses(
    q,
    'kafka',
    'Bootstrap brokers, as advertised by Kafka itself: clients reconnect to the advertised listeners.',
  );
  const user = await q.ask.text<string>('infrastructure.kafka.username', {
    message: 'Kafka SASL user (empty: no authentication)',
    default: q.answers.get<string>('infrastructure.kafka.username'),
  });
  if (user !== '')
    await q.ask.secret('infrastructure.kafka.password', { message: 'Kafka SASL password', required: true });
  await q.ask.yesNo('infrastructure.kafka.tls', { message: 'Connect to Kafka over TLS?', default: false });
}

async function askEtcd(q: QuestionContext): Promise<void> {
  if ((await askMode(q, 'etcd')) !== 'external') return;
  await askAddresses(q, 'etcd', 'Client endpoints of the etcd cluster.');
  const user = await q.ask.text<string>('infrastructure.etcd.username', {
    message: 'etcd user (empty: no authentication)',
    default: q.answers.get<string>('infrastructure.etcd.username'),
  });
  if (user !== '') await q.ask.secret('infrastructure.etcd.password', { message: 'etcd password', required: true });
}

export async function askInfrastructure(q: QuestionContext): Promise<void> {
  await askMongo(q);
  await askRedis(q);
  await askKafka(q);
  // Kubernetes finds services by name; etcd is for the binary target only.
  if (q.answers.get('target') === 'binary') await askEtcd(q);
}
