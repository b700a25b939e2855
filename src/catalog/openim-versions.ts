// Every OpenIM version fact lives here (OPENIM.md §3–§5). Nothing else in the
// code may name a server or chat version, or branch on one: ask the catalog.

export const DEFAULT_SERVER_VERSION = 'v3.8.3-patch.16';
export const DEFAULT_CHAT_VERSION = 'v1.8.4-patch.5';

/** How the server finds its RPC peers when it runs on Kubernetes. */
export interface KubernetesDiscovery {
  /** Value of `discovery.yml enable`. */
  enable: 'k8s' | 'kubernetes';
  /** v3.8.3-patch.16 hard-codes the namespace `default`; later lines read `discovery.kubernetes.namespace`. */
  namespaceFixed: string | null;
  /** How each process is told where its config lives. */
  configVia: 'flag' | 'env';
  /** Service names come from `share.yml rpcRegisterName` (3.8.3) or `discovery.rpcService` (3.8.4+). */
  serviceNames: 'rpcRegisterName' | 'rpcService';
}

export interface ServerRelease {
  version: string;
  /** Minor line, e.g. "3.8". Upgrades step through lines in order. */
  line: string;
  kubernetesDiscovery: KubernetesDiscovery;
  /** Web front that matches this server (OPENIM.md §1). */
  webFrontTag: string;
  /** Versions below this need the one-time `seq` migration when upgrading. */
  seqMigrationBelow: string;
  /** Go toolchain needed to build from source (binary target, no prebuilt binaries). */
  goVersion: string;
  maxFileDescriptors: number;
}

export interface ChatRelease {
  version: string;
  line: string;
  /** The server line this chat release talks to. */
  serverLine: string;
  /** `discovery.yml enable` for chat on Kubernetes. */
  kubernetesDiscoveryEnable: 'kubernetes';
  adminFrontTag: string;
  /** How chat processes find their config folder on Kubernetes (upstream chat manifests set CONFIG_PATH). */
  kubernetesConfigVia: 'flag' | 'env';
}

export const SERVER_RELEASES: readonly ServerRelease[] = [
  {
    version: 'v3.8.3-patch.16',
    line: '3.8',
    // Upstream's own v3.8.3 manifests (deployments/deploy/openim-*-deployment.yml) pass the config folder as
    // CONFIG_PATH and no args: the images' start command ignores container args.
    kubernetesDiscovery: { enable: 'k8s', namespaceFixed: 'default', configVia: 'env', serviceNames: 'rpcRegisterName' },
    webFrontTag: 'release-v3.8.3',
    seqMigrationBelow: '3.8',
    goVersion: '1.22',
    maxFileDescriptors: 100000,
  },
  {
    // The newest 3.8.3 the Go module proxy serves here (the patch tags are refused), so the one that
    // test:openim builds from source and installs. Same discovery facts as patch.16
    // (pkg/common/discoveryregister/kubernetes/kubernetes.go@v3.8.3); start-config.yml@v3.8.3:15 has
    // maxFileDescriptors: 10000 (100000 on the patch branch).
    version: 'v3.8.3',
    line: '3.8',
    kubernetesDiscovery: { enable: 'k8s', namespaceFixed: 'default', configVia: 'env', serviceNames: 'rpcRegisterName' },
    webFrontTag: 'release-v3.8.3',
    seqMigrationBelow: '3.8',
    goVersion: '1.22',
    maxFileDescriptors: 10000,
  },
  {
    version: 'v3.8.4',
    line: '3.8',
    kubernetesDiscovery: { enable: 'kubernetes', namespaceFixed: null, configVia: 'env', serviceNames: 'rpcService' },
    webFrontTag: 'release-v3.8.3',
    seqMigrationBelow: '3.8',
    goVersion: '1.22',
    maxFileDescriptors: 100000,
  },
];

export const CHAT_RELEASES: readonly ChatRelease[] = [
  { version: 'v1.8.4-patch.5', line: '1.8', serverLine: '3.8', kubernetesDiscoveryEnable: 'kubernetes', adminFrontTag: 'release-v1.8.4', kubernetesConfigVia: 'env' },
  { version: 'v1.8.4', line: '1.8', serverLine: '3.8', kubernetesDiscoveryEnable: 'kubernetes', adminFrontTag: 'release-v1.8.4', kubernetesConfigVia: 'env' },
];

/** Namespace used when the config names none: the one the server's Kubernetes discovery can work in. */
export function defaultNamespace(serverVersion: string): string {
  return findServerRelease(serverVersion)?.kubernetesDiscovery.namespaceFixed ?? 'openim';
}

export function findServerRelease(version: string): ServerRelease | undefined {
  return SERVER_RELEASES.find((r) => r.version === version);
}

export function findChatRelease(version: string): ChatRelease | undefined {
  return CHAT_RELEASES.find((r) => r.version === version);
}

export function serverRelease(version: string): ServerRelease {
  const found = findServerRelease(version);
  if (!found) throw new Error(`unknown OpenIM server version ${version}`);
  return found;
}

export function chatRelease(version: string): ChatRelease {
  const found = findChatRelease(version);
  if (!found) throw new Error(`unknown OpenIM chat version ${version}`);
  return found;
}

/** OpenIM's own default credentials: must never reach a production config (OPENIM.md §3). */
export const OPENIM_DEFAULTS = {
  mongoDatabase: 'openim_v3',
  mongoUsername: 'openIM',
  imAdminUserID: 'imAdmin',
  chatAdminAccount: 'chatAdmin',
  /**
   * The password chat seeds each `share.yml chatAdmin` account with: the account name itself
   * (stored as hex(md5(account)), chat internal/rpc/admin/start.go@v1.8.4-patch.5:82 initAdmin).
   * No config key changes it; openim-deploy replaces it through the admin API (src/chat-admin).
   */
  chatAdminDefaultPassword: 'chatAdmin',
  bucket: 'openim',
  /** Known weak defaults shipped by upstream; a test scans output for them. */
  weakSecrets: ['openIM123', '666666', 'chatAdmin'],
  /** Default log levels (OPENIM.md §3). */
  logLevel: { production: 3, dev: 6 },
} as const;

/** How the chat admin console is logged in to, as summaries say it (one wording; never the password itself). */
export const CHAT_ADMIN_LOGIN = `account ${OPENIM_DEFAULTS.chatAdminAccount}, password openim.chatAdminPassword or, when not given, the generated secrets["chat.adminPassword"] of state.json`;
