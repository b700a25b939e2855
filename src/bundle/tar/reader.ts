// Reads a tar stream entry by entry without buffering entries, keeping the
// byte offset of each one (for resume and for random access later). It
// parses only; what an entry may be is decided by safe-path.ts.

import { BLOCK, decodeHeader, isZeroBlock, paddingFor, parsePax, TarFormatError, type EntryType } from './format.js';

export interface TarEntryInfo {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  linkpath: string;
  /** First byte of the entry's headers (a pax header when there is one). */
  headerOffset: number;
  /** First byte of the data. */
  dataOffset: number;
  /** First byte after the data and its padding: where the next entry starts. */
  endOffset: number;
}

export interface TarEntry extends TarEntryInfo {
  /** The data, once; an entry left unread is skipped. */
  body(): AsyncGenerator<Buffer>;
}

/** Exact reads from a chunked stream; never holds more than one chunk beyond what was asked. */
export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private iterator: AsyncIterator<Buffer>;
  private ended = false;
  position = 0;
  constructor(source: AsyncIterable<Buffer> | Iterable<Buffer>, start = 0) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source[Symbol.iterator]() as unknown as AsyncIterator<Buffer>);
    this.position = start;
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.chunk = this.chunk.length ? Buffer.concat([this.chunk, next.value]) : next.value;
    return true;
  }

  /** Exactly n bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.chunk.length < n && (await this.more()));
    const out = this.chunk.subarray(0, Math.min(n, this.chunk.length));
    this.chunk = this.chunk.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** Up to n bytes, as they come (for streaming large data). */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.chunk.length === 0 && !(await this.more())) return;
      const piece = this.chunk.subarray(0, Math.min(left, this.chunk.length));
      this.chunk = this.chunk.subarray(piece.length);
      this.position += piece.length;
      left -= piece.length;
      yield piece;
    }
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    for await (const piece of this.take(n)) skipped += piece.length;
    return skipped;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

export interface ReadOptions {
  /** Offset of the first byte of `source` in the archive. */
  start?: number;
  /** Stop quietly at the end of the stream even without end-of-archive blocks (resume scanning). */
  allowMissingEnd?: boolean;
}

/** The entries of a tar stream. Throws TarFormatError (with the offset) on damage or truncation. */
export async function* readTar(source: AsyncIterable<Buffer> | Iterable<Buffer>, options: ReadOptions = {}): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source, options.start ?? 0);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  let headerOffset = reader.position;
  try {
    for (;;) {
      const at = reader.position;
      const block = await reader.read(BLOCK);
      if (block.length === 0 && options.allowMissingEnd && at === headerOffset) return;
      if (block.length < BLOCK) throw new TarFormatError('archive is truncated (ends inside a header)', at);
      if (isZeroBlock(block)) {
        if (at !== headerOffset) throw new TarFormatError('archive ends after an extended header', at);
        return;
      }
      const raw = decodeHeader(block, at);
      const size = pax.size !== undefined ? Number(pax.size) : raw.size;
      if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('bad entry size', at);
      if (raw.type === 'pax-header' || raw.type === 'gnu-longname' || raw.type === 'gnu-longlink' || raw.type === 'pax-global') {
        if (size > 1024 * 1024) throw new TarFormatError('extended header larger than 1 MiB', at);
        const data = await reader.read(size);
        if (data.length < size) throw new TarFormatError('archive is truncated (inside an extended header)', at);
        await reader.skip(paddingFor(size));
        if (raw.type === 'pax-header') pax = { ...pax, ...parsePax(data, at) };
        else if (raw.type === 'gnu-longname') longName = data.toString('utf8').replace(/\0+$/, '');
        else if (raw.type === 'gnu-longlink') longLink = data.toString('utf8').replace(/\0+$/, '');
        // Global pax headers only carry defaults we do not use.
        continue;
      }
      const dataOffset = reader.position;
      // Only regular files carry data in the stream (hard links and devices have none).
      const dataSize = raw.type === 'file' || raw.type === 'other' ? size : 0;
      const entry: TarEntryInfo = {
        path: pax.path ?? longName ?? raw.name,
        type: raw.type,
        size,
        mode: raw.mode,
        linkpath: pax.linkpath ?? longLink ?? raw.linkname,
        headerOffset,
        dataOffset,
        endOffset: dataOffset + dataSize + paddingFor(dataSize),
      };
      pax = {};
      longName = undefined;
      longLink = undefined;
      let consumed = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        if (consumed) throw new Error(`entry ${entry.path} was already read`);
        consumed = true;
        let got = 0;
        for await (const piece of reader.take(dataSize)) {
          got += piece.length;
          yield piece;
        }
        if (got < dataSize) throw new TarFormatError(`archive is truncated (inside ${entry.path})`, entry.headerOffset);
      };
      yield { ...entry, body };
      if (!consumed) {
        consumed = true;
        const got = await reader.skip(dataSize);
        if (got < dataSize) throw new TarFormatError(`archive is truncated (inside ${entry.path})`, entry.headerOffset);
      } else if (reader.position < dataOffset + dataSize) {
        const need = dataOffset + dataSize - reader.position;
        if ((await reader.skip(need)) < need) throw new TarFormatError(`archive is truncated (inside ${entry.path})`, entry.headerOffset);
      }
      const pad = paddingFor(dataSize);
      if ((await reader.skip(pad)) < pad) throw new TarFormatError(`archive is truncated (inside ${entry.path})`, entry.headerOffset);
      headerOffset = reader.position;
    }
  } finally {
    await reader.close();
  }
}
