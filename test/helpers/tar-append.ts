// Test fixture: a copy of a tar archive with entries appended before its end-of-archive
// marker, the way a tampered bundle carries entries its writer never made.

import { readFileSync, writeFileSync } from 'node:fs';
import { END_OF_ARCHIVE } from '../../src/archive/tar/format.js';

/** Writes `to`: the archive at `from` with `entries` (tarEntry() buffers) added at its end. */
export function appendTarEntries(from: string, to: string, entries: readonly Buffer[]): string {
  const archive = readFileSync(from);
  writeFileSync(
    to,
    Buffer.concat([archive.subarray(0, archive.length - END_OF_ARCHIVE.length), ...entries, END_OF_ARCHIVE]),
  );
  return to;
}
