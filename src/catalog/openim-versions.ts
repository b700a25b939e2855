// Every OpenIM version fact lives here. Nothing else in the
// code may name a server or chat version, or branch on one: ask the catalog.
// Each fact names the upstream file it was read from (path@tag:line). The
// v3.8.3 and v1.8.4 facts are read from the Go module proxy's zips (the code
// that is built and run: the v3.8.3 git tag was moved after the proxy cached
// it, and the proxy's copy lacks autoSetPorts); the patch lines from the git
// tags v3.8.3-patch.16 and v1.8.4-patch.5; "v3.8.4" has no release tag
// upstream, its facts come from the nearest tag, v3.8.4-alpha.1.

/** The newest pair the project verifies end to end (README, "Versions"): the ones the Go module proxy serves, so tests build and run them. */
export const DEFAULT_SERVER_VERSION = 'v3.8.3';
export const DEFAULT_CHAT_VERSION = 'v1.8.4';

/**
 * How far the project has checked a version: `real-run` = the real binaries
 * were built and ran with the rendered config; `conformance` = the rendered
 * files were compared key by key with upstream's own config files of that
 * version; `unverified` = facts read from upstream source only.
 */
export type Verification = 'conformance' | 'real-run' | 'unverified';

/** How the Kubernetes target runs a product of this version. */
export interface KubernetesRuntime {
  /**
   * Discovery the Kubernetes target configures. `etcd`: an etcd StatefulSet of
   * the project's own chart in the release namespace (auth on, data on a PVC),
   * `discovery.yml enable: etcd`. `kubernetes`: service names through the
   * Kubernetes API (needs RBAC, see KUBERNETES_DISCOVERY_RBAC).
   */
  discovery: 'etcd' | 'kubernetes';
  /** Why this discovery: printed by plan and doctor. */
  discoveryReason: string;
  /**
   * How a pod is told where its config folder is: `flag` = `-c DIR -i 0`
   * (args appended to the image entrypoint, or a full command where the
   * entrypoint drops args); `env` = `CONFIG_PATH`.
   */
  configVia: 'flag' | 'env';
  /**
   * The process to run per module when the image entrypoint ignores container
   * args (chat images run `sh -c _output/<bin>`): module name → absolute path.
   * Empty when args reach the binary.
   */
  command: Readonly<Record<string, string>>;
  /**
   * This version switches to Kubernetes discovery (and to `CONFIG_PATH`) by
   * itself when it sees a service-account token mounted
   * (`/var/run/secrets/kubernetes.io/serviceaccount`), whatever discovery.yml
   * says: pods must run without a token for etcd discovery and `-c` to apply.
   */
  detectsKubernetesFromToken: boolean;
}

/** Config file keys that differ between versions (each read in upstream's config structs / files). */
interface ServerConfigKeys {
  /** redis.yml: `clusterMode: bool` (3.8.3, 3.8.4-alpha.1) or `redisMode: standalone|cluster|sentinel` (patch line). */
  redisMode: 'clusterMode' | 'redisMode';
  /** share.yml `rpcMaxBodySize {requestMaxBodySize, responseMaxBodySize}` is read. */
  rpcMaxBodySize: boolean;
  /** `rpc.autoSetPorts` (and `prometheus.autoSetPorts` of api/msgtransfer) is read; absent = fixed ports always. */
  autoSetPorts: boolean;
  /** Where RPC service names live: share.yml `rpcRegisterName` (3.8.3 line) or discovery.yml `rpcService` (3.8.4+). */
  rpcNames: 'share.rpcRegisterName' | 'discovery.rpcService';
  /** notification.yml: the types whose `offlinePush.enable` is true in upstream's defaults (changed on the patch line). */
  offlinePushOn: readonly string[];
}

export interface ServerRelease {
  version: string;
  /** Minor line, e.g. "3.8". Upgrades step through lines in order. */
  line: string;
  verification: Verification;
  /** Served by the Go module proxy here, so the test suites can build and read it. */
  buildable: boolean;
  kubernetes: KubernetesRuntime;
  config: ServerConfigKeys;
  /** Web front that matches this server (open-im-server .env@v3.8.3 pins OPENIM_WEB_FRONT_IMAGE). */
  webFrontTag: string;
  /** Versions below this need the one-time `seq` migration when upgrading. */
  seqMigrationBelow: string;
  /** Go toolchain needed to build from source (binary target, no prebuilt binaries). */
  goVersion: string;
  maxFileDescriptors: number;
}

