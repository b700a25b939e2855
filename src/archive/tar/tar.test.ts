import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarArchive, tarEntry } from './in-memory.js';
import { BLOCK, decodeHeader, encodeHeader, END_OF_ARCHIVE, paddingFor, paxRecord, TarFormatError } from './format.js';
import { readTar, type ReadOptions } from './reader.js';
import { patchHeader } from '../../../test/helpers/tar-helpers.js';

const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'oid-tar-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function* chunked(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

interface Read {
  path: string;
  type: string;
  size: number;
  linkpath: string;
  data: string;
  dataOffset: number;
  endOffset: number;
}

async function readAll(buf: Buffer, options: ReadOptions = {}, chunk = 700): Promise<Read[]> {
  const out: Read[] = [];
  for await (const e of readTar(chunked(buf, chunk), options)) {
    const pieces: Buffer[] = [];
    for await (const p of e.body()) pieces.push(p);
    out.push({
      path: e.path,
      type: e.type,
      size: e.size,
      linkpath: e.linkpath,
      data: Buffer.concat(pieces).toString(),
      dataOffset: e.dataOffset,
      endOffset: e.endOffset,
    });
  }
  return out;
}

const patch = (block: Buffer, at: number, bytes: Buffer | string) => patchHeader(block, 0, at, bytes);

const padded = (data: Buffer) => Buffer.concat([data, Buffer.alloc(paddingFor(data.length))]);

const LONG = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;
const PREFIXED = `${'p'.repeat(120)}/short.txt`;

