// Where everything lives on a host, from `spec.binary.*` alone:
//
//   <prefix>/<serverVersion>/{bin,tools}      <prefix>/current → <serverVersion>
//   <prefix>/chat/<chatVersion>/{bin,tools}   <prefix>/chat/current → <chatVersion>
//   <prefix>/infra/<component>-<version>/     (bundled MongoDB, Kafka, MinIO)
//   <configDir>/{server,chat,<component>}/    (0640 root:<user> files)
//   <dataDir>/<component>/                    (server and chat: working dir and optional file logs)
//
// Chat has its own tree because it has its own version and its own tools with
// the same names as the server's (check-component). Switching `current` is
// how an upgrade or a rollback takes effect.

import type { DeploySpec } from '../../config/schema.js';
import type { HostArch } from '../../catalog/host-artifacts.js';
import { normalisePath } from '../../config/install-path.js';

export type Product = 'server' | 'chat';

export interface BinaryLayout {
  prefix: string;
  user: string;
  group: string;
  unitDir: string;
  configDir: string;
  dataDir: string;
  /** Release folder and the `current` link, per product. */
  release: Record<Product, string>;
  current: Record<Product, string>;
  /** Config folder passed with -c. */
  config: Record<Product, string>;
  /** Working directory (writable) and file-log folder. */
  work: Record<Product, string>;
  logs: Record<Product, string>;
  infraRoot: string;
  /** Downloads, relative to the work dir (kept for re-runs and rollback). */
  artifacts: string;
}

export function binaryLayout(spec: DeploySpec): BinaryLayout {
  const b = spec.binary;
  const prefix = normalisePath(b.prefix);
  const dataDir = normalisePath(b.dataDir);
  const configDir = normalisePath(b.configDir);
  return {
    prefix,
    user: b.user,
    group: b.user,
    unitDir: normalisePath(b.unitDir),
    configDir,
    dataDir,
    release: { server: `${prefix}/${spec.openim.serverVersion}`, chat: `${prefix}/chat/${spec.openim.chatVersion}` },
    current: { server: `${prefix}/current`, chat: `${prefix}/chat/current` },
    config: { server: `${configDir}/server`, chat: `${configDir}/chat` },
    work: { server: `${dataDir}/server`, chat: `${dataDir}/chat` },
    logs: { server: `${dataDir}/server/logs`, chat: `${dataDir}/chat/logs` },
    infraRoot: `${prefix}/infra`,
    artifacts: 'artifacts',
  };
}

/** The architecture to install for: the user's choice, else the host's, else amd64 (planning without probing). */
export function targetArch(spec: DeploySpec, hostArch: string | undefined): HostArch {
  if (spec.binary.arch !== 'auto') return spec.binary.arch;
  return hostArch === 'arm64' ? 'arm64' : 'amd64';
}
