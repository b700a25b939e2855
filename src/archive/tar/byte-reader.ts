// Exact reads from a chunked stream, tracking the byte position, without
// buffering whole entries: the tar reader asks for header blocks and streams
// data through.

export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private iterator: AsyncIterator<Buffer>;
  private ended = false;
  position = 0;
  constructor(source: AsyncIterable<Buffer> | Iterable<Buffer>, start = 0) {
    this.iterator =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (source[Symbol.iterator]() as unknown as AsyncIterator<Buffer>);
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

  /** Up to n bytes, as they come (for streaming large data); fewer only at the end of the stream. */
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

  /** Skips n bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    for await (const piece of this.take(n)) skipped += piece.length;
    return skipped;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
