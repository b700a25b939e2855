// `install --bundle FILE` (offline.bundle): the bundle is verified before
// anything else happens, must hold everything this config needs, and is then
// the only source: charts and host files are taken out into <workdir>/bundle,
// and images must be in `images.mirror` (pushed from the bundle when missing).
// No connection leaves the machine: the only registry spoken to is the mirror.

import { isAbsolute, join, resolve } from 'node:path';
import type { Io } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { DockerConfigCredentials } from '../oci/credentials.js';
import { RegistryClient } from '../oci/registry-client.js';
import { formatImage } from '../catalog/images.js';
import { templatesDir } from '../util/package-root.js';
import { bundleContents } from './contents.js';
import { BundleError } from './errors.js';
import { extractMembers } from './extract.js';
import type { BundleManifest } from './manifest.js';
import { BUNDLE_WORK_DIR } from '../bundle-layout/names.js';
import { missingInMirror, pushBundle } from './push.js';
import { loadPublicKey } from './signature.js';
import { formatBytes } from './size.js';
import { ALLOW_UNVERIFIED_SIGNATURE, verifyBundle, type SignatureStatus } from './verify.js';

export interface VerifiedBundle {
  path: string;
  manifest: BundleManifest;
  sums: Map<string, string>;
  signature: SignatureStatus;
}

/** What this config needs that the bundle lacks, as config issues. */
export function bundleCoverage(spec: DeploySpec, manifest: BundleManifest, templatesDir: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (message: string) => issues.push({ path: 'offline.bundle', message });
  if (manifest.target !== spec.target)
    add(`the bundle was made for target ${manifest.target}, this config installs ${spec.target}`);
  if (
    manifest.openim.serverVersion !== spec.openim.serverVersion ||
    manifest.openim.chatVersion !== spec.openim.chatVersion
  ) {
    add(
      `the bundle holds OpenIM ${manifest.openim.serverVersion} / chat ${manifest.openim.chatVersion}, this config wants ${spec.openim.serverVersion} / ${spec.openim.chatVersion}`,
    );
  }
  const bundled = manifest.platforms
    .map((p) => p.split('/')[1])
    .filter((a): a is 'amd64' | 'arm64' => a === 'amd64' || a === 'arm64');
  const arches = spec.binary.arch !== 'auto' ? [spec.binary.arch] : bundled.length ? bundled : (['amd64'] as const);
  const needed = bundleContents(spec, { templatesDir, arches: [...arches] });
  const images = new Set(manifest.images.map((i) => i.ref));
  const missingImages = needed.images.map(formatImage).filter((r) => !images.has(r));
  if (missingImages.length)
    add(`the bundle lacks ${missingImages.length} image(s) this config uses: ${missingImages.join(', ')}`);
  const charts = needed.charts.filter(
    (c) => !manifest.charts.some((b) => b.name === c.name && b.version === c.version),
  );
  if (charts.length) add(`the bundle lacks chart(s) ${charts.map((c) => `${c.name}-${c.version}`).join(', ')}`);
  const files = needed.files.filter((f) => !manifest.files.some((b) => b.name === f.name));
  if (files.length) add(`the bundle lacks file(s) ${files.map((f) => f.name).join(', ')}`);
  if (issues.length) issues[issues.length - 1]!.hint = 'make the bundle with `bundle create` and the same config flags';
  return issues;
}

/** Step one of an offline install, before any probe, prompt or change: verify, then check coverage. */
export async function verifyBundleForInstall(
  spec: DeploySpec,
  options: {
    cwd: string;
    io: Io;
    templatesDir?: string;
    publicKeyFile?: string;
    allowUnverifiedSignature?: boolean;
    signal?: AbortSignal;
  },
): Promise<VerifiedBundle> {
  const path = isAbsolute(spec.offline.bundle) ? spec.offline.bundle : resolve(options.cwd, spec.offline.bundle);
  const publicKey = options.publicKeyFile
    ? await loadPublicKey(resolve(options.cwd, options.publicKeyFile))
    : undefined;
  const result = await verifyBundle(path, {
    ...(publicKey ? { publicKey } : {}),
    allowUnverifiedSignature: Boolean(options.allowUnverifiedSignature),
    keyFlag: '--bundle-key',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!result.ok || !result.manifest) throw new BundleError(path, result.problems);
  const issues = bundleCoverage(spec, result.manifest, options.templatesDir ?? templatesDir());
  if (issues.length) throw new ConfigError(issues, `bundle ${path} does not fit this config`);
  const sig =
    result.signature === 'valid'
      ? 'signature valid'
      : result.signature === 'unchecked'
        ? `signed, signature NOT checked (${ALLOW_UNVERIFIED_SIGNATURE})`
        : 'unsigned';
  options.io.err(`bundle ${path} verified: ${result.entries} files, ${formatBytes(result.bytes)}, ${sig}`);
  return { path, manifest: result.manifest, sums: result.sums, signature: result.signature };
}

/** After the go-ahead: charts and files into <workdir>/bundle; images into the mirror when missing there. */
export async function stageBundle(
  bundle: VerifiedBundle,
  spec: DeploySpec,
  options: {
    workdir: string;
    io: Io;
    env: Record<string, string | undefined>;
    concurrency: number;
    signal?: AbortSignal;
  },
): Promise<void> {
  const written = await extractMembers(bundle.path, join(options.workdir, BUNDLE_WORK_DIR), {
    prefixes: ['charts/', 'files/'],
    sums: bundle.sums,
  });
  options.io.err(
    `took ${written.length} charts and files out of the bundle into ${join(options.workdir, BUNDLE_WORK_DIR)}`,
  );
  if (spec.target !== 'kubernetes' || bundle.manifest.images.length === 0) return;
  const client = new RegistryClient({
    credentials: DockerConfigCredentials.fromEnv(options.env),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const missing = await missingInMirror(bundle.manifest.images, spec.images.mirror, client);
  if (missing.length === 0) {
    options.io.err(`all ${bundle.manifest.images.length} images are in ${spec.images.mirror}`);
    return;
  }
  options.io.err(`pushing ${missing.length} image(s) from the bundle to ${spec.images.mirror}`);
  const wanted = new Set(missing);
  await pushBundle(bundle.path, {
    registry: spec.images.mirror,
    client,
    concurrency: Math.min(options.concurrency, 4),
    only: (ref) => wanted.has(ref),
    report: (e) =>
      options.io.err(e.kind === 'image' ? `  pushed ${e.target}@${e.digest}` : `  retrying ${e.ref}: ${e.error}`),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
