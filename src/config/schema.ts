// The one schema every input goes through: flags, files, presets, env and the
// wizard all end here. User-facing keys are fixed by issue #2; scripts depend on them.

import { z } from 'zod';
import {
  CHAT_RELEASES,
  DEFAULT_CHAT_VERSION,
  DEFAULT_SERVER_VERSION,
  SERVER_RELEASES,
} from '../catalog/openim-versions.js';
import { ALL_MODULES } from '../catalog/modules.js';
import { ownedDir } from './install-path.js';

// A control character (newline, NUL, escape...) in a secret is never a real
// password and breaks line-based formats (env files, redis.conf): refused here.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
/** A value that is a credential: never printed, generated when left empty. */
const secret = (description: string) =>
  z
    .string()
    .min(1)
    .regex(NO_CONTROL, 'must not contain control characters (newline, tab, NUL...)')
    .optional()
    .meta({ description, secret: true });

const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'must be a lower-case DNS name such as im.example.com, or an IPv4 address such as 203.0.113.10 (no scheme, no port, no path; IPv6 is not supported)',
  );

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'must be a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters',
  );

/** A Kubernetes object name the manifests refer to (a Secret, a StorageClass): a DNS-1123 subdomain, as the API server requires. */
const dnsSubdomain = z
  .string()
  .max(253, 'must be a Kubernetes object name (DNS-1123 subdomain): at most 253 characters')
  .regex(
    /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a Kubernetes object name (DNS-1123 subdomain): lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
  );

/** An S3 bucket name (the AWS naming rules, which MinIO and the S3-compatible clouds enforce too). */
const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'must be an S3 bucket name: 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit',
  )
  .refine(
    (b) => !b.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(b),
    'must be an S3 bucket name: no ".." and not an IP address',
  );

// The escaped [ reads as a literal; the committed JSON Schema carries this pattern verbatim.
// eslint-disable-next-line no-useless-escape -- kept on a line of its own, so formatting cannot move it
const MONGO_DATABASE_NAME = /^[^/\\. "$*<>:|?#@%\[\]\u0000-\u001f\u007f]{1,63}$/;

/** A MongoDB database name: mongod refuses / \\ . " $ * < > : | ? space and NUL, and names of 64 bytes or more; OpenIM puts it into its URI unescaped. */
const mongoDatabase = z
  .string()
  .regex(
    MONGO_DATABASE_NAME,
    'must be a MongoDB database name: 1-63 characters, none of / \\ . " $ * < > : | ? # @ % [ ] or spaces',
  );

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$/, 'must be a Kubernetes quantity such as 20Gi');

const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/:]+(:\d{1,5})?(\/\S*)?$/, 'must be an http(s) URL, e.g. https://mirror.example.com/openim/');

const hostPort = z.string().regex(/^[^\s:/]+:[0-9]{1,5}$/, 'must be host:port, e.g. mongo.internal:27017');

/**
 * Where OpenIM reaches external object storage: host:port or an http(s) URL without a path, as the
 * minio client and the cloud SDKs take it. Anything else reached `new URL` in the planner and
 * threw a TypeError there (found by src/safety/hostile-config.property.test.ts).
 */
