// The contract between the targets and OpenIM config generation: a target
// says where everything is; the generator builds every server and chat
// config file as objects (open-im-server config/*.yml@v3.8.3, chat
// config/*.yml@v1.8.4). Secrets never appear in files meant
// for ConfigMaps: in `env` mode they are empty in the YAML and delivered as
// IMENV_*/CHATENV_* variables from a Secret.

import type { SecretId } from '../secrets/secrets.js';

export interface OpenIMEndpoints {
  /**
   * `uri` wins over `address` upstream. A uri carrying a password cannot go
   * to a ConfigMap: the generator refuses it in `env` mode.
   */
  mongodb: {
    uri: string;
    address: string[];
    database: string;
    username: string;
    authSource: string;
    replicaSet?: string;
  };
  redis: { address: string[]; clusterMode: boolean };
  /** `username` empty = no SASL (the password is then left empty too). */
  kafka: { address: string[]; username: string; tls: boolean };
  objectStorage: {
    provider: 'minio' | 'rook-ceph' | 's3' | 'cos' | 'oss' | 'kodo';
    /** host:port the server reaches (minio.yml internalAddress); a URL for cos/oss/kodo/aws endpoints. */
    internalAddress: string;
    /** URL clients reach: presigned URLs point here (pain point 1). Never an in-cluster or loopback address. */
    externalAddress: string;
    bucket: string;
    region: string;
    useSSL: boolean;
  };
  discovery:
    /**
     * `username` empty = etcd without auth (the password is then left empty).
     * `namespace`: chat's discovery.yml kubernetes.namespace (unused with etcd; upstream's `default` when absent).
     */
    | { kind: 'etcd'; address: string[]; username: string; namespace?: string }
    | {
        kind: 'kubernetes';
        /** Written to `discovery.kubernetes.namespace`. */
        namespace: string;
        /** Module name → Kubernetes Service name; default: the module name (`openim-rpc-user`, `chat-rpc`, …). */
        serviceNames?: Record<string, string>;
      };
  /** URL chat uses to reach the server API (share.yml openIM.apiURL). */
  apiURL: string;
  /**
   * Where RPC servers listen and what address they register in discovery.
   * Single host: both loopback (RPC ports carry no authentication, and peers
   * must dial the address the server listens on). Kubernetes: all interfaces
   * and '' (upstream then registers the pod IP).
   */
  network: {
    rpcListenIP: string;
    rpcRegisterIP: string;
    /**
     * Client-facing listeners that honour listenIP (openim-api; chat-api/admin-api are written the same, though
     * chat 1.8 ignores it): every interface, or loopback when a proxy on the same host fronts them. Default 0.0.0.0.
     */
    publicListenIP?: string;
  };
  /**
   * Chat share.yml proxyHeader: the header a proxy in front of chat-api /
   * admin-api writes the single client address into; '' when no proxy does
   * (chat then uses the peer address).
   */
  chatProxyHeader: string;
  /** Grafana URL shown by the admin console, if monitoring is on. */
  grafanaURL: string;
}

export interface ConfigOptions {
  /** inline: secrets as «secret:id» placeholders in the files (binary target, 0640 files). env: secrets only via env. */
  secretMode: 'inline' | 'env';
  /** Log to stdout (journal, container logs) and optionally to files too. */
  logToStdout: boolean;
  logDirectory: string;
  /**
   * Instances per module name, for `ports` lists sized to `-i` indices.
   * Missing modules fall back to `spec.openim.replicas`, then the catalog's profile default.
   */
  instances: Record<string, number>;
}

/** File name → content object, e.g. `mongodb.yml` → {...}. */
export type ConfigFiles = Record<string, Record<string, unknown>>;

export interface GeneratedConfig {
  server: ConfigFiles;
  /** Empty when `openim.components.chat` is false. */
  chat: ConfigFiles;
  /** Env variables carrying secrets (env mode; empty in inline mode): name → secret id. */
  serverEnv: Record<string, SecretId>;
  chatEnv: Record<string, SecretId>;
}
