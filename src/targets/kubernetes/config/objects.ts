// OpenIM config as Kubernetes objects: one ConfigMap per product (every
// process of a product reads the shared files beside its own, so one folder
// per product mirrors upstream's config/ layout and keeps a shared file in one
// place), and one Secret whose values are placeholders the executor fills.
// Per module: the env variables it needs from that Secret and a checksum of
// the files it reads, so changing openim-push.yml rolls only openim-push.

import { createHash } from 'node:crypto';
import type { DeploySpec } from '../../../config/schema.js';
import { ALL_MODULES, type OpenIMModule } from '../../../catalog/modules.js';
import {
  envPrefix,
  generateOpenIMConfig,
  serialiseConfigFiles,
  type GeneratedConfig,
  type OpenIMEndpoints,
} from '../../../openim-config/index.js';
import { secretRef, type SecretId } from '../../../secrets/secrets.js';
import { LOG_DIR } from '../names.js';
import type { KubernetesLayout } from '../layout.js';
import type { ModuleConfigInfo } from '../modules/values.js';
import type { K8sObject } from '../yaml-docs.js';
import { externalSecretSource } from '../infra-bridge.js';

export interface ConfigObjects {
  configMaps: K8sObject[];
  secret: K8sObject;
  modules: Record<string, ModuleConfigInfo>;
}

export function generateForKubernetes(spec: DeploySpec, endpoints: OpenIMEndpoints): GeneratedConfig {
  // Each pod is one instance (index 0); replicas scale by pods, not by `-i`.
  const instances = Object.fromEntries(ALL_MODULES.map((m) => [m.name, 1]));
  return generateOpenIMConfig(spec, endpoints, {
    secretMode: 'env',
    logToStdout: true,
    logDirectory: LOG_DIR,
    instances,
  });
}

type ConfigProduct = 'server' | 'chat';

/** Files that belong to one module only (its `configFile`). */
function ownFiles(product: ConfigProduct): Map<string, string> {
  return new Map(ALL_MODULES.filter((m) => m.product === product && m.configFile).map((m) => [m.configFile!, m.name]));
}

function readsFile(mod: OpenIMModule, file: string, owners: Map<string, string>): boolean {
  const owner = owners.get(file);
  return owner === undefined || owner === mod.name;
}

/** The config file an env variable overrides: the longest matching prefix. */
function fileOfEnv(product: ConfigProduct, name: string, files: string[]): string | undefined {
  return files
    .filter((f) => name.startsWith(`${envPrefix(product, f)}_`))
    .sort((a, b) => envPrefix(product, b).length - envPrefix(product, a).length)[0];
}

function checksumOf(texts: Record<string, string>, files: string[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort()) hash.update(`${f}\0${texts[f] ?? ''}\0`);
  return hash.digest('hex');
}

function configMap(layout: KubernetesLayout, name: string, data: Record<string, string>): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: layout.namespace, labels: { ...layout.labels } },
    data,
  };
}

export function configObjects(
  spec: DeploySpec,
  layout: KubernetesLayout,
  generated: GeneratedConfig,
  modules: readonly OpenIMModule[],
): ConfigObjects {
  const texts: Record<ConfigProduct, Record<string, string>> = {
    server: serialiseConfigFiles(generated.server),
    chat: serialiseConfigFiles(generated.chat),
  };
  const envs: Record<ConfigProduct, Record<string, SecretId>> = {
    server: generated.serverEnv,
    chat: generated.chatEnv,
  };
  const configMaps = (['server', 'chat'] as const)
    .filter((p) => Object.keys(texts[p]).length > 0)
    .map((p) => configMap(layout, layout.configMaps[p], texts[p]));

  const source = (id: SecretId) => externalSecretSource(spec, id) ?? { secretName: layout.secrets.openim, key: id };
  // Only the installer's own credentials go in the OpenIM Secret (Rook's bucket keys stay in Rook's).
  const used = new Set<SecretId>(
    [...Object.values(envs.server), ...Object.values(envs.chat)].filter(
      (id) => source(id).secretName === layout.secrets.openim,
    ),
  );
  const secret: K8sObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: layout.secrets.openim, namespace: layout.namespace, labels: { ...layout.labels } },
    type: 'Opaque',
    // Keys are the secret ids; values stay placeholders until the executor writes the file.
    stringData: Object.fromEntries([...used].sort().map((id) => [id, secretRef(id)])),
  };

  const info: Record<string, ModuleConfigInfo> = {};
  for (const mod of modules) {
    if (mod.product === 'front') continue;
    const product = mod.product;
    const owners = ownFiles(product);
    const files = Object.keys(texts[product]).filter((f) => readsFile(mod, f, owners));
    const secretEnv = Object.entries(envs[product])
      .filter(([name]) => {
        const file = fileOfEnv(product, name, Object.keys(texts[product]));
        return file === undefined || readsFile(mod, file, owners);
      })
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, id]) => ({ name, ...source(id) }));
    info[mod.name] = { checksum: checksumOf(texts[product], files), secretEnv };
  }
  return { configMaps, secret, modules: info };
}
