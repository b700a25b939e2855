// Which artifacts a host install needs, where each comes from, and its pin.
// Source order: binary.artifacts.<id>.file > .url > the offline bundle (its
// files/ staged into the work dir by `install --bundle`) > binary.mirror +
// file name > the vendor URL in the catalog. The SHA-256 is
// binary.artifacts.<id>.sha256, else the catalog's, else (bundle only) the
// bundle's verified checksum list; without one the plan still shows the
// fetch, preflight reports it, and the executor refuses.

import { basename } from 'node:path';
import type { DeploySpec } from '../../config/schema.js';
import {
  archiveUrl,
  bundledArtifactName,
  HOST_ARCHIVES,
  OPENIM_EXPORTS,
  substitute,
  type HostArch,
  type HostArchiveId,
} from '../../catalog/host-artifacts.js';
import { bundledFilePath } from '../../bundle-layout/names.js';
import { MONITORING } from '../../catalog/infrastructure.js';
import type { FetchAction } from '../../plan/types.js';
import type { BinaryLayout } from './layout.js';

/** Upstream archives for monitoring and logging on a host (catalog MONITORING.hostArchives). */
export type MonitoringArchiveId = keyof typeof MONITORING.hostArchives;

export type ArtifactId = 'server' | 'chat' | HostArchiveId | MonitoringArchiveId;

const MONITORING_TITLES: Record<MonitoringArchiveId, string> = {
  grafana: 'Grafana',
  loki: 'Loki',
  alloy: 'Grafana Alloy',
};

export function isMonitoringArchive(id: ArtifactId): id is MonitoringArchiveId {
  return id in MONITORING.hostArchives;
}

export interface ArtifactConfig {
  url: string;
  file: string;
  sha256: string;
}

export interface PlannedArtifact {
  id: ArtifactId;
  title: string;
  fileName: string;
  /** Local copy, relative to the work dir. */
  path: string;
  fetch: FetchAction;
  /** Why it cannot be fetched as planned (no source, no pin); preflight turns these into errors. */
  problems: { field: 'url' | 'sha256'; message: string }[];
}

/** `binary.artifacts.<id>`: server and chat always; infrastructure ids where the schema has them. */
export function artifactConfig(spec: DeploySpec, id: ArtifactId): ArtifactConfig {
  const all = spec.binary.artifacts as Partial<Record<ArtifactId, Partial<ArtifactConfig>>>;
  const c = all[id] ?? {};
  return { url: c.url ?? '', file: c.file ?? '', sha256: c.sha256 ?? '' };
}

export function plannedArtifact(
  spec: DeploySpec,
  id: ArtifactId,
  arch: HostArch,
  layout: BinaryLayout,
): PlannedArtifact {
  const config = artifactConfig(spec, id);
  let fileName: string;
  let upstream = '';
  let pinned: string;
  let title: string;
  const version =
    id === 'server'
      ? spec.openim.serverVersion
      : id === 'chat'
        ? spec.openim.chatVersion
        : isMonitoringArchive(id)
          ? MONITORING.hostArchives[id].version
          : HOST_ARCHIVES[id].version;
  if (isMonitoringArchive(id)) {
    const a = MONITORING.hostArchives[id];
    upstream = substitute(a.url, { version, arch });
    fileName = basename(new URL(upstream).pathname);
    pinned = (a.sha256 as Partial<Record<HostArch, string>>)[arch] ?? '';
    title = `${MONITORING_TITLES[id]} ${version} (${arch})`;
  } else if (id === 'server' || id === 'chat') {
    const exp = OPENIM_EXPORTS[id];
    fileName = substitute(exp.fileName, { version, arch });
    pinned = (exp.sha256 as Record<string, Partial<Record<HostArch, string>>>)[version]?.[arch] ?? '';
    title = `OpenIM ${id} ${version} (${arch})`;
  } else {
    const a = HOST_ARCHIVES[id];
    upstream = archiveUrl(a, arch);
    fileName = basename(new URL(upstream).pathname);
    pinned = (a.sha256 as Partial<Record<HostArch, string>>)[arch] ?? '';
    title = `${a.title} ${a.version} (${arch})`;
  }
  const bundled = !config.file && !config.url && spec.offline.bundle !== '';
  if (config.file) fileName = basename(config.file);
  else if (config.url) fileName = basename(new URL(config.url).pathname) || fileName;
  // The monitoring archives' own names already say the arch; the bundle keeps them.
  else if (bundled) fileName = isMonitoringArchive(id) ? fileName : bundledArtifactName(id, version, arch);

  const path = `${layout.artifacts}/${fileName}`;
  const sha256 = config.sha256 || pinned;
  const mirror = spec.binary.mirror.replace(/\/+$/, '');
  const fetch: FetchAction = { kind: 'fetch', sha256, to: path };
  if (config.file) fetch.file = config.file;
  else if (config.url) fetch.url = config.url;
  else if (bundled) {
    fetch.file = bundledFilePath(fileName);
    if (!sha256) fetch.verifiedBy = 'offline-bundle';
  } else if (mirror) fetch.url = `${mirror}/${fileName}`;
  else if (upstream) fetch.url = upstream;

  const problems: PlannedArtifact['problems'] = [];
  if (!fetch.url && !fetch.file) {
    problems.push({
      field: 'url',
      message: `no source for ${fileName}: OpenIM publishes no binaries, so the export tarball must come from you`,
    });
  }
  if (!sha256 && !fetch.verifiedBy)
    problems.push({ field: 'sha256', message: `no pinned SHA-256 for ${fileName}: nothing is installed unverified` });
  return { id, title, fileName, path, fetch, problems };
}
