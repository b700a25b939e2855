// Writes tar headers (ustar, with a pax record for long names or large
// sizes). Used to craft test archives, hostile ones included, exactly as
// written: nothing here normalises or refuses a path.

import type { TarEntryType } from './tar.js';

const BLOCK = 512;

const FLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export interface TarWriteEntry {
  type?: TarEntryType;
  path: string;
  linkpath?: string;
  mode?: number;
  data?: Buffer | string;
  mtime?: number;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, flag: string, size: number, mode: number, linkname: string, mtime: number): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(name, 0, 100, 'utf8');
  buf.write(octal(mode, 8), 100, 'ascii');
  buf.write(octal(0, 8), 108, 'ascii');
  buf.write(octal(0, 8), 116, 'ascii');
  buf.write(octal(size, 12), 124, 'ascii');
  buf.write(octal(mtime, 12), 136, 'ascii');
  buf.write('        ', 148, 'ascii');
  buf.write(flag, 156, 'ascii');
  buf.write(linkname, 157, 100, 'utf8');
  buf.write('ustar\0', 257, 'ascii');
  buf.write('00', 263, 'ascii');
  buf.write('root', 265, 'ascii');
  buf.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return buf;
}

function pad(data: Buffer): Buffer[] {
  const rest = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return rest ? [data, Buffer.alloc(rest)] : [data];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  // The length counts its own digits.
  let len = bytes + 1;
  while (String(len).length + bytes !== len) len = String(len).length + bytes;
  return `${len}${body}`;
}

/** One entry's blocks: header(s) and padded data. */
export function tarEntry(entry: TarWriteEntry): Buffer {
  const type = entry.type ?? 'file';
  const data = type === 'file' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
  const mode = entry.mode ?? (type === 'directory' ? 0o755 : 0o644);
  const mtime = entry.mtime ?? 1_700_000_000;
  const linkpath = entry.linkpath ?? '';
  const parts: Buffer[] = [];
  const pax: string[] = [];
  if (Buffer.byteLength(entry.path) > 99) pax.push(paxRecord('path', entry.path));
  if (Buffer.byteLength(linkpath) > 99) pax.push(paxRecord('linkpath', linkpath));
  if (pax.length) {
    const body = Buffer.from(pax.join(''));
    parts.push(header('PaxHeader', 'x', body.length, 0o644, '', mtime), ...pad(body));
  }
  parts.push(header(entry.path.slice(0, 99), FLAGS[type], data.length, mode, linkpath.slice(0, 99), mtime));
  if (data.length) parts.push(...pad(data));
  return Buffer.concat(parts);
}

/** A whole archive, with the two zero blocks that end it. */
export function tarArchive(entries: readonly TarWriteEntry[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), Buffer.alloc(BLOCK * 2)]);
}