interface ChatConfigKeys {
  /** verifyCode.mail switch: `enable: bool` (chat 1.8: pkg/common/config/config.go `Enable bool mapstructure:"enable"`). */
  mailSwitch: 'enable';
  /** redis.yml carries `enablePipeline` and no `poolSize`. */
  redisEnablePipeline: boolean;
  /** share.yml `openIM.tokenRefreshInterval` is read (not on 1.8.4). */
  tokenRefreshInterval: boolean;
  /** share.yml `rpcRegisterName` is read (older lines; 1.8.4 reads discovery.yml rpcService only). */
  shareRpcRegisterName: boolean;
}

export interface ChatRelease {
  version: string;
  line: string;
  verification: Verification;
  buildable: boolean;
  /** The server line this chat release talks to. */
  serverLine: string;
  adminFrontTag: string;
  kubernetes: KubernetesRuntime;
  config: ChatConfigKeys;
}

// Why Kubernetes-API discovery is not used for any version in this catalog (read in the source):
const SERVER_383_K8S =
  'enable: k8s dials share.yml rpcRegisterName as literal host names and hashes online push over a msggateway StatefulSet naming scheme (pkg/common/discoveryregister/kubernetes/kubernetes.go@v3.8.3, internal/push/onlinepusher.go@v3.8.3): etcd in the cluster instead';
const SERVER_PATCH16_K8S =
  'enable: k8s is hard-wired to namespace "default" (pkg/common/discoveryregister/discoveryregister.go@v3.8.3-patch.16:32) and its push gateway hash gets an empty host from tools discovery/kubernetes/kubernetes.go@v0.0.50-alpha.113:275, so push dials a nil connection (internal/push/onlinepusher.go@v3.8.3-patch.16:150-166): etcd in the cluster instead';
/** The root command closes its etcd client on every start, nil unless `enable: etcd`: a nil-pointer panic. */
const rootCmdNilEtcd = (at: string) =>
  `the root command closes its etcd client at every start, nil unless enable is etcd (pkg/common/cmd/root.go@${at} r.etcdClient.Close())`;
const SERVER_384_K8S = `${rootCmdNilEtcd('v3.8.4-alpha.1:116')}, so Kubernetes discovery crashes every process: etcd in the cluster instead, pods without a service-account token (with one it picks Kubernetes discovery by itself: pkg/common/discovery/discoveryregister.go@v3.8.4-alpha.1:32)`;
const chatK8s = (tag: string) =>
  `${rootCmdNilEtcd(`${tag}:122`)}, and pkg/common/kdisc/discoveryregister.go@${tag}:36 switches to Kubernetes discovery whenever a service-account token is mounted: etcd in the cluster, pods without a token`;

/** Server images run `./bin/<module>` as ENTRYPOINT with no CMD (build/images/openim-api/Dockerfile@v3.8.3-patch.16:44): args reach the binary. */
const SERVER_ARGS_REACH_BINARY: Readonly<Record<string, string>> = {};

/** chat 1.8.4 images: `ENTRYPOINT ["sh", "-c", "_output/<bin>"]`, WORKDIR /openim-chat (build/images/openim-chat-api/Dockerfile@v1.8.4:28,36 and the other three): args are dropped by `sh -c`. */
const CHAT_184_COMMAND: Readonly<Record<string, string>> = {
  'chat-api': '/openim-chat/_output/chat-api',
  'admin-api': '/openim-chat/_output/admin-api',
  'chat-rpc': '/openim-chat/_output/chat-rpc',
  'admin-rpc': '/openim-chat/_output/admin-rpc',
};

/** chat patch.5 images: one Dockerfile, `sh -c _output/${BINARY_NAME}` with BINARY_NAME openim-<module> (build/images/openim-chat/Dockerfile@v1.8.4-patch.5:31, docker-compose.build.yml:7-40). */
const CHAT_PATCH5_COMMAND: Readonly<Record<string, string>> = {
  'chat-api': '/openim-chat/_output/openim-chat-api',
  'admin-api': '/openim-chat/_output/openim-admin-api',
  'chat-rpc': '/openim-chat/_output/openim-chat-rpc',
  'admin-rpc': '/openim-chat/_output/openim-admin-rpc',
};

/** config/notification.yml@v3.8.3 (module zip) and @v3.8.4-alpha.1: offlinePush.enable true. */
const OFFLINE_PUSH_383 = [
  'friendApplicationApproved',
  'friendApplicationRejected',
  'friendAdded',
  'friendDeleted',
  'friendRemarkSet',
  'blackAdded',
  'blackDeleted',
  'friendInfoUpdated',
  'userInfoUpdated',
  'conversationChanged',
  'conversationSetPrivate',
] as const;
/** config/notification.yml@v3.8.3-patch.16 (lines 36, 56, 66, 203 turned on; 233-325 turned off). */
const OFFLINE_PUSH_PATCH16 = [
  'joinGroupApplication',
  'groupApplicationAccepted',
  'groupApplicationRejected',
  'friendApplicationAdded',
  'friendApplicationApproved',
  'friendApplicationRejected',
] as const;

