// What the binary target installs on a host, and where each thing comes from:
// the OpenIM `mage export` tarballs (docs.openim.io's intranet deployment
// guide), upstream archives for
// the infrastructure that has no distribution package (MongoDB, Kafka,
// MinIO), and distribution packages for the rest (Redis, etcd).
//
// SHA-256 pins: OpenIM publishes no binaries, and no vendor checksum was
// verified for the archives below, so the pins are empty and the user (or
// the offline bundle, #6) supplies them as `binary.artifacts.<id>.sha256`.
// A maintainer who verified a vendor checksum adds it here; nothing is ever
// fetched without one.

import { INFRASTRUCTURE, MINIO_HOST_PORT } from './infrastructure.js';
import { CADDY } from './proxy.js';

export type HostArch = 'amd64' | 'arm64';

export interface OpenIMExport {
  /** File name; `{version}` and `{arch}` are substituted. */
  fileName: string;
  /** Leading folders to drop from archive paths (0: `_output/` is at the top). */
  strip: number;
  /** Archive folders (after strip) holding the binaries and the tools; `{arch}` substituted. */
  binDir: string;
  toolsDir: string;
  /** Pinned SHA-256 by version, then arch. */
  sha256: Record<string, Partial<Record<HostArch, string>>>;
}

/** `PLATFORMS=linux_<arch> mage export` output of open-im-server and chat. */
export const OPENIM_EXPORTS = {
  server: {
    fileName: 'exported_open-im-server_{version}_linux_{arch}.tar.gz',
    strip: 0,
    binDir: '_output/bin/platforms/linux/{arch}',
    toolsDir: '_output/bin/tools/linux/{arch}',
    sha256: {},
  },
  chat: {
    fileName: 'exported_chat_{version}_linux_{arch}.tar.gz',
    strip: 0,
    binDir: '_output/bin/platforms/linux/{arch}',
    toolsDir: '_output/bin/tools/linux/{arch}',
    sha256: {},
  },
} as const satisfies Record<'server' | 'chat', OpenIMExport>;

/** Tools in the export tarballs the units use. `check-component` waits for the infrastructure (and, for chat, the server API). */
export const OPENIM_TOOLS = { checkComponent: 'check-component' } as const;

export interface UpstreamArchive {
  id: string;
  title: string;
  /** URL; `{version}` and `{arch}` (after `archNames`) are substituted. */
  url: string;
  version: string;
  /** The vendor's spelling of the architecture in `url`, when not amd64/arm64. */
  archNames?: Partial<Record<HostArch, string>>;
  /** `tar`: a tar.gz unpacked with `strip`; `binary`: the download is the executable. */
  format: 'tar' | 'binary';
  strip: number;
  /** Executables, relative to the unpacked folder (or the file name for `binary`). */
  executables: Record<string, string>;
  sha256: Partial<Record<HostArch, string>>;
  license: string;
}

const mongoVersion = INFRASTRUCTURE.mongodb.images.mongo.tag;
const kafkaVersion = INFRASTRUCTURE.kafka.images.kafka.tag;
const minioVersion = INFRASTRUCTURE.minio.images.minio.tag;

