// Infrastructure images built here for the real node (issue #17 item 3): nothing is pulled. Each
// image is tagged with the reference the product's infra charts use (src/catalog/infrastructure.ts),
// so the product's own charts run unchanged, and behaves like the upstream image where the chart
// relies on it (paths, entrypoints, shells). What is inside is NOT always the upstream version:
//
//   docker.io/library/redis:7.0.15      Debian's redis-server/redis-cli 7.0.15 + their libraries, busybox sh,
//                                        a docker-entrypoint.sh that does what the official one does for a non-root user
//   quay.io/coreos/etcd:v3.5.13         Debian's etcd-server (3.4.x) at /usr/local/bin/etcd (the image's path)
//   docker.io/library/busybox:1.36.1    Debian's busybox-static (1.35.x): the etcd auth Job's sh/wget/sed/grep,
//                                        netcat-openbsd as nc (the product's `nc -z` reachability checks)
//   docker.io/minio/minio:RELEASE…      MinIO built by scripts/openim/build.sh minio (a 2026 commit) at /usr/bin/minio
//   docker.io/minio/mc:RELEASE…         mc built by scripts/openim/build.sh mc (a 2025 commit), busybox sh
//   docker.io/apache/kafka:3.9.1        Kafka 3.9.0 jars from Maven Central (build.sh kafka) on Debian's
//                                        openjdk-17-jre-headless, bash, busybox; /etc/kafka/docker/run and
//                                        /opt/kafka/bin/*.sh written here (below) to do what the upstream ones do
//
// And the ingress controller the traefik chart runs, in its own archive (traefikImageArchive):
//   docker.io/library/traefik:v3.6.5    Traefik v3.6.5 built by scripts/openim/build.sh traefik (the same
//                                        version: traefik-38.0.0's appVersion); the chart passes flags only,
//                                        so the binary is the entrypoint, as /entrypoint.sh makes it upstream
//
// MongoDB has no server image here: FerretDB (the test database, a stand-in) runs outside the cluster.
// For `backup`/`restore` (their mongo-tools pod runs the catalog's MongoDB image, whose official
// build carries MongoDB's database tools), its own archive (mongoToolsImageArchive):
//   docker.io/library/mongo:7.0.14     NOT mongod: mongodump and mongorestore built by scripts/openim/build.sh
//                                        mongotools (github.com/mongodb/mongo-tools at a pseudo-version, static Go),
//                                        busybox sh/sed/test/mv/sleep for the pod's start script
//
// The archive is cached in ~/.cache/openim-deploy/k8s-images/ under a key made of every input
// (paths, sizes, mtimes, the recipe below), so a warm run only imports it.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { formatImage } from '../../src/catalog/images.js';
import { INFRASTRUCTURE, HELPER_IMAGES } from '../../src/catalog/infrastructure.js';
import { writeOciArchive, type ImageFile, type ImageSpec } from '../cluster/oci-image.js';

const RECIPE = 3; // bump when an image below changes
const CACHE = join(process.env.OPENIM_BUILD_CACHE ?? join(homedir(), '.cache/openim-deploy'), 'k8s-images');

const buildPath = (name: string) =>
  execFileSync('bash', ['scripts/openim/build.sh', 'path', name], { encoding: 'utf8' }).trim();

