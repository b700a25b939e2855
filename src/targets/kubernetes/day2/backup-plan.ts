// What `backup` and `restore` run on Kubernetes, as data: the mongo-tools
// pod, and every kubectl argv. Pure functions of the spec; ./backup.ts runs
// them. Nothing here holds a secret: credentials reach the pod as
// secretKeyRefs to the Secret OpenIM itself reads them from.
//
// How the dump leaves the cluster: a short-lived pod of the MongoDB image
// (the catalog's `mongo`, which ships mongodump and mongorestore) sleeps,
// and the CLI runs `kubectl exec <pod> -- mongodump --archive --gzip` with
// stdout streamed into a local file (restore: the file streamed into
// `kubectl exec -i … mongorestore --archive` stdin). Chosen over
//  - a Job whose logs carry the archive: the kubelet's log files are
//    line-framed CRI records with timestamps and rotate (10 MiB by default),
//    so bytes are re-framed, and a large dump is cut;
//  - a Job writing into an emptyDir, then `kubectl cp`: cp is exec + tar
//    (tar must be in the image), the pod must outlive the dump anyway for cp
//    to reach it, and the dump must fit on the node's disk first.
// kubectl exec without a TTY copies stdout/stdin as raw bytes, so the
// archive arrives as mongodump wrote it, and never touches the node's disk.
//
// The password: the pod's env takes it from OpenIM's Secret (secretKeyRef);
// the pod's own start script writes it into a 0600 mongo-tools --config
// file in a memory emptyDir. It is never on a command line (kubectl's or
// mongodump's) and never in a manifest, a log or the CLI's output.

import type { DeploySpec } from '../../../config/schema.js';
import { INFRASTRUCTURE, JOB_RESOURCES } from '../../../catalog/infrastructure.js';
import { uriHasPassword } from '../../../openim-config/infra.js';
import { CONFIG_MAPS, OPENIM_SECRET } from '../names.js';
import { infraEndpoints } from '../infra-bridge.js';
import { INFRA_RELEASES, INFRA_SECRET_NAME } from '../infrastructure/names.js';
import { imageString, pullSecrets } from '../infrastructure/images.js';
import { redisTopology } from '../infrastructure/topology.js';
import { moduleReplicas } from '../modules/values.js';
import { enabledModules } from '../steps.js';
import { inNamespace, kubectl } from './kubectl.js';
import { kubernetesLayout } from '../layout.js';

export const TOOLS_POD = 'openim-deploy-mongo-tools';
const TOOLS_CONTAINER = 'mongo-tools';
/** The mongo-tools --config file (YAML: `password:` or `uri:`), in a memory emptyDir. */
export const TOOLS_CONFIG = '/work/mongo-tools.yaml';
/** The pod ends itself after this even if the CLI that made it died. */
const TOOLS_POD_LIFETIME_S = 6 * 3600;
/** The catalog's MongoDB image: the official `mongo` image carries MongoDB's database tools. */
const MONGO_IMAGE = INFRASTRUCTURE.mongodb.images.mongo;
const MONGO_UID = INFRASTRUCTURE.mongodb.user.uid;

// Runs as the pod's command: writes the credential the env holds into the config file as a YAML
// single-quoted scalar (a ' doubled), readable by the pod's user only, then waits for the CLI's execs.
// The file appears whole (written beside, then renamed): the readiness probe waits for it.
const START_SCRIPT = [
  'set -eu',
  'umask 077',
  'if [ -n "${MONGO_URI:-}" ]; then key=uri; value="$MONGO_URI"; else key=password; value="${MONGO_PASSWORD:-}"; fi',
  `printf "%s: '%s'\\n" "$key" "$(printf '%s' "$value" | sed "s/'/''/g")" > ${TOOLS_CONFIG}.new`,
  `mv ${TOOLS_CONFIG}.new ${TOOLS_CONFIG}`,
  `exec sleep ${TOOLS_POD_LIFETIME_S}`,
].join('\n');

