// Whole entries and archives in memory (support bundles, chart packages,
// crafted test archives, hostile ones included): written exactly as given,
// nothing here normalises or refuses a path.

import { END_OF_ARCHIVE, encodeHeader, paddingFor, type EntryType } from './format.js';

export interface TarWriteEntry {
  type?: EntryType;
  path: string;
  linkpath?: string;
  mode?: number;
  /** File content (ignored for other types). */
  data?: Buffer | string;
  mtime?: number;
}

/** One entry's blocks: header(s) and padded data. */
export function tarEntry(entry: TarWriteEntry): Buffer {
  const type = entry.type ?? 'file';
  const data = type === 'file' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
  const header = encodeHeader({
    path: entry.path,
    size: data.length,
    type,
    mtime: entry.mtime ?? 1_700_000_000,
    ...(entry.mode !== undefined ? { mode: entry.mode } : {}),
    ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
  });
  return Buffer.concat([header, data, Buffer.alloc(paddingFor(data.length))]);
}

/** A whole archive, with the two zero blocks that end it. */
export function tarArchive(entries: readonly TarWriteEntry[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), END_OF_ARCHIVE]);
}
