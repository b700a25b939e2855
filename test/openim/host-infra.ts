// Infrastructure the suite runs on the HOST (the container shares its
// network namespace, so OpenIM inside reaches it on 127.0.0.1), each named
// for what it is:
// - Kafka: the real Kafka 3.9 broker (KRaft, one node) from Maven Central's
//   jars (scripts/openim/build.sh kafka), on the host's JRE. It runs outside
//   the container because the container's Debian rootfs has no JRE; the
//   product's own bundled Kafka unit needs Apache's release archive, which
//   this machine cannot download (its unit is tested in test:systemd).
// - FerretDB (STAND-IN for MongoDB, which cannot be fetched here): v1.24.2
//   built from its Go module with the patches of scripts/openim/patches,
//   SQLite backend. Known gaps: no aggregation-pipeline updates, so OpenIM's
//   friend, group and conversation-version writes fail on it (FerretDB v1 docs, "known differences").
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { KAFKA_TOPICS } from '../../src/catalog/modules.js';
import { REPO_ROOT } from '../systemd/container.js';

export interface HostInfra {
  mongodb: { address: string; database: string; username: string; password: string };
  kafka: { address: string };
  /** Stops FerretDB, deletes its data and starts it empty (user and database set up again): a fresh MongoDB. */
  emptyMongo(): Promise<void>;
  stop(): Promise<void>;
}

export interface HostInfraPorts {
  ferretdb: number;
  kafka: number;
  kafkaController: number;
}

/** The folder scripts/openim/build.sh keeps a build in. */
export function buildPath(name: 'server' | 'chat' | 'minio' | 'ferretdb' | 'kafka' | 'caddy' | 'mongotools'): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts/openim/build.sh'), 'path', name], { encoding: 'utf8' }).trim();
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitForPort(
  what: string,
  port: number,
  child: ChildProcess,
  log: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with ${child.exitCode} before listening on ${port}; see ${log}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not listening on ${port} after ${timeoutMs / 1000} s; see ${log}`);
}

function start(cmd: string, args: string[], log: string): ChildProcess {
  const out = createWriteStream(log);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Starts FerretDB and Kafka (with OpenIM's topics) under `dir`; `stop()` ends both. */
export async function startHostInfra(dir: string, ports: HostInfraPorts, mongoPassword: string): Promise<HostInfra> {
  mkdirSync(dir, { recursive: true });
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    // FerretDB: the OpenIM user and database are set up at start, as a MongoDB operator would create them.
    const ferretDir = join(dir, 'ferretdb');
    mkdirSync(ferretDir, { recursive: true });
    const ferretLog = join(dir, 'ferretdb.log');
    const startFerret = () =>
      start(
        join(buildPath('ferretdb'), 'ferretdb'),
        [
          '--handler=sqlite',
          `--sqlite-url=file:${ferretDir}/`,
          `--listen-addr=127.0.0.1:${ports.ferretdb}`,
          '--test-enable-new-auth',
          '--setup-database=openim_v3',
          '--setup-username=openIM',
          `--setup-password=${mongoPassword}`,
          '--telemetry=disable',
          `--state-dir=${ferretDir}`,
          '--debug-addr=-',
          '--log-level=warn',
        ],
        ferretLog,
      );
    let ferret = startFerret();
    children.push(ferret);

    // Kafka: one KRaft node, formatted once, then OpenIM's topics (the server does not create them).
    const libs = join(buildPath('kafka'), 'libs');
    const kafkaDir = join(dir, 'kafka');
    mkdirSync(kafkaDir, { recursive: true });
    const props = join(kafkaDir, 'server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
        `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        `log.dirs=${join(kafkaDir, 'data')}`,
        'offsets.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'auto.create.topics.enable=false',
        '',
      ].join('\n'),
    );
    const log4j = join(kafkaDir, 'log4j.properties');
    writeFileSync(
      log4j,
      'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
    );
    const java = (main: string, ...args: string[]) => [
      '-Xmx512m',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      `${libs}/*`,
      main,
      ...args,
    ];
    execFileSync(
      'java',
      java('kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', 'b3BlbmltLWRlcGxveS10ZXN0', '-c', props),
      { stdio: 'pipe' },
    );
    const kafkaLog = join(dir, 'kafka.log');
    const kafka = start('java', java('kafka.Kafka', props), kafkaLog);
    children.push(kafka);

    await waitForPort('FerretDB', ports.ferretdb, ferret, ferretLog);
    await waitForPort('Kafka', ports.kafka, kafka, kafkaLog);
    for (const topic of KAFKA_TOPICS) {
      execFileSync(
        'java',
        java(
          'org.apache.kafka.tools.TopicCommand',
          '--bootstrap-server',
          `127.0.0.1:${ports.kafka}`,
          '--create',
          '--if-not-exists',
          '--topic',
          topic,
          '--partitions',
          '8',
          '--replication-factor',
          '1',
        ),
        { stdio: 'pipe' },
      );
    }
    return {
      mongodb: {
        address: `127.0.0.1:${ports.ferretdb}`,
        database: 'openim_v3',
        username: 'openIM',
        password: mongoPassword,
      },
      kafka: { address: `127.0.0.1:${ports.kafka}` },
      emptyMongo: async () => {
        await stopChild(ferret);
        rmSync(ferretDir, { recursive: true, force: true });
        mkdirSync(ferretDir, { recursive: true });
        const fresh = startFerret();
        children[children.indexOf(ferret)] = fresh;
        ferret = fresh;
        await waitForPort('FerretDB', ports.ferretdb, ferret, ferretLog);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
