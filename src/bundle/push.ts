// `bundle push`: every image of the bundle's OCI layout into a registry,
// keeping digests (manifests are sent byte for byte). Blobs the registry has
// are skipped, blobs already pushed to another repository are mounted, the
// rest uploaded in one PUT or in chunks. Up to `concurrency` images are in
// flight, and their blobs share one budget of `concurrency` transfers: the
// layers of one image go up side by side, so the last images of a push (or a
// single big one) still use every slot. Failed images are retried one at a time.

import { parseImage, resolveImage, formatImage } from '../catalog/images.js';
import { UserAbort } from '../errors.js';
import { Semaphore } from '../execute/semaphore.js';
import { RegistryClient, RegistryError } from '../oci/registry-client.js';
import { CertificateError } from '../http/tls.js';
import { layoutImages, type LayoutImage } from './images.js';
import { blobPath } from '../bundle-layout/names.js';
import { indexBundle, type BundleIndex } from './scan.js';

export interface PushOptions {
  /** `host:port[/prefix]`: images land at `<registry>/<upstream path>` (the `images.mirror` layout). */
  registry: string;
  client: RegistryClient;
  concurrency: number;
  /** Upload blobs larger than this in PATCH chunks of this size; 0 = one PUT per blob. */
  chunkSize?: number;
  report?: (event: PushEvent) => void;
  signal?: AbortSignal;
  /** Only these upstream refs (default: all). */
  only?: (ref: string) => boolean;
}

type PushEvent =
  | { kind: 'image'; ref: string; target: string; digest: string; uploaded: number; mounted: number; existing: number }
  | { kind: 'retry'; ref: string; error: string };

export interface PushedImage {
  ref: string;
  target: string;
  digest: string;
  blobs: { uploaded: number; mounted: number; existing: number };
}

/**
 * Where an upstream image lands in a mirror registry (the same rule install uses to rewrite
 * references: an offline install applies no `images.rewrite` rules, see specImageSource).
 */
export function mirrorTarget(ref: string, mirror: string): { registry: string; repository: string; tag: string } {
  const target = resolveImage(parseImage(ref), { registry: '', mirror, rewrite: [] });
  return { registry: target.registry, repository: target.repository, tag: target.tag };
}

class BlobPusher {
  /** digest → repositories on the target that already hold it (this run). */
  private readonly holders = new Map<string, string[]>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly index: BundleIndex,
    private readonly options: PushOptions,
  ) {}

  /** Blob transfers at once, across all images (set per round: the retry round takes one). */
  gate!: Semaphore;

  push(
    registry: string,
    repository: string,
    digest: string,
    size: number,
  ): Promise<'uploaded' | 'mounted' | 'existing'> {
    // Two images sharing a blob: the second waits for the first, then mounts it.
    const previous = this.inFlight.get(digest) ?? Promise.resolve();
    const work = previous.catch(() => undefined).then(() => this.pushOne(registry, repository, digest, size));
    this.inFlight.set(digest, work);
    return work;
  }

  private async pushOne(
    registry: string,
    repository: string,
    digest: string,
    size: number,
  ): Promise<'uploaded' | 'mounted' | 'existing'> {
    // Taken after waiting for an earlier push of the same digest: a waiter holds no slot.
    const release = await this.gate.acquire();
    try {
      if (this.options.signal?.aborted) throw new UserAbort();
      return await this.transfer(registry, repository, digest, size);
    } finally {
      release();
    }
  }

  private async transfer(
    registry: string,
    repository: string,
    digest: string,
    size: number,
  ): Promise<'uploaded' | 'mounted' | 'existing'> {
    const client = this.options.client;
    const held = this.holders.get(digest) ?? [];
    if (held.includes(repository) || (await client.blobExists(registry, repository, digest))) {
      this.remember(digest, repository);
      return 'existing';
    }
    let location: string | undefined;
    for (const from of held) {
      const started = await client.startUpload(registry, repository, { digest, fromRepo: from });
      if (started === 'mounted') {
        this.remember(digest, repository);
        return 'mounted';
      }
      location = started;
      break;
    }
    location ??= (await client.startUpload(registry, repository)) as string;
    const entry = this.index.byPath.get(blobPath(digest));
    if (!entry) throw new Error(`${blobPath(digest)} is missing from the bundle`);
    if (entry.size !== size) throw new Error(`${blobPath(digest)} has ${entry.size} bytes, its manifest says ${size}`);
    await client.uploadBlob(
      registry,
      repository,
      location,
      { digest, size },
      (start, end) => this.index.files.stream(entry.dataOffset + start, entry.dataOffset + end),
      this.options.chunkSize || undefined,
    );
    this.remember(digest, repository);
    return 'uploaded';
  }

  private remember(digest: string, repository: string): void {
    const list = this.holders.get(digest) ?? [];
    if (!list.includes(repository)) list.push(repository);
    this.holders.set(digest, list);
  }
}