const objectEndpoint = z
  .string()
  .refine(
    (v) =>
      v === '' ||
      ((/^https?:\/\/[^\s/:@?#]+(:\d{1,5})?\/?$/.test(v) || /^[^\s:/@?#]+:\d{1,5}$/.test(v)) &&
        URL.canParse(/^https?:/.test(v) ? v : `http://${v}`)),
    'must be host:port or an http(s) URL without a path, e.g. https://s3.eu-west-1.amazonaws.com or minio.internal:9000',
  );

const infraMode = z
  .enum(['bundled', 'external'])
  .meta({ description: 'bundled: the installer runs it; external: you give its address and credentials' });

const componentsSchema = z.strictObject({
  chat: z
    .boolean()
    .default(true)
    .meta({ description: 'Install openim-chat (chat-api, admin-api, chat-rpc, admin-rpc)' }),
  webFront: z.boolean().default(true).meta({ description: 'Install the web client (openim-web-front)' }),
  adminFront: z
    .boolean()
    .default(true)
    .meta({ description: 'Install the admin console (openim-admin-front); needs chat' }),
});

const openimSchema = z.strictObject({
  serverVersion: z
    .enum(SERVER_RELEASES.map((r) => r.version) as [string, ...string[]])
    .default(DEFAULT_SERVER_VERSION)
    .meta({ description: 'openim-server release' }),
  chatVersion: z
    .enum(CHAT_RELEASES.map((r) => r.version) as [string, ...string[]])
    .default(DEFAULT_CHAT_VERSION)
    .meta({ description: 'openim-chat release (must match the server line)' }),
  domain: z
    .union([hostname, z.literal('')])
    .default('')
    .meta({
      description:
        'Public host name or IPv4 address; drives ingress, TLS, the MinIO external address and the SDK URLs (an address: ingress rules match any host, no cert-manager certificate, the admin console is not published on Kubernetes)',
    }),
  components: componentsSchema.prefault({}),
  replicas: z
    .partialRecord(z.enum(ALL_MODULES.map((m) => m.name) as [string, ...string[]]), z.number().int().min(0).max(64))
    .default({})
    .meta({ description: 'Per-module replica (Kubernetes) or instance (binary) count, overriding the profile' }),
  secret: secret('OpenIM share.secret, identical in server and chat; generated when empty'),
  chatAdminPassword: secret(
    'Password of the chat admin console account (chatAdmin); generated when empty. Chat seeds the account with a well-known password, which install replaces through the admin API before the console is published',
  ),
  superCode: secret('chat verifyCode.superCode; the upstream default 666666 is refused in production'),
  allowRegister: z.boolean().optional().meta({
    description:
      'Let anyone register an account through chat (open registration); default: on for the dev profile, off for production, where accounts are made by the admin',
  }),
});

const tlsSchema = z.strictObject({
  mode: z
    .enum(['none', 'cert-manager', 'secret'])
    .default('none')
    .meta({ description: 'none | cert-manager (issuer) | secret (an existing TLS Secret)' }),
  issuer: z.string().default('letsencrypt').meta({ description: 'cert-manager issuer name (mode cert-manager)' }),
  issuerKind: z.enum(['ClusterIssuer', 'Issuer']).default('ClusterIssuer'),
  secretName: dnsSubdomain.default('').meta({ description: 'Existing kubernetes.io/tls Secret (mode secret)' }),
});

const ingressSchema = z.strictObject({
  controller: z
    .enum(['nginx', 'traefik', 'istio', 'gateway-api', 'none'])
    .default('traefik')
    .meta({ description: 'nginx (dev only) | traefik | istio | gateway-api | none' }),
  install: z
    .boolean()
    .default(false)
    .meta({ description: 'Install the controller itself (pinned chart) instead of using one already in the cluster' }),
  className: z
    .string()
    .default('')
    .meta({ description: 'IngressClass / GatewayClass name; empty = the controller default' }),
  tls: tlsSchema.prefault({}),
});

const storageSchema = z.strictObject({
  backend: z
    .enum(['local-path', 'nfs', 'rook-ceph', 'existing'])
    .default('local-path')
    .meta({ description: 'local-path | nfs | rook-ceph | existing' }),
  storageClass: dnsSubdomain
    .default('')
    .meta({ description: 'StorageClass to use; required when backend is existing' }),
  install: z
    .boolean()
    .default(true)
    .meta({ description: 'Install the provisioner for the backend (ignored for existing)' }),
  nfs: z
    .strictObject({
      server: z.string().default('').meta({ description: 'NFS server address (backend nfs)' }),
      path: z.string().default('').meta({ description: 'Exported path (backend nfs)' }),
    })
    .prefault({}),
  sizes: z
    .strictObject({
      mongodb: quantity.default('20Gi'),
      redis: quantity.default('5Gi'),
      kafka: quantity.default('20Gi'),
      objectStorage: quantity.default('50Gi'),
      monitoring: quantity.default('20Gi'),
      logging: quantity.default('20Gi'),
    })
    .prefault({}),
});

/** A Helm chart repository: an http(s) URL, or an `oci://` registry path. */
const chartRepo = z
  .string()
  .regex(
    /^(?:https?|oci):\/\/[^\s/:]+(:\d{1,5})?(\/\S*)?$/,
    'must be a chart repository URL: https://charts.example.com/path or oci://registry.example.com/path',
  );

const helmRepoMirrorsSchema = z
  .record(chartRepo, chartRepo)
  .default({})
  .superRefine((mirrors, ctx) => {
    for (const [from, to] of Object.entries(mirrors)) {
      // helm reads an oci:// chart as a reference and an http(s) one through --repo: a mirror must be the same kind.
      if (from.startsWith('oci://') !== to.startsWith('oci://'))
        ctx.addIssue({
          code: 'custom',
          path: [from],
          message: `mirror "${to}" must be the same kind of repository as "${from}" (both oci:// or both http(s)://)`,
        });
    }
  })
  .meta({
    description:
      'Chart repository mirrors for online installs: upstream repository URL (as pinned in the catalog, e.g. https://traefik.github.io/charts) → the URL to use instead. Not used with offline.bundle',
  });

const kubernetesSchema = z.strictObject({
  context: z.string().default('').meta({ description: 'kubeconfig context; empty = current' }),
  kubeconfig: z.string().default('').meta({ description: 'kubeconfig file; empty = $KUBECONFIG or ~/.kube/config' }),
  namespace: dnsLabel
    .default('openim')
    .meta({ description: 'Namespace for OpenIM and its infrastructure (cannot change after install)' }),
  ingress: ingressSchema.prefault({}),
  storage: storageSchema.prefault({}),
  helmTimeout: z
    .string()
    .regex(/^[0-9]+(s|m|h)$/, 'must be a duration such as 10m')
    .default('10m')
    .meta({ description: 'Timeout of each helm --wait' }),
  helmRepoMirrors: helmRepoMirrorsSchema,
});

const artifactSchema = z.strictObject({
  url: z
    .union([httpUrl, z.literal('')])
    .default('')
    .meta({
      description:
        'Where to download the export tarball or archive; empty = mirror base URL + file name (infrastructure: else the vendor URL)',
    }),
  file: z.string().default('').meta({ description: 'A local file instead of a download' }),
  sha256: z
    .union([z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lower-case hex digits'), z.literal('')])
    .default('')
    .meta({ description: 'Pinned SHA-256; required when the catalog has none for this version' }),
});

const goBuildSchema = z.strictObject({
  goproxy: z.string().default('').meta({
    description:
      "GOPROXY for the build; empty = the environment's (else Go's default, https://proxy.golang.org,direct)",
  }),
  goflags: z.string().default('').meta({ description: "GOFLAGS for the build; empty = the environment's" }),
  gonosumdb: z.string().default('').meta({
    description:
      "GONOSUMDB (module path patterns not checked against the checksum database); empty = the environment's",
  }),
  gosumdb: z
    .string()
    .default('')
    .meta({ description: "GOSUMDB (checksum database, or off); empty = the environment's" }),
  goprivate: z.string().default('').meta({ description: "GOPRIVATE; empty = the environment's" }),
  gotoolchain: z.string().default('').meta({
    description:
      "GOTOOLCHAIN: with a local Go older than the release needs, auto (Go's default) downloads the newer toolchain through the module proxy; local refuses",
  }),
  cacheDir: z
    .string()
    .default('')
    .meta({ description: 'Build cache, one folder per product and version; empty = <binary.stateDir>/build-cache' }),
});

const absolutePath = z.string().startsWith('/', 'must be an absolute path');

const proxyTlsSchema = z.strictObject({
  mode: z.enum(['none', 'self-signed', 'provided', 'acme']).optional().meta({
    description:
      "none (plain HTTP on port 80, e.g. behind your own TLS terminator) | self-signed (Caddy's internal CA; its root is copied to <configDir>/tls/ca.crt for clients to trust) | provided (your certificate and key files) | acme (Let's Encrypt HTTP-01, or another ACME directory); default: acme for production with a DNS name, else self-signed",
  }),
  acme: z
    .strictObject({
      email: z
        .string()
        .default('')
        .meta({ description: 'Contact address given to the ACME CA (expiry notices); optional' }),
      staging: z.boolean().default(false).meta({
        description:
          "Use Let's Encrypt's staging directory (untrusted certificates, high rate limits): for a first try",
      }),
      directory: z
        .union([
          z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, 'must be an https:// ACME directory URL'),
          z.literal(''),
        ])
        .default('')
        .meta({
          description: "Another ACME directory (a private CA such as step-ca or pebble); empty = Let's Encrypt",
        }),
      caRoot: z
        .union([absolutePath, z.literal('')])
        .default('')
        .meta({
          description:
            "PEM file of the CA that signs the private ACME directory's own TLS certificate (and its certificates); only with acme.directory",
        }),
    })
    .prefault({}),
  provided: z
    .strictObject({
      cert: z
        .union([absolutePath, z.literal('')])
        .default('')
        .meta({ description: 'PEM certificate chain for openim.domain (mode provided)' }),
      key: z
        .union([absolutePath, z.literal('')])
        .default('')
        .meta({
          description: 'PEM private key of that certificate (mode provided); must not be readable by other users',
        }),
    })
    .prefault({}),
});

const proxySchema = z.strictObject({
  enabled: z.boolean().optional().meta({
    description:
      "Run Caddy in front of OpenIM: one endpoint on 443 (HTTP on 80 redirects), the same routes as the Kubernetes ingress, OpenIM's own ports on loopback; default: on for production, off for dev",
  }),
  tls: proxyTlsSchema.prefault({}),
});

const binarySchema = z.strictObject({
  prefix: ownedDir
    .default('/opt/openim')
    .meta({ description: 'Install root: <prefix>/<version>/{bin,tools}, <prefix>/current' }),
  configDir: ownedDir.default('/etc/openim'),
  dataDir: ownedDir.default('/var/lib/openim'),
  stateDir: ownedDir.default('/var/lib/openim-deploy'),
  unitDir: z.string().startsWith('/', 'must be an absolute path').default('/etc/systemd/system'),
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a valid Linux user name')
    .default('openim'),
  arch: z.enum(['auto', 'amd64', 'arm64']).default('auto'),
  source: z.enum(['build', 'archive']).optional().meta({
    description:
      'Where the server and chat binaries come from: build (the local Go toolchain builds them from the Go module proxy at the catalog version, cached; the default when no archive is given) | archive (a mage export tarball: binary.artifacts.server/chat url or file + sha256, binary.mirror or the offline bundle; the default when one is given)',
  }),
  build: goBuildSchema.prefault({}),
  mirror: z
    .union([httpUrl, z.literal('')])
    .default('')
    .meta({ description: 'Base URL that serves the export tarballs and infrastructure archives' }),
  fileLogs: z
    .boolean()
    .default(false)
    .meta({ description: 'Also write OpenIM file logs (the journal always has them)' }),
  artifacts: z
    .strictObject({
      server: artifactSchema.prefault({}),
      chat: artifactSchema.prefault({}),
      // Upstream archives for bundled infrastructure on a host (vendor URL by default).
      mongodb: artifactSchema.prefault({}),
      mongosh: artifactSchema.prefault({}),
      kafka: artifactSchema.prefault({}),
      minio: artifactSchema.prefault({}),
      // MongoDB Database Tools for backup/restore: installed only when url or file is given.
      mongotools: artifactSchema.prefault({}),
      // Upstream archives for monitoring and logging on a host (monitoring.enabled / logging.enabled).
      grafana: artifactSchema.prefault({}),
      loki: artifactSchema.prefault({}),
      alloy: artifactSchema.prefault({}),
      // The reverse proxy (binary.proxy.enabled): Caddy's release archive.
      caddy: artifactSchema.prefault({}),
    })
    .prefault({}),
  proxy: proxySchema.prefault({}),
});

const mongodbSchema = z.strictObject({
  mode: infraMode.default('bundled'),
  uri: z.string().default('').meta({ description: 'Full mongodb:// URI (external); wins over address', secret: true }),
  address: z.array(hostPort).default([]).meta({ description: 'host:port list (external)' }),
  database: mongoDatabase.default('openim_v3'),
  username: z.string().default('openIM'),
  password: secret('MongoDB password of username; generated when bundled'),
  authSource: z
    .string()
    .default('')
    .meta({ description: 'Database holding the user; empty = database (use admin for a root user)' }),
  replicas: z
    .number()
    .int()
    .min(1)
    .max(7)
    .optional()
    .meta({ description: 'Replica-set members (bundled); default 1 dev, 3 production' }),
});

const redisSchema = z.strictObject({
  mode: infraMode.default('bundled'),
  address: z.array(hostPort).default([]).meta({ description: 'host:port list (external)' }),
  password: secret('Redis requirepass; generated when bundled'),
  clusterMode: z.boolean().default(false).meta({ description: 'External Redis is a Redis Cluster' }),
  replicas: z.number().int().min(1).max(7).optional().meta({
    description: 'Redis nodes (bundled); default 1 dev, 6 production (Redis Cluster: 3 masters + 3 replicas)',
  }),
});

const kafkaSchema = z.strictObject({
  mode: infraMode.default('bundled'),
  address: z
    .array(hostPort)
    .default([])
    .meta({ description: 'Bootstrap host:port list (external); must be the advertised listeners' }),
  username: z.string().default(''),
  password: secret('Kafka SASL password (external)'),
  tls: z.boolean().default(false),
  createTopics: z.boolean().default(true).meta({
    description:
      "Create toRedis/toMongo/toPush/toOfflinePush (8 partitions each; OpenIM does not) and register OpenIM's consumer groups at their earliest offsets when new (OpenIM's consumers start at the newest offset and would skip what was produced before they first joined)",
  }),
  brokers: z
    .number()
    .int()
    .min(1)
    .max(9)
    .optional()
    .meta({ description: 'KRaft brokers (bundled); default 1 dev, 3 production' }),
});

const objectStorageSchema = z.strictObject({
  provider: z
    .enum(['minio', 'rook-ceph', 's3', 'cos', 'oss', 'kodo'])
    .default('minio')
    .meta({ description: 'minio | rook-ceph | s3 | cos | oss | kodo' }),
  mode: infraMode.default('bundled').meta({ description: 'bundled (minio or rook-ceph) or external' }),
  endpoint: objectEndpoint.default('').meta({ description: 'Internal S3 endpoint host:port or URL (external)' }),
  externalAddress: z
    .string()
    .default('')
    .meta({ description: 'URL clients use for files; default https://<domain>/im-minio-api' }),
  bucket: bucketName.default('openim'),
  region: z.string().default(''),
  accessKey: secret('Access key ID; generated for bundled MinIO'),
  secretKey: secret('Secret access key; generated for bundled MinIO'),
});

const etcdSchema = z.strictObject({
  mode: infraMode.default('bundled'),
  address: z.array(hostPort).default([]).meta({ description: 'Endpoints (external)' }),
  username: z.string().default(''),
  password: secret('etcd password (external with auth)'),
});

const infrastructureSchema = z.strictObject({
  mongodb: mongodbSchema.prefault({}),
  redis: redisSchema.prefault({}),
  kafka: kafkaSchema.prefault({}),
  objectStorage: objectStorageSchema.prefault({}),
  etcd: etcdSchema.prefault({}).meta({ description: 'Discovery for the binary target; Kubernetes uses service names' }),
});

const monitoringSchema = z.strictObject({
  enabled: z.boolean().default(true),
  prometheusUrl: z.string().default('').meta({ description: 'Use this Prometheus instead of a bundled one' }),
  grafanaUrl: z.string().default('').meta({ description: 'Use this Grafana instead of a bundled one' }),
  grafanaAdminPassword: secret('Grafana admin password; generated when empty'),
});

const loggingSchema = z.strictObject({
  enabled: z.boolean().default(true),
  lokiUrl: z.string().default('').meta({ description: 'Ship logs to this Loki instead of a bundled one' }),
});

/**
 * `host[:port][/path]` of an image location: a registry host (with a dot, a port,
 * or localhost, so it cannot be read as a Docker Hub namespace) and repository
 * path elements as the distribution spec allows them.
 */
const imageLocation = z
  .string()
  .regex(
    /^(?:localhost|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?=:))(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    'must be host[:port][/path] such as docker.io/openim or registry.cn-hangzhou.aliyuncs.com/openimsdk (a registry host with a dot or a port, lower-case path, no scheme, no tag)',
  );

const imageRewriteSchema = z
  .strictObject({
    from: imageLocation.meta({
      description:
        'Upstream registry[/path] prefix, e.g. docker.io/openim (Docker Hub images are docker.io/<namespace>/<name>; official ones docker.io/library/<name>)',
    }),
    to: imageLocation.meta({
      description: 'Registry[/path] that replaces it, e.g. registry.cn-hangzhou.aliyuncs.com/openimsdk',
    }),
  })
  .meta({ description: 'One image rewrite rule' });

const imagesSchema = z.strictObject({
  registry: z.enum(['docker.io', 'ghcr.io', 'aliyun']).default('docker.io').meta({
    description: 'Where OpenIM images come from: docker.io | ghcr.io | aliyun (registry.cn-hangzhou.aliyuncs.com)',
  }),
  mirror: z.string().default('').meta({
    description:
      'Registry every image no images.rewrite rule matched is rewritten to (pull-through mirror or private registry), e.g. m.daocloud.io',
  }),
  rewrite: z
    .array(imageRewriteSchema)
    .default([])
    .superRefine((rules, ctx) => {
      const seen = new Set<string>();
      rules.forEach((rule, i) => {
        if (seen.has(rule.from))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'from'],
            message: `"${rule.from}" is the from of an earlier rule; give each prefix one rule`,
          });
        seen.add(rule.from);
      });
    })
    .meta({
      description:
        "Image rewrite rules for online installs, applied before images.mirror: the rule whose from is the longest prefix (whole path elements) of an image's upstream registry/repository moves it to to + the rest of its path; images.mirror then applies only to images no rule matched. Not used with offline.bundle (every image comes from images.mirror)",
    }),
  pullSecret: z.string().default('').meta({ description: 'imagePullSecret name for a private registry' }),
});

