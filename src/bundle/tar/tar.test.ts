import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHeader, END_OF_ARCHIVE, paddingFor, TarFormatError } from './format.js';
import { PartFiles, PartWriter, partName } from './parts.js';
import { readTar } from './reader.js';
import { TarAppender } from './writer.js';

const tmp = () => scratch(mkdtempSync(join(tmpdir(), 'oid-tar-')));

function archive(entries: { path: string; data: Buffer | string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data);
    parts.push(encodeHeader({ path: e.path, size: data.length }), data, Buffer.alloc(paddingFor(data.length)));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

async function readAll(buf: Buffer, chunk = 700) {
  async function* chunks() {
    for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
  }
  const out: { path: string; data: string; dataOffset: number; endOffset: number }[] = [];
  for await (const e of readTar(chunks())) {
    const pieces: Buffer[] = [];
    for await (const p of e.body()) pieces.push(p);
    out.push({ path: e.path, data: Buffer.concat(pieces).toString(), dataOffset: e.dataOffset, endOffset: e.endOffset });
  }
  return out;
}

const LONG = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;
const PREFIXED = `${'p'.repeat(120)}/short.txt`;


const made: string[] = [];
const scratch = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('tar format', () => {
  it('round-trips short, ustar-prefixed and pax-long paths, in odd chunk sizes', async () => {
    const buf = archive([
      { path: 'a.txt', data: 'hello' },
      { path: PREFIXED, data: 'prefixed' },
      { path: LONG, data: 'x'.repeat(1000) },
      { path: 'empty', data: '' },
    ]);
    const entries = await readAll(buf, 333);
    expect(entries.map((e) => e.path)).toEqual(['a.txt', PREFIXED, LONG, 'empty']);
    expect(entries[2]!.data).toBe('x'.repeat(1000));
    expect(entries[0]!.dataOffset).toBe(512);
    expect(entries[0]!.endOffset).toBe(1024);
  });

  it('writes what GNU tar reads (names, sizes, content)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.tar'), archive([{ path: 'a.txt', data: 'hello' }, { path: LONG, data: 'long' }, { path: PREFIXED, data: 'p' }]));
    const listing = execFileSync('tar', ['-tf', join(dir, 'x.tar')], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['a.txt', LONG, PREFIXED]);
    mkdirSync(join(dir, 'out'));
    execFileSync('tar', ['-xf', join(dir, 'x.tar'), '-C', join(dir, 'out')]);
    expect(readFileSync(join(dir, 'out', LONG), 'utf8')).toBe('long');
  });

  it('reads what GNU tar writes, long names included', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'src', ...LONG.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, 'src', LONG), 'gnu');
    const buf = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', join(dir, 'src'), LONG]);
    const entries = await readAll(buf);
    expect(entries.find((e) => e.path === LONG)?.data).toBe('gnu');
  });

  it('reports truncation with the offset of the broken entry', async () => {
    const buf = archive([{ path: 'a', data: 'A'.repeat(600) }, { path: 'b', data: 'B'.repeat(2000) }]);
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
    const buf = archive([{ path: 'a', data: 'A' }]);
    buf[10] = buf[10]! ^ 0xff;
    await expect(readAll(buf)).rejects.toThrow(/checksum/);
  });
});

describe('parts', () => {
  it('splits a stream into parts and reads it back as one, at any offset', async () => {
    const dir = tmp();
    const base = join(dir, 'b.tar.partial');
    const w = await PartWriter.open(base, 1000, 0);
    const data = Buffer.from(Array.from({ length: 3500 }, (_, i) => i % 251));
    await w.write(data.subarray(0, 999));
    await w.write(data.subarray(999));
    const paths = await w.finish(join(dir, 'b.tar'));
    expect(paths).toEqual([0, 1, 2, 3].map((i) => partName(join(dir, 'b.tar'), i)));
    expect(statSync(paths[3]!).size).toBe(500);
    const files = await PartFiles.open(join(dir, 'b.tar'));
    expect(files.size).toBe(3500);
    expect(await files.read(990, 30)).toEqual(data.subarray(990, 1020));
    const chunks: Buffer[] = [];
    for await (const c of files.stream(1500, 3100)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(data.subarray(1500, 3100));
    await files.close();
    // Given the first part's name, the bundle is still found.
    expect((await PartFiles.open(paths[0]!)).size).toBe(3500);
  });

  it('resumes by cutting everything after the resume point', async () => {
    const dir = tmp();
    const base = join(dir, 'r.partial');
    let w = await PartWriter.open(base, 1000, 0);
    await w.write(Buffer.alloc(2500, 1));
    await w.close();
    w = await PartWriter.open(base, 1000, 1200);
    await w.write(Buffer.alloc(100, 2));
    await w.close();
    expect(existsSync(partName(base, 2))).toBe(false);
    const files = await PartFiles.open(base);
    expect(files.size).toBe(1300);
    expect((await files.read(1195, 10)).toString('hex')).toBe('01010101010202020202');
  });

  it('the appender hashes entries and writes a valid archive', async () => {
    const dir = tmp();
    const w = await PartWriter.open(join(dir, 'a.tar'), undefined, 0);
    const tar = new TarAppender(w, 0);
    writeFileSync(join(dir, 'f'), 'file body');
    await Promise.all([tar.appendBuffer('one', Buffer.from('1')), tar.appendFile('two', join(dir, 'f'), 9)]);
    await tar.end();
    await w.close();
    expect(tar.entries.get('two')).toEqual({ sha256: createHash('sha256').update('file body').digest('hex'), size: 9 });
    expect(execFileSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual(['one', 'two']);
  });

  it('the appender refuses a file that is longer than announced', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), 'file body');
    const tar = new TarAppender(await PartWriter.open(join(dir, 'a.tar'), undefined, 0), 0);
    await expect(tar.appendFile('bad', join(dir, 'f'), 5)).rejects.toThrow(/more than the 5 bytes/);
  });
});
