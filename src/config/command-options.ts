// Flags shared by every command that reads a config, and their mapping onto
// the config layers (flags beat env, files and presets).

import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import type { ConfigInput } from './resolve.js';
import { setPath, type Plain } from './paths.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the config flags after a command's own (so --help lists them last); the options type follows (./flags.ts). */
export function addConfigOptions<Args extends unknown[], Opts extends OptionValues>(command: Command<Args, Opts>) {
  return command
    .option('--preset <name>', 'start from a preset (dev, production, offline, single-host, china-mirror)')
    .option('-c, --config <file>', 'YAML config file')
    .option('--set <path=value>', 'set any config key, e.g. --set openim.domain=im.example.com (repeatable)', collect)
    .addOption(new Option('--target <target>', 'kubernetes or binary'))
    .addOption(new Option('--profile <profile>', 'dev or production'))
    .option('--domain <host>', 'public host name (openim.domain)')
    .option('--namespace <ns>', 'Kubernetes namespace (kubernetes.namespace)')
    .option('--ingress <controller>', 'nginx, traefik, istio, gateway-api or none (kubernetes.ingress.controller)')
    .option('--storage <backend>', 'local-path, nfs, rook-ceph or existing (kubernetes.storage.backend)')
    .option('--mirror <registry>', 'rewrite every image to this registry (images.mirror)')
    .option('--bundle <file>', 'install from an offline bundle (offline.bundle)');
}

/** The config flags as an action receives them, typed from the declaration above. */
export type ConfigFlags = ReturnType<ReturnType<typeof addConfigOptions<[], Record<never, never>>>['opts']>;

const FLAG_PATHS: Record<keyof Omit<ConfigFlags, 'preset' | 'config' | 'set'>, string> = {
  target: 'target',
  profile: 'profile',
  domain: 'openim.domain',
  namespace: 'kubernetes.namespace',
  ingress: 'kubernetes.ingress.controller',
  storage: 'kubernetes.storage.backend',
  mirror: 'images.mirror',
  bundle: 'offline.bundle',
};

export function configInput(flags: ConfigFlags, env: Record<string, string | undefined>): ConfigInput {
  const layer: Plain = {};
  for (const [flag, path] of Object.entries(FLAG_PATHS)) {
    const value = flags[flag as keyof typeof FLAG_PATHS];
    if (value !== undefined) setPath(layer, path.split('.'), value);
  }
  return {
    ...(flags.preset !== undefined ? { preset: flags.preset } : {}),
    ...(flags.config !== undefined ? { file: flags.config } : {}),
    env,
    flags: layer,
    sets: flags.set ?? [],
  };
}

/** The config path an explicit flag sets, for messages ("pass --domain"). */
export function flagFor(path: string): string | undefined {
  const found = Object.entries(FLAG_PATHS).find(([, p]) => p === path);
  return found ? `--${found[0]}` : undefined;
}