export const SERVER_RELEASES: readonly ServerRelease[] = [
  {
    version: 'v3.8.3',
    line: '3.8',
    verification: 'real-run',
    buildable: true,
    // cmd reads the folder from -c/--config_folder_path only (pkg/common/cmd/root.go@v3.8.3:83,160); no runtime detection.
    kubernetes: {
      discovery: 'etcd',
      discoveryReason: SERVER_383_K8S,
      configVia: 'flag',
      command: SERVER_ARGS_REACH_BINARY,
      detectsKubernetesFromToken: false,
    },
    config: {
      // pkg/common/config/config.go@v3.8.3 Redis{ClusterMode `clusterMode`}; config/redis.yml@v3.8.3:4.
      redisMode: 'clusterMode',
      // config/share.yml@v3.8.3 has no rpcMaxBodySize; the Share struct has none.
      rpcMaxBodySize: false,
      // pkg/common/config/config.go@v3.8.3 (module zip): no AutoSetPorts field.
      autoSetPorts: false,
      rpcNames: 'share.rpcRegisterName',
      offlinePushOn: OFFLINE_PUSH_383,
    },
    webFrontTag: 'release-v3.8.3',
    seqMigrationBelow: '3.8',
    goVersion: '1.22',
    // start-config.yml@v3.8.3:18.
    maxFileDescriptors: 10000,
  },
  {
    version: 'v3.8.3-patch.16',
    line: '3.8',
    verification: 'unverified',
    buildable: false,
    // -c only (pkg/common/cmd/root.go@v3.8.3-patch.16:83,160); CONFIG_PATH is declared (pkg/common/config/constant.go:18) but read only by tools/seq.
    kubernetes: {
      discovery: 'etcd',
      discoveryReason: SERVER_PATCH16_K8S,
      configVia: 'flag',
      command: SERVER_ARGS_REACH_BINARY,
      detectsKubernetesFromToken: false,
    },
    config: {
      // config/redis.yml@v3.8.3-patch.16:5 `redisMode: "standalone"`; config.go:360 RedisMode, no ClusterMode.
      redisMode: 'redisMode',
      // config/share.yml@v3.8.3-patch.16:20-22; config.go:387 RPCMaxBodySize.
      rpcMaxBodySize: true,
      // config/openim-rpc-user.yml@v3.8.3-patch.16:7 `autoSetPorts: true`; config.go:111,182.
      autoSetPorts: true,
      rpcNames: 'share.rpcRegisterName',
      offlinePushOn: OFFLINE_PUSH_PATCH16,
    },
    webFrontTag: 'release-v3.8.3',
    seqMigrationBelow: '3.8',
    goVersion: '1.22',
    // start-config.yml@v3.8.3-patch.16:18.
    maxFileDescriptors: 10000,
  },
  {
    version: 'v3.8.4',
    line: '3.8',
    verification: 'unverified',
    buildable: false,
    // Reads CONFIG_PATH only when it detects Kubernetes (pkg/common/config/load_config.go@v3.8.4-alpha.1:14-18); without a token it takes -c.
    kubernetes: {
      discovery: 'etcd',
      discoveryReason: SERVER_384_K8S,
      configVia: 'flag',
      command: SERVER_ARGS_REACH_BINARY,
      detectsKubernetesFromToken: true,
    },
    config: {
      // config/redis.yml@v3.8.4-alpha.1:4 `clusterMode: false`.
      redisMode: 'clusterMode',
      rpcMaxBodySize: false,
      // config/openim-rpc-user.yml@v3.8.4-alpha.1:7.
      autoSetPorts: true,
      // config/discovery.yml@v3.8.4-alpha.1:8-17 rpcService.
      rpcNames: 'discovery.rpcService',
      offlinePushOn: OFFLINE_PUSH_383,
    },
    webFrontTag: 'release-v3.8.3',
    seqMigrationBelow: '3.8',
    goVersion: '1.22',
    // start-config.yml@v3.8.4-alpha.1:18.
    maxFileDescriptors: 10000,
  },
];

