// Values of the upstream charts, as objects. Keys follow the pinned chart
// versions in the catalog (kube-prometheus-stack 81.x, loki 12.x in
// single-binary mode, alloy 1.x): each chart's values.yaml at the pinned version
// (prometheus-community/helm-charts charts/kube-prometheus-stack,
// grafana-community/helm-charts charts/loki, grafana/alloy operations/helm/charts/alloy). No secret value ever appears here: Grafana
// reads its admin password from an existing Secret.

import type { DeploySpec } from '../../../config/schema.js';
import { LOKI_SCHEMA_CONFIG, MONITORING } from '../../../catalog/infrastructure.js';
import { kubernetesAlloyConfig } from '../../../monitoring/log-shipping.js';
import { storageClassFor } from '../infrastructure/storage-class.js';
import { publicUrls } from '../urls.js';
import type { MonitoringChoices } from './choices.js';
import { imageRegistry, mirrorRegistry } from './images.js';
import { DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL, GRAFANA_ADMIN_KEYS } from './objects.js';
import { lokiPushTarget, lokiUrl, prometheusUrl } from './urls.js';
import type { KubernetesLayout } from '../layout.js';

function pullSecrets(spec: DeploySpec): { name: string }[] {
  return spec.images.pullSecret ? [{ name: spec.images.pullSecret }] : [];
}

function volume(spec: DeploySpec, size: string) {
  const storageClassName = storageClassFor(spec);
  return {
    ...(storageClassName ? { storageClassName } : {}),
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: size } },
  };
}

function grafanaDatasources(spec: DeploySpec, c: MonitoringChoices): object[] {
  const sources: object[] = [];
  // The stack provisions the bundled Prometheus itself; an external one is added here.
  if (!c.bundledPrometheus)
    sources.push({
      name: 'Prometheus',
      type: 'prometheus',
      uid: 'prometheus',
      url: prometheusUrl(spec),
      access: 'proxy',
      isDefault: true,
    });
  if (spec.logging.enabled)
    sources.push({ name: 'Loki', type: 'loki', uid: 'loki', url: lokiUrl(spec), access: 'proxy', isDefault: false });
  return sources;
}

function grafanaValues(spec: DeploySpec, layout: KubernetesLayout, c: MonitoringChoices): object {
  if (!c.bundledGrafana) return { enabled: false };
  const rootUrl = `${publicUrls(spec).base}${MONITORING.names.grafanaPath}/`;
  return {
    enabled: true,
    // In the OpenIM namespace, so the `/grafana` route reaches it like any other back end.
    namespaceOverride: layout.namespace,
    fullnameOverride: MONITORING.names.grafana,
    ...imageRegistry(spec, 'docker.io'),
    admin: {
      existingSecret: MONITORING.names.grafanaAdminSecret,
      userKey: GRAFANA_ADMIN_KEYS.user,
      passwordKey: GRAFANA_ADMIN_KEYS.password,
    },
    'grafana.ini': {
      server: { root_url: rootUrl, serve_from_sub_path: true },
      users: { allow_sign_up: false },
      analytics: { check_for_updates: false, reporting_enabled: false },
    },
    service: { port: MONITORING.ports.grafanaService },
    defaultDashboardsEnabled: c.bundledPrometheus,
    sidecar: {
      ...imageRegistry(spec, 'quay.io'),
      dashboards: {
        enabled: true,
        label: DASHBOARD_LABEL.key,
        labelValue: DASHBOARD_LABEL.value,
        folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
        provider: { foldersFromFilesStructure: true },
      },
      datasources: { enabled: true, defaultDatasourceEnabled: c.bundledPrometheus },
    },
    additionalDataSources: grafanaDatasources(spec, c),
  };
}

const CLUSTER_COMPONENTS = [
  'kubeApiServer',
  'kubelet',
  'kubeControllerManager',
  'coreDns',
  'kubeEtcd',
  'kubeScheduler',
  'kubeProxy',
] as const;

