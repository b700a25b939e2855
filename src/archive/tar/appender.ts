// Appends entries to a tar stream on disk, one at a time, hashing what it
// writes. Appends are serialised so concurrent downloads can hand over
// finished files in any order without interleaving bytes.

import { createReadStream } from 'node:fs';
import { InternalError, UserAbort } from '../../errors.js';
import { HashCounter } from '../../util/hash.js';
import { encodeHeader, END_OF_ARCHIVE, paddingFor } from './format.js';

/** Where the archive goes: a file or a bundle's parts (archive/parts.ts PartWriter), one offset space. */
export interface AppendTarget {
  /** Offset of the next byte written. */
  readonly position: number;
  write(data: Buffer): Promise<void>;
  /** Cuts everything from `position` on; the next write lands there. */
  rewind(position: number): Promise<void>;
}

export interface WrittenEntry {
  sha256: string;
  size: number;
}

export class TarAppender {
  private tail: Promise<unknown> = Promise.resolve();
  /** Every entry in the archive, including those found when resuming. */
  readonly entries = new Map<string, WrittenEntry>();

  constructor(
    private readonly out: AppendTarget,
    private readonly mtime: number,
    /** Ctrl-C: a long copy (a local multi-gigabyte file) stops at the next chunk and is taken back. */
    private readonly signal?: AbortSignal,
  ) {}

  get position(): number {
    return this.out.position;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async writeEntry(
    path: string,
    size: number,
    chunks: AsyncIterable<Buffer>,
    expectedHex?: string,
  ): Promise<WrittenEntry> {
    if (this.entries.has(path)) throw new InternalError(`${path} written twice`);
    const start = this.out.position;
    try {
      const written = await this.copyEntry(path, size, chunks);
      // A pin that does not match, or a source that changed since it was verified: taken back below.
      if (expectedHex && written.sha256 !== expectedHex)
        throw new Error(`${path}: SHA-256 ${written.sha256} does not match the pinned or verified ${expectedHex}`);
      this.entries.set(path, written);
      return written;
    } catch (error) {
      // Nothing half-written stays: the next entry (or a resumed run) starts where this one began.
      await this.out.rewind(start).catch(() => undefined);
      throw error;
    }
  }

  private async copyEntry(path: string, size: number, chunks: AsyncIterable<Buffer>): Promise<WrittenEntry> {
    await this.out.write(encodeHeader({ path, size, mtime: this.mtime }));
    const counter = new HashCounter();
    // One write in flight while the next chunk is read and hashed: disk and hash overlap.
    let writing: Promise<void> = Promise.resolve();
    try {
      for await (const chunk of chunks) {
        if (this.signal?.aborted) throw new UserAbort();
        if (counter.bytes + chunk.length > size) throw new Error(`${path}: more than the ${size} bytes announced`);
        counter.update(chunk);
        await writing;
        writing = this.out.write(chunk);
        writing.catch(() => undefined); // handled by the await above or below, never unhandled meanwhile
      }
    } finally {
      await writing.catch(() => undefined); // never leave a write running behind an error
    }
    await writing;
    if (counter.bytes !== size) throw new Error(`${path}: ${counter.bytes} bytes instead of ${size}`);
    await this.out.write(Buffer.alloc(paddingFor(size)));
    return { sha256: counter.hex(), size };
  }

  appendBuffer(path: string, data: Buffer): Promise<WrittenEntry> {
    return this.serial(() =>
      this.writeEntry(
        path,
        data.length,
        (async function* () {
          yield data;
        })(),
      ),
    );
  }

  /** Appends a local file that was already verified (its hash is checked again as it is copied). */
  appendFile(path: string, file: string, size: number, expectedHex?: string): Promise<WrittenEntry> {
    return this.serial(() =>
      this.writeEntry(
        path,
        size,
        createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>,
        expectedHex,
      ),
    );
  }

  /** Records an entry already present in a resumed archive. */
  adopt(path: string, entry: WrittenEntry): void {
    this.entries.set(path, entry);
  }

  async end(): Promise<void> {
    await this.serial(() => this.out.write(END_OF_ARCHIVE));
  }
}
