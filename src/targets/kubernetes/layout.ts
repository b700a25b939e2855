// Where everything of an install lives in the cluster, from the config alone,
// computed once (like the binary target's BinaryLayout) and handed to the
// planners instead of each reading `spec.kubernetes.namespace` and naming
// objects again. The planners' entries derive it (kubernetesSteps, checks,
// facts, each day-two entry, which start from the spec) and pass it down.
// Ports and images stay in src/catalog; this only names things (and the API
// address built from the catalog's port).

import { modulePort } from '../../catalog/modules.js';
import type { DeploySpec } from '../../config/schema.js';
import { INFRA_RELEASES, INFRA_SECRET_NAME, podAddresses, serviceAddress } from './infrastructure/names.js';
import { CONFIG_MAPS, CONFIG_MOUNT_PATH, LOG_DIR, MANAGED_BY, OPENIM_SECRET, SERVICE_CHART } from './names.js';

export interface KubernetesLayout {
  /** The install's namespace: every release and object of ours lives in it. */
  namespace: string;
  /** Labels of every object the plan creates outside the charts. */
  labels: typeof MANAGED_BY;
  /** metadata of an object of ours in the namespace: its name, the namespace, our labels (plus `extraLabels`). */
  metadata(name: string, extraLabels?: Record<string, string>): ObjectMetadata;
  /** Release names of the bundled infrastructure (the OpenIM modules' releases are the module names). */
  infraReleases: typeof INFRA_RELEASES;
  /** One ConfigMap per product, shared by its modules. */
  configMaps: typeof CONFIG_MAPS;
  /** Secrets the plan writes: OpenIM's IMENV_/CHATENV_ credentials, and the infrastructure charts' credentials. */
  secrets: { openim: string; infra: string };
  /** The local chart every OpenIM module is released with. */
  serviceChart: typeof SERVICE_CHART;
  configMountPath: string;
  logDir: string;
  /** The server API inside the cluster, through its Service: how chat and the install's API check reach it. */
  apiUrl: string;
  /** host:port of a Service in the namespace. */
  serviceAddress(service: string, port: number): string;
  /** host:port of each pod of a StatefulSet release in the namespace. */
  podAddresses(release: string, count: number, port: number): string[];
}

/** What every object of ours carries, in this key order (the manifests are compared byte for byte). A type, not an interface, so it fits K8sObject's open metadata. */
type ObjectMetadata = { name: string; namespace: string; labels: Record<string, string> };

export function kubernetesLayout(spec: DeploySpec): KubernetesLayout {
  const namespace = spec.kubernetes.namespace;
  return {
    namespace,
    labels: MANAGED_BY,
    metadata: (name, extraLabels = {}) => ({ name, namespace, labels: { ...MANAGED_BY, ...extraLabels } }),
    infraReleases: INFRA_RELEASES,
    configMaps: CONFIG_MAPS,
    secrets: { openim: OPENIM_SECRET, infra: INFRA_SECRET_NAME },
    serviceChart: SERVICE_CHART,
    configMountPath: CONFIG_MOUNT_PATH,
    logDir: LOG_DIR,
    apiUrl: `http://${serviceAddress('openim-api', namespace, modulePort('openim-api', 'http'))}`,
    serviceAddress: (service, port) => serviceAddress(service, namespace, port),
    podAddresses: (release, count, port) => podAddresses(release, namespace, count, port),
  };
}
