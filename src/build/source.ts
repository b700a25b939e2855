// Which way the binary target gets OpenIM server and chat, and the build
// action when it builds them (binary.source; src/build/go-build.ts runs it).

import { join } from 'node:path';
import type { DeploySpec } from '../config/schema.js';
import { goVersionFor, OPENIM_GO_BUILDS } from '../catalog/go-builds.js';
import { OPENIM_EXPORTS, substitute } from '../catalog/host-artifacts.js';
import type { GoBuildAction } from '../plan/types.js';

export type Product = 'server' | 'chat';

/** binary.source, or when unset: archive when one is given (artifact url/file, mirror, offline bundle), else build. */
export function binarySource(spec: DeploySpec, product: Product): 'build' | 'archive' {
  if (spec.binary.source) return spec.binary.source;
  const a = spec.binary.artifacts[product];
  return a.url || a.file || spec.binary.mirror || spec.offline.bundle ? 'archive' : 'build';
}

export function productVersion(spec: DeploySpec, product: Product): string {
  return product === 'server' ? spec.openim.serverVersion : spec.openim.chatVersion;
}

/** binary.build.cacheDir, else <binary.stateDir>/build-cache (root-owned, beside the state it belongs to). */
function buildCacheDir(spec: DeploySpec): string {
  return spec.binary.build.cacheDir || join(spec.binary.stateDir, 'build-cache');
}

/** The Go variables the config sets; the user's environment supplies the rest. */
function buildEnv(spec: DeploySpec): Record<string, string> {
  const b = spec.binary.build;
  const pairs: [string, string][] = [
    ['GOPROXY', b.goproxy],
    ['GOFLAGS', b.goflags],
    ['GONOSUMDB', b.gonosumdb],
    ['GOSUMDB', b.gosumdb],
    ['GOPRIVATE', b.goprivate],
    ['GOTOOLCHAIN', b.gotoolchain],
  ];
  return Object.fromEntries(pairs.filter(([, v]) => v !== ''));
}

export function goBuildAction(spec: DeploySpec, product: Product, arch: string, to: string): GoBuildAction {
  const build = OPENIM_GO_BUILDS[product];
  const version = productVersion(spec, product);
  return {
    kind: 'go-build',
    product,
    module: build.module,
    version,
    goVersion: goVersionFor(product, version),
    arch,
    services: [...build.services],
    tools: [...build.tools],
    env: buildEnv(spec),
    cacheDir: buildCacheDir(spec),
    fileName: substitute(OPENIM_EXPORTS[product].fileName, { version, arch }),
    to,
  };
}

/** Go version "go1.22.7" / "1.22" compared numerically: a < b. */
export function goOlder(a: string, b: string): boolean {
  const parts = (v: string) =>
    v
      .replace(/^go/, '')
      .split(/[.\s-]/)
      .slice(0, 3)
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}