/** Chat config keys of the 1.8.4 line; config/ is identical between v1.8.4 and v1.8.4-patch.5 (git diff v1.8.4 v1.8.4-patch.5 -- config is empty). */
const CHAT_184_KEYS: ChatConfigKeys = {
  // pkg/common/config/config.go@v1.8.4:133; config/chat-rpc-chat.yml@v1.8.4 `mail: enable: false`.
  mailSwitch: 'enable',
  // pkg/common/config/config.go@v1.8.4:74 EnablePipeline, no PoolSize; config/redis.yml@v1.8.4:8.
  redisEnablePipeline: true,
  // pkg/common/config/config.go@v1.8.4:18-22 openIM{apiURL, secret, adminUserID}.
  tokenRefreshInterval: false,
  // pkg/common/config/config.go@v1.8.4:17-25 Share has no rpcRegisterName; discovery.yml carries rpcService (config/discovery.yml@v1.8.4:11-13).
  shareRpcRegisterName: false,
};

export const CHAT_RELEASES: readonly ChatRelease[] = [
  {
    version: 'v1.8.4',
    line: '1.8',
    verification: 'real-run',
    buildable: true,
    serverLine: '3.8',
    adminFrontTag: 'release-v1.8.4',
    kubernetes: {
      discovery: 'etcd',
      discoveryReason: chatK8s('v1.8.4'),
      configVia: 'flag',
      command: CHAT_184_COMMAND,
      detectsKubernetesFromToken: true,
    },
    config: CHAT_184_KEYS,
  },
  {
    version: 'v1.8.4-patch.5',
    line: '1.8',
    verification: 'unverified',
    buildable: false,
    serverLine: '3.8',
    adminFrontTag: 'release-v1.8.4',
    kubernetes: {
      discovery: 'etcd',
      discoveryReason: chatK8s('v1.8.4-patch.5'),
      configVia: 'flag',
      command: CHAT_PATCH5_COMMAND,
      detectsKubernetesFromToken: true,
    },
    config: CHAT_184_KEYS,
  },
];

/**
 * RBAC a version with Kubernetes-API discovery needs: services, endpoints and
 * pods (tools discovery/kubernetes/kubernetes.go@v0.0.50-alpha.113:99,192,282,305)
 * and EndpointSlices, which the kuberesolver of newer tools watches
 * (discovery/kubernetes/kubernetes.go@main:14,63, github.com/sercand/kuberesolver/v6).
 */
export const KUBERNETES_DISCOVERY_RBAC: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [
  { apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
];

/**
 * Server and chat build `mongodb://<username>:<password>@<address>/<db>?authSource=…`
 * from mongodb.yml's parts with plain Sprintf, no escaping (openimsdk/tools
 * db/mongoutil/common.go@v0.0.50-alpha.63:34-38, the same at alpha.65 and
 * alpha.113), and the Go driver refuses unescaped delimiters in user info.
 */
export const MONGO_URI_UNESCAPED = { reserved: ':/?#[]@%' } as const;

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

/** Either release of a spec needs etcd running in the cluster on the Kubernetes target. */
export function needsInClusterEtcd(serverVersion: string, chatVersion: string | undefined): boolean {
  return (
    serverRelease(serverVersion).kubernetes.discovery === 'etcd' ||
    (chatVersion !== undefined && chatRelease(chatVersion).kubernetes.discovery === 'etcd')
  );
}

/** OpenIM's own default credentials: must never reach a production config (open-im-server config/share.yml, mongodb.yml@v3.8.3 and chat config/*.yml@v1.8.4). */
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
  /** Default log levels (open-im-server config/log.yml@v3.8.3: 3 for production, 6 for debugging). */
  logLevel: { production: 3, dev: 6 },
} as const;

/**
 * Passwords the upstream projects ship as defaults, with where each comes from. Production refuses
 * every one of them in every secret field (a value anyone can look up is no credential).
 */
export const WELL_KNOWN_SECRETS: readonly { value: string; source: string }[] = [
  {
    value: 'openIM123',
    source:
      "OpenIM's default (open-im-server config/share.yml secret, mongodb.yml, redis.yml, minio.yml; openim-docker .env)",
  },
  { value: '666666', source: "chat's default verification super code (config/chat-rpc-chat.yml verifyCode.superCode)" },
  { value: 'chatAdmin', source: "chat's seeded admin console password (internal/rpc/admin/start.go initAdmin)" },
  { value: 'admin', source: "Grafana's default (conf/defaults.ini admin_password)" },
  { value: 'prom-operator', source: 'kube-prometheus-stack values.yaml grafana.adminPassword' },
  { value: 'minioadmin', source: "MinIO's default root credentials (MINIO_ROOT_USER/MINIO_ROOT_PASSWORD)" },
];

/** How the chat admin console is logged in to, as summaries say it (one wording; never the password itself). */
export const CHAT_ADMIN_LOGIN = `account ${OPENIM_DEFAULTS.chatAdminAccount}, password openim.chatAdminPassword or, when not given, the generated secrets["chat.adminPassword"] of state.json`;
