// Third-party components: pinned images, charts and host archives. One entry
// per component; the Kubernetes and binary targets and the offline bundle all
// read these pins and nothing else.
//
// Sources of the pins below: each chart's Chart.yaml and values.yaml at the
// pinned version, in the chart repository named beside the pin, and the OpenIM docker stack
// (open-im-server .env and docker-compose.yml@v3.8.3). No registry was queried: `bundle` and preflight are where a
// pin is proven pullable.

import type { ImageRef } from './images.js';

export interface ChartRef {
  /** `local` charts ship under templates/charts/<name>; others come from a repository. */
  source: 'local' | 'repo' | 'oci';
  name: string;
  /** HTTP repository URL or OCI reference prefix; empty for local charts. */
  repo: string;
  version: string;
  license: string;
  /**
   * Why helm must not validate values against this chart's values.schema.json (`--skip-schema-validation`,
   * helm ≥ 3.16): set only for a chart whose schema rejects values it reads.
   */
  skipSchemaValidation?: string;
}

export interface HostArchive {
  /** URL template; `{version}` and `{arch}` (amd64|arm64) are substituted. */
  url: string;
  version: string;
  /** SHA-256 per arch; an artifact without a pin must be given one by the user. */
  sha256: Partial<Record<'amd64' | 'arm64', string>>;
  license: string;
}

/** Requests and a memory limit (no CPU limit: throttling hurts databases and JVMs more than it protects). */
export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

export interface InfraComponent {
  id: string;
  title: string;
  images: Record<string, ImageRef>;
  chart?: ChartRef;
  host?: HostArchive;
  /** Ports the component listens on (default install). */
  ports: Record<string, number>;
  /** Nodes/members per profile when the installer runs it on Kubernetes. */
  nodes?: { dev: number; production: number };
  /** Container resources per profile (Kubernetes). */
  resources?: { dev: ResourceSpec; production: ResourceSpec };
  /** The image's own non-root user and group, used for runAsUser/fsGroup. */
  user?: { uid: number; gid: number };
  /** Images and licences worth knowing, e.g. that MinIO images are no longer published. */
  notes?: string;
}

const hub = (repository: string, tag: string): ImageRef => ({ registry: 'docker.io', repository, tag });
const res = (cpu: string, memory: string, limit: string): ResourceSpec => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

export const INFRASTRUCTURE = {
  mongodb: {
    id: 'mongodb',
    title: 'MongoDB',
    images: { mongo: hub('library/mongo', '7.0.14') },
    chart: { source: 'local', name: 'openim-mongodb', repo: '', version: '0.1.0', license: 'SSPL-1.0 (image)' },
    ports: { mongo: 27017 },
    nodes: { dev: 1, production: 3 },
    resources: { dev: res('250m', '512Mi', '1Gi'), production: res('500m', '2Gi', '4Gi') },
    // The official image's `mongodb` user.
    user: { uid: 999, gid: 999 },
  },
  redis: {
    id: 'redis',
    title: 'Redis',
    images: { redis: hub('library/redis', '7.0.15') },
    chart: { source: 'local', name: 'openim-redis', repo: '', version: '0.1.0', license: 'BSD-3-Clause (image)' },
    ports: { redis: 6379, sentinel: 26379, clusterBus: 16379 },
    // Production is a Redis Cluster of 3 masters + 3 replicas: OpenIM 3.8 speaks
    // standalone or cluster only (redis.yml clusterMode), never sentinel.
    nodes: { dev: 1, production: 6 },
    resources: { dev: res('100m', '128Mi', '512Mi'), production: res('250m', '512Mi', '2Gi') },
    user: { uid: 999, gid: 999 },
  },
  kafka: {
    id: 'kafka',
    title: 'Kafka (KRaft)',
    images: { kafka: hub('apache/kafka', '3.9.1') },
    chart: { source: 'local', name: 'openim-kafka', repo: '', version: '0.1.0', license: 'Apache-2.0' },
    ports: { client: 9092, controller: 9093 },
    nodes: { dev: 1, production: 3 },
    resources: { dev: res('250m', '768Mi', '1Gi'), production: res('500m', '2Gi', '3Gi') },
    // `appuser`, the first user created in the Alpine-based image.
    user: { uid: 1000, gid: 1000 },
  },
  minio: {
    id: 'minio',
    title: 'MinIO',
    images: {
      minio: hub('minio/minio', 'RELEASE.2024-01-16T16-07-38Z'),
      mc: hub('minio/mc', 'RELEASE.2024-01-16T16-06-34Z'),
    },
    chart: { source: 'local', name: 'openim-minio', repo: '', version: '0.1.0', license: 'AGPL-3.0 (image)' },
    ports: { api: 9000, console: 9090 },
    // Distributed MinIO needs at least 4 drives for erasure coding.
    nodes: { dev: 1, production: 4 },
    resources: { dev: res('100m', '256Mi', '1Gi'), production: res('250m', '1Gi', '2Gi') },
    user: { uid: 1000, gid: 1000 },
    notes: 'MinIO stopped publishing community images in 2025; the pinned release stays on Docker Hub.',
  },
  etcd: {
    id: 'etcd',
    title: 'etcd',
    images: { etcd: { registry: 'quay.io', repository: 'coreos/etcd', tag: 'v3.5.13' } },
    host: {
      url: 'https://github.com/etcd-io/etcd/releases/download/v{version}/etcd-v{version}-linux-{arch}.tar.gz',
      version: '3.5.13',
      sha256: {},
      license: 'Apache-2.0',
    },
    // templates/charts/openim-etcd: discovery inside the cluster for the OpenIM versions that need it.
    chart: { source: 'local', name: 'openim-etcd', repo: '', version: '0.1.0', license: 'Apache-2.0' },
    ports: { client: 2379, peer: 2380 },
    // Registrations only: a small quorum is plenty.
    nodes: { dev: 1, production: 3 },
    resources: { dev: res('50m', '64Mi', '256Mi'), production: res('100m', '128Mi', '512Mi') },
    // The image is distroless; its `nonroot` user.
    user: { uid: 65532, gid: 65532 },
  },
} as const satisfies Record<string, InfraComponent>;

