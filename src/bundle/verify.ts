// `bundle verify`: one streaming pass over the whole bundle. Every entry must
// be a safe regular file, listed once in checksums.sha256 with the right
// digest; blobs must match their names; every image in the OCI index must be
// complete; the signature (when a key is given) must match the list. Each
// problem names the file it is about. A signed bundle checked without a key
// is refused unless the caller says it accepts that (issue #19): a signature
// nobody checks protects nothing, and "verified" must not hide that.

import type { KeyObject } from 'node:crypto';
import { HashCounter } from '../util/hash.js';
import { isIndexType, type Descriptor } from '../oci/media-types.js';
import { parseChecksums } from './checksums.js';
import type { BundleProblem } from './errors.js';
import { parseManifest, type BundleManifest } from './manifest.js';
import { blobDigestOf, blobPath, ENTRY, REF_ANNOTATIONS } from '../bundle-layout/names.js';
import { checkSignature } from './signature.js';
import { TarFormatError } from '../archive/tar/format.js';
import { PartFiles } from '../archive/parts.js';
import { indexBundle, type BundleIndex } from './scan.js';
import { readTar } from '../archive/tar/reader.js';
import { checkBundleEntry, UnsafeEntryError } from '../archive/safe-path.js';

export type SignatureStatus = 'valid' | 'invalid' | 'missing' | 'unchecked' | 'absent';

export interface VerifyResult {
  ok: boolean;
  problems: BundleProblem[];
  manifest?: BundleManifest;
  /** Path → sha256 of every entry as read (for extraction that re-checks). */
  sums: Map<string, string>;
  entries: number;
  bytes: number;
  /** valid/invalid: checked with the key; missing: a key was given but the bundle is unsigned; unchecked: signed, no key given; absent: unsigned, no key. */
  signature: SignatureStatus;
}

/** Small entries kept in memory to check the image graph (manifests, configs, metadata). */
const KEEP_BELOW = 256 * 1024;

export interface VerifyOptions {
  publicKey?: KeyObject;
  /** Accept a signed bundle without checking its signature (no key at hand): `--allow-unverified-signature`. */
  allowUnverifiedSignature?: boolean;
  /** The flag that takes the public key, named in the refusal (`--key`, `--bundle-key`). */
  keyFlag?: string;
  signal?: AbortSignal;
}

/** The flag that accepts a signed bundle without its key; one name on every command. */
export const ALLOW_UNVERIFIED_SIGNATURE = '--allow-unverified-signature';

/** The refusal of a signed bundle given without its key; one wording for the early and the full check. */
function keyNeeded(options: VerifyOptions): string {
  return `the bundle is signed, but no public key was given to check it: pass ${options.keyFlag ?? '--key'} PUB (the .pub of bundle keygen), or ${ALLOW_UNVERIFIED_SIGNATURE} to accept it unchecked`;
}

/**
 * Signed, and no key to check it with: said from the headers alone (a walk that skips the data),
 * before the checksum pass reads every byte of a bundle of many GiB. Undefined when the bundle is
 * unsigned, a key or --allow-unverified-signature was given, or the headers cannot be read (the
 * full pass then reports the damage).
 */
async function signedWithoutKey(path: string, options: VerifyOptions): Promise<VerifyResult | undefined> {
  if (options.publicKey || options.allowUnverifiedSignature) return undefined;
  let index: BundleIndex;
  try {
    index = await indexBundle(path);
  } catch {
    return undefined;
  }
  await index.files.close();
  if (!index.byPath.has(ENTRY.signature)) return undefined;
  return {
    ok: false,
    problems: [{ file: ENTRY.signature, message: keyNeeded(options) }],
    sums: new Map(),
    entries: index.entries.length,
    bytes: 0,
    signature: 'unchecked',
  };
}