/** Upstream archives for bundled infrastructure on a host. */
export const HOST_ARCHIVES = {
  mongodb: {
    id: 'mongodb',
    title: 'MongoDB server',
    // The ubuntu2204 build is published for both architectures and runs on Debian 12 (glibc 2.36, OpenSSL 3).
    url: 'https://fastdl.mongodb.org/linux/mongodb-linux-{arch}-ubuntu2204-{version}.tgz',
    version: mongoVersion,
    archNames: { amd64: 'x86_64', arm64: 'aarch64' },
    format: 'tar',
    strip: 1,
    executables: { mongod: 'bin/mongod' },
    sha256: {},
    license: 'SSPL-1.0',
  },
  mongosh: {
    id: 'mongosh',
    title: 'MongoDB shell (creates the OpenIM user)',
    url: 'https://downloads.mongodb.com/compass/mongosh-{version}-linux-{arch}.tgz',
    version: '2.3.8',
    archNames: { amd64: 'x64', arm64: 'arm64' },
    format: 'tar',
    strip: 1,
    executables: { mongosh: 'bin/mongosh' },
    sha256: {},
    license: 'Apache-2.0',
  },
  kafka: {
    id: 'kafka',
    title: 'Apache Kafka (KRaft)',
    url: 'https://archive.apache.org/dist/kafka/{version}/kafka_2.13-{version}.tgz',
    version: kafkaVersion,
    format: 'tar',
    strip: 1,
    executables: {
      server: 'bin/kafka-server-start.sh',
      storage: 'bin/kafka-storage.sh',
      topics: 'bin/kafka-topics.sh',
      groups: 'bin/kafka-consumer-groups.sh',
    },
    sha256: {},
    license: 'Apache-2.0',
  },
  // MongoDB Database Tools (mongodump, mongorestore) for `openim-deploy backup`/`restore` on a host,
  // installed when binary.artifacts.mongotools names a source. 100.11.0: the release whose commit the
  // Go module proxy here serves (tag 100.11.0 of github.com/mongodb/mongo-tools, b8a566a7f38f; the
  // test suite builds that commit, scripts/openim/build.sh mongotools). Archive name and layout
  // (<name>/bin/mongodump) as published at https://www.mongodb.com/try/download/database-tools.
  mongotools: {
    id: 'mongotools',
    title: 'MongoDB Database Tools (mongodump, mongorestore)',
    url: 'https://fastdl.mongodb.org/tools/db/mongodb-database-tools-debian12-{arch}-{version}.tgz',
    version: '100.11.0',
    archNames: { amd64: 'x86_64', arm64: 'aarch64' },
    format: 'tar',
    strip: 1,
    executables: { mongodump: 'bin/mongodump', mongorestore: 'bin/mongorestore' },
    sha256: {},
    license: 'Apache-2.0',
  },
  minio: {
    id: 'minio',
    title: 'MinIO server',
    url: 'https://dl.min.io/server/minio/release/linux-{arch}/archive/minio.{version}',
    version: minioVersion,
    format: 'binary',
    strip: 0,
    executables: { minio: 'minio' },
    sha256: {},
    license: 'AGPL-3.0',
  },
  // The reverse proxy in front of OpenIM (binary.proxy.enabled), catalog proxy.ts.
  caddy: {
    id: 'caddy',
    title: 'Caddy (reverse proxy, TLS)',
    url: CADDY.url,
    version: CADDY.version,
    format: 'tar',
    strip: 0,
    executables: { caddy: 'caddy' },
    sha256: CADDY.sha256,
    license: CADDY.license,
  },
} as const satisfies Record<string, UpstreamArchive>;

export type HostArchiveId = keyof typeof HOST_ARCHIVES;

export type PackageManager = 'apt' | 'dnf';

export interface HostPackage {
  /** Package name per package manager. */
  names: Record<PackageManager, string>;
  /** The server executable the package installs. */
  executable: string;
  /** Services the package enables on its own; stopped and disabled so the installer's hardened unit owns the port. */
  packageUnits: Record<PackageManager, string[]>;
  license: string;
}

/** Bundled Redis and etcd on a host come from the distribution (Debian 12: redis 7.0, etcd 3.4). */
export const HOST_PACKAGES = {
  redis: {
    names: { apt: 'redis-server', dnf: 'redis' },
    executable: '/usr/bin/redis-server',
    packageUnits: { apt: ['redis-server.service'], dnf: [] },
    license: 'BSD-3-Clause',
  },
  etcd: {
    names: { apt: 'etcd-server', dnf: 'etcd' },
    executable: '/usr/bin/etcd',
    packageUnits: { apt: ['etcd.service'], dnf: [] },
    license: 'Apache-2.0',
  },
} as const satisfies Record<'redis' | 'etcd', HostPackage>;

/** Ports of bundled infrastructure on a host (MinIO's API on the port clients reach, open-im-server config/minio.yml@v3.8.3). */
export const HOST_INFRA_PORTS = {
  mongodb: INFRASTRUCTURE.mongodb.ports.mongo,
  redis: INFRASTRUCTURE.redis.ports.redis,
  kafka: INFRASTRUCTURE.kafka.ports.client,
  kafkaController: INFRASTRUCTURE.kafka.ports.controller,
  minio: MINIO_HOST_PORT,
  minioConsole: INFRASTRUCTURE.minio.ports.console,
  etcd: INFRASTRUCTURE.etcd.ports.client,
  etcdPeer: INFRASTRUCTURE.etcd.ports.peer,
} as const;

export function substitute(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export function archiveUrl(archive: UpstreamArchive, arch: HostArch): string {
  return substitute(archive.url, { version: archive.version, arch: archive.archNames?.[arch] ?? arch });
}

/**
 * The name of a host artifact inside an offline bundle's files/ folder: the
 * download's own name, with `_linux_<arch>` added when that name does not
 * already say the arch (Kafka, MinIO). Shared with src/bundle/contents.ts.
 */
export function bundledArtifactName(id: 'server' | 'chat' | HostArchiveId, version: string, arch: HostArch): string {
  if (id === 'server' || id === 'chat') return substitute(OPENIM_EXPORTS[id].fileName, { version, arch });
  const archive: UpstreamArchive = HOST_ARCHIVES[id];
  const base = archiveUrl(archive, arch).split('/').pop()!;
  return archive.url.split('/').pop()!.includes('{arch}') ? base : `${base}_linux_${arch}`;
}
