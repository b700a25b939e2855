// binary.source build: OpenIM server or chat built by the local Go toolchain
// from the Go module proxy, packed in the layout `mage export` writes, cached
// by version. The way upstream's own offline path works (`mage export`, in
// docs.openim.io's intranet deployment guide), minus
// mage: a scratch module that requires the release's module at the catalog
// version (`go install pkg@version` is not used: it ignores the module's
// replace directives and some proxies refuse it), `go mod tidy`, then one
// `go build` of every main package.
//
// The cache entry is complete only when its stamp is written last, after the
// tarball's SHA-256; a cached tarball is re-hashed and must match the stamp.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { tarEntry } from '../archive/tar/in-memory.js';
import { END_OF_ARCHIVE } from '../archive/tar/format.js';
import { binaryName } from '../catalog/go-builds.js';
import type { GoBuildAction } from '../plan/types.js';
import { DeployError, EXIT } from '../errors.js';

export interface GoBuildResult {
  sha256: string;
  bytes: number;
  cached: boolean;
  seconds: number;
  /** The cached tarball (copied to the action's `to`). */
  tarball: string;
}

export interface GoBuildContext {
  report: (text: string) => void;
  signal?: AbortSignal;
  /** The environment the `go` commands start from (tests inject one). */
  env?: NodeJS.ProcessEnv;
}

interface Stamp {
  module: string;
  version: string;
  arch: string;
  sha256: string;
  bytes: number;
  seconds: number;
  go: string;
}

export class GoBuildError extends DeployError {
  readonly code = 'BUILD_FAILED';
  readonly exitStatus = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'GoBuildError';
  }
}

/** Where a version's build lives in the cache. */
export function buildDir(action: Pick<GoBuildAction, 'cacheDir' | 'product' | 'version' | 'arch'>): string {
  return join(action.cacheDir, action.product, `${action.version}-linux-${action.arch}`);
}

async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The go environment: the user's, then the config's settings (binary.build.*), then the target platform. */
function goEnv(action: GoBuildAction, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    ...action.env,
    GOOS: 'linux',
    GOARCH: action.arch,
    CGO_ENABLED: '0',
    GOWORK: 'off',
    GOFLAGS: [action.env.GOFLAGS ?? base.GOFLAGS ?? '', '-mod=mod'].join(' ').trim(),
  };
}