/** The shared libraries `bins` load (ldd), at their own paths: a dynamic binary runs in the minimal root. */
function libraries(bins: readonly string[]): ImageFile[] {
  const found = new Set<string>();
  for (const b of bins) {
    const out = execFileSync('ldd', [b], { encoding: 'utf8' });
    for (const m of out.matchAll(/(?:=>\s+)?(\/\S+)\s+\(0x/g)) found.add(m[1]!);
  }
  return [...found].sort().map((p) => ({ path: p.slice(1), from: p }));
}

/** busybox (static) and the applets the charts' scripts call, as the busybox image lays them out. */
function busybox(): ImageFile[] {
  const applets = [
    'sh',
    'wget',
    'sed',
    'grep',
    'head',
    'sleep',
    'mkdir',
    'cat',
    'id',
    'env',
    'ls',
    'rm',
    'cp',
    'chmod',
    'echo',
    'printf',
    'test',
    'true',
    'false',
    'tr',
    'cut',
    'awk',
    'hostname',
    'dirname',
    'basename',
  ];
  return [
    { path: 'bin/busybox', from: '/usr/bin/busybox' },
    ...applets.map((a) => ({ path: `bin/${a}`, from: { link: 'busybox' } })),
  ];
}

// The official redis image's docker-entrypoint.sh, for what a non-root user gets from it: a
// first argument that is a flag or a .conf file means redis-server; umask 0077 for the data.
const REDIS_ENTRYPOINT = `#!/bin/sh
set -e
case "\${1:-}" in -*|*.conf) set -- redis-server "$@" ;; esac
if [ "$(umask)" = 0022 ]; then umask 0077; fi
exec "$@"
`;

// What apache/kafka's /etc/kafka/docker/run does (docker/resources/common-scripts: configure with
// KafkaDockerWrapper, then launch): every KAFKA_* variable except the JVM ones becomes a broker
// property (prefix dropped, lower case, ___ → -, __ → _, _ → .), the log dirs are formatted with
// CLUSTER_ID when they are not yet, and the broker runs in the foreground.
const KAFKA_RUN = `#!/bin/bash
set -euo pipefail
conf=/tmp/kafka-config
mkdir -p "$conf"
props="$conf/server.properties"
: > "$props"
skip=" KAFKA_VERSION KAFKA_HEAP_OPTS KAFKA_LOG4J_OPTS KAFKA_OPTS KAFKA_JMX_OPTS KAFKA_JVM_PERFORMANCE_OPTS KAFKA_GC_LOG_OPTS KAFKA_LOG4J_ROOT_LOGLEVEL KAFKA_LOG4J_LOGGERS KAFKA_TOOLS_LOG4J_LOGLEVEL KAFKA_JMX_HOSTNAME "
for var in $(compgen -e); do
  [[ $var == KAFKA_* && $skip != *" $var "* ]] || continue
  key="\${var#KAFKA_}"; key="\${key,,}"; key="\${key//___/-}"; key="\${key//__/@}"; key="\${key//_/.}"; key="\${key//@/_}"
  printf '%s=%s\\n' "$key" "\${!var}" >> "$props"
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$CLUSTER_ID" -c "$props"
exec /opt/kafka/bin/kafka-server-start.sh "$props"
`;

// kafka-run-class.sh reduced to what the image needs: the JRE, every jar, log4j to the console.
const KAFKA_RUN_CLASS = `#!/bin/bash
exec /usr/lib/jvm/java-17-openjdk-amd64/bin/java \${KAFKA_HEAP_OPTS:--Xmx256M} \${KAFKA_OPTS:-} -Dlog4j.configuration=file:/opt/kafka/config/log4j.properties -cp '/opt/kafka/libs/*' "$@"
`;
const KAFKA_TOOLS: Record<string, string> = {
  'kafka-server-start.sh': 'kafka.Kafka',
  'kafka-storage.sh': 'kafka.tools.StorageTool',
  'kafka-topics.sh': 'org.apache.kafka.tools.TopicCommand',
  'kafka-broker-api-versions.sh': 'kafka.admin.BrokerApiVersionsCommand',
  // The topics Job registers OpenIM's consumer groups with it (templates/charts/openim-kafka/files/create-topics.sh).
  'kafka-consumer-groups.sh': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
};
const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
`;

/** Debian's openjdk-17-jre-headless as installed (dpkg's file list), symlinks followed, plus its libraries. */
function jre(): ImageFile[] {
  const listed = execFileSync('dpkg', ['-L', 'openjdk-17-jre-headless'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const files: ImageFile[] = [];
  const sos: string[] = [];
  for (const p of listed) {
    if (!p.startsWith('/usr/lib/jvm/') && !p.startsWith('/etc/java-17-openjdk/')) continue;
    if (!existsSync(p) || statSync(p).isDirectory()) continue;
    files.push({ path: p.slice(1), from: p, mode: statSync(p).mode & 0o777 });
    if (p.endsWith('.so') || p.endsWith('/bin/java')) sos.push(p);
  }
  const jvmLibs = libraries(sos).filter((f) => !String(f.from).startsWith('/usr/lib/jvm/'));
  return [...files, ...jvmLibs];
}

function kafkaFiles(): ImageFile[] {
  const libsDir = join(buildPath('kafka'), 'libs');
  const jars = execFileSync('ls', [libsDir], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.jar'));
  return [
    ...jre(),
    { path: 'bin/bash', from: '/usr/bin/bash' },
    ...libraries(['/usr/bin/bash']),
    ...busybox(),
    ...jars.map((j) => ({ path: `opt/kafka/libs/${j}`, from: join(libsDir, j), mode: 0o644 })),
    { path: 'etc/kafka/docker/run', from: { data: KAFKA_RUN } },
    { path: 'opt/kafka/bin/kafka-run-class.sh', from: { data: KAFKA_RUN_CLASS } },
    ...Object.entries(KAFKA_TOOLS).map(([f, cls]) => ({
      path: `opt/kafka/bin/${f}`,
      from: { data: `#!/bin/bash\nexec /opt/kafka/bin/kafka-run-class.sh ${cls} "$@"\n` },
    })),
    { path: 'opt/kafka/config/log4j.properties', from: { data: LOG4J }, mode: 0o644 },
    { path: 'var/lib/kafka/data/.keep', from: { data: '' }, mode: 0o644 },
  ];
}