/** Host port for the MinIO API behind OpenIM's `/im-minio-api` route on the binary target. */
export const MINIO_HOST_PORT = 10005;

/** Small images for helper pods (local-path volume setup, in-cluster reachability checks). */
export const HELPER_IMAGES = {
  busybox: hub('library/busybox', '1.36.1'),
} as const satisfies Record<string, ImageRef>;

/** Resources of the one-shot setup Jobs (replica-set init, topics, bucket). */
export const JOB_RESOURCES: ResourceSpec = res('50m', '128Mi', '512Mi');

export interface StorageProvisioner {
  id: string;
  title: string;
  /** Helm charts in install order (rook: operator, then cluster). Empty for manifest-only provisioners. */
  charts: { release: string; chart: ChartRef }[];
  images: Record<string, ImageRef>;
  /** Namespace the provisioner runs in. */
  namespace: string;
  /** StorageClass it creates unless `kubernetes.storage.storageClass` names another. */
  storageClass: string;
  /** `provisioner` field of that StorageClass. */
  provisioner: string;
  license: string;
}

const repoChart = (name: string, repo: string, version: string, license: string): ChartRef => ({
  source: 'repo',
  name,
  repo,
  version,
  license,
});

/** Rook and Ceph versions travel together: both charts at the same version. */
const ROOK_VERSION = 'v1.19.6';

export const STORAGE_PROVISIONERS = {
  'local-path': {
    id: 'local-path',
    title: 'local-path-provisioner',
    // No published Helm repository (rancher/local-path-provisioner#89 is still open):
    // the installer applies the upstream deploy manifest, built as objects.
    charts: [],
    images: { provisioner: hub('rancher/local-path-provisioner', 'v0.0.32'), helper: HELPER_IMAGES.busybox },
    namespace: 'local-path-storage',
    storageClass: 'local-path',
    provisioner: 'rancher.io/local-path',
    license: 'Apache-2.0',
  },
  nfs: {
    id: 'nfs',
    title: 'nfs-subdir-external-provisioner',
    charts: [
      {
        release: 'nfs-subdir-external-provisioner',
        chart: repoChart(
          'nfs-subdir-external-provisioner',
          'https://kubernetes-sigs.github.io/nfs-subdir-external-provisioner/',
          '4.0.18',
          'Apache-2.0',
        ),
      },
    ],
    images: {
      provisioner: {
        registry: 'registry.k8s.io',
        repository: 'sig-storage/nfs-subdir-external-provisioner',
        tag: 'v4.0.2',
      },
    },
    namespace: 'nfs-provisioner',
    storageClass: 'nfs-client',
    provisioner: 'cluster.local/nfs-subdir-external-provisioner',
    license: 'Apache-2.0',
  },
  'rook-ceph': {
    id: 'rook-ceph',
    title: 'Rook Ceph',
    charts: [
      {
        release: 'rook-ceph',
        chart: repoChart('rook-ceph', 'https://charts.rook.io/release', ROOK_VERSION, 'Apache-2.0'),
      },
      {
        release: 'rook-ceph-cluster',
        chart: repoChart('rook-ceph-cluster', 'https://charts.rook.io/release', ROOK_VERSION, 'Apache-2.0'),
      },
    ],
    images: {
      operator: hub('rook/ceph', ROOK_VERSION),
      ceph: { registry: 'quay.io', repository: 'ceph/ceph', tag: 'v19.2.3' },
    },
    namespace: 'rook-ceph',
    storageClass: 'ceph-block',
    provisioner: 'rook-ceph.rbd.csi.ceph.com',
    license: 'Apache-2.0 (Rook), LGPL-2.1/3 (Ceph)',
  },
} as const satisfies Record<'local-path' | 'nfs' | 'rook-ceph', StorageProvisioner>;

