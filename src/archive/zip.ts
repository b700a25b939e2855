// A small zip reader (stored and deflate entries, zip64 sizes and offsets):
// enough for the Loki and Alloy release zips, and small enough to test with
// crafted archives. Like host-tar.ts it only parses and hands out the same entry
// shape; what is safe to write is decided by extract.ts. Entries come from
// the central directory (the authoritative list); each local header must
// agree with it, and each body is checked against its size and CRC-32 while
// it streams, so a lying header or a zip bomb fails instead of filling a disk.

import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import type { EntryType } from './tar/format.js';
import type { ArchiveEntry } from './entry.js';
import { DeployError, EXIT } from '../errors.js';

export class ZipError extends DeployError {
  readonly code = 'ARCHIVE_INVALID';
  readonly exitStatus = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64: 0x06064b50, locator64: 0x07064b50 };
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** A symlink body is its target path: anything longer is not one. */
const MAX_LINK = 4096;

/** File type bits of a Unix mode, as zip writers on Unix store it in the external attributes. */
const S_IFMT = 0o170000;
const UNIX_TYPES: Record<number, EntryType> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'symlink',
  0o020000: 'character-device',
  0o060000: 'block-device',
  0o010000: 'fifo',
};
const MADE_BY_UNIX = 3;

interface CentralEntry {
  name: string;
  rawName: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  madeBy: number;
  external: number;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead < length) throw new ZipError('unexpected end of archive');
  return buffer;
}

/** Reads a little-endian u64 that must fit a safe integer. */
function u64(buffer: Buffer, offset: number, what: string): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${what} too large`);
  return Number(value);
}

/** The end-of-central-directory record: the last signature whose comment reaches exactly the end of the file. */
async function findEnd(handle: FileHandle, fileSize: number): Promise<{ offset: number; record: Buffer }> {
  if (fileSize < EOCD_SIZE) throw new ZipError('not a zip archive (too short)');
  const span = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tail = await readAt(handle, fileSize - span, span);
  for (let i = span - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG.end) continue;
    if (i + EOCD_SIZE + tail.readUInt16LE(i + 20) !== span) continue;
    return { offset: fileSize - span + i, record: tail.subarray(i, i + EOCD_SIZE) };
  }
  throw new ZipError('not a zip archive (no end of central directory)');
}

async function centralDirectory(
  handle: FileHandle,
  fileSize: number,
): Promise<{ offset: number; size: number; count: number }> {
  const { offset: endOffset, record } = await findEnd(handle, fileSize);
  if (record.readUInt16LE(4) !== 0 || record.readUInt16LE(6) !== 0)
    throw new ZipError('multi-disk archives are not supported');
  let count = record.readUInt16LE(10);
  let size = record.readUInt32LE(12);
  let offset = record.readUInt32LE(16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    if (endOffset < 20) throw new ZipError('zip64 locator missing');
    const locator = await readAt(handle, endOffset - 20, 20);
    if (locator.readUInt32LE(0) !== SIG.locator64) throw new ZipError('zip64 locator missing');
    const end64 = await readAt(handle, u64(locator, 8, 'zip64 end offset'), 56);
    if (end64.readUInt32LE(0) !== SIG.end64) throw new ZipError('zip64 end of central directory missing');
    count = u64(end64, 32, 'entry count');
    size = u64(end64, 40, 'central directory size');
    offset = u64(end64, 48, 'central directory offset');
  }
  if (offset + size > endOffset) throw new ZipError('central directory lies outside the archive');
  return { offset, size, count };
}

/** Sizes and offset that do not fit 32 bits live in the zip64 extra field (id 1), in this order, only when their field is 0xffffffff. */
function applyZip64(extra: Buffer, entry: CentralEntry): void {
  const need = [entry.size === 0xffffffff, entry.compressedSize === 0xffffffff, entry.localOffset === 0xffffffff];
  if (!need.some(Boolean)) return;
  for (let i = 0; i + 4 <= extra.length;) {
    const id = extra.readUInt16LE(i);
    const length = extra.readUInt16LE(i + 2);
    if (id === 0x0001) {
      let at = i + 4;
      const next = (what: string) => {
        if (at + 8 > i + 4 + length) throw new ZipError(`zip64 field of ${entry.name} is too short`);
        const v = u64(extra, at, what);
        at += 8;
        return v;
      };
      if (need[0]) entry.size = next('size');
      if (need[1]) entry.compressedSize = next('compressed size');
      if (need[2]) entry.localOffset = next('local header offset');
      return;
    }
    i += 4 + length;
  }
  throw new ZipError(`entry ${entry.name} needs a zip64 field and has none`);
}

function parseCentral(dir: Buffer, count: number): CentralEntry[] {
  const entries: CentralEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > dir.length || dir.readUInt32LE(at) !== SIG.central) throw new ZipError('corrupt central directory');
    const nameLength = dir.readUInt16LE(at + 28);
    const extraLength = dir.readUInt16LE(at + 30);
    const commentLength = dir.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > dir.length) throw new ZipError('corrupt central directory');
    const rawName = Buffer.from(dir.subarray(at + 46, at + 46 + nameLength));
    const entry: CentralEntry = {
      // Bit 11: UTF-8 names. Others are CP437, which agrees with UTF-8 on the ASCII names release zips use.
      name: rawName.toString(dir.readUInt16LE(at + 8) & 0x800 ? 'utf8' : 'latin1'),
      rawName,
      madeBy: dir.readUInt8(at + 5),
      flags: dir.readUInt16LE(at + 8),
      method: dir.readUInt16LE(at + 10),
      crc: dir.readUInt32LE(at + 16),
      compressedSize: dir.readUInt32LE(at + 20),
      size: dir.readUInt32LE(at + 24),
      external: dir.readUInt32LE(at + 38),
      localOffset: dir.readUInt32LE(at + 42),
    };
    applyZip64(dir.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), entry);
    entries.push(entry);
    at = end;
  }
  return entries;
}

function typeAndMode(entry: CentralEntry): { type: EntryType; mode: number } {
  const unixMode = entry.madeBy === MADE_BY_UNIX ? entry.external >>> 16 : 0;
  const fromMode = UNIX_TYPES[unixMode & S_IFMT];
  const directory = entry.name.endsWith('/') || (entry.madeBy !== MADE_BY_UNIX && (entry.external & 0x10) !== 0);
  if ((unixMode & S_IFMT) !== 0 && !fromMode) throw new ZipError(`entry ${entry.name} has an unknown file type`);
  return { type: directory ? 'directory' : (fromMode ?? 'file'), mode: unixMode & 0o7777 };
}

/** The entry's data, decompressed and checked against the central directory's size and CRC-32. */
async function* entryBody(
  path: string,
  handle: FileHandle,
  entry: CentralEntry,
  fileSize: number,
): AsyncGenerator<Buffer> {
  const local = await readAt(handle, entry.localOffset, 30);
  if (local.readUInt32LE(0) !== SIG.local) throw new ZipError(`no local header for ${entry.name}`);
  const nameLength = local.readUInt16LE(26);
  const localName = await readAt(handle, entry.localOffset + 30, nameLength);
  // Two names for one entry would let a checker and an extractor disagree about what is written.
  if (!localName.equals(entry.rawName))
    throw new ZipError(`local header of ${entry.name} names ${JSON.stringify(localName.toString('latin1'))}`);
  const start = entry.localOffset + 30 + nameLength + local.readUInt16LE(28);
  if (start + entry.compressedSize > fileSize) throw new ZipError(`data of ${entry.name} lies outside the archive`);
  if (entry.compressedSize === 0 && entry.size === 0) return;
  if (entry.compressedSize === 0) throw new ZipError(`entry ${entry.name} has no data for ${entry.size} bytes`);

  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  let source: AsyncIterable<Buffer> = raw;
  if (entry.method === 8) {
    const inflate = createInflateRaw();
    raw.on('error', (e) => inflate.destroy(e));
    source = raw.pipe(inflate);
  }
  let bytes = 0;
  let crc = 0;
  try {
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > entry.size)
        throw new ZipError(`entry ${entry.name} inflates beyond its declared ${entry.size} bytes`);
      crc = crc32(chunk, crc);
      yield chunk;
    }
  } catch (e) {
    if (e instanceof ZipError) throw e;
    throw new ZipError(`entry ${entry.name}: ${(e as Error).message}`);
  } finally {
    raw.destroy();
  }
  if (bytes !== entry.size)
    throw new ZipError(`entry ${entry.name} holds ${bytes} bytes, not the declared ${entry.size}`);
  if (crc >>> 0 !== entry.crc) throw new ZipError(`CRC-32 mismatch in ${entry.name}`);
}

async function readWhole(body: AsyncGenerator<Buffer>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.length;
    if (length > limit) throw new ZipError(`${what} is longer than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** True when the file starts like a zip (a local header, or the end record of an empty zip). */
