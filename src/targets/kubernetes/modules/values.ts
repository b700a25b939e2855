// Values of the openim-service chart for one module, built as an object. Every
// version-dependent choice (config flag or CONFIG_PATH, discovery RBAC) is made
// here from the catalog, so the chart stays free of version logic.

import type { DeploySpec } from '../../../config/schema.js';
import type { OpenIMModule } from '../../../catalog/modules.js';
import {
  chatRelease,
  KUBERNETES_DISCOVERY_RBAC,
  serverRelease,
  type KubernetesRuntime,
} from '../../../catalog/openim-versions.js';
import { envVarName } from '../../../openim-config/env.js';
import { CONFIG_MAPS, CONFIG_MOUNT_PATH, LOG_DIR } from '../names.js';
import { imageValues, moduleImage } from './images.js';
import { moduleResources, type Resources } from './resources.js';

interface SecretEnv {
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
  /** Variables set to the pod's IP (downward API status.podIP). */
  podIPEnv: string[];
  ports: { name: string; port: number }[];
  probes: {
    port: string;
    type: 'tcp' | 'http';
    httpPath: string;
    initialDelaySeconds: number;
    periodSeconds: number;
    failureThreshold: number;
  };
  config: { configMap: string; mountPath: string; checksum: string };
  writableDirs: { name: string; mountPath: string }[];
  resources: Resources;
  securityContext: {
    runAsUser: number;
    runAsGroup: number;
    fsGroup: number;
    readOnlyRootFilesystem: boolean;
    unprivilegedPortStart: boolean;
  };
  rbac: { discovery: boolean; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  podDisruptionBudget: { maxUnavailable: number };
}

/** Non-root ids: the distroless "nonroot" user for OpenIM, nginx's uid for the fronts. */
const OPENIM_UID = 65532;
const NGINX_UID = 101;

export function moduleReplicas(spec: DeploySpec, mod: OpenIMModule): number {
  return spec.openim.replicas[mod.name] ?? mod.instances[spec.profile];
}

/** How the catalog says this module's version runs on Kubernetes; none for the fronts. */
function runtimeOf(spec: DeploySpec, mod: OpenIMModule): KubernetesRuntime | undefined {
  if (mod.product === 'server') return serverRelease(spec.openim.serverVersion).kubernetes;
  if (mod.product === 'chat') return chatRelease(spec.openim.chatVersion).kubernetes;
  return undefined;
}

/**
 * command + args that hand the process its config folder. `flag`: `-c DIR -i 0`
 * as args after the image entrypoint, or after the catalog's command where the
 * entrypoint (`sh -c _output/<bin>`) drops args. `env`: CONFIG_PATH only.
 */
export function processInvocation(
  runtime: KubernetesRuntime | undefined,
  module: string,
): { command: string[]; args: string[]; env: { name: string; value: string }[] } {
  if (!runtime) return { command: [], args: [], env: [] };
  if (runtime.configVia === 'env')
    return { command: [], args: [], env: [{ name: 'CONFIG_PATH', value: CONFIG_MOUNT_PATH }] };
  const binary = runtime.command[module];
  // One pod is one instance: index 0, its ports are the first of each `ports` list.
  return { command: binary ? [binary] : [], args: ['-c', CONFIG_MOUNT_PATH, '-i', '0'], env: [] };
}

/**
 * The variable that sets `rpc.registerIP` of a module with a gRPC port to its pod IP. One
 * ConfigMap serves every pod, so the address each pod registers in etcd comes from the downward
 * API: server v3.8.3 registers the configured value as is, an empty one as ":<port>"
 * (pkg/common/startrpc/start.go@v3.8.3:95-99, no GetRpcRegisterIP; found on the real node: the
 * API dialled ":10200"); chat resolves an empty one itself (pkg/common/startrpc/start.go@v1.8.4:60)
 * and gets the same value.
 */
function registerIPEnv(mod: OpenIMModule): string[] {
  if (mod.product === 'front' || !mod.configFile || !mod.ports.some((p) => p.name === 'grpc')) return [];
  return [envVarName(mod.product, mod.configFile, ['rpc', 'registerIP'])];
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
  const runtime = runtimeOf(spec, mod);
  const invocation = processInvocation(runtime, mod.name);
  const env: ServiceValues['env'] = [...invocation.env];
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
    command: invocation.command,
    args: invocation.args,
    env,
    secretEnv: info?.secretEnv ?? [],
    podIPEnv: registerIPEnv(mod),
    ports: mod.ports.map((p) => ({ name: p.name, port: p.port })),
    probes: {
      port: probePort(mod),
      type: front ? 'http' : 'tcp',
      httpPath: '/',
      initialDelaySeconds: front ? 2 : 10,
      periodSeconds: 10,
      failureThreshold: 6,
    },
    config: {
      configMap: mod.product === 'front' ? '' : CONFIG_MAPS[mod.product],
      mountPath: CONFIG_MOUNT_PATH,
      checksum: info?.checksum ?? '',
    },
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
    // Only Kubernetes-API discovery needs a token and a Role. Without one, versions that
    // detect Kubernetes from the mounted token keep to etcd and -c (catalog detectsKubernetesFromToken).
    rbac:
      runtime?.discovery === 'kubernetes'
        ? { discovery: true, rules: KUBERNETES_DISCOVERY_RBAC.map((r) => ({ ...r })) }
        : { discovery: false, rules: [] },
    podDisruptionBudget: { maxUnavailable: 1 },
  };
}
