// `bundle create | verify | inspect | push | keygen`: the offline bundle
// (issue #6). The work is in src/bundle and src/oci; this file parses flags,
// prints, and turns a bad bundle into a BundleError (exit 1).

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import type { HostArch } from '../catalog/host-artifacts.js';
import { DockerConfigCredentials } from '../oci/credentials.js';
import { parsePlatform } from '../oci/platform.js';
import { isLoopbackHost, RegistryClient } from '../oci/registry-client.js';
import { readCaFiles, registryTls } from '../http/tls.js';
import { bundleContents } from '../bundle/contents.js';
import { applyContentsFile } from '../bundle/contents-file.js';
import { createBundle, type CreateEvent } from '../bundle/create.js';
import { BundleError } from '../bundle/errors.js';
import { inspectBundle, type InspectReport } from '../bundle/inspect.js';
import { loadBundleImages } from '../bundle/load.js';
import { pushBundle } from '../bundle/push.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../bundle/signature.js';
import { formatBytes, parseSize } from '../bundle/size.js';
import { ALLOW_UNVERIFIED_SIGNATURE, verifyBundle, type VerifyResult } from '../bundle/verify.js';
import { packageVersion, templatesDir } from '../util/package-root.js';
import { configInput, type ConfigFlags } from '../config/command-options.js';
import { printWarnings } from './print-issues.js';
import type {
  BundleCreateFlags,
  BundleInspectFlags,
  BundleKeygenFlags,
  BundleLoadFlags,
  BundlePushFlags,
  BundleVerifyFlags,
} from './flags.js';

function sizeFlag(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = parseSize(text);
  if (n === undefined || n < min)
    throw new ConfigError([
      { path: flag, message: `"${text}" is not a size of at least ${formatBytes(min)}`, hint: 'e.g. 4G, 700M, 512Mi' },
    ]);
  return n;
}

/** `FROM=TO` pairs (repeatable flags). */
function pairs(flag: string, values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new ConfigError([{ path: flag, message: `"${v}" must be FROM=TO` }]);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

interface RegistryFlags {
  retries?: number;
  plainHttp?: string[];
  /** --ca-file: CAs to trust besides the system's. */
  caFiles?: string[];
  /** --tls-skip-verify: hosts spoken to over TLS without verifying their certificate. */
  skipVerify?: string[];
}

/** The registry client and the fetch (with the CAs and skip-verify hosts) the bundle commands use. */
async function registryAccess(
  ctx: CliContext,
  options: RegistryFlags = {},
): Promise<{ client: RegistryClient; fetch?: typeof fetch }> {
  const plain = new Set(options.plainHttp ?? []);
  const tlsHosts = new Set(options.skipVerify ?? []);
  const caPems = await readCaFiles((options.caFiles ?? []).map((f) => resolve(ctx.cwd, f))).catch((e: Error) => {
    throw new ConfigError([
      {
        path: '--ca-file',
        message: e.message,
        hint: 'give the PEM file of the CA that signed the registry certificate',
      },
    ]);
  });
  const tls = await registryTls({ caPems, skipVerify: [...tlsHosts] });
  const client = new RegistryClient({
    credentials: DockerConfigCredentials.fromEnv(ctx.env),
    // A host named for TLS is spoken to over TLS even on loopback.
    plainHttp: (host) => !tlsHosts.has(host) && (isLoopbackHost(host) || plain.has(host)),
    retries: options.retries ?? 4,
    signal: ctx.signal,
    userAgent: `openim-deploy/${packageVersion()}`,
    ...(tls ? { fetch: tls.fetch, tlsFor: tls.tlsFor } : {}),
  });
  return { client, ...(tls ? { fetch: tls.fetch } : {}) };
}

// ---------------------------------------------------------------- create

function describeEvent(e: CreateEvent): string | undefined {
  switch (e.kind) {
    case 'resume':
      return `resuming ${e.entries} complete entries (${formatBytes(e.bytes)}) from the interrupted run${e.cut ? `; ${e.cut}, cut there` : ''}`;
    case 'image':
      return `image ${e.ref} → ${e.digest} (${e.platforms.join(', ')}, ${e.blobs} blobs)`;
    case 'blob':
      return e.how === 'fetched'
        ? `  layer ${e.done}/${e.total} ${e.digest.slice(0, 19)} ${formatBytes(e.size)}`
        : undefined;
    case 'chart':
      return `chart ${e.name}-${e.version} (${e.how})`;
    case 'file':
      return `file ${e.name} (${e.how}${e.pinned ? ', SHA-256 pinned' : ''})`;
    case 'build':
      return `  build ${e.name}: ${e.message}`;
    case 'warning':
      return `warning: ${e.message}`;
  }
}

/**
 * Where bundle create caches OpenIM builds: binary.build.cacheDir, else the user's cache
 * ($XDG_CACHE_HOME or ~/.cache /openim-deploy/openim-build): the connected machine is not
 * the host, so the host's <binary.stateDir>/build-cache is not the place.
 */
function bundleBuildCache(
  spec: { binary: { build: { cacheDir: string } } },
  env: Record<string, string | undefined>,
): string {
  return (
    spec.binary.build.cacheDir ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'openim-deploy', 'openim-build')
  );
}

