// The entry shape safe extraction (extract.ts) takes, whichever format it
// came from: host tarballs (host-tar.ts) and zips (zip.ts) both hand it out.
// Not to be confused with TarEntry (tar/reader.ts): the raw tar stream entry,
// with its offsets and unknown type flags, that host-tar.ts narrows into this.

import type { EntryType } from './tar/format.js';

export interface ArchiveEntry {
  type: EntryType;
  /** As written in the archive (pax/GNU long names applied); not normalised. */
  path: string;
  /** Link target for symlinks and hard links. */
  linkpath: string;
  /** Permission bits only (file type bits dropped). */
  mode: number;
  /** Bytes of data (0 for links, directories and devices). */
  size: number;
  /** The entry's data; read it (or not) before asking for the next entry. */
  body(): AsyncGenerator<Buffer>;
}