/**
 * Rook's CSI images, by the operator chart's values key. Their tags follow the
 * operator chart, so only the repository is rewritten for a mirror; the tags
 * are not pinned here (confirm with `helm show values` when bumping Rook).
 */
export const ROOK_CSI_IMAGES: Record<string, { registry: string; repository: string }> = {
  cephcsi: { registry: 'quay.io', repository: 'cephcsi/cephcsi' },
  registrar: { registry: 'registry.k8s.io', repository: 'sig-storage/csi-node-driver-registrar' },
  provisioner: { registry: 'registry.k8s.io', repository: 'sig-storage/csi-provisioner' },
  snapshotter: { registry: 'registry.k8s.io', repository: 'sig-storage/csi-snapshotter' },
  attacher: { registry: 'registry.k8s.io', repository: 'sig-storage/csi-attacher' },
  resizer: { registry: 'registry.k8s.io', repository: 'sig-storage/csi-resizer' },
};

/** Rook object storage (RGW) used instead of MinIO when `objectStorage.provider` is rook-ceph. */
export const ROOK_OBJECT_STORE = {
  /** CephObjectStore name; its RGW Service is `rook-ceph-rgw-<name>` in the Rook namespace. */
  name: 'openim',
  port: 80,
  /** StorageClass that provisions buckets (ObjectBucketClaims). */
  bucketStorageClass: 'ceph-bucket',
} as const;

/**
 * Cluster add-ons other folders install (TLS issuance, monitoring, logs).
 * Ingress controllers are pinned in ./ingress.ts.
 */
export const CLUSTER_ADDONS = {
  'cert-manager': {
    chart: repoChart('cert-manager', 'https://charts.jetstack.io', 'v1.20.2', 'Apache-2.0'),
    namespace: 'cert-manager',
    images: { controller: { registry: 'quay.io', repository: 'jetstack/cert-manager-controller', tag: 'v1.20.2' } },
  },
  'kube-prometheus-stack': {
    // 81.4.3: the chart went 81.4.3 → 81.5.0 (no 81.4.5); Chart.yaml@kube-prometheus-stack-81.4.3 appVersion v0.88.1.
    chart: repoChart(
      'kube-prometheus-stack',
      'https://prometheus-community.github.io/helm-charts',
      '81.4.3',
      'Apache-2.0',
    ),
    namespace: 'monitoring',
    images: {
      operator: { registry: 'quay.io', repository: 'prometheus-operator/prometheus-operator', tag: 'v0.88.1' },
    },
  },
  loki: {
    // grafana.github.io/helm-charts froze its loki chart in 2026; the community copy is maintained.
    // 12.0.0: the tag after it is loki-13.0.0 (no 12.0.1); Chart.yaml@loki-12.0.0 appVersion 3.7.1.
    chart: repoChart(
      'loki',
      'https://grafana-community.github.io/helm-charts',
      '12.0.0',
      'Apache-2.0 (chart), AGPL-3.0 (Loki)',
    ),
    namespace: 'monitoring',
    images: { loki: hub('grafana/loki', '3.7.1') },
  },
  alloy: {
    chart: repoChart('alloy', 'https://grafana.github.io/helm-charts', '1.11.0', 'Apache-2.0'),
    namespace: 'monitoring',
    images: { alloy: hub('grafana/alloy', 'v1.18.0') },
  },
} as const satisfies Record<string, { chart: ChartRef; namespace: string; images: Record<string, ImageRef> }>;