export async function bundleCreateCommand(ctx: CliContext, flags: BundleCreateFlags): Promise<void> {
  const platforms = (flags.platform ?? 'linux/amd64').split(',').map((p) => {
    try {
      return parsePlatform(p);
    } catch (error) {
      throw new ConfigError([{ path: '--platform', message: (error as Error).message }]);
    }
  });
  const concurrency = flags.concurrency ?? 4;
  const retries = flags.retries ?? 4;
  const splitBytes = sizeFlag('--split', flags.split, 64 * 1024);
  const pullMirrors = pairs('--pull-mirror', flags.pullMirror);
  const urlMirrors = pairs('--url-mirror', flags.urlMirror);
  const signingKey = flags.signKey ? await loadPrivateKey(flags.signKey) : undefined;
  // The bundle is for the config as given; where it will be installed from does not matter here:
  // no offline.bundle (the offline preset names one), so neither does the private registry an
  // offline install pushes to (images.mirror): the bundle holds upstream references either way.
  const input = configInput({ ...flags, bundle: undefined } as ConfigFlags, ctx.env);
  const resolved = resolveConfig({ ...input, sets: [...(input.sets ?? []), 'offline.bundle='] });
  const spec = { ...resolved.spec, offline: { ...resolved.spec.offline, bundle: '' } };
  printWarnings(ctx.io, resolved.warnings);

  const arches = [...new Set(platforms.map((p) => p.architecture))].filter(
    (a): a is HostArch => a === 'amd64' || a === 'arm64',
  );
  let contents = bundleContents(spec, {
    templatesDir: templatesDir(),
    arches: arches.length ? arches : ['amd64'],
    buildCacheDir: bundleBuildCache(spec, ctx.env),
  });
  if (flags.contentsFrom) contents = applyContentsFile(contents, resolve(ctx.cwd, flags.contentsFrom), templatesDir());

  // helm renders upstream charts for the images they run beyond the catalog pins.
  const helmPath = flags.helm ?? 'helm';
  const helmOk = contents.charts.some((c) => c.source !== 'local')
    ? (await ctx.runner.run([helmPath, 'version', '--short']).catch(() => ({ exitCode: 127 }))).exitCode === 0
    : false;
  if (!helmOk && contents.charts.some((c) => c.source !== 'local')) {
    ctx.io.err(
      `warning: ${helmPath} not found: upstream charts are not rendered, so only their catalog images are bundled (pass --helm PATH)`,
    );
    for (const gap of contents.gaps) ctx.io.err(`warning: ${gap}`);
  }

  const output = resolve(ctx.cwd, flags.output);
  const access = await registryAccess(ctx, {
    retries,
    plainHttp: flags.plainHttp ?? [],
    caFiles: flags.caFile ?? [],
    skipVerify: flags.tlsSkipVerify ?? [],
  });
  ctx.io.err(
    `bundle for ${spec.target}/${spec.profile}, OpenIM ${spec.openim.serverVersion} + chat ${spec.openim.chatVersion}: ${contents.images.length} images, ${contents.charts.length} charts, ${contents.files.length} files`,
  );
  const started = performance.now();
  const result = await createBundle({
    output,
    ...(splitBytes ? { splitBytes } : {}),
    contents,
    platforms,
    meta: {
      target: spec.target,
      profile: spec.profile,
      openim: { serverVersion: spec.openim.serverVersion, chatVersion: spec.openim.chatVersion },
      createdBy: `openim-deploy ${packageVersion()}`,
    },
    templatesDir: templatesDir(),
    concurrency,
    client: access.client,
    http: { retries, signal: ctx.signal, ...(access.fetch ? { fetch: access.fetch } : {}) },
    ...(signingKey ? { signingKey } : {}),
    ...(helmOk ? { helm: { runner: ctx.runner, helm: helmPath } } : {}),
    pullMirrors,
    urlMirrors,
    signal: ctx.signal,
    report: (e) => {
      const line = describeEvent(e);
      if (line) ctx.io.err(line);
    },
    ...(ctx.env.SOURCE_DATE_EPOCH ? { now: new Date(Number(ctx.env.SOURCE_DATE_EPOCH) * 1000) } : {}),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (flags.json) {
    ctx.io.out(`${JSON.stringify({ paths: result.paths, bytes: result.bytes, manifest: result.manifest }, null, 2)}\n`);
    return;
  }
  ctx.io.out(
    `wrote ${result.paths.join(', ')} (${formatBytes(result.bytes)}) in ${seconds}s: ${result.manifest.images.length} images, ${result.manifest.charts.length} charts, ${result.manifest.files.length} files${signingKey ? ', signed' : ''}\n`,
  );
}

// ---------------------------------------------------------------- verify

/** verifyBundle with the key (--key) and the explicit acceptance of an unchecked signature, as every bundle command takes them. */
async function verifyWithFlags(
  ctx: CliContext,
  path: string,
  flags: { key?: string; allowUnverifiedSignature?: boolean },
): Promise<VerifyResult> {
  const publicKey = flags.key ? await loadPublicKey(resolve(ctx.cwd, flags.key)) : undefined;
  return verifyBundle(path, {
    ...(publicKey ? { publicKey } : {}),
    allowUnverifiedSignature: Boolean(flags.allowUnverifiedSignature),
    keyFlag: '--key',
    signal: ctx.signal,
  });
}

function signatureText(result: VerifyResult): string {
  switch (result.signature) {
    case 'valid':
      return 'signature valid';
    case 'unchecked':
      return `signed; signature NOT checked (${ALLOW_UNVERIFIED_SIGNATURE})`;
    case 'absent':
      return 'not signed';
    default:
      return `signature ${result.signature}`;
  }
}

/** Verifies the bundle before a command uses it, unless --no-verify; a bad one throws, a good one is one line on stderr. */
async function verifyBeforeUse(
  ctx: CliContext,
  path: string,
  flags: { verify?: boolean; key?: string; allowUnverifiedSignature?: boolean },
): Promise<void> {
  if (flags.verify === false) return;
  const result = await verifyWithFlags(ctx, path, flags);
  if (!result.ok) throw new BundleError(path, result.problems);
  ctx.io.err(`verified ${path}: ${result.entries} files, ${signatureText(result)}`);
}

export async function bundleVerifyCommand(ctx: CliContext, file: string, flags: BundleVerifyFlags): Promise<void> {
  const path = resolve(ctx.cwd, file);
  const result = await verifyWithFlags(ctx, path, flags);
  if (flags.json) {
    const { sums: _sums, ...rest } = result;
    ctx.io.out(`${JSON.stringify({ file: path, ...rest }, null, 2)}\n`);
  }
  if (!result.ok) throw new BundleError(path, result.problems);
  if (!flags.json)
    ctx.io.out(
      `${path}: OK: ${result.entries} files, ${formatBytes(result.bytes)}, every checksum matches; ${signatureText(result)}\n`,
    );
}

// ---------------------------------------------------------------- inspect

function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  const m = r.manifest;
  lines.push(
    `${r.file}: ${formatBytes(r.bytes)}${r.parts.length > 1 ? ` in ${r.parts.length} parts` : ''}, ${r.totals.entries} files${r.signed ? ', signed' : ''}`,
  );
  if (m) {
    lines.push(
      `  made by ${m.createdBy} at ${m.createdAt} for ${m.target}/${m.profile}: OpenIM ${m.openim.serverVersion}, chat ${m.openim.chatVersion}; platforms ${m.platforms.join(', ')}`,
    );
    lines.push(`  components: ${m.components.join(', ') || '(none)'}`);
  } else lines.push('  manifest.json missing or unreadable (run bundle verify)');
  if (r.refused.length) {
    lines.push(
      '',
      `REFUSED entries (${r.refused.length}): bundle verify and install refuse this bundle; what follows ignores them`,
    );
    for (const e of r.refused) lines.push(`  ${JSON.stringify(e.path)}: ${e.reason}`);
  }
  lines.push(
    '',
    `images (${r.images.length}): ${formatBytes(r.totals.imageBytes)} stored, ${formatBytes(r.totals.imageBytesUnshared)} if each were stored alone`,
  );
  for (const i of r.images) {
    lines.push(
      `  ${i.ref}  ${i.digest.slice(0, 19)}  ${i.platforms.join(',')}  ${formatBytes(i.size)} (${formatBytes(i.ownSize)} own, ${i.sharedBlobs}/${i.blobs} blobs shared)`,
    );
  }
  if (r.shared.length) {
    lines.push('', `shared blobs (${r.shared.length}, stored once):`);
    for (const s of r.shared.slice(0, 20))
      lines.push(
        `  ${s.digest.slice(0, 19)} ${formatBytes(s.size)} used by ${s.usedBy.length}: ${s.usedBy.join(', ')}`,
      );
    if (r.shared.length > 20) lines.push(`  … and ${r.shared.length - 20} more (--json lists all)`);
  }
  lines.push('', `charts (${r.charts.length}, ${formatBytes(r.totals.chartBytes)}):`);
  for (const c of r.charts) lines.push(`  ${c.name}-${c.version} (${c.source}) ${formatBytes(c.size)}`);
  lines.push('', `files (${r.files.length}, ${formatBytes(r.totals.fileBytes)}):`);
  const unpinned = (f: { source?: string }) =>
    f.source?.startsWith('go build ')
      ? ` (built by bundle create: ${f.source}; digest recorded)`
      : ' (no pin: digest recorded at download)';
  for (const f of r.files) lines.push(`  ${f.name} (${f.arch}) ${formatBytes(f.size)}${f.pinned ? '' : unpinned(f)}`);
  return `${lines.join('\n')}\n`;
}

export async function bundleInspectCommand(ctx: CliContext, file: string, flags: BundleInspectFlags): Promise<void> {
  const report = await inspectBundle(resolve(ctx.cwd, file));
  ctx.io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspect(report));
  // Also on stderr, so a report piped elsewhere (or --json) does not leave it unseen.
  if (report.refused.length)
    ctx.io.err(
      `warning: ${report.file} holds ${report.refused.length} entries a bundle may not hold (listed ${flags.json ? 'under "refused"' : 'above'}); bundle verify and install refuse it`,
    );
}

