// External infrastructure: nothing to install, but the addresses must be
// reachable from inside the cluster, where OpenIM runs (not merely from the
// installer's machine). A throw-away busybox pod tries each host:port.

import type { DeploySpec } from '../../../config/schema.js';
import { HELPER_IMAGES } from '../../../catalog/infrastructure.js';
import type { Step } from '../../../plan/types.js';
import type { KubernetesLayout } from '../layout.js';
import { kubectlBase } from '../tools.js';
import { NAMESPACE_STEP } from '../names.js';
import { parseEndpoint } from './endpoints.js';
import { imageString } from './images.js';

export type ExternalComponent = 'mongodb' | 'redis' | 'kafka' | 'objectStorage' | 'etcd';

export function externalStepId(component: ExternalComponent): string {
  return `k8s.external.${component}`;
}

/** Single-quote for `sh -c` inside the check pod. */
function shq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function splitHostPort(address: string): { host: string; port: string } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: address.slice(at + 1) };
}

/** Hosts of a mongodb:// URI without its credentials; undefined for mongodb+srv (DNS seed lists). */
function mongoUriHosts(uri: string): string[] | undefined {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri);
  if (!m) return undefined;
  return m[1]!.split(',').map((h) => (h.includes(':') ? h : `${h}:27017`));
}

/** The host:port list to check for each external component (never a credential). */
export function externalAddresses(spec: DeploySpec, component: ExternalComponent): string[] | undefined {
  const infra = spec.infrastructure;
  switch (component) {
    case 'mongodb':
      return infra.mongodb.address.length > 0 ? [...infra.mongodb.address] : mongoUriHosts(infra.mongodb.uri);
    case 'redis':
      return [...infra.redis.address];
    case 'kafka':
      return [...infra.kafka.address];
    case 'objectStorage':
      return infra.objectStorage.endpoint ? [parseEndpoint(infra.objectStorage.endpoint).hostPort] : [];
    case 'etcd':
      return infra.etcd.address.map((a) => parseEndpoint(a).hostPort);
  }
}

/** argv of a pod that exits 0 when every address accepts a TCP connection. */
function reachabilityArgv(
  spec: DeploySpec,
  layout: KubernetesLayout,
  component: ExternalComponent,
  addresses: string[],
): string[] {
  const name = `openim-check-${component.toLowerCase()}`;
  const script = addresses
    .map(splitHostPort)
    .map(
      ({ host, port }) =>
        `nc -z -w 5 ${shq(host)} ${shq(port)} || { echo ${shq(`cannot reach ${host}:${port}`)}; exit 1; }`,
    )
    .join('; ');
  // Pod Security "restricted" admits this pod; strategic merge keeps the generated container.
  const overrides = {
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(spec.images.pullSecret ? { imagePullSecrets: [{ name: spec.images.pullSecret }] } : {}),
      containers: [{ name, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  };
  return [
    ...kubectlBase(spec),
    '--namespace',
    layout.namespace,
    'run',
    name,
    `--image=${imageString(spec, HELPER_IMAGES.busybox)}`,
    '--restart=Never',
    '--rm',
    '--attach',
    '--quiet',
    '--override-type=strategic',
    `--overrides=${JSON.stringify(overrides)}`,
    '--command',
    '--',
    'sh',
    '-c',
    script,
  ];
}

const TITLES: Record<ExternalComponent, string> = {
  mongodb: 'MongoDB',
  redis: 'Redis',
  kafka: 'Kafka',
  objectStorage: 'object storage',
  etcd: 'etcd',
};

/** One step per external component: wait until the cluster reaches it. */
export function externalCheckStep(spec: DeploySpec, layout: KubernetesLayout, component: ExternalComponent): Step {
  const addresses = externalAddresses(spec, component);
  const base = {
    id: externalStepId(component),
    title: `External ${TITLES[component]} reachable from the cluster`,
    phase: 'infrastructure' as const,
    needs: [NAMESPACE_STEP],
    component,
  };
  if (!addresses || addresses.length === 0) {
    return {
      ...base,
      actions: [
        {
          kind: 'note',
          text: `${TITLES[component]}: no host:port list to check from inside the cluster (e.g. a mongodb+srv URI); OpenIM's own start-up check will tell`,
        },
      ],
    };
  }
  return {
    ...base,
    actions: [
      {
        kind: 'wait',
        probe: { kind: 'exec', argv: reachabilityArgv(spec, layout, component, addresses) },
        timeoutSeconds: 300,
        intervalSeconds: 10,
      },
    ],
  };
}