describe('tar format', () => {
  it('round-trips short, ustar-prefixed and pax-long paths, in odd chunk sizes', async () => {
    const buf = tarArchive([
      { path: 'a.txt', data: 'hello' },
      { path: PREFIXED, data: 'prefixed' },
      { path: LONG, data: 'x'.repeat(1000) },
      { path: 'empty', data: '' },
      { type: 'symlink', path: 'link', linkpath: `${'t'.repeat(120)}/target` },
    ]);
    const entries = await readAll(buf, {}, 333);
    expect(entries.map((e) => e.path)).toEqual(['a.txt', PREFIXED, LONG, 'empty', 'link']);
    expect(entries[2]!.data).toBe('x'.repeat(1000));
    expect(entries[4]).toMatchObject({ type: 'symlink', linkpath: `${'t'.repeat(120)}/target`, size: 0 });
    expect(entries[0]!.dataOffset).toBe(512);
    expect(entries[0]!.endOffset).toBe(1024);
  });

  it('writes what GNU tar reads (names, sizes, content, links)', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'x.tar'),
      tarArchive([
        { path: 'a.txt', data: 'hello' },
        { path: LONG, data: 'long' },
        { path: PREFIXED, data: 'p' },
        { type: 'directory', path: 'd' },
        { type: 'symlink', path: 'd/s', linkpath: '../a.txt' },
        { type: 'hardlink', path: 'h', linkpath: 'a.txt' },
      ]),
    );
    const listing = execFileSync('tar', ['-tf', join(dir, 'x.tar')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(listing).toEqual(['a.txt', LONG, PREFIXED, 'd', 'd/s', 'h']);
    mkdirSync(join(dir, 'out'));
    execFileSync('tar', ['-xf', join(dir, 'x.tar'), '-C', join(dir, 'out')]);
    expect(readFileSync(join(dir, 'out', LONG), 'utf8')).toBe('long');
    expect(readFileSync(join(dir, 'out', 'd/s'), 'utf8')).toBe('hello');
    expect(readFileSync(join(dir, 'out', 'h'), 'utf8')).toBe('hello');
  });

  it('reads what GNU tar writes: GNU long names and long link targets', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'src', ...LONG.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, 'src', LONG), 'gnu');
    symlinkSync(LONG, join(dir, 'src', 'l'));
    const buf = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', join(dir, 'src'), LONG, 'l']);
    const entries = await readAll(buf);
    expect(entries.find((e) => e.path === LONG)?.data).toBe('gnu');
    expect(entries.find((e) => e.path === 'l')).toMatchObject({ type: 'symlink', linkpath: LONG });
  });

  it('writes hostile paths exactly as given (deciding is the reader’s user’s job)', async () => {
    const buf = tarArchive([
      { path: '../escape', data: 'x' },
      { path: '/abs', data: 'y' },
      { type: 'character-device', path: 'dev/null' },
      { type: 'fifo', path: 'p' },
    ]);
    expect((await readAll(buf)).map((e) => [e.path, e.type])).toEqual([
      ['../escape', 'file'],
      ['/abs', 'file'],
      ['dev/null', 'character-device'],
      ['p', 'fifo'],
    ]);
  });

  it('reports truncation with the offset of the broken entry', async () => {
    const buf = tarArchive([
      { path: 'a', data: 'A'.repeat(600) },
      { path: 'b', data: 'B'.repeat(2000) },
    ]);
    const cut = buf.subarray(0, 1536 + 512 + 100);
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const e of readTar([cut])) {
          seen.push(e.path);
          for await (const _ of e.body());
        }
      } catch (err) {
        return err;
      }
    })();
    expect(seen).toEqual(['a', 'b']);
    expect(error).toBeInstanceOf(TarFormatError);
    expect((error as TarFormatError).offset).toBe(1536);
  });

  it('refuses a damaged header (checksum)', async () => {
    const buf = tarArchive([{ path: 'a', data: 'A' }]);
    buf[10] = buf[10]! ^ 0xff;
    await expect(readAll(buf)).rejects.toThrow(/checksum/);
  });

  it('reads GNU base-256 sizes and refuses negative ones', async () => {
    const data = Buffer.from('base-256');
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size.writeUInt32BE(data.length, 8);
    const header = patch(encodeHeader({ path: 'big', size: 0 }), 124, size);
    const entries = await readAll(Buffer.concat([header, padded(data), END_OF_ARCHIVE]));
    expect(entries[0]).toMatchObject({ path: 'big', size: data.length, data: 'base-256' });
    expect(() => decodeHeader(patch(header, 124, Buffer.alloc(12, 0xff)), 0)).toThrow(/negative size/);
    expect(() => decodeHeader(patch(header, 124, '0000000009\0'), 0)).toThrow(/bad size "0000000009"/);
  });

  it('takes the size from a pax record, and refuses a malformed one', async () => {
    const paxBlocks = (records: string) => {
      const data = Buffer.from(records);
      return Buffer.concat([patch(encodeHeader({ path: 'PaxHeaders/f', size: data.length }), 156, 'x'), padded(data)]);
    };
    const body = padded(Buffer.from('12345'));
    const main = encodeHeader({ path: 'f', size: 0 });
    expect(
      (await readAll(Buffer.concat([paxBlocks(paxRecord('size', '5')), main, body, END_OF_ARCHIVE])))[0],
    ).toMatchObject({ path: 'f', size: 5, data: '12345' });
    await expect(
      readAll(Buffer.concat([paxBlocks(paxRecord('size', '0x5')), main, body, END_OF_ARCHIVE])),
    ).rejects.toThrow(/bad entry size/);
    await expect(readAll(Buffer.concat([paxBlocks('9 path=f'), main, END_OF_ARCHIVE]))).rejects.toThrow(
      /malformed pax record/,
    );
    await expect(readAll(Buffer.concat([paxBlocks(paxRecord('path', 'f')), END_OF_ARCHIVE]))).rejects.toThrow(
      /ends after an extended header/,
    );
  });

  it('refuses an extended header larger than 1 MiB', async () => {
    const huge = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const header = patch(encodeHeader({ path: 'PaxHeaders/f', size: huge.length }), 156, 'x');
    await expect(readAll(Buffer.concat([header, padded(huge), END_OF_ARCHIVE]))).rejects.toThrow(/more than 1 MiB/);
  });

  it('treats links, directories and devices as header-only whatever their size field says', async () => {
    const link = patch(encodeHeader({ path: 'l', size: 0, type: 'symlink', linkpath: 'a' }), 124, '00000001130\0'); // 600
    const entries = await readAll(Buffer.concat([link, tarEntry({ path: 'next', data: 'n' }), END_OF_ARCHIVE]));
    expect(entries.map((e) => [e.path, e.size])).toEqual([
      ['l', 0],
      ['next', 1],
    ]);
  });

  it('hands out unknown type flags as "other", their data skipped like a file’s', async () => {
    const sparse = patch(encodeHeader({ path: 's', size: 600 }), 156, 'S');
    const buf = Buffer.concat([
      sparse,
      padded(Buffer.alloc(600, 1)),
      tarEntry({ path: 'next', data: 'n' }),
      END_OF_ARCHIVE,
    ]);
    const seen: [string, string, string][] = [];
    for await (const e of readTar([buf])) seen.push([e.path, e.type, e.flag]);
    expect(seen).toEqual([
      ['s', 'other', 'S'],
      ['next', 'file', '0'],
    ]);
  });

  it('refuses pre-POSIX (v7) headers unless asked to read them', async () => {
    const v7 = Buffer.concat([
      patch(encodeHeader({ path: 'old', size: 2 }), 257, Buffer.alloc(8)),
      padded(Buffer.from('v7')),
      END_OF_ARCHIVE,
    ]);
    await expect(readAll(v7)).rejects.toThrow(/not a ustar header/);
    expect(await readAll(v7, { v7: true })).toMatchObject([{ path: 'old', data: 'v7' }]);
  });

  it('end of archive: the marker is needed unless allowMissingEnd, and only at an entry boundary', async () => {
    const entries = tarEntry({ path: 'a', data: 'A' });
    await expect(readAll(entries)).rejects.toThrow(/truncated \(ends inside a header\)/);
    expect((await readAll(entries, { allowMissingEnd: true })).map((e) => e.path)).toEqual(['a']);
    // An extended header and then nothing: damage, not a missing marker.
    const dangling = encodeHeader({ path: 'x'.repeat(300), size: 0 }).subarray(0, BLOCK * 2);
    await expect(readAll(dangling, { allowMissingEnd: true })).rejects.toThrow(/truncated/);
  });

  it('an empty stream is not an archive, unless allowEmpty (resuming an empty partial file)', async () => {
    await expect(readAll(Buffer.alloc(0))).rejects.toThrow(/not a tar archive/);
    await expect(readAll(Buffer.alloc(0), { allowMissingEnd: true })).rejects.toThrow(/not a tar archive/);
    expect(await readAll(Buffer.alloc(0), { allowMissingEnd: true, allowEmpty: true })).toEqual([]);
    expect(await readAll(END_OF_ARCHIVE)).toEqual([]);
  });
});