// ---------------------------------------------------------------- push

export async function bundlePushCommand(ctx: CliContext, file: string, flags: BundlePushFlags): Promise<void> {
  const path = resolve(ctx.cwd, file);
  if (!/^[^\s/]+(\/[^\s]+)?$/.test(flags.registry))
    throw new ConfigError([
      { path: '--registry', message: 'must be host[:port][/prefix], e.g. registry.internal:5000' },
    ]);
  const concurrency = flags.concurrency ?? 4;
  const retries = flags.retries ?? 4;
  const chunkSize = sizeFlag('--chunk-size', flags.chunkSize, 64 * 1024);
  const host = flags.registry.split('/')[0]!;
  // Bad TLS flags are bad input: refused before the (long) verify.
  const { client } = await registryAccess(ctx, {
    retries,
    plainHttp: flags.plainHttp ? [host] : [],
    caFiles: flags.caFile ?? [],
    skipVerify: flags.tlsSkipVerify ? [host] : [],
  });
  // A tampered bundle must not reach the registry either.
  await verifyBeforeUse(ctx, path, flags);
  const pushed = await pushBundle(path, {
    registry: flags.registry,
    client,
    concurrency,
    ...(chunkSize ? { chunkSize } : {}),
    signal: ctx.signal,
    report: (e) =>
      ctx.io.err(
        e.kind === 'image'
          ? `pushed ${e.target} ${e.digest} (blobs: ${e.uploaded} uploaded, ${e.mounted} mounted, ${e.existing} already there)`
          : `retrying ${e.ref} alone: ${e.error}`,
      ),
  });
  if (flags.json) ctx.io.out(`${JSON.stringify(pushed, null, 2)}\n`);
  else
    ctx.io.out(
      `pushed ${pushed.length} images to ${flags.registry}; install with --set images.mirror=${flags.registry}\n`,
    );
}

