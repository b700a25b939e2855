// A small streaming tar reader (ustar, pax and GNU long names): enough for
// the `mage export` tarballs and the infrastructure archives, and small
// enough to test with crafted archives. It only parses; what is safe to
// write is decided by extract.ts.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'character-device' | 'block-device' | 'fifo';

export interface TarEntry {
  type: TarEntryType;
  /** As written in the archive (pax/GNU long names applied); not normalised. */
  path: string;
  /** Link target for symlinks and hard links. */
  linkpath: string;
  mode: number;
  size: number;
  /** The entry's data; read it (or not) before asking for the next entry. */
  body(): AsyncGenerator<Buffer>;
}

export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

const BLOCK = 512;

/** Reads exact byte counts from a chunked stream without buffering whole entries. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const take = Math.min(n, this.buffered);
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = take < all.length ? [all.subarray(take)] : [];
    this.buffered -= take;
    return all.subarray(0, take);
  }

  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0) await this.fill(1);
      const first = this.chunks[0];
      if (!first) throw new TarError('unexpected end of archive inside an entry');
      if (first.length <= left) {
        this.chunks.shift();
        this.buffered -= first.length;
        left -= first.length;
        yield first;
      } else {
        this.chunks[0] = first.subarray(left);
        this.buffered -= left;
        yield first.subarray(0, left);
        left = 0;
      }
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n)) {
      /* discard */
    }
  }
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
function numeric(buf: Buffer, start: number, length: number, what: string): number {
  const field = buf.subarray(start, start + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarError(`negative ${what} in tar header`);
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new TarError(`${what} too large in tar header`);
    return value;
  }
  const text = cString(buf, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`invalid ${what} field ${JSON.stringify(text)} in tar header`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8, 'checksum');
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return stored === unsigned;
}

/** pax records: "<len> <key>=<value>\n". */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) throw new TarError('malformed pax header');
    const len = Number(data.subarray(pos, space).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw new TarError('malformed pax header length');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq === -1) throw new TarError('malformed pax record');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

async function readBody(reader: ByteReader, size: number): Promise<Buffer> {
  if (size > 1024 * 1024) throw new TarError(`metadata entry of ${size} bytes is too large`);
  const data = await reader.read(size);
  if (data.length < size) throw new TarError('unexpected end of archive inside a metadata entry');
  await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
  return data;
}

/** Entries of an uncompressed tar stream, in order. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  let sawEntry = false;
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header.length === 0 && sawEntry) return; // some writers omit the end blocks
    if (header.length < BLOCK) throw new TarError(sawEntry ? 'unexpected end of archive' : 'not a tar archive (too short)');
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    if (!checksumOk(header)) throw new TarError(sawEntry ? 'corrupt tar header (bad checksum)' : 'not a tar archive (bad header checksum)');
    sawEntry = true;

    const flag = String.fromCharCode(header[156]!);
    const size = numeric(header, 124, 12, 'size');
    if (flag === 'x') {
      pax = { ...pax, ...parsePax(await readBody(reader, size)) };
      continue;
    }
    if (flag === 'g') {
      await readBody(reader, size); // global defaults (mtime, charset…): nothing we use
      continue;
    }
    if (flag === 'L' || flag === 'K') {
      const text = cString(await readBody(reader, size), 0, size);
      if (flag === 'L') longName = text;
      else longLink = text;
      continue;
    }
    const type = TYPES[flag];
    if (!type) throw new TarError(`unsupported tar entry type ${JSON.stringify(flag)}`);

    const magic = header.subarray(257, 263).toString('latin1');
    const prefix = magic.startsWith('ustar') && magic !== 'ustar ' ? cString(header, 345, 155) : '';
    const name = cString(header, 0, 100);
    const path = pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    const linkpath = pax.linkpath ?? longLink ?? cString(header, 157, 100);
    const paxSize = pax.size !== undefined ? Number(pax.size) : undefined;
    if (paxSize !== undefined && !Number.isSafeInteger(paxSize)) throw new TarError('invalid pax size');
    // Links, directories and devices are header-only, whatever their size field says (as Go's archive/tar reads them).
    const dataSize = type === 'file' ? (paxSize ?? size) : 0;
    pax = {};
    longName = undefined;
    longLink = undefined;

    let consumed = false;
    const entry: TarEntry = {
      type,
      path,
      linkpath,
      mode: numeric(header, 100, 8, 'mode') & 0o7777,
      size: dataSize,
      body: async function* () {
        if (consumed) throw new Error('tar entry body already read');
        consumed = true;
        yield* reader.stream(dataSize);
      },
    };
    yield entry;
    if (!consumed) {
      consumed = true;
      await reader.skip(dataSize);
    }
    await reader.skip((BLOCK - (dataSize % BLOCK)) % BLOCK);
  }
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** A tar or tar.gz file as a byte stream (gzip detected by its magic bytes, not the name). */
export async function openArchive(path: string): Promise<Readable> {
  const file = createReadStream(path);
  if (!(await isGzip(path))) return file;
  const gunzip = createGunzip();
  file.on('error', (e) => gunzip.destroy(e));
  return file.pipe(gunzip);
}

/** Entries of a tar or tar.gz file. */
export async function* readTarFile(path: string): AsyncGenerator<TarEntry> {
  const stream = await openArchive(path);
  try {
    yield* readTar(stream);
  } finally {
    stream.destroy();
  }
}
