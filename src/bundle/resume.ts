// Resume: an interrupted `bundle create` left FILE.partial (or its parts).
// Every complete entry is re-hashed; blobs must match their names. The
// archive is cut back after the last good entry (and before any metadata,
// which is always regenerated), and those entries are not fetched again.

import { existsSync } from 'node:fs';
import { HashCounter } from '../util/hash.js';
import { blobDigestOf, ENTRY } from '../bundle-layout/names.js';
import { TarFormatError } from '../archive/tar/format.js';
import { findParts, PartFiles, partName } from '../archive/parts.js';
import { readTar } from '../archive/tar/reader.js';
import { checkBundleEntry } from '../archive/safe-path.js';
import type { WrittenEntry } from '../archive/tar/appender.js';

export interface ResumeState {
  /** Where appending continues. */
  resumeAt: number;
  entries: Map<string, WrittenEntry>;
  /** Contents of small entries and charts, so a resumed run does not fetch them again. */
  small: Map<string, Buffer>;
  /** Why the scan stopped early, if it did (for the log). */
  cut?: string;
}

const SMALL = 64 * 1024;
/** Image configs, and chart archives (rendered again for their images). */
const keepable = (path: string, size: number) =>
  size <= SMALL || (path.startsWith('charts/') && size <= 32 * 1024 * 1024);

const REGENERATED: readonly string[] = [ENTRY.ociIndex, ENTRY.manifest, ENTRY.checksums, ENTRY.signature];

function partialExists(base: string): boolean {
  return existsSync(base) || existsSync(partName(base, 0));
}

export async function scanPartial(base: string): Promise<ResumeState> {
  const entries = new Map<string, WrittenEntry>();
  const small = new Map<string, Buffer>();
  if (!partialExists(base)) return { resumeAt: 0, entries, small };
  const files = new PartFiles(await findParts(base));
  let resumeAt = 0;
  let cut: string | undefined;
  try {
    for await (const entry of readTar(files.stream(), { allowMissingEnd: true, allowEmpty: true })) {
      if (entry.type !== 'file' || REGENERATED.includes(entry.path) || entries.has(entry.path)) {
        cut = `stopped at ${entry.path}`;
        break;
      }
      try {
        checkBundleEntry(entry);
      } catch (error) {
        cut = (error as Error).message;
        break;
      }
      const counter = new HashCounter();
      const keep: Buffer[] = [];
      for await (const chunk of entry.body()) {
        counter.update(chunk);
        if (keepable(entry.path, entry.size)) keep.push(chunk);
      }
      const hex = counter.hex();
      const blob = blobDigestOf(entry.path);
      if (blob && blob !== `sha256:${hex}`) {
        cut = `${entry.path} is damaged`;
        break;
      }
      entries.set(entry.path, { sha256: hex, size: entry.size });
      if (keepable(entry.path, entry.size)) small.set(entry.path, Buffer.concat(keep));
      resumeAt = entry.endOffset;
    }
  } catch (error) {
    if (!(error instanceof TarFormatError)) throw error;
    cut = error.message;
  } finally {
    await files.close();
  }
  return { resumeAt, entries, small, ...(cut ? { cut } : {}) };
}
