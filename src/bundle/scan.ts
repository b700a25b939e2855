// Reading a bundle: a header-only index for random access (inspect, push,
// extraction of single members) and a full streaming pass (verify, resume).

import { extendedSize, ExtendedHeaders, isExtended } from '../archive/tar/extended.js';
import { BLOCK, decodeHeader, isZeroBlock, paddingFor, TarFormatError } from '../archive/tar/format.js';
import type { TarEntryInfo } from '../archive/tar/reader.js';
import { PartFiles } from '../archive/parts.js';
import { checkBundleEntry, UnsafeEntryError } from '../archive/safe-path.js';

/** An entry no reader of a bundle takes: why, in the words of the safe-path check. */
export interface RefusedEntry {
  /** As written in the archive. */
  path: string;
  reason: string;
}

export interface BundleIndex {
  files: PartFiles;
  /** Every entry, refused ones included (so counts are honest). */
  entries: TarEntryInfo[];
  /** The entries a reader may take, by normalised path: never a refused one, and the first of a name written twice. */
  byPath: Map<string, TarEntryInfo>;
  /** Entries refused (absolute, `..`, links, devices, a name written twice), in archive order: reported, never read. */
  refused: RefusedEntry[];
}

/** Walks the headers with positioned reads, skipping data: fast on any bundle size. */
export async function indexBundle(path: string): Promise<BundleIndex> {
  const files = await PartFiles.open(path);
  const entries: TarEntryInfo[] = [];
  const extended = new ExtendedHeaders();
  let offset = 0;
  let headerOffset = 0;
  for (;;) {
    const block = await files.read(offset, BLOCK);
    if (block.length < BLOCK) throw new TarFormatError('bundle is truncated (no end-of-archive marker)', offset);
    if (isZeroBlock(block)) break;
    const raw = decodeHeader(block, offset);
    if (isExtended(raw.type)) {
      const size = extendedSize(raw, offset);
      const data = await files.read(offset + BLOCK, size);
      if (data.length < size) throw new TarFormatError('bundle is truncated (inside an extended header)', offset);
      extended.add(raw.type, data, offset);
      offset += BLOCK + size + paddingFor(size);
      continue;
    }
    const entry = extended.entry(raw, offset, headerOffset);
    if (entry.endOffset > files.size) throw new TarFormatError(`bundle is truncated (inside ${entry.path})`, offset);
    entries.push(entry);
    offset = entry.endOffset;
    headerOffset = offset;
  }
  const byPath = new Map<string, TarEntryInfo>();
  const refused: RefusedEntry[] = [];
  for (const e of entries) {
    let name: string;
    try {
      name = checkBundleEntry(e);
    } catch (error) {
      if (!(error instanceof UnsafeEntryError)) throw error;
      refused.push({ path: e.path, reason: error.reason });
      continue;
    }
    if (byPath.has(name)) refused.push({ path: e.path, reason: 'appears twice in the bundle' });
    else if (e.type === 'file') byPath.set(name, e);
  }
  return { files, entries, byPath, refused };
}

export async function readMember(
  index: BundleIndex,
  path: string,
  limit = 64 * 1024 * 1024,
): Promise<Buffer | undefined> {
  const entry = index.byPath.get(path);
  if (!entry) return undefined;
  if (entry.size > limit) throw new Error(`${path} is larger than expected (${entry.size} bytes)`);
  return index.files.read(entry.dataOffset, entry.size);
}
