// Reading a bundle: a header-only index for random access (inspect, push,
// extraction of single members) and a full streaming pass (verify, resume).

import { BLOCK, decodeHeader, isZeroBlock, paddingFor, parsePax, TarFormatError } from './tar/format.js';
import { PartFiles } from './tar/parts.js';
import type { TarEntryInfo } from './tar/reader.js';

export interface BundleIndex {
  files: PartFiles;
  entries: TarEntryInfo[];
  byPath: Map<string, TarEntryInfo>;
}

/** Walks the headers with positioned reads, skipping data: fast on any bundle size. */
export async function indexBundle(path: string): Promise<BundleIndex> {
  const files = await PartFiles.open(path);
  const entries: TarEntryInfo[] = [];
  let offset = 0;
  let headerOffset = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  for (;;) {
    const block = await files.read(offset, BLOCK);
    if (block.length < BLOCK) throw new TarFormatError('bundle is truncated (no end-of-archive marker)', offset);
    if (isZeroBlock(block)) break;
    const raw = decodeHeader(block, offset);
    const size = pax.size !== undefined ? Number(pax.size) : raw.size;
    if (raw.type === 'pax-header' || raw.type === 'gnu-longname' || raw.type === 'pax-global') {
      const data = await files.read(offset + BLOCK, size);
      if (raw.type === 'pax-header') pax = { ...pax, ...parsePax(data, offset) };
      else if (raw.type === 'gnu-longname') longName = data.toString('utf8').replace(/\0+$/, '');
      offset += BLOCK + size + paddingFor(size);
      continue;
    }
    const dataSize = raw.type === 'file' ? size : 0;
    const dataOffset = offset + BLOCK;
    const entry: TarEntryInfo = {
      path: pax.path ?? longName ?? raw.name,
      type: raw.type,
      size,
      mode: raw.mode,
      linkpath: pax.linkpath ?? raw.linkname,
      headerOffset,
      dataOffset,
      endOffset: dataOffset + dataSize + paddingFor(dataSize),
    };
    if (entry.endOffset > files.size) throw new TarFormatError(`bundle is truncated (inside ${entry.path})`, offset);
    entries.push(entry);
    pax = {};
    longName = undefined;
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
