// Third-party components: pinned images, charts and host archives. One entry
// per component; the Kubernetes and binary targets and the offline bundle all
// read these pins and nothing else.

import type { ImageRef } from './images.js';

export interface ChartRef {
  /** `local` charts ship under templates/charts/<name>; others come from a repository. */
  source: 'local' | 'repo' | 'oci';
  name: string;
  /** HTTP repository URL or OCI reference prefix; empty for local charts. */
  repo: string;
  version: string;
  license: string;
}

export interface HostArchive {
  /** URL template; `{version}` and `{arch}` (amd64|arm64) are substituted. */
  url: string;
  version: string;
  /** SHA-256 per arch; an artifact without a pin must be given one by the user. */
  sha256: Partial<Record<'amd64' | 'arm64', string>>;
  license: string;
}

export interface InfraComponent {
  id: string;
  title: string;
  images: Record<string, ImageRef>;
  chart?: ChartRef;
  host?: HostArchive;
  /** Ports the component listens on (default install). */
  ports: Record<string, number>;
}

const hub = (repository: string, tag: string): ImageRef => ({ registry: 'docker.io', repository, tag });

export const INFRASTRUCTURE = {
  mongodb: {
    id: 'mongodb',
    title: 'MongoDB',
    images: { mongo: hub('library/mongo', '7.0.14') },
    chart: { source: 'local', name: 'openim-mongodb', repo: '', version: '0.1.0', license: 'SSPL-1.0 (image)' },
    ports: { mongo: 27017 },
  },
  redis: {
    id: 'redis',
    title: 'Redis',
    images: { redis: hub('library/redis', '7.0.15') },
    chart: { source: 'local', name: 'openim-redis', repo: '', version: '0.1.0', license: 'BSD-3-Clause (image)' },
    ports: { redis: 6379, sentinel: 26379 },
  },
  kafka: {
    id: 'kafka',
    title: 'Kafka (KRaft)',
    images: { kafka: hub('apache/kafka', '3.9.1') },
    chart: { source: 'local', name: 'openim-kafka', repo: '', version: '0.1.0', license: 'Apache-2.0' },
    ports: { client: 9092, controller: 9093 },
  },
  minio: {
    id: 'minio',
    title: 'MinIO',
    images: { minio: hub('minio/minio', 'RELEASE.2024-01-16T16-07-38Z'), mc: hub('minio/mc', 'RELEASE.2024-01-16T16-06-34Z') },
    chart: { source: 'local', name: 'openim-minio', repo: '', version: '0.1.0', license: 'AGPL-3.0 (image)' },
    ports: { api: 9000, console: 9090 },
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
    ports: { client: 2379, peer: 2380 },
  },
} as const satisfies Record<string, InfraComponent>;

/** Host port for the MinIO API behind OpenIM's `/im-minio-api` route on the binary target. */
export const MINIO_HOST_PORT = 10005;
