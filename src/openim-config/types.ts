// The contract between the targets and OpenIM config generation: a target
// says where everything is; the generator builds every server and chat
// config file as objects (OPENIM.md §3). Secrets never appear in files meant
// for ConfigMaps: in `env` mode they are empty in the YAML and delivered as
// IMENV_*/CHATENV_* variables from a Secret.

import type { SecretId } from '../secrets/secrets.js';

export interface OpenIMEndpoints {
  mongodb: { uri: string; address: string[]; database: string; username: string; authSource: string; replicaSet?: string };
  redis: { address: string[]; clusterMode: boolean };
  kafka: { address: string[]; username: string; tls: boolean };
  objectStorage: {
    provider: 'minio' | 'rook-ceph' | 's3' | 'cos' | 'oss' | 'kodo';
    /** host:port the server reaches (minio.yml internalAddress). */
    internalAddress: string;
    /** URL clients reach: presigned URLs point here (pain point 1). */
    externalAddress: string;
    bucket: string;
    region: string;
    useSSL: boolean;
  };
  discovery:
    | { kind: 'etcd'; address: string[]; username: string }
    | { kind: 'kubernetes'; enable: 'k8s' | 'kubernetes'; namespace: string };
  /** URL chat uses to reach the server API (share.yml openIM.apiURL). */
  apiURL: string;
  /** Grafana URL shown by the admin console, if monitoring is on. */
  grafanaURL: string;
}

export interface ConfigOptions {
  /** inline: secrets as «secret:id» placeholders in the files (binary target, 0640 files). env: secrets only via env. */
  secretMode: 'inline' | 'env';
  /** Log to stdout (journal, container logs) and optionally to files too. */
  logToStdout: boolean;
  logDirectory: string;
  /** Instances per module, for `ports` lists sized to `-i` indices. */
  instances: Record<string, number>;
}

/** File name → content object, e.g. `mongodb.yml` → {...}. */
export type ConfigFiles = Record<string, Record<string, unknown>>;

export interface GeneratedConfig {
  server: ConfigFiles;
  chat: ConfigFiles;
  /** Env variables carrying secrets (env mode): name → secret id. */
  serverEnv: Record<string, SecretId>;
  chatEnv: Record<string, SecretId>;
}
