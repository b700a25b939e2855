// OpenIM config generation (server v3.8.3-patch.16 line, chat v1.8.4 line).
//
//   generateOpenIMConfig(spec: DeploySpec, endpoints: OpenIMEndpoints, options: ConfigOptions): GeneratedConfig
//     Pure. Builds every file an OpenIM server / chat process loads from its
//     config folder (`-c DIR`) as plain objects:
//       server: discovery kafka local-cache log minio mongodb notification redis
//               share webhooks openim-{api,crontask,msggateway,msgtransfer,push}
//               openim-rpc-{auth,conversation,friend,group,msg,third,user} (.yml)
//       chat:   chat-api-{admin,chat} chat-rpc-{admin,chat} discovery log mongodb
//               redis share (.yml); {} when openim.components.chat is false.
//     Ports come from the catalog, `autoSetPorts: false`, one port per instance
//     (instance N runs with `-i N`). Version quirks (k8s discovery value,
//     where service names live) come from the catalog.
//     Secrets: options.secretMode 'inline' → «secret:id» placeholders in the
//     files (the executor substitutes them when writing); 'env' → empty
//     strings in the files (safe for a ConfigMap) and serverEnv/chatEnv map
//     each IMENV_*/CHATENV_* variable to the secret id to inject.
//     Throws ConfigInputError for inputs that would give a broken install
//     (MinIO externalAddress clients cannot reach; a Mongo URI with a password
//     in env mode).
//
//   serialiseConfigFiles(files: ConfigFiles): Record<string, string>
//     File name → YAML text.
//
//   envVarName(product: 'server' | 'chat', file: string, keyPath: string[]): string
//     The env variable OpenIM reads for a key, e.g. ('server', 'minio.yml',
//     ['secretAccessKey']) → IMENV_MINIO_SECRETACCESSKEY.
//
//   findPortCollisions(spec, options, moduleNames): PortUse[][]
//     Ports two instances would both bind on one host (binary target checks).

export { generateOpenIMConfig } from './generate.js';
export { serialiseConfigFiles } from './serialise.js';
export { envPrefix } from './env.js';
export { findPortCollisions } from './ports.js';
export type { GeneratedConfig, OpenIMEndpoints } from './types.js';