type EnvVar =
  { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

interface MongoConnection {
  /** Where the credential comes from: MONGO_URI (a URI holding a password) or MONGO_PASSWORD; none without auth. */
  env: EnvVar[];
  /** Connection flags of mongodump/mongorestore (no secret). */
  flags: string[];
}

/** How the tools reach the MongoDB OpenIM uses, with OpenIM's own user and authSource. */
function mongoConnection(spec: DeploySpec): MongoConnection {
  const m = infraEndpoints(spec).mongodb;
  const withConfig = [`--config=${TOOLS_CONFIG}`];
  if (m.uri) {
    // The URI is the whole connection. One holding a password is in OpenIM's Secret, like IMENV_MONGODB_URI.
    if (uriHasPassword(m.uri))
      return {
        env: [{ name: 'MONGO_URI', valueFrom: { secretKeyRef: { name: OPENIM_SECRET, key: 'mongodb.uri' } } }],
        flags: withConfig,
      };
    return { env: [{ name: 'MONGO_URI', value: m.uri }], flags: withConfig };
  }
  const host = m.replicaSet ? `${m.replicaSet}/${m.address.join(',')}` : m.address.join(',');
  if (!m.username) return { env: [], flags: [`--host=${host}`] };
  return {
    env: [{ name: 'MONGO_PASSWORD', valueFrom: { secretKeyRef: { name: OPENIM_SECRET, key: 'mongodb.password' } } }],
    flags: [
      ...withConfig,
      `--host=${host}`,
      `--username=${m.username}`,
      `--authenticationDatabase=${m.authSource || m.database}`,
    ],
  };
}

/** The pod the tools run in. Everything in it may be printed: no secret value, only references. */
export function toolsPod(spec: DeploySpec): object {
  const connection = mongoConnection(spec);
  const hasConfig = connection.flags.includes(`--config=${TOOLS_CONFIG}`);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: kubernetesLayout(spec).metadata(TOOLS_POD, { 'app.kubernetes.io/component': 'backup' }),
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: TOOLS_POD_LIFETIME_S,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(pullSecrets(spec).length ? { imagePullSecrets: pullSecrets(spec).map((name) => ({ name })) } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: MONGO_UID,
        runAsGroup: MONGO_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: TOOLS_CONTAINER,
          image: imageString(spec, MONGO_IMAGE),
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', hasConfig ? START_SCRIPT : `exec sleep ${TOOLS_POD_LIFETIME_S}`],
          env: connection.env,
          ...(hasConfig
            ? { readinessProbe: { exec: { command: ['test', '-s', TOOLS_CONFIG] }, periodSeconds: 1 } }
            : {}),
          resources: JOB_RESOURCES,
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [{ name: 'work', mountPath: '/work' }],
        },
      ],
      volumes: [{ name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
    },
  };
}

export function toolsPodCreate(spec: DeploySpec): { argv: string[]; input: string } {
  return { argv: kubectl(spec, 'create', '-f', '-'), input: JSON.stringify(toolsPod(spec)) };
}

export const toolsPodWaitReady = (spec: DeploySpec): string[] =>
  inNamespace(spec, 'wait', '--for=condition=Ready', `pod/${TOOLS_POD}`, '--timeout=300s');
/** `wait`: before creating (a pod left by an interrupted run goes first); not at the end. */
export const toolsPodDelete = (spec: DeploySpec, wait: boolean): string[] =>
  inNamespace(spec, 'delete', 'pod', TOOLS_POD, '--ignore-not-found', `--wait=${wait}`);

const inTools = (spec: DeploySpec, stdin: boolean, ...argv: string[]): string[] =>
  inNamespace(spec, 'exec', ...(stdin ? ['-i'] : []), TOOLS_POD, '-c', TOOLS_CONTAINER, '--', ...argv);

export const mongodumpVersionArgv = (spec: DeploySpec): string[] => inTools(spec, false, 'mongodump', '--version');

/** mongodump of OpenIM's database to stdout (the CLI writes stdout to the archive file). */
export function mongodumpArgv(spec: DeploySpec): string[] {
  return inTools(
    spec,
    false,
    'mongodump',
    ...mongoConnection(spec).flags,
    `--db=${spec.infrastructure.mongodb.database}`,
    '--archive',
    '--gzip',
  );
}