/**
 * Loki's index schema, the same on a host and in the cluster: schema v13 on
 * the TSDB index with 24h index tables, the choice Loki's schema docs name for
 * new installs (grafana/loki docs/sources/operations/storage/schema), with the
 * start date and table prefix of its Helm install guides. Never change `from`
 * of an entry in use: Loki reads older data by the entry whose date covers it.
 */
export const LOKI_SCHEMA_CONFIG = {
  configs: [
    {
      from: '2024-04-01',
      store: 'tsdb',
      object_store: 'filesystem',
      schema: 'v13',
      index: { prefix: 'loki_index_', period: '24h' },
    },
  ],
};

/**
 * Monitoring and logging (issue #8). Kubernetes installs the CLUSTER_ADDONS
 * charts above (kube-prometheus-stack, loki, alloy); these are the names,
 * ports and host pins around them. Object names are fixed (fullnameOverride)
 * so Services do not depend on release-name rules of the charts.
 */
export const MONITORING = {
  releases: { stack: 'kube-prometheus-stack', loki: 'loki', alloy: 'alloy' },
  names: {
    /** Grafana Deployment/Service; it runs in the OpenIM namespace so the `/grafana` route reaches it. */
    grafana: 'openim-grafana',
    /** Existing Secret holding the Grafana admin user and password. */
    grafanaAdminSecret: 'openim-grafana-admin',
    /** Loki single-binary Service. */
    loki: 'loki',
    /** Path prefix of Grafana on the public host (grafana.ini serve_from_sub_path). */
    grafanaPath: '/grafana',
  },
  /** Ports inside the cluster (chart defaults, set explicitly where the chart allows). */
  ports: { prometheus: 9090, grafana: 3000, grafanaService: 80, loki: 3100, alloy: 12345 },
  /**
   * Ports on a host. Not the upstream defaults where those collide with what
   * the binary target already runs: MinIO's console has 9090, the Kafka
   * controller 9093 (so no Alertmanager on 9093), and 12345 lies inside the
   * OpenIM metrics port ranges (12320 + up to 64 instances).
   */
  hostPorts: { prometheus: 19090, grafana: 3000, loki: 3100, lokiGrpc: 19095, nodeExporter: 9100, alloy: 19080 },
  scrapeInterval: '30s',
  retention: { prometheus: '15d', lokiHours: 336 },
  /** Bundled on a host from the distribution (Debian 12: prometheus 2.42, node-exporter 1.5). dnf names are Fedora's [not verified]; RHEL needs EPEL. */
  hostPackages: {
    prometheus: {
      apt: 'prometheus',
      dnf: 'golang-github-prometheus',
      executable: '/usr/bin/prometheus',
      packageUnits: ['prometheus.service'],
    },
    nodeExporter: {
      apt: 'prometheus-node-exporter',
      dnf: 'golang-github-prometheus-node-exporter',
      executable: '/usr/bin/prometheus-node-exporter',
      packageUnits: ['prometheus-node-exporter.service'],
    },
  },
  /**
   * Upstream archives for a host (no distribution package). Loki and Alloy
   * publish zip files holding one executable; Grafana a tar.gz. SHA-256 pins
   * are left to the user/bundle like every other host archive. Versions follow
   * the images above; Grafana 12.3.2 is a published OSS tarball [3P].
   */
  hostArchives: {
    loki: {
      url: 'https://github.com/grafana/loki/releases/download/v{version}/loki-linux-{arch}.zip',
      version: '3.7.1',
      format: 'zip',
      strip: 0,
      executable: 'loki-linux-{arch}',
      sha256: {},
      license: 'AGPL-3.0',
    },
    alloy: {
      url: 'https://github.com/grafana/alloy/releases/download/v{version}/alloy-linux-{arch}.zip',
      version: '1.18.0',
      format: 'zip',
      strip: 0,
      executable: 'alloy-linux-{arch}',
      sha256: {},
      license: 'Apache-2.0',
    },
    grafana: {
      url: 'https://dl.grafana.com/oss/release/grafana-{version}.linux-{arch}.tar.gz',
      version: '12.3.2',
      format: 'tar',
      // One top folder (grafana-v<version>/) holds bin/, conf/ and public/.
      strip: 1,
      executable: 'bin/grafana',
      sha256: {},
      license: 'AGPL-3.0',
    },
  },
} as const;
