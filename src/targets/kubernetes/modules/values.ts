// Values of the openim-service chart for one module, built as an object. Every
// version-dependent choice (config flag or CONFIG_PATH, discovery RBAC) is made
// here from the catalog, so the chart stays free of version logic.

import type { DeploySpec } from '../../../config/rules.js';
import type { OpenIMModule } from '../../../catalog/modules.js';
import { chatRelease, serverRelease } from '../../../catalog/openim-versions.js';
import { CONFIG_MAPS, CONFIG_MOUNT_PATH, LOG_DIR } from '../names.js';
import { imageValues, moduleImage } from './images.js';
import { moduleResources, type Resources } from './resources.js';

export interface SecretEnv {
  name: string;
  secretName: string;
  key: string;
}

/** What the config step hands each module: the checksum of the files it reads and its secret variables. */
export interface ModuleConfigInfo {
  checksum: string;
  secretEnv: SecretEnv[];
}

/** Mirrors templates/charts/openim-service/values.schema.json. */
export interface ServiceValues {
  module: string;
  product: OpenIMModule['product'];
  version: string;
  image: ReturnType<typeof imageValues>;
  imagePullSecrets: string[];
  replicas: number;
  strategy: 'RollingUpdate' | 'Recreate';
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  secretEnv: SecretEnv[];
  ports: { name: string; port: number }[];
  probes: { port: string; type: 'tcp' | 'http'; httpPath: string; initialDelaySeconds: number; periodSeconds: number; failureThreshold: number };
  config: { configMap: string; mountPath: string; checksum: string };
  writableDirs: { name: string; mountPath: string }[];
  resources: Resources;
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number; readOnlyRootFilesystem: boolean; unprivilegedPortStart: boolean };
  rbac: { discovery: boolean };
  podDisruptionBudget: { maxUnavailable: number };
}

/** Non-root ids: the distroless "nonroot" user for OpenIM, nginx's uid for the fronts. */
const OPENIM_UID = 65532;
const NGINX_UID = 101;

export function moduleReplicas(spec: DeploySpec, mod: OpenIMModule): number {
  return spec.openim.replicas[mod.name] ?? mod.instances[spec.profile];
}

function configVia(spec: DeploySpec, mod: OpenIMModule): 'flag' | 'env' {
  return mod.product === 'server' ? serverRelease(spec.openim.serverVersion).kubernetesDiscovery.configVia : chatRelease(spec.openim.chatVersion).kubernetesConfigVia;
}

/** The port the probes check: the client-facing one, else gRPC, else metrics; none for crontask. */
function probePort(mod: OpenIMModule): string {
  const names = mod.ports.map((p) => p.name);
  return ['http', 'ws', 'grpc', 'metrics'].find((n) => names.includes(n as never)) ?? '';
}

export function moduleValues(spec: DeploySpec, mod: OpenIMModule, info?: ModuleConfigInfo): ServiceValues {
  const front = mod.product === 'front';
  const replicas = moduleReplicas(spec, mod);
  const version = mod.product === 'chat' ? spec.openim.chatVersion : spec.openim.serverVersion;
  const via = front ? undefined : configVia(spec, mod);
  const env: ServiceValues['env'] = [];
  if (via === 'env') env.push({ name: 'CONFIG_PATH', value: CONFIG_MOUNT_PATH });
  // Some tools write below $HOME; point it at the writable emptyDir.
  if (!front) env.push({ name: 'HOME', value: '/tmp' });
  return {
    module: mod.name,
    product: mod.product,
    version: front ? '' : version,
    image: imageValues(moduleImage(spec, mod)),
    imagePullSecrets: spec.images.pullSecret ? [spec.images.pullSecret] : [],
    replicas,
    // Two crontask pods at once would run every scheduled job twice.
    strategy: mod.singleton ? 'Recreate' : 'RollingUpdate',
    command: [],
    // One pod is one instance: index 0, its ports are the first of each `ports` list.
    args: via === 'flag' ? ['-c', CONFIG_MOUNT_PATH, '-i', '0'] : [],
    env,
    secretEnv: info?.secretEnv ?? [],
    ports: mod.ports.map((p) => ({ name: p.name, port: p.port })),
    probes: { port: probePort(mod), type: front ? 'http' : 'tcp', httpPath: '/', initialDelaySeconds: front ? 2 : 10, periodSeconds: 10, failureThreshold: 6 },
    config: { configMap: mod.product === 'front' ? '' : CONFIG_MAPS[mod.product], mountPath: CONFIG_MOUNT_PATH, checksum: info?.checksum ?? '' },
    writableDirs: front
      ? [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'nginx-cache', mountPath: '/var/cache/nginx' },
          { name: 'nginx-run', mountPath: '/var/run' },
        ]
      : [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'logs', mountPath: LOG_DIR },
        ],
    resources: moduleResources(mod, spec.profile),
    securityContext: {
      runAsUser: front ? NGINX_UID : OPENIM_UID,
      runAsGroup: front ? NGINX_UID : OPENIM_UID,
      fsGroup: front ? NGINX_UID : OPENIM_UID,
      readOnlyRootFilesystem: true,
      // The fronts' nginx listens on 80.
      unprivilegedPortStart: front,
    },
    // Server and chat resolve their peers through the Kubernetes API.
    rbac: { discovery: !front },
    podDisruptionBudget: { maxUnavailable: 1 },
  };
}