/** kube-prometheus-stack: the operator stack when Prometheus is bundled, only Grafana when it is external. */
export function stackValues(spec: DeploySpec, layout: KubernetesLayout, c: MonitoringChoices): object {
  const prom = c.bundledPrometheus;
  const secrets = pullSecrets(spec);
  const selectAll = {
    // Select ServiceMonitors/PodMonitors/rules of every release and namespace, not only this release's.
    serviceMonitorSelectorNilUsesHelmValues: false,
    podMonitorSelectorNilUsesHelmValues: false,
    ruleSelectorNilUsesHelmValues: false,
    probeSelectorNilUsesHelmValues: false,
    scrapeConfigSelectorNilUsesHelmValues: false,
  };
  return {
    fullnameOverride: MONITORING.releases.stack,
    ...(secrets.length ? { global: { imagePullSecrets: secrets } } : {}),
    crds: { enabled: prom },
    defaultRules: { create: prom },
    alertmanager: {
      enabled: prom,
      ...(prom && mirrorRegistry(spec, 'quay.io') ? { alertmanagerSpec: imageRegistry(spec, 'quay.io') } : {}),
    },
    prometheusOperator: {
      enabled: prom,
      ...imageRegistry(spec, 'quay.io'),
      ...(mirrorRegistry(spec, 'quay.io') || mirrorRegistry(spec, 'registry.k8s.io')
        ? {
            prometheusConfigReloader: imageRegistry(spec, 'quay.io'),
            admissionWebhooks: { patch: imageRegistry(spec, 'registry.k8s.io') },
          }
        : {}),
    },
    prometheus: {
      enabled: prom,
      prometheusSpec: {
        ...selectAll,
        ...imageRegistry(spec, 'quay.io'),
        scrapeInterval: MONITORING.scrapeInterval,
        retention: MONITORING.retention.prometheus,
        storageSpec: { volumeClaimTemplate: { spec: volume(spec, spec.kubernetes.storage.sizes.monitoring) } },
      },
    },
    // The stack's own ServiceMonitors for cluster components need the operator CRDs: off with Grafana alone.
    ...Object.fromEntries(CLUSTER_COMPONENTS.map((k) => [k, { enabled: prom }])),
    kubeStateMetrics: { enabled: prom },
    ...(mirrorRegistry(spec, 'quay.io') || mirrorRegistry(spec, 'registry.k8s.io')
      ? {
          'kube-state-metrics': imageRegistry(spec, 'registry.k8s.io'),
          'prometheus-node-exporter': imageRegistry(spec, 'quay.io'),
        }
      : {}),
    nodeExporter: { enabled: prom },
    grafana: grafanaValues(spec, layout, c),
  };
}

/** Loki in single-binary mode on a filesystem volume, no gateway, caches, canary or bundled MinIO. */
export function lokiValues(spec: DeploySpec): object {
  const registry = mirrorRegistry(spec, 'docker.io');
  const secrets = pullSecrets(spec);
  const storageClass = storageClassFor(spec);
  return {
    fullnameOverride: MONITORING.names.loki,
    deploymentMode: 'SingleBinary',
    ...(registry ? { global: { imageRegistry: registry } } : {}),
    ...(secrets.length ? { imagePullSecrets: secrets } : {}),
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: 'filesystem' },
      schemaConfig: LOKI_SCHEMA_CONFIG,
      limits_config: { retention_period: `${MONITORING.retention.lokiHours}h` },
      compactor: { retention_enabled: true, delete_request_store: 'filesystem' },
    },
    singleBinary: {
      replicas: 1,
      persistence: {
        enabled: true,
        size: spec.kubernetes.storage.sizes.logging,
        ...(storageClass ? { storageClass } : {}),
      },
    },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
  };
}

/** Alloy as a DaemonSet tailing the OpenIM namespace's container logs into Loki. */
export function alloyValues(spec: DeploySpec, layout: KubernetesLayout): object {
  const secrets = pullSecrets(spec).map((s) => s.name);
  return {
    fullnameOverride: MONITORING.releases.alloy,
    ...(secrets.length ? { global: { image: { pullSecrets: secrets.map((name) => ({ name })) } } } : {}),
    ...imageRegistry(spec, 'docker.io'),
    ...(mirrorRegistry(spec, 'quay.io') ? { configReloader: imageRegistry(spec, 'quay.io') } : {}),
    controller: { type: 'daemonset' },
    alloy: {
      configMap: { create: true, content: kubernetesAlloyConfig(layout.namespace, lokiPushTarget(spec)) },
      mounts: { varlog: true },
      clustering: { enabled: false },
      listenPort: MONITORING.ports.alloy,
    },
  };
}
