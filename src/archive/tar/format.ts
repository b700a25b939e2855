// The tar header format (POSIX ustar, with pax records for long paths and
// sizes; GNU long names and base-256 numbers read), encoded and decoded by
// hand so that bundles can be streamed, resumed at an entry boundary and read
// at random offsets, and so that host archives can be checked entry by entry.
// The one place that knows the byte layout: readers and writers build on it.

import { DeployError, EXIT } from '../../errors.js';

export const BLOCK = 512;

/** What an entry is (what readers hand out and writers write). */
export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'character-device' | 'block-device' | 'fifo';

/** Headers that describe the next entry rather than being one. */
export type ExtendedType = 'pax-header' | 'pax-global' | 'gnu-longname' | 'gnu-longlink';

/** What a header block is: an entry, an extended header, or a type flag we do not know. */
export type HeaderType = EntryType | ExtendedType | 'other';

const TYPE_OF_FLAG: Record<string, HeaderType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file for every reader
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax-header',
  g: 'pax-global',
  L: 'gnu-longname',
  K: 'gnu-longlink',
};

const FLAG_OF_TYPE: Record<EntryType | 'pax-header', string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
  'pax-header': 'x',
};

export class TarFormatError extends DeployError {
  readonly code = 'ARCHIVE_INVALID';
  readonly exitStatus = EXIT.failed;
  /** Byte offset of the block that could not be read. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'TarFormatError';
    this.offset = offset;
  }
}

export interface RawHeader {
  /** The ustar name, its prefix applied; pax and GNU long names are applied by the reader. */
  name: string;
  mode: number;
  size: number;
  mtime: number;
  type: HeaderType;
  /** The type flag as written (for messages about types we do not know). */
  flag: string;
  linkname: string;
}

export const paddingFor = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

// ---- encoding ----

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function fitsOctal(value: number, width: number): boolean {
  return value < 8 ** (width - 1);
}

/** The header checksum: the bytes summed unsigned, the checksum field counted as spaces. */
/** The header checksum: the sum of the block's bytes with the checksum field read as spaces. */
export function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum;
}

function headerBlock(h: {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  flag: string;
  linkname?: string;
  prefix?: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  block.write(octal(h.mode, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(h.size, 12), 124, 'ascii');
  block.write(octal(h.mtime, 12), 136, 'ascii');
  block.write(h.flag, 156, 'ascii');
  if (h.linkname) block.write(h.linkname, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  if (h.prefix) block.write(h.prefix, 345, 155, 'utf8');
  block.write(`${checksum(block).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** One pax record: "<len> <key>=<value>\n", where the length counts its own digits. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + 1;
  while (String(length).length + bytes !== length) length = String(length).length + bytes;
  return `${length}${body}`;
}

/** Splits a path into ustar prefix + name when both fit, else undefined. */
function ustarSplit(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { name, prefix };
  }
  return undefined;
}

interface HeaderFields {
  path: string;
  /** Data bytes that follow the header (0 for anything but a file). */
  size: number;
  mode?: number;
  mtime?: number;
  type?: EntryType;
  linkpath?: string;
}

/**
 * The header blocks of one entry (a pax header first when a field does not
 * fit ustar). Paths are written exactly as given, hostile ones included:
 * deciding what may be written or extracted is the caller's business.
 */
export function encodeHeader(entry: HeaderFields): Buffer {
  const type = entry.type ?? 'file';
  const mode = entry.mode ?? (type === 'directory' ? 0o755 : 0o644);
  const mtime = entry.mtime ?? 0;
  const split = ustarSplit(entry.path);
  const records: string[] = [];
  if (!split) records.push(paxRecord('path', entry.path));
  if (!fitsOctal(entry.size, 12)) records.push(paxRecord('size', String(entry.size)));
  if (entry.linkpath && Buffer.byteLength(entry.linkpath) > 100) records.push(paxRecord('linkpath', entry.linkpath));
  const main = headerBlock({
    name: split?.name ?? entry.path.slice(-100),
    prefix: split?.prefix ?? '',
    mode,
    size: fitsOctal(entry.size, 12) ? entry.size : 0,
    mtime,
    flag: FLAG_OF_TYPE[type],
    ...(entry.linkpath ? { linkname: entry.linkpath.slice(0, 100) } : {}),
  });
  if (records.length === 0) return main;
  const pax = Buffer.from(records.join(''), 'utf8');
  const paxHeader = headerBlock({
    name: `PaxHeaders/${entry.path.split('/').pop()!.slice(0, 80)}`,
    mode: 0o644,
    size: pax.length,
    mtime,
    flag: FLAG_OF_TYPE['pax-header'],
  });
  return Buffer.concat([paxHeader, pax, Buffer.alloc(paddingFor(pax.length)), main]);
}

// ---- decoding ----

/** A NUL-terminated field (or the whole field when it has no NUL). */
export function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(block: Buffer, start: number, length: number, what: string, offset: number): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarFormatError(`negative ${what} in tar header`, offset);
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new TarFormatError(`${what} too large in tar header`, offset);
    return value;
  }
  const text = cString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad ${what} ${JSON.stringify(text)} in tar header`, offset);
  return parseInt(text, 8);
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

export interface DecodeOptions {
  /** Accept pre-POSIX (v7) headers, which have no ustar magic: host archives may be that old; bundles never are. */
  v7?: boolean;
}

/** Parses one header block; throws TarFormatError on a bad checksum, a bad number or (unless `v7`) a missing ustar magic. */
export function decodeHeader(block: Buffer, offset: number, options: DecodeOptions = {}): RawHeader {
  const stored = readNumber(block, 148, 8, 'checksum', offset);
  if (stored !== checksum(block))
    throw new TarFormatError('tar header checksum mismatch (damaged or not a tar file)', offset);
  const magic = block.toString('latin1', 257, 263);
  // 'ustar ' is the old GNU format: the prefix field holds other data there.
  if (magic !== 'ustar\0' && magic !== 'ustar ' && !options.v7) throw new TarFormatError('not a ustar header', offset);
  const prefix = magic === 'ustar\0' ? cString(block, 345, 155) : '';
  const name = cString(block, 0, 100);
  const flag = String.fromCharCode(block[156]!);
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: readNumber(block, 100, 8, 'mode', offset),
    size: readNumber(block, 124, 12, 'size', offset),
    mtime: readNumber(block, 136, 12, 'mtime', offset),
    type: TYPE_OF_FLAG[flag] ?? 'other',
    flag,
    linkname: cString(block, 157, 100),
  };
}

/** Parses pax records; unknown keys are kept, malformed records refused. */
export function parsePax(data: Buffer, offset: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) throw new TarFormatError('malformed pax record', offset);
    const length = Number(data.toString('ascii', i, space));
    if (!Number.isInteger(length) || length <= 0 || i + length > data.length)
      throw new TarFormatError('malformed pax record length', offset);
    const record = data.toString('utf8', space + 1, i + length - 1);
    const eq = record.indexOf('=');
    if (eq < 0 || data[i + length - 1] !== 0x0a) throw new TarFormatError('malformed pax record', offset);
    out[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return out;
}