/** Runs `go …` in `cwd`, streaming its last line to `report`; throws with the tail of its output. */
function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv, ctx: GoBuildContext): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
      const last = chunk.toString().trim().split('\n').pop();
      if (last) ctx.report(`go ${args[0]}: ${last.slice(0, 160)}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      reject(
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? new GoBuildError(
              'go not found on PATH: install Go (https://go.dev/dl/) or set binary.source archive with a mage export tarball',
            )
          : e,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else
        reject(
          new GoBuildError(`go ${args.join(' ')} exited ${code}:\n${out.trim().split('\n').slice(-15).join('\n')}`),
        );
    });
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** Packs bin/ and tools/ and the module's config/ as `mage export` lays them out. */
async function packExport(
  out: string,
  binDir: string,
  toolsDir: string,
  configDir: string | undefined,
  arch: string,
): Promise<void> {
  async function* entries(): AsyncGenerator<Buffer> {
    const dirs = [
      '_output/',
      '_output/bin/',
      '_output/bin/platforms/',
      '_output/bin/platforms/linux/',
      `_output/bin/platforms/linux/${arch}/`,
      '_output/bin/tools/',
      '_output/bin/tools/linux/',
      `_output/bin/tools/linux/${arch}/`,
    ];
    for (const d of dirs) yield tarEntry({ type: 'directory', path: d, mode: 0o755 });
    for (const [from, to] of [
      [binDir, `_output/bin/platforms/linux/${arch}`],
      [toolsDir, `_output/bin/tools/linux/${arch}`],
    ] as const) {
      for (const name of (await readdir(from)).sort())
        yield tarEntry({ path: `${to}/${name}`, mode: 0o755, data: await readFile(join(from, name)) });
    }
    if (configDir) {
      yield tarEntry({ type: 'directory', path: 'config/', mode: 0o755 });
      for (const file of await listFiles(configDir))
        yield tarEntry({ path: `config/${relative(configDir, file)}`, mode: 0o644, data: await readFile(file) });
    }
    yield END_OF_ARCHIVE;
  }
  await pipeline(Readable.from(entries()), createGzip({ level: 1 }), createWriteStream(out, { mode: 0o644 }));
}

async function readStamp(path: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/**
 * One build per cache folder at a time (two installs, or an install and a bundle create):
 * an exclusive lock file; one older than the longest build is taken over.
 */
async function withLock<T>(path: string, ctx: GoBuildContext, fn: () => Promise<T>): Promise<T> {
  const staleMs = 2 * 60 * 60 * 1000;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age =
        Date.now() -
        (await stat(path)
          .then((s) => s.mtimeMs)
          .catch(() => Date.now()));
      if (age > staleMs) {
        await rm(path, { force: true });
        continue;
      }
      ctx.report(`waiting for another build of the same version (${path})`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 2000);
        ctx.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            reject(ctx.signal!.reason);
          },
          { once: true },
        );
      });
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

/** Builds (or takes from the cache) the export tarball the action names and copies it to `to`. */
export async function goBuildExport(action: GoBuildAction, to: string, ctx: GoBuildContext): Promise<GoBuildResult> {
  await mkdir(join(action.cacheDir, action.product), { recursive: true });
  return withLock(`${buildDir(action)}.lock`, ctx, () => buildLocked(action, to, ctx));
}

async function buildLocked(action: GoBuildAction, to: string, ctx: GoBuildContext): Promise<GoBuildResult> {
  const dir = buildDir(action);
  const tarball = join(dir, action.fileName);
  const stampPath = join(dir, 'stamp.json');
  const env = goEnv(action, ctx.env ?? process.env);
  await mkdir(dir, { recursive: true });

  const stamp = await readStamp(stampPath);
  if (stamp && stamp.module === action.module && stamp.version === action.version && stamp.arch === action.arch) {
    const now = await sha256File(tarball).catch(() => undefined);
    if (now?.sha256 === stamp.sha256) {
      ctx.report(`cached build ${tarball} (sha256 ${stamp.sha256}, built with ${stamp.go} in ${stamp.seconds} s)`);
      await copyOut(tarball, to);
      return { sha256: stamp.sha256, bytes: now.bytes, cached: true, seconds: 0, tarball };
    }
    ctx.report(`cached build ${tarball} does not match its stamp: building again`);
  }

  const started = performance.now();
  const goVersion = (await runGo(['version'], dir, env, ctx)).trim();
  const src = join(dir, 'src');
  const bin = join(dir, 'bin');
  const tools = join(dir, 'tools');
  await rm(src, { recursive: true, force: true });
  await rm(bin, { recursive: true, force: true });
  await rm(tools, { recursive: true, force: true });
  await mkdir(src, { recursive: true });
  // Scratch module: require the release, keep its main packages reachable for `go mod tidy` (build tag: never compiled).
  const pkgs = [...action.services, ...action.tools].map((p) => `${action.module}/${p}`);
  await writeFile(
    join(src, 'go.mod'),
    `module openim-deploy.local/build\n\ngo ${action.goVersion}\n\nrequire ${action.module} ${action.version}\n`,
  );
  await writeFile(
    join(src, 'tools.go'),
    `//go:build tools\n\npackage build\n\nimport (\n${pkgs.map((p) => `\t_ "${p}"`).join('\n')}\n)\n`,
  );
  ctx.report(
    `go mod tidy: resolving ${action.module}@${action.version} through ${env.GOPROXY || 'the default Go module proxy'}`,
  );
  await runGo(['mod', 'tidy'], src, env, ctx);
  const listed = JSON.parse(await runGo(['list', '-m', '-json', action.module], src, env, ctx)) as {
    Dir?: string;
    Version?: string;
  };
  if (listed.Version !== action.version)
    throw new GoBuildError(`go resolved ${action.module} to ${listed.Version ?? 'nothing'}, not ${action.version}`);
  for (const [label, group, out] of [
    ['services', action.services, bin],
    ['tools', action.tools, tools],
  ] as const) {
    await mkdir(out, { recursive: true });
    ctx.report(
      `go build: ${group.length} ${label} of ${action.module}@${action.version} (${goVersion}, linux/${action.arch}; this takes minutes)`,
    );
    await runGo(
      ['build', '-trimpath', '-ldflags=-s -w', '-o', `${out}/`, ...group.map((p) => `${action.module}/${p}`)],
      src,
      env,
      ctx,
    );
    const built = await readdir(out);
    const missing = group.map(binaryName).filter((n) => !built.includes(n));
    if (missing.length) throw new GoBuildError(`go build left no ${missing.join(', ')} in ${out}`);
  }
  const configDir = listed.Dir ? join(listed.Dir, 'config') : undefined;
  const hasConfig = configDir
    ? await stat(configDir)
        .then((s) => s.isDirectory())
        .catch(() => false)
    : false;
  ctx.report(`packing ${tarball}`);
  const partial = `${tarball}.partial`;
  await packExport(partial, bin, tools, hasConfig ? configDir : undefined, action.arch);
  await rename(partial, tarball);
  const { sha256, bytes } = await sha256File(tarball);
  const seconds = Math.round((performance.now() - started) / 1000);
  await writeFile(
    stampPath,
    `${JSON.stringify({ module: action.module, version: action.version, arch: action.arch, sha256, bytes, seconds, go: goVersion } satisfies Stamp, null, 2)}\n`,
  );
  await rm(bin, { recursive: true, force: true });
  await rm(tools, { recursive: true, force: true });
  await copyOut(tarball, to);
  return { sha256, bytes, cached: false, seconds, tarball };
}

async function copyOut(from: string, to: string): Promise<void> {
  if (from === to) return;
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, `${to}.partial`);
  await rename(`${to}.partial`, to);
}
