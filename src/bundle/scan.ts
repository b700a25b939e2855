// Reading a bundle: a header-only index for random access (inspect, push,
// extraction of single members) and a full streaming pass (verify, resume).

import { extendedSize, ExtendedHeaders, isExtended } from '../tar/extended.js';
import { BLOCK, decodeHeader, isZeroBlock, paddingFor, TarFormatError } from '../tar/format.js';
import type { TarEntryInfo } from '../tar/reader.js';
import { PartFiles } from './tar/parts.js';

export interface BundleIndex {
  files: PartFiles;
  entries: TarEntryInfo[];
  byPath: Map<string, TarEntryInfo>;
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
  for (const e of entries) byPath.set(e.path.replace(/^\.\//, ''), e);
  return { files, entries, byPath };
}

export async function readMember(index: BundleIndex, path: string, limit = 64 * 1024 * 1024): Promise<Buffer | undefined> {
  const entry = index.byPath.get(path);
  if (!entry) return undefined;
  if (entry.size > limit) throw new Error(`${path} is larger than expected (${entry.size} bytes)`);
  return index.files.read(entry.dataOffset, entry.size);
}