// ---------------------------------------------------------------- load

export async function bundleLoadCommand(ctx: CliContext, file: string, flags: BundleLoadFlags): Promise<void> {
  const path = resolve(ctx.cwd, file);
  if (!/^[A-Za-z0-9._-]+$/.test(flags.namespace))
    throw new ConfigError([{ path: '--namespace', message: 'a containerd namespace: letters, digits, . _ -' }]);
  // A tampered bundle must not reach the node either.
  await verifyBeforeUse(ctx, path, flags);
  const refs = await loadBundleImages(path, {
    ctr: flags.ctr,
    address: flags.address,
    namespace: flags.namespace,
    signal: ctx.signal,
  });
  if (flags.json)
    ctx.io.out(`${JSON.stringify({ address: flags.address, namespace: flags.namespace, images: refs }, null, 2)}\n`);
  else
    ctx.io.out(
      `loaded ${refs.length} images into containerd ${flags.address} (namespace ${flags.namespace}):\n${refs.map((r) => `  ${r}\n`).join('')}`,
    );
}

// ---------------------------------------------------------------- keygen

export async function bundleKeygenCommand(ctx: CliContext, flags: BundleKeygenFlags): Promise<void> {
  const files = await generateKeyPair(resolve(ctx.cwd, flags.output), Boolean(flags.force));
  ctx.io.out(
    `wrote ${files.privateKey} (keep it secret; bundle create --sign-key) and ${files.publicKey} (give it to installers; bundle verify --key, install --bundle-key)\n`,
  );
}