export async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead < 4) return false;
    const sig = buffer.readUInt32LE(0);
    return sig === SIG.local || sig === SIG.end;
  } finally {
    await handle.close();
  }
}

/** Entries of a zip file in central-directory order, in the same shape host tar entries have (ArchiveEntry). */
export async function* readZipFile(path: string): AsyncGenerator<ArchiveEntry> {
  const handle = await open(path, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const cd = await centralDirectory(handle, fileSize);
    const entries = parseCentral(await readAt(handle, cd.offset, cd.size), cd.count);
    for (const e of entries) {
      if (e.flags & 0x1) throw new ZipError(`entry ${e.name} is encrypted`);
      if (e.method !== 0 && e.method !== 8)
        throw new ZipError(
          `entry ${e.name} uses compression method ${e.method} (only stored and deflate are supported)`,
        );
      const { type, mode } = typeAndMode(e);
      let linkpath = '';
      if (type === 'symlink')
        linkpath = (
          await readWhole(entryBody(path, handle, e, fileSize), MAX_LINK, `symbolic link ${e.name}`)
        ).toString('utf8');
      let consumed = false;
      yield {
        type,
        path: e.name,
        linkpath,
        mode,
        size: type === 'file' ? e.size : 0,
        body: async function* () {
          if (consumed) throw new Error('zip entry body already read');
          consumed = true;
          if (type === 'file') yield* entryBody(path, handle, e, fileSize);
        },
      };
    }
  } finally {
    await handle.close();
  }
}
