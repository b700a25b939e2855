// Reads a tar stream entry by entry without buffering entries, keeping the
// byte offset of each one (for resume and for random access later). It
// parses only: what an entry may be is decided by its user (bundle entries
// by src/archive/safe-path.ts, host archives by src/archive/extract.ts).

import { ByteReader } from './byte-reader.js';
import { extendedSize, ExtendedHeaders, isExtended, type TarEntryInfo } from './extended.js';
import { BLOCK, decodeHeader, isZeroBlock, paddingFor, TarFormatError, type DecodeOptions } from './format.js';

export type { TarEntryInfo };

export interface TarEntry extends TarEntryInfo {
  /** The data, once; an entry left unread is skipped. */
  body(): AsyncGenerator<Buffer>;
}

export interface ReadOptions extends DecodeOptions {
  /** Offset of the first byte of `source` in the archive. */
  start?: number;
  /** Stop quietly where the stream ends at an entry boundary, without end-of-archive blocks (some writers omit them; resume scanning). */
  allowMissingEnd?: boolean;
  /** With allowMissingEnd: a stream with no bytes at all is an empty archive rather than not a tar archive. */
  allowEmpty?: boolean;
}

/** The entries of a tar stream. Throws TarFormatError (with the offset) on damage or truncation. */
export async function* readTar(
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: ReadOptions = {},
): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source, options.start ?? 0);
  const extended = new ExtendedHeaders();
  let headerOffset = reader.position;
  let sawHeader = false;
  const truncated = (path: string, at: number) => new TarFormatError(`archive is truncated (inside ${path})`, at);
  try {
    for (;;) {
      const at = reader.position;
      const block = await reader.read(BLOCK);
      if (block.length === 0 && options.allowMissingEnd && at === headerOffset && (sawHeader || options.allowEmpty))
        return;
      if (block.length < BLOCK)
        throw new TarFormatError(
          sawHeader ? 'archive is truncated (ends inside a header)' : 'not a tar archive (too short)',
          at,
        );
      if (isZeroBlock(block)) {
        if (at !== headerOffset) throw new TarFormatError('archive ends after an extended header', at);
        return;
      }
      const raw = decodeHeader(block, at, options);
      sawHeader = true;
      if (isExtended(raw.type)) {
        const size = extendedSize(raw, at);
        const data = await reader.read(size);
        if (data.length < size) throw new TarFormatError('archive is truncated (inside an extended header)', at);
        await reader.skip(paddingFor(size));
        extended.add(raw.type, data, at);
        continue;
      }
      const entry = extended.entry(raw, at, headerOffset);
      const { dataOffset, size: dataSize } = entry;
      let consumed = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        if (consumed) throw new Error(`entry ${entry.path} was already read`);
        consumed = true;
        let got = 0;
        for await (const piece of reader.take(dataSize)) {
          got += piece.length;
          yield piece;
        }
        if (got < dataSize) throw truncated(entry.path, entry.headerOffset);
      };
      yield { ...entry, body };
      if (!consumed) {
        consumed = true;
        if ((await reader.skip(dataSize)) < dataSize) throw truncated(entry.path, entry.headerOffset);
      } else if (reader.position < dataOffset + dataSize) {
        // The body was left part-read.
        const need = dataOffset + dataSize - reader.position;
        if ((await reader.skip(need)) < need) throw truncated(entry.path, entry.headerOffset);
      }
      const pad = paddingFor(dataSize);
      if ((await reader.skip(pad)) < pad) throw truncated(entry.path, entry.headerOffset);
      headerOffset = reader.position;
    }
  } finally {
    await reader.close();
  }
}
