// Headers that describe the next entry rather than being one: pax records
// (path, linkpath, size) and GNU long names and link targets. The streaming
// reader and the bundle index both collect them here and apply them to the
// entry that follows, so both read the same path and size from the same bytes.

import {
  BLOCK,
  cString,
  paddingFor,
  parsePax,
  TarFormatError,
  type EntryType,
  type ExtendedType,
  type HeaderType,
  type RawHeader,
} from './format.js';
import { InternalError } from '../../errors.js';

/** An extended header larger than this is refused rather than held in memory. */
const MAX_EXTENDED = 1024 * 1024;

export function isExtended(type: HeaderType): type is ExtendedType {
  return type === 'pax-header' || type === 'pax-global' || type === 'gnu-longname' || type === 'gnu-longlink';
}

/** The size of an extended header's data, refused when it is too large to hold. */
export function extendedSize(raw: RawHeader, offset: number): number {
  if (raw.size > MAX_EXTENDED)
    throw new TarFormatError(`extended header of ${raw.size} bytes (more than 1 MiB)`, offset);
  return raw.size;
}

/** Only regular files (and types we do not know) carry data; links, directories and devices are header-only whatever their size field says. */
const carriesData = (type: EntryType | 'other') => type === 'file' || type === 'other';

/** An entry as the readers hand it out: header fields with the extended headers applied, and where its bytes are. */
export interface TarEntryInfo {
  /** As written in the archive (pax/GNU long names applied); not normalised. */
  path: string;
  /** 'other' for a type flag this module does not know (its data is skipped like a file's). */
  type: EntryType | 'other';
  /** The type flag as written. */
  flag: string;
  /** Bytes of data (0 for links, directories and devices, whatever their size field says). */
  size: number;
  mode: number;
  /** Link target for symlinks and hard links. */
  linkpath: string;
  /** First byte of the entry's headers (a pax header when there is one). */
  headerOffset: number;
  /** First byte of the data. */
  dataOffset: number;
  /** First byte after the data and its padding: where the next entry starts. */
  endOffset: number;
}

export class ExtendedHeaders {
  private pax: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;

  /** Takes in the data of an extended header. */
  add(type: ExtendedType, data: Buffer, offset: number): void {
    if (type === 'pax-header') this.pax = { ...this.pax, ...parsePax(data, offset) };
    // GNU long names are C strings, like the header fields they replace.
    else if (type === 'gnu-longname') this.longName = cString(data, 0, data.length);
    else if (type === 'gnu-longlink') this.longLink = cString(data, 0, data.length);
    // Global pax headers only carry defaults (mtime, charset…) that nothing here uses.
  }

  /**
   * The entry whose header `raw` is (read at byte `at`), with the waiting
   * headers applied; they are used up. Its headers start at `headerOffset`.
   */
  entry(raw: RawHeader, at: number, headerOffset: number): TarEntryInfo {
    if (isExtended(raw.type)) throw new InternalError(`a ${raw.type} header is not an entry`);
    const paxSize = this.pax.size;
    const declared = paxSize === undefined ? raw.size : /^[0-9]+$/.test(paxSize) ? Number(paxSize) : NaN;
    if (!Number.isSafeInteger(declared)) throw new TarFormatError('bad entry size', at);
    const size = carriesData(raw.type) ? declared : 0;
    const dataOffset = at + BLOCK;
    const entry: TarEntryInfo = {
      path: this.pax.path ?? this.longName ?? raw.name,
      type: raw.type,
      flag: raw.flag,
      size,
      mode: raw.mode,
      linkpath: this.pax.linkpath ?? this.longLink ?? raw.linkname,
      headerOffset,
      dataOffset,
      endOffset: dataOffset + size + paddingFor(size),
    };
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    return entry;
  }
}