/** One entry per path (the library sets of several binaries overlap). */
function unique(files: readonly ImageFile[]): ImageFile[] {
  return [...new Map(files.map((f) => [f.path, f])).values()];
}

/** Every infrastructure image the product's charts use in the dev profile (MongoDB excepted). */
function infraImageSpecs(): ImageSpec[] {
  return images().map((s) => ({ ...s, files: unique(s.files) }));
}

function images(): ImageSpec[] {
  const I = INFRASTRUCTURE;
  const minio = join(buildPath('minio'), 'minio');
  const mc = join(buildPath('mc'), 'mc');
  for (const f of [minio, mc])
    if (!existsSync(f)) throw new Error(`${f} is missing: run bash scripts/openim/build.sh ${f.split('/').pop()}`);
  return [
    {
      ref: formatImage(I.redis.images.redis),
      files: [
        ...busybox(),
        { path: 'usr/local/bin/redis-server', from: '/usr/bin/redis-server' },
        { path: 'usr/local/bin/redis-cli', from: '/usr/bin/redis-cli' },
        ...libraries(['/usr/bin/redis-server', '/usr/bin/redis-cli']),
        { path: 'usr/local/bin/docker-entrypoint.sh', from: { data: REDIS_ENTRYPOINT } },
        { path: 'data/.keep', from: { data: '' }, mode: 0o644 },
      ],
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['redis-server'],
      workdir: '/data',
    },
    {
      ref: formatImage(I.etcd.images.etcd),
      files: [{ path: 'usr/local/bin/etcd', from: '/usr/bin/etcd' }, ...libraries(['/usr/bin/etcd'])],
      entrypoint: ['/usr/local/bin/etcd'],
    },
    // Debian's busybox nc has no -z, the busybox image's has (the product's reachability checks use
    // `nc -z -w 5`): netcat-openbsd's nc takes its place, same options. Debian's busybox sh runs its
    // own applets before PATH (standalone shell), so it would still pick the applet: sh is bash here.
    {
      ref: formatImage(HELPER_IMAGES.busybox),
      files: [
        ...busybox(),
        { path: 'bin/nc', from: '/bin/nc.openbsd' },
        { path: 'bin/sh', from: '/usr/bin/bash' },
        ...libraries(['/bin/nc.openbsd', '/usr/bin/bash']),
      ],
      entrypoint: ['sh'],
    },
    { ref: formatImage(I.minio.images.minio), files: [{ path: 'usr/bin/minio', from: minio }], entrypoint: ['minio'] },
    {
      ref: formatImage(I.minio.images.mc),
      files: [...busybox(), { path: 'usr/bin/mc', from: mc }],
      entrypoint: ['mc'],
    },
    {
      ref: formatImage(I.kafka.images.kafka),
      files: kafkaFiles(),
      entrypoint: ['/etc/kafka/docker/run'],
      user: `${I.kafka.user.uid}:${I.kafka.user.gid}`,
    },
  ];
}

