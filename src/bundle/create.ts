// `bundle create`: everything an install needs, in one streamed tar.
//
// Layout (in write order):
//   images/oci-layout, images/blobs/sha256/<hex> …   one OCI image layout, each blob once
//   charts/<name>-<version>.tgz                        own charts packed, upstream ones pulled
//   files/<name>                                       host artifacts and fetched manifests
//   images/index.json, manifest.json                   written last: they describe the above
//   checksums.sha256 [, checksums.sha256.sig]          sha256 of every file above; ed25519 signature
//
// The tar is written as FILE.partial (or FILE.partial.NNN parts) and renamed
// when complete. Downloads land in FILE.partial.d/ one blob at a time and are
// appended once verified, so no second copy of the bundle is ever made.
// Re-running the same command resumes: complete entries are kept.

import { buildDir, goBuildExport } from '../build/go-build.js';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { formatImage, type ImageRef } from '../catalog/images.js';
import { ConfigError, UserAbort } from '../errors.js';
import { Semaphore } from '../execute/semaphore.js';
import { digestHex } from '../oci/digest.js';
import type { HttpOptions } from '../http/request.js';
import type { Platform } from '../oci/media-types.js';
import { formatPlatform } from '../oci/platform.js';
import type { RegistryClient } from '../oci/registry-client.js';
import { pullLocation, resolveImage, type ImageLocation, type ResolvedImage } from '../oci/resolve.js';
import type { Runner } from '../process/runner.js';
import { renderChartImages } from './chart-images.js';
import { mirrorUrl, packChart, pullOciChart, pullRepoChart } from './charts.js';
import { formatChecksums } from './checksums.js';
import type { BundleChartSpec, BundleContents, BundleFileSpec } from './contents.js';
import { fetchVerified, localSource, urlOpener } from './download.js';
import type { BundleChart, BundleFileEntry, BundleImage, BundleManifest } from './manifest.js';
import {
  blobPath,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  chartPath,
  ENTRY,
  filePath,
  REF_ANNOTATIONS,
} from '../bundle-layout/names.js';
import { scanPartial } from './resume.js';
import { signChecksums } from './signature.js';
import { PartWriter } from '../archive/parts.js';
import { TarAppender } from '../archive/tar/appender.js';

export type CreateEvent =
  | { kind: 'resume'; entries: number; bytes: number; cut?: string }
  | { kind: 'image'; ref: string; digest: string; platforms: string[]; blobs: number }
  | { kind: 'blob'; digest: string; size: number; done: number; total: number; how: 'fetched' | 'kept' }
  | { kind: 'chart'; name: string; version: string; how: 'packed' | 'pulled' | 'kept' }
  | { kind: 'file'; name: string; how: 'fetched' | 'kept' | 'built'; pinned: boolean }
  | { kind: 'build'; name: string; message: string }
  | { kind: 'warning'; message: string };

export interface CreateOptions {
  output: string;
  splitBytes?: number;
  contents: BundleContents;
  platforms: Platform[];
  meta: Pick<BundleManifest, 'target' | 'profile' | 'openim' | 'createdBy'>;
  templatesDir: string;
  concurrency: number;
  client: RegistryClient;
  http: HttpOptions;
  signingKey?: KeyObject;
  /** Registry → mirror to pull its images from (`docker.io` → `m.daocloud.io`). */
  pullMirrors?: Record<string, string>;
  /** helm, to render upstream charts for the images they run; without it only catalog images are bundled. */
  helm?: { runner: Runner; helm: string };
  /** URL prefix → mirror prefix for chart repositories and downloads. */
  urlMirrors?: Record<string, string>;
  report?: (event: CreateEvent) => void;
  signal?: AbortSignal;
  /** For reproducible output (SOURCE_DATE_EPOCH). */
  now?: Date;
}

export interface CreateResult {
  paths: string[];
  manifest: BundleManifest;
  bytes: number;
}

/** A URL as recorded in manifest.json: credentials in it are not for the bundle's readers. */
function withoutUserinfo(source: string): string {
  try {
    const url = new URL(source);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return source;
  }
}

interface ScratchState {
  splitBytes: number | null;
}