/** mongorestore --drop from stdin (the CLI streams the archive file in), OpenIM's database only. */
export function mongorestoreArgv(spec: DeploySpec, skipIndexes: boolean): string[] {
  const db = spec.infrastructure.mongodb.database;
  return inTools(
    spec,
    true,
    'mongorestore',
    ...mongoConnection(spec).flags,
    '--archive',
    '--gzip',
    '--drop',
    `--nsInclude=${db}.*`,
    ...(skipIndexes ? ['--noIndexRestore'] : []),
  );
}

/** OpenIM's Deployments (server and chat; the web fronts hold no data) with the replicas the spec gives them. */
function openimDeployments(spec: DeploySpec): { name: string; replicas: number }[] {
  return enabledModules(spec)
    .filter((m) => m.product !== 'front')
    .map((m) => ({ name: m.name, replicas: moduleReplicas(spec, m) }));
}

export function scaleDownArgv(spec: DeploySpec): string[] {
  return inNamespace(spec, 'scale', 'deployment', ...openimDeployments(spec).map((d) => d.name), '--replicas=0');
}

/** Waits until no OpenIM pod is left (none writes to MongoDB while it is restored). */
export function podsGoneArgv(spec: DeploySpec): string[] {
  return inNamespace(
    spec,
    'wait',
    '--for=delete',
    'pod',
    '-l',
    `app.kubernetes.io/name in (${openimDeployments(spec)
      .map((d) => d.name)
      .join(',')})`,
    '--timeout=300s',
  );
}

/** One `kubectl scale` per replica count, back to what the spec says. */
export function scaleUpArgvs(spec: DeploySpec): string[][] {
  const byCount = new Map<number, string[]>();
  for (const d of openimDeployments(spec)) byCount.set(d.replicas, [...(byCount.get(d.replicas) ?? []), d.name]);
  return [...byCount.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, names]) => inNamespace(spec, 'scale', 'deployment', ...names, `--replicas=${n}`));
}

/** New pods read the Secret again: env from secretKeyRef is read when a container starts. */
export function restartArgv(spec: DeploySpec): string[] {
  return inNamespace(spec, 'rollout', 'restart', 'deployment', ...openimDeployments(spec).map((d) => d.name));
}

/**
 * FLUSHALL on the bundled Redis, inside its pod: the chart gives the container REDISCLI_AUTH
 * (secretKeyRef), so no password is passed. In cluster mode, `--cluster call` sends it to every node.
 * Undefined for an external Redis.
 */
export function redisFlushArgv(spec: DeploySpec): string[] | undefined {
  if (spec.infrastructure.redis.mode === 'external') return undefined;
  const port = String(INFRASTRUCTURE.redis.ports.redis);
  const pod = `${INFRA_RELEASES.redis}-0`;
  if (redisTopology(spec).mode === 'cluster')
    return inNamespace(
      spec,
      'exec',
      pod,
      '-c',
      'redis',
      '--',
      'redis-cli',
      '--cluster',
      'call',
      `127.0.0.1:${port}`,
      'FLUSHALL',
    );
  return inNamespace(spec, 'exec', pod, '-c', 'redis', '--', 'redis-cli', '-p', port, 'FLUSHALL');
}

/** A local port to the bundled MinIO's S3 API. */
export function minioForwardArgv(spec: DeploySpec): string[] {
  return inNamespace(
    spec,
    'port-forward',
    '--address',
    '127.0.0.1',
    `svc/${INFRA_RELEASES.minio}`,
    `:${INFRASTRUCTURE.minio.ports.api}`,
  );
}

/** The release's config (ConfigMaps) and credentials (Secrets), as the cluster holds them. */
export function configGetArgv(spec: DeploySpec): string[] {
  return inNamespace(spec, 'get', 'configmap', ...Object.values(CONFIG_MAPS), '--ignore-not-found', '-o', 'json');
}
export function secretsGetArgv(spec: DeploySpec): string[] {
  return inNamespace(spec, 'get', 'secret', OPENIM_SECRET, INFRA_SECRET_NAME, '--ignore-not-found', '-o', 'json');
}