/** The cache key of `specs`: references, recipe, and every input file's path, size and mtime. */
function keyOf(specs: readonly ImageSpec[]): string {
  const h = createHash('sha256').update(`recipe=${RECIPE}\n`);
  for (const s of specs) {
    h.update(JSON.stringify({ ...s, files: undefined }));
    for (const f of s.files) {
      if (typeof f.from === 'string') {
        const st = statSync(f.from);
        h.update(`${f.path} ${f.from} ${st.size} ${st.mtimeMs} ${f.mode ?? ''}\n`);
      } else h.update(`${f.path} ${JSON.stringify(f.from)} ${f.mode ?? ''}\n`);
    }
  }
  return h.digest('hex').slice(0, 16);
}

/** An OCI archive of `specs`: built once per input set, then taken from the cache. */
async function cachedArchive(
  prefix: string,
  specs: ImageSpec[],
): Promise<{ path: string; refs: string[]; cached: boolean }> {
  const path = join(CACHE, `${prefix}-${keyOf(specs)}.tar`);
  const refs = specs.map((s) => s.ref);
  if (existsSync(path)) return { path, refs, cached: true };
  mkdirSync(CACHE, { recursive: true });
  await writeOciArchive(`${path}.tmp`, specs);
  renameSync(`${path}.tmp`, path); // written last: an interrupted build is redone
  // Older archives (other inputs) would only fill the disk.
  for (const f of readdirSync(CACHE))
    if (f.startsWith(`${prefix}-`) && join(CACHE, f) !== path) rmSync(join(CACHE, f), { force: true });
  return { path, refs, cached: false };
}

/** The OCI archive of the infrastructure images. */
export function infraImageArchive(): Promise<{ path: string; refs: string[]; cached: boolean }> {
  return cachedArchive('infra', infraImageSpecs());
}

/** The traefik chart's image (traefik-38.0.0 values.yaml image: docker.io, traefik, tag = appVersion v3.6.5). */
export function traefikImageArchive(): Promise<{ path: string; refs: string[]; cached: boolean }> {
  const traefik = join(buildPath('traefik'), 'traefik');
  if (!existsSync(traefik)) throw new Error(`${traefik} is missing: run bash scripts/openim/build.sh traefik`);
  return cachedArchive('traefik', [
    {
      ref: 'docker.io/library/traefik:v3.6.5',
      files: [{ path: 'usr/local/bin/traefik', from: traefik }],
      entrypoint: ['/usr/local/bin/traefik'],
    },
  ]);
}

/** What the product's mongo-tools pod needs of the `mongo` image: the database tools and a shell (see the header). */
export function mongoToolsImageArchive(): Promise<{ path: string; refs: string[]; cached: boolean }> {
  const dir = buildPath('mongotools');
  const tools = ['mongodump', 'mongorestore'].map((t) => join(dir, t));
  for (const f of tools)
    if (!existsSync(f)) throw new Error(`${f} is missing: run bash scripts/openim/build.sh mongotools`);
  return cachedArchive('mongotools', [
    {
      ref: formatImage(INFRASTRUCTURE.mongodb.images.mongo),
      files: [
        ...busybox(),
        { path: 'bin/mv', from: { link: 'busybox' } },
        ...tools.map((t) => ({ path: `usr/bin/${t.split('/').pop()}`, from: t })),
      ],
      entrypoint: ['sh'],
    },
  ]);
}
