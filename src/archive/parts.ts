// A bundle is one file, or parts FILE.000, FILE.001 … when `--split SIZE` was
// asked for (for media or upload limits; `cat FILE.* > FILE` joins them). The
// parts are one byte stream: readers and the writer see a single offset space.

import { createReadStream, existsSync } from 'node:fs';
import { open, readdir, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { InternalError } from '../errors.js';

export const partName = (base: string, index: number) => `${base}.${String(index).padStart(3, '0')}`;

export interface PartInfo {
  path: string;
  size: number;
  /** Offset of the part's first byte in the joined stream. */
  start: number;
}

/** Finds a bundle given as FILE, or as FILE.000 / FILE when parts exist. */
export async function findParts(path: string): Promise<PartInfo[]> {
  const paths: string[] = [];
  // FILE.000 given: the parts of FILE.
  const asPart = /\.\d{3}$/.test(path) && !existsSync(partName(path, 0));
  if (!asPart && existsSync(path) && (await stat(path)).isFile()) paths.push(path);
  else {
    const base = asPart ? path.slice(0, -4) : path;
    const dir = dirname(base);
    const names = existsSync(dir) ? await readdir(dir) : [];
    const prefix = `${basename(base)}.`;
    const numbered = names.filter((n) => n.startsWith(prefix) && /^\d{3}$/.test(n.slice(prefix.length))).sort();
    numbered.forEach((n, i) => {
      if (n !== basename(partName(base, i)))
        throw new Error(`bundle part ${partName(base, i)} is missing (found ${n})`);
      paths.push(join(dir, n));
    });
  }
  if (paths.length === 0) throw new Error(`no bundle at ${path} (nor parts ${partName(path, 0)} …)`);
  const parts: PartInfo[] = [];
  let start = 0;
  for (const p of paths) {
    const size = (await stat(p)).size;
    parts.push({ path: p, size, start });
    start += size;
  }
  return parts;
}

/** Random and sequential reads over the joined parts. */
export class PartFiles {
  readonly size: number;
  private handles = new Map<string, FileHandle>();
  constructor(readonly parts: PartInfo[]) {
    this.size = parts.reduce((n, p) => n + p.size, 0);
  }

  static async open(path: string): Promise<PartFiles> {
    return new PartFiles(await findParts(path));
  }

  get label(): string {
    return this.parts.length === 1 ? this.parts[0]!.path : `${this.parts[0]!.path} … (${this.parts.length} parts)`;
  }

  private async handle(path: string): Promise<FileHandle> {
    let h = this.handles.get(path);
    if (!h) this.handles.set(path, (h = await open(path, 'r')));
    return h;
  }

  /** Reads exactly `length` bytes at `position`, or fewer at the end. */
  async read(position: number, length: number): Promise<Buffer> {
    const out = Buffer.alloc(Math.max(0, Math.min(length, this.size - position)));
    let done = 0;
    for (const part of this.parts) {
      if (done >= out.length) break;
      const at = position + done;
      if (at >= part.start + part.size || at < part.start) continue;
      const h = await this.handle(part.path);
      const want = Math.min(out.length - done, part.start + part.size - at);
      const { bytesRead } = await h.read(out, done, want, at - part.start);
      done += bytesRead;
      if (bytesRead < want) break;
    }
    return out.subarray(0, done);
  }

  /** A stream of bytes [start, end) across parts. */
  stream(start = 0, end = this.size): Readable {
    const parts = this.parts;
    async function* chunks() {
      for (const part of parts) {
        const from = Math.max(start, part.start);
        const to = Math.min(end, part.start + part.size);
        if (from >= to) continue;
        yield* createReadStream(part.path, {
          start: from - part.start,
          end: to - part.start - 1,
          highWaterMark: 1024 * 1024,
        }) as AsyncIterable<Buffer>;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map((h) => h.close()));
    this.handles.clear();
  }
}

/**
 * Appends to FILE (or parts of at most `partSize` bytes), starting at
 * `resumeAt`: what lies beyond it is cut off first (an entry that was being
 * written when the last run stopped).
 */
export class PartWriter {
  private handle: FileHandle | undefined;
  private index = 0;
  private inPart = 0;
  position: number;

  private constructor(
    readonly base: string,
    readonly partSize: number | undefined,
    resumeAt: number,
  ) {
    this.position = resumeAt;
  }

  pathOf(index: number): string {
    return this.partSize ? partName(this.base, index) : this.base;
  }

  static async open(base: string, partSize: number | undefined, resumeAt: number): Promise<PartWriter> {
    const w = new PartWriter(base, partSize, resumeAt);
    await w.cutAt(resumeAt);
    return w;
  }

  /** Cuts everything from `position` on (the file, or the part holding it and every later part) and writes there next. */
  private async cutAt(position: number): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    this.position = position;
    const base = this.base;
    if (!this.partSize) {
      if (existsSync(base)) await truncate(base, position);
      this.handle = await open(base, existsSync(base) ? 'r+' : 'w');
      this.inPart = position;
      return;
    }
    this.index = Math.floor(position / this.partSize);
    this.inPart = position % this.partSize;
    // A boundary that falls exactly at a part end continues in the next part.
    for (let i = this.index; existsSync(partName(base, i)); i++) {
      if (i === this.index) await truncate(partName(base, i), this.inPart);
      else await unlink(partName(base, i));
    }
    this.handle = await open(partName(base, this.index), existsSync(partName(base, this.index)) ? 'r+' : 'w');
  }

  /** Takes back what was written since `position` (an entry that failed half-way), so the archive stays well formed. */
  async rewind(position: number): Promise<void> {
    if (position > this.position) throw new InternalError(`rewind to ${position} past the end ${this.position}`);
    await this.cutAt(position);
  }

  async write(data: Buffer): Promise<void> {
    let rest = data;
    while (rest.length > 0) {
      if (this.partSize && this.inPart >= this.partSize) {
        await this.handle!.close();
        this.index++;
        this.inPart = 0;
        this.handle = await open(partName(this.base, this.index), 'w');
      }
      const room = this.partSize ? this.partSize - this.inPart : rest.length;
      const piece = rest.subarray(0, Math.min(room, rest.length));
      let written = 0;
      while (written < piece.length) {
        const { bytesWritten } = await this.handle!.write(
          piece,
          written,
          piece.length - written,
          this.inPart + written,
        );
        written += bytesWritten;
      }
      this.inPart += piece.length;
      this.position += piece.length;
      rest = rest.subarray(piece.length);
    }
  }

  async sync(): Promise<void> {
    await this.handle?.sync();
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Paths written, in order. */
  paths(): string[] {
    if (!this.partSize) return [this.base];
    const out: string[] = [];
    for (let i = 0; existsSync(partName(this.base, i)); i++) out.push(partName(this.base, i));
    return out;
  }

  /** Renames FILE.partial[.NNN] to the final name(s). */
  async finish(finalBase: string): Promise<string[]> {
    await this.close();
    const done: string[] = [];
    if (!this.partSize) {
      await rename(this.base, finalBase);
      return [finalBase];
    }
    for (const [i, p] of this.paths().entries()) {
      await rename(p, partName(finalBase, i));
      done.push(partName(finalBase, i));
    }
    return done;
  }
}