async function readScratch(dir: string): Promise<ScratchState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as ScratchState;
  } catch {
    return undefined;
  }
}

/**
 * Stop and failure handling shared by every task of one run: `check` throws
 * once the run was told to stop or another task failed; `all` runs tasks
 * concurrently and lets every one settle before it raises the first real error.
 */
interface RunControl {
  check: () => void;
  all: <T, R>(items: T[], work: (item: T) => Promise<R>) => Promise<R[]>;
  interrupted: () => UserAbort;
}

function runControl(options: CreateOptions): RunControl {
  let failed = false;
  const interrupted = () => new UserAbort(`bundle create stopped; what is done is kept in ${options.output}.partial`);
  const check = () => {
    if (options.signal?.aborted) throw interrupted();
    if (failed) throw new Error('stopped: another download failed');
  };
  // Every task settles before an error is raised, so nothing writes after the archive is closed.
  const all = async <T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> => {
    const settled = await Promise.allSettled(
      items.map((item) =>
        work(item).catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    const rejected = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => s.reason as Error);
    const first = rejected.find((e) => !/^stopped: another download failed/.test(e.message)) ?? rejected[0];
    if (first) throw first;
    return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
  };
  return { check, all, interrupted };
}

/** One run of `bundle create`: its options, the open archive, the scratch folder and what a resumed run found. */
interface BundleRun extends RunControl {
  options: CreateOptions;
  report: (event: CreateEvent) => void;
  tar: TarAppender;
  partial: string;
  scratch: string;
  resumed: Awaited<ReturnType<typeof scanPartial>>;
  /** Limits concurrent downloads and resolutions to `options.concurrency`. */
  gate: Semaphore;
}

export async function createBundle(options: CreateOptions): Promise<CreateResult> {
  const { output, contents } = options;
  const report = options.report ?? (() => undefined);
  const control = runControl(options);
  refuseBadInputs(options);
  const { partial, scratch } = await openScratch(options);

  const resumed = await scanPartial(partial);
  if (resumed.entries.size)
    report({
      kind: 'resume',
      entries: resumed.entries.size,
      bytes: resumed.resumeAt,
      ...(resumed.cut ? { cut: resumed.cut } : {}),
    });
  const writer = await PartWriter.open(partial, options.splitBytes, resumed.resumeAt);
  const now = options.now ?? new Date();
  const tar = new TarAppender(writer, Math.floor(now.getTime() / 1000), options.signal);
  for (const [path, entry] of resumed.entries) tar.adopt(path, entry);

  try {
    if (!tar.has(ENTRY.ociLayout))
      await tar.appendBuffer(ENTRY.ociLayout, Buffer.from(`${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`));
    const imageRefs = new Map(contents.images.map((ref) => [formatImage(ref), ref]));
    const run: BundleRun = {
      ...control,
      options,
      report,
      tar,
      partial,
      scratch,
      resumed,
      gate: new Semaphore(Math.max(1, options.concurrency)),
    };

    // 1. Charts first: upstream ones are rendered for the images they run.
    const charts = await appendCharts(run, imageRefs);
    // 2. Resolve every image (manifests only), a few at a time.
    const resolved = await resolveImages(run, [...imageRefs.values()]);
    // 3. Manifests and configs are in memory: append them now.
    await appendImageManifests(run, resolved);
    // 4. Layers: each distinct blob once, downloaded concurrently, appended when verified.
    await appendLayers(run, resolved);
    // 5. Host artifacts and fetched manifests.
    const files = await appendFiles(run);

    // 6. The OCI index, manifest.json, checksums, signature: never for a run that was told to stop.
    run.check();
    await tar.appendBuffer(ENTRY.ociIndex, Buffer.from(`${JSON.stringify(ociIndex(resolved), null, 2)}\n`));
    const manifest = bundleManifest(options, now, bundleImages(tar, resolved), charts, files);
    await tar.appendBuffer(ENTRY.manifest, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await appendChecksums(run);
    await tar.end();
    await writer.sync();
    // The last moment a Ctrl-C counts: after the rename the bundle is whole and the run succeeded.
    run.check();
    const bytes = writer.position;
    const paths = await writer.finish(output);
    await rm(scratch, { recursive: true, force: true });
    return { paths, manifest, bytes };
  } catch (error) {
    await writer.close().catch(() => undefined);
    // Whatever a Ctrl-C made fail (a download cut off, a build killed) is the interrupt, not a failure.
    if (options.signal?.aborted) throw control.interrupted();
    throw error;
  }
}

/** Bad input: a clear error before anything is written. */
function refuseBadInputs(options: CreateOptions): void {
  for (const f of options.contents.files)
    if (f.missing) throw new ConfigError([{ path: `files.${f.id}`, message: f.missing }]);
  if (existsSync(options.output))
    throw new ConfigError([
      { path: '-o', message: `${options.output} already exists`, hint: 'remove it or choose another file' },
    ]);
}

/** The scratch folder beside the partial bundle; a resumed run must use the --split it was started with. */
async function openScratch(options: CreateOptions): Promise<{ partial: string; scratch: string }> {
  const { output } = options;
  const partial = `${output}.partial`;
  const scratch = `${output}.partial.d`;
  await mkdir(dirname(output), { recursive: true });
  const previous = await readScratch(scratch);
  if (previous && (previous.splitBytes ?? undefined) !== options.splitBytes) {
    throw new ConfigError([
      {
        path: '--split',
        message: `an interrupted bundle at ${partial} was started with ${previous.splitBytes ? `--split ${previous.splitBytes}` : 'no --split'}`,
        hint: `use the same value to resume, or delete ${partial}* to start over`,
      },
    ]);
  }
  await mkdir(scratch, { recursive: true });
  await writeFile(join(scratch, 'state.json'), JSON.stringify({ splitBytes: options.splitBytes ?? null }));
  return { partial, scratch };
}

/** Every chart, one at a time: local ones packed, upstream ones pulled and rendered for the images they run (added to `imageRefs`). */
async function appendCharts(run: BundleRun, imageRefs: Map<string, ImageRef>): Promise<BundleChart[]> {
  const { tar, options } = run;
  const charts: BundleChart[] = [];
  for (const chart of options.contents.charts) {
    run.check();
    let path = chartPath(chart);
    let how: 'packed' | 'pulled' | 'kept' = 'kept';
    if (chart.source === 'local') {
      const packed = packChart(join(options.templatesDir, 'charts', chart.name));
      path = chartPath(packed);
      if (!tar.has(path)) {
        await tar.appendBuffer(path, packed.tgz);
        how = 'packed';
      }
    } else if (await appendUpstreamChart(run, chart, path, imageRefs)) how = 'pulled';
    const entry = tar.entries.get(path)!;
    charts.push({
      name: chart.name,
      version: chart.version,
      source: chart.source,
      repo: chart.repo,
      path,
      sha256: entry.sha256,
      size: entry.size,
      ...(chart.license ? { license: chart.license } : {}),
    });
    run.report({ kind: 'chart', name: chart.name, version: chart.version, how });
  }
  return charts;
}

/** Pulls an upstream chart unless the partial bundle has it (true when pulled), then renders it for its images. */
async function appendUpstreamChart(
  run: BundleRun,
  chart: BundleChartSpec,
  path: string,
  imageRefs: Map<string, ImageRef>,
): Promise<boolean> {
  const { tar, options, scratch } = run;
  const temp = join(scratch, `chart-${chart.name}-${chart.version}.tgz`);
  let pulled = false;
  if (!tar.has(path)) {
    const got =
      chart.source === 'oci'
        ? await pullOciChart(chart, temp, options.client, options.pullMirrors)
        : await pullRepoChart(chart, temp, options.http, options.urlMirrors);
    await tar.appendFile(path, got.file, got.size, got.sha256);
    pulled = true;
  } else await writeFile(temp, run.resumed.small.get(path) ?? Buffer.alloc(0));
  if (options.helm) await addRenderedImages(run, chart, temp, imageRefs);
  await rm(temp, { force: true });
  return pulled;
}

/** Images an upstream chart runs beyond the catalog's: bundled too, each with a warning to pin it. */
async function addRenderedImages(
  run: BundleRun,
  chart: BundleChartSpec,
  chartFile: string,
  imageRefs: Map<string, ImageRef>,
): Promise<void> {
  const rendered = await renderChartImages(
    {
      release: chart.release?.name ?? chart.name,
      namespace: chart.release?.namespace ?? 'default',
      chartFile,
      values: chart.release?.values ?? '',
    },
    { ...run.options.helm!, scratch: run.scratch },
  );
  if ('error' in rendered)
    run.report({
      kind: 'warning',
      message: `chart ${chart.name} ${chart.version} could not be rendered (${rendered.error}): only its catalog images are bundled`,
    });
  else
    for (const ref of rendered.images)
      if (!imageRefs.has(formatImage(ref))) {
        imageRefs.set(formatImage(ref), ref);
        run.report({
          kind: 'warning',
          message: `chart ${chart.name} ${chart.version} also runs ${formatImage(ref)}: bundled (pin it in the catalog)`,
        });
      }
}

async function resolveImages(run: BundleRun, refs: ImageRef[]): Promise<ResolvedImage[]> {
  const { options } = run;
  return run.all(refs, async (ref) => {
    const release = await run.gate.acquire();
    try {
      run.check();
      const image = await resolveImage(
        options.client,
        ref,
        options.platforms,
        pullLocation(ref, options.pullMirrors ?? {}),
        (digest) => run.resumed.small.get(blobPath(digest)),
      );
      run.report({
        kind: 'image',
        ref: formatImage(ref),
        digest: image.root.digest,
        platforms: image.platforms,
        blobs: image.blobs.length,
      });
      return image;
    } finally {
      release();
    }
  });
}

async function appendImageManifests(run: BundleRun, resolved: ResolvedImage[]): Promise<void> {
  const { tar } = run;
  for (const image of resolved) {
    for (const m of image.manifests)
      if (!tar.has(blobPath(m.digest))) await tar.appendBuffer(blobPath(m.digest), m.bytes);
    for (const [digest, bytes] of image.inline)
      if (!tar.has(blobPath(digest))) await tar.appendBuffer(blobPath(digest), bytes);
  }
}

async function appendLayers(run: BundleRun, resolved: ResolvedImage[]): Promise<void> {
  const { tar, options } = run;
  const layers = new Map<string, { size: number; from: ImageLocation; ref: ImageRef }>();
  for (const image of resolved)
    for (const b of image.blobs)
      if (!image.inline.has(b.digest) && !layers.has(b.digest))
        layers.set(b.digest, { size: b.size, from: image.from, ref: image.ref });
  let done = 0;
  const total = layers.size;
  await run.all([...layers], async ([digest, { size, from, ref }]) => {
    if (tar.has(blobPath(digest))) {
      run.report({ kind: 'blob', digest, size, done: ++done, total, how: 'kept' });
      return;
    }
    const release = await run.gate.acquire();
    try {
      run.check();
      const temp = join(run.scratch, digestHex(digest));
      const got = await fetchVerified(
        `layer ${digest} of ${formatImage(ref)}`,
        temp,
        { sha256: digestHex(digest), size },
        (offset) => options.client.openBlob(from.registry, from.repository, digest, offset),
      );
      await tar.appendFile(blobPath(digest), got.file, got.size, got.sha256);
      await rm(got.file, { force: true });
      run.report({ kind: 'blob', digest, size, done: ++done, total, how: 'fetched' });
    } finally {
      release();
    }
  });
}

/** Every host artifact and fetched manifest, concurrently; sorted by path. */
async function appendFiles(run: BundleRun): Promise<BundleFileEntry[]> {
  const { tar } = run;
  const files: BundleFileEntry[] = [];
  await run.all(run.options.contents.files, async (f) => {
    const path = filePath(f.name);
    const how = tar.has(path) ? 'kept' : await appendFile(run, f, path);
    const entry = tar.entries.get(path)!;
    if (f.sha256 && entry.sha256 !== f.sha256)
      throw new Error(
        `${path} in the partial bundle does not match its pin ${f.sha256}; delete ${run.partial}* and start over`,
      );
    if (!f.sha256 && !f.build)
      run.report({
        kind: 'warning',
        message: `${f.name} has no SHA-256 pin: the bundle records the digest of what was downloaded (${entry.sha256})`,
      });
    files.push({
      id: f.id,
      name: f.name,
      path,
      arch: f.arch,
      source: withoutUserinfo(f.source),
      sha256: entry.sha256,
      pinned: Boolean(f.sha256),
      size: entry.size,
      ...(f.license ? { license: f.license } : {}),
    });
    run.report({ kind: 'file', name: f.name, how, pinned: Boolean(f.sha256) });
  });
  files.sort((a, b) => a.path.localeCompare(b.path));
  return files;
}

/** Appends one file: built with the local Go toolchain, read from a local path, or downloaded and verified. */
async function appendFile(run: BundleRun, f: BundleFileSpec, path: string): Promise<'fetched' | 'built'> {
  const { tar, options } = run;
  const release = await run.gate.acquire();
  try {
    run.check();
    const source = mirrorUrl(f.source, options.urlMirrors ?? {});
    const local = f.build ? undefined : localSource(source);
    if (f.build) {
      // Built with the local Go toolchain (or taken from its cache), then appended from the cache.
      const action = f.build;
      const built = await goBuildExport(action, join(buildDir(action), action.fileName), {
        report: (message) => run.report({ kind: 'build', name: f.name, message }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await tar.appendFile(path, built.tarball, built.bytes, built.sha256);
      return 'built';
    }
    if (local !== undefined) {
      // Read where it is, no scratch copy, hashed once as it is copied; a pinned file whose
      // bytes do not match is refused and taken back out of the archive by the writer.
      await tar.appendFile(path, local, (await stat(local)).size, f.sha256 || undefined);
    } else {
      const got = await fetchVerified(
        `${f.id} ${f.name}`,
        join(run.scratch, `file-${f.name}`),
        f.sha256 ? { sha256: f.sha256 } : {},
        urlOpener(source, options.http),
      );
      await tar.appendFile(path, got.file, got.size, got.sha256);
      await rm(got.file, { force: true });
    }
    return 'fetched';
  } finally {
    release();
  }
}

/** manifest.json's image list: each image's blobs and their total size in this bundle. */
function bundleImages(tar: TarAppender, resolved: ResolvedImage[]): BundleImage[] {
  return resolved.map((image) => {
    const digests = [
      ...new Set([
        ...image.manifests.map((m) => m.digest),
        ...image.inline.keys(),
        ...image.blobs.map((b) => b.digest),
      ]),
    ];
    return {
      ref: formatImage(image.ref),
      digest: image.root.digest,
      mediaType: image.root.mediaType,
      sourceDigest: image.sourceDigest,
      platforms: image.platforms,
      size: digests.reduce((n, d) => n + (tar.entries.get(blobPath(d))?.size ?? 0), 0),
      blobs: digests,
    };
  });
}

/** images/index.json: one entry per image, named for containerd and OCI tools. */
function ociIndex(resolved: ResolvedImage[]) {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: resolved.map((image) => ({
      mediaType: image.root.mediaType,
      digest: image.root.digest,
      size: image.root.bytes.length,
      annotations: {
        [REF_ANNOTATIONS.refName]: formatImage(image.ref),
        [REF_ANNOTATIONS.containerdName]: formatImage(image.ref),
      },
    })),
  };
}

function bundleManifest(
  options: CreateOptions,
  now: Date,
  images: BundleImage[],
  charts: BundleChart[],
  files: BundleFileEntry[],
): BundleManifest {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdBy: options.meta.createdBy,
    createdAt: now.toISOString(),
    target: options.meta.target,
    profile: options.meta.profile,
    openim: options.meta.openim,
    components: options.contents.components,
    platforms: options.platforms.map(formatPlatform),
    images,
    charts,
    files,
  };
}

/** checksums.sha256 over every entry so far, and its signature when a key is given. */
async function appendChecksums(run: BundleRun): Promise<void> {
  const { tar, options } = run;
  const sums = new Map([...tar.entries].map(([path, e]) => [path, e.sha256]));
  const checksums = formatChecksums(sums);
  await tar.appendBuffer(ENTRY.checksums, checksums);
  if (options.signingKey) await tar.appendBuffer(ENTRY.signature, signChecksums(checksums, options.signingKey));
}