const verifySchema = z.strictObject({
  afterInstall: z.boolean().default(true).meta({
    description:
      'Run the real checks of `openim-deploy verify` as the last step of install (a failed check fails the install); off: run `openim-deploy verify` yourself',
  }),
  deliveryTimeoutSeconds: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(90)
    .meta({ description: 'How long verify waits for the push frame and the stored message' }),
});

const offlineSchema = z.strictObject({
  bundle: z.string().default('').meta({ description: 'Offline bundle file to install from (no network needed)' }),
});

export const deploySpecSchema = z
  .strictObject({
    target: z
      .enum(['kubernetes', 'binary'])
      .default('kubernetes')
      .meta({ description: 'kubernetes (Helm) | binary (systemd units on this host)' }),
    profile: z
      .enum(['dev', 'production'])
      .default('production')
      .meta({ description: 'dev: single instances; production: HA infrastructure and replicas' }),
    openim: openimSchema.prefault({}),
    kubernetes: kubernetesSchema.prefault({}),
    binary: binarySchema.prefault({}),
    infrastructure: infrastructureSchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    logging: loggingSchema.prefault({}),
    images: imagesSchema.prefault({}),
    offline: offlineSchema.prefault({}),
    verify: verifySchema.prefault({}),
  })
  // Defaults that depend on the profile; the JSON Schema (io: input) shows the field as optional.
  .transform((spec) => ({
    ...spec,
    openim: { ...spec.openim, allowRegister: spec.openim.allowRegister ?? spec.profile !== 'production' },
    binary: { ...spec.binary, proxy: proxyDefaults(spec.profile, spec.openim.domain, spec.binary.proxy) },
  }))
  .meta({
    title: 'openim-deploy configuration',
    description: 'DeploySpec: everything openim-deploy needs to install OpenIM',
  });

type ProxyInput = z.output<typeof proxySchema>;

/**
 * The proxy's profile-dependent defaults: on for production (one public HTTPS endpoint), off for
 * dev. Its TLS mode: ACME when production has a public DNS name Let's Encrypt can validate, else the
 * internal CA (an address, a *.localhost name, or dev); `none` only when asked for.
 */
function proxyDefaults(profile: 'dev' | 'production', domain: string, proxy: ProxyInput) {
  const enabled = proxy.enabled ?? profile === 'production';
  // A name Let's Encrypt can validate: a DNS name with a dot, not an address, not *.localhost.
  const publicName = domain.includes('.') && !/^[0-9.]+$/.test(domain) && !domain.endsWith('.localhost');
  const mode = proxy.tls.mode ?? (profile === 'production' && publicName ? 'acme' : 'self-signed');
  return { ...proxy, enabled, tls: { ...proxy.tls, mode } };
}

export type DeploySpecInput = z.input<typeof deploySpecSchema>;
/** The config model every command works from: the schema's output (rules.ts adds the cross-field checks). */
export type DeploySpec = z.output<typeof deploySpecSchema>;