async function pushImage(image: LayoutImage, blobs: BlobPusher, options: PushOptions): Promise<PushedImage> {
  const target = mirrorTarget(image.ref, options.registry);
  const counts = { uploaded: 0, mounted: 0, existing: 0 };
  if (options.signal?.aborted) throw new UserAbort();
  // All blobs of the image at once (the shared gate bounds them); settle all before
  // failing, so a retry never races a transfer of this attempt still running.
  const settled = await Promise.allSettled(
    image.blobs.map((b) => blobs.push(target.registry, target.repository, b.digest, b.size)),
  );
  const errors = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw errors.find((e) => e instanceof UserAbort) ?? errors[0];
  for (const r of settled) if (r.status === 'fulfilled') counts[r.value]++;
  for (const m of image.manifests) {
    const reference = m === image.root ? target.tag : m.digest;
    await options.client.putManifest(target.registry, target.repository, reference, m.bytes, m.mediaType);
  }
  const digest = await options.client.headManifest(target.registry, target.repository, target.tag, [
    RegistryClient.pushScope(target.repository),
  ]);
  if (digest !== image.root.digest)
    throw new Error(
      `${target.registry}/${target.repository}:${target.tag} resolves to ${digest ?? 'nothing'}, not ${image.root.digest}`,
    );
  return { ref: image.ref, target: formatImage({ ...target }), digest, blobs: counts };
}

export async function pushBundle(path: string, options: PushOptions): Promise<PushedImage[]> {
  const index = await indexBundle(path);
  try {
    const images = (await layoutImages(index)).filter((i) => !options.only || options.only(i.ref));
    const blobs = new BlobPusher(index, options);
    const results = new Map<string, PushedImage>();
    const failures = new Map<string, Error>();
    const run = async (list: LayoutImage[], concurrency: number) => {
      const gate = new Semaphore(concurrency);
      blobs.gate = new Semaphore(concurrency);
      await Promise.all(
        list.map(async (image) => {
          const release = await gate.acquire();
          try {
            const pushed = await pushImage(image, blobs, options);
            results.set(image.ref, pushed);
            failures.delete(image.ref);
            options.report?.({
              kind: 'image',
              ref: image.ref,
              target: pushed.target,
              digest: pushed.digest,
              ...pushed.blobs,
            });
          } catch (error) {
            if (error instanceof UserAbort) throw error;
            failures.set(image.ref, error as Error);
          } finally {
            release();
          }
        }),
      );
    };
    await run(images, Math.max(1, options.concurrency));
    // A registry that choked under load often takes the same images one at a time.
    for (let attempt = 0; attempt < 2 && failures.size > 0; attempt++) {
      // Refused credentials or names do not get better with a retry.
      const again = images.filter(
        (i) =>
          failures.has(i.ref) &&
          !(failures.get(i.ref) instanceof CertificateError) &&
          !(
            failures.get(i.ref) instanceof RegistryError &&
            [401, 403, 404].includes((failures.get(i.ref) as RegistryError).status)
          ),
      );
      if (again.length === 0) break;
      for (const i of again) options.report?.({ kind: 'retry', ref: i.ref, error: failures.get(i.ref)!.message });
      await run(again, 1);
    }
    if (failures.size > 0) {
      throw new Error(
        `${failures.size} image(s) could not be pushed:\n${[...failures].map(([ref, e]) => `  ${ref}: ${e.message}`).join('\n')}`,
      );
    }
    return images.map((i) => results.get(i.ref)!);
  } finally {
    await index.files.close();
  }
}

/** Which bundle images a mirror registry lacks (by digest). */
export async function missingInMirror(
  images: { ref: string; digest: string }[],
  mirror: string,
  client: RegistryClient,
): Promise<string[]> {
  const missing: string[] = [];
  for (const image of images) {
    const target = mirrorTarget(image.ref, mirror);
    // Only a 404 means missing: a refused certificate or credentials must be reported, not pushed over.
    const found = await client.headManifest(target.registry, target.repository, image.digest);
    if (found === undefined) missing.push(image.ref);
  }
  return missing;
}