export async function verifyBundle(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const early = await signedWithoutKey(path, options);
  if (early) return early;
  const problems: BundleProblem[] = [];
  const add = (file: string, message: string) => problems.push({ file, message });
  const sums = new Map<string, string>();
  const small = new Map<string, Buffer>();
  let entries = 0;
  let files: PartFiles;
  try {
    files = await PartFiles.open(path);
  } catch (error) {
    return {
      ok: false,
      problems: [{ file: path, message: (error as Error).message }],
      sums,
      entries,
      bytes: 0,
      signature: 'absent',
    };
  }
  try {
    for await (const entry of readTar(files.stream())) {
      if (options.signal?.aborted) throw new Error('interrupted');
      entries++;
      let name: string;
      try {
        name = checkBundleEntry(entry);
      } catch (error) {
        if (!(error instanceof UnsafeEntryError)) throw error;
        add(entry.path, error.message.replace(/^unsafe archive entry "[^"]*": /, 'refused: '));
        continue;
      }
      if (entry.type === 'directory') continue;
      if (sums.has(name)) {
        add(name, 'appears twice in the bundle');
        continue;
      }
      const counter = new HashCounter();
      const keep: Buffer[] = [];
      for await (const chunk of entry.body()) {
        counter.update(chunk);
        if (entry.size <= KEEP_BELOW) keep.push(chunk);
      }
      sums.set(name, counter.hex());
      if (entry.size <= KEEP_BELOW) small.set(name, Buffer.concat(keep));
    }
  } catch (error) {
    if (error instanceof TarFormatError) add(files.label, `damaged archive: ${error.message}`);
    else throw error;
  } finally {
    await files.close();
  }

  // The checksum list, then every file against it.
  const listBytes = small.get(ENTRY.checksums);
  let signature: SignatureStatus = small.has(ENTRY.signature) ? 'unchecked' : 'absent';
  if (!listBytes) add(ENTRY.checksums, 'missing from the bundle');
  else {
    const list = parseChecksums(listBytes);
    if (list.damage) add(ENTRY.checksums, list.damage);
    const suffix = list.damage ? ' (per a damaged checksums.sha256)' : '';
    for (const [name, hex] of sums) {
      if (name === ENTRY.checksums || name === ENTRY.signature) continue;
      const listed = list.sums.get(name);
      if (!listed) add(name, `not listed in checksums.sha256 (an added file)${suffix}`);
      else if (listed !== hex) add(name, `SHA-256 ${hex} does not match checksums.sha256 (${listed})${suffix}`);
    }
    for (const name of list.sums.keys())
      if (!sums.has(name)) add(name, `listed in checksums.sha256 but missing from the bundle${suffix}`);
    if (signature === 'unchecked' && !options.publicKey && !options.allowUnverifiedSignature) {
      add(ENTRY.signature, keyNeeded(options));
    }
    if (options.publicKey) {
      const sig = small.get(ENTRY.signature);
      if (!sig) {
        signature = 'missing';
        add(ENTRY.signature, 'missing: the bundle is not signed, but a public key was given');
      } else if (checkSignature(listBytes, sig, options.publicKey)) signature = 'valid';
      else {
        signature = 'invalid';
        add(
          ENTRY.signature,
          'signature does not match checksums.sha256 for this key (the list was changed, or signed with another key)',
        );
      }
    }
  }

  // Blobs are named by their digest.
  for (const [name, hex] of sums) {
    const digest = blobDigestOf(name);
    if (digest && digest !== `sha256:${hex}`) add(name, `content has SHA-256 ${hex}: not the blob its name says`);
    else if (!digest && name.startsWith('images/blobs/')) add(name, 'not a sha256 blob name');
  }

  // manifest.json, and that what it promises is there.
  let manifest: BundleManifest | undefined;
  const manifestBytes = small.get(ENTRY.manifest);
  if (!manifestBytes)
    add(ENTRY.manifest, sums.has(ENTRY.manifest) ? 'too large to be a bundle manifest' : 'missing from the bundle');
  else {
    const parsed = parseManifest(manifestBytes);
    if (parsed.error) add(ENTRY.manifest, parsed.error);
    manifest = parsed.manifest;
  }
  if (manifest) {
    for (const item of [...manifest.charts, ...manifest.files]) {
      const got = sums.get(item.path);
      if (!got) add(item.path, 'named in manifest.json but missing from the bundle');
      else if (got !== item.sha256) add(item.path, `SHA-256 ${got} differs from manifest.json (${item.sha256})`);
    }
    for (const image of manifest.images)
      for (const d of image.blobs)
        if (!sums.has(blobPath(d))) add(blobPath(d), `blob of ${image.ref} missing from the bundle`);
  }

  // The OCI index: every image complete (manifests, configs, layers present).
  const indexBytes = small.get(ENTRY.ociIndex);
  if (!indexBytes) add(ENTRY.ociIndex, 'missing from the bundle');
  else {
    try {
      const index = JSON.parse(indexBytes.toString('utf8')) as { manifests?: Descriptor[] };
      const visit = (d: Descriptor, ref: string, depth: number) => {
        const p = blobPath(d.digest);
        if (!sums.has(p)) return add(p, `needed by ${ref} but missing from the bundle`);
        if (depth > 2) return;
        const body = small.get(p);
        if (!body) return;
        let parsed: { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
        try {
          parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
        } catch {
          return add(p, `manifest of ${ref} is not valid JSON`);
        }
        if (isIndexType(d.mediaType)) for (const child of parsed.manifests ?? []) visit(child, ref, depth + 1);
        else
          for (const blob of [parsed.config, ...(parsed.layers ?? [])])
            if (blob && !sums.has(blobPath(blob.digest)))
              add(blobPath(blob.digest), `layer/config of ${ref} missing from the bundle`);
      };
      for (const d of index.manifests ?? []) visit(d, d.annotations?.[REF_ANNOTATIONS.refName] ?? d.digest, 0);
    } catch (error) {
      add(ENTRY.ociIndex, `cannot be read: ${(error as Error).message}`);
    }
  }
  const bytes = files.size;
  return { ok: problems.length === 0, problems, ...(manifest ? { manifest } : {}), sums, entries, bytes, signature };
}
