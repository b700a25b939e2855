import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartFiles, PartWriter, partName } from './parts.js';
import { TarAppender } from './tar/appender.js';

const tmp = () => scratch(mkdtempSync(join(tmpdir(), 'oid-tar-')));

const made: string[] = [];
const scratch = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
    expect(
      execFileSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .sort(),
    ).toEqual(['one', 'two']);
  });

  it('the appender refuses a file that is longer than announced', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), 'file body');
    const tar = new TarAppender(await PartWriter.open(join(dir, 'a.tar'), undefined, 0), 0);
    await expect(tar.appendFile('bad', join(dir, 'f'), 5)).rejects.toThrow(/more than the 5 bytes/);
  });

  for (const partSize of [undefined, 700]) {
    it(`an entry that fails half-way is taken back, so the archive stays well formed (${partSize ? 'split in parts' : 'one file'})`, async () => {
      const dir = tmp();
      const base = join(dir, 'a.tar');
      const w = await PartWriter.open(base, partSize, 0);
      const tar = new TarAppender(w, 0);
      writeFileSync(join(dir, 'changed'), 'x'.repeat(2000));
      await tar.appendBuffer('first', Buffer.from('first body'));
      // Fails after its header and some data: a directory read (EISDIR), a file shorter than announced,
      // a file whose hash is not the one verified; the appends queued behind them still land.
      const results = await Promise.allSettled([
        tar.appendFile('a-directory', dir, 4096),
        tar.appendFile('shrunk', join(dir, 'changed'), 3000),
        tar.appendFile('changed', join(dir, 'changed'), 2000, '0'.repeat(64)),
        tar.appendBuffer('last', Buffer.from('last body')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
      await tar.end();
      await w.close();
      const archive = partSize ? join(dir, 'joined.tar') : base;
      if (partSize) {
        const parts: Buffer[] = [];
        for (let i = 0; existsSync(partName(base, i)); i++) parts.push(readFileSync(partName(base, i)));
        writeFileSync(archive, Buffer.concat(parts));
      }
      // GNU tar reads exactly the entries that were kept, with their contents.
      expect(execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n')).toEqual(['first', 'last']);
      expect(execFileSync('tar', ['-xOf', archive, 'last'], { encoding: 'utf8' })).toBe('last body');
      expect([...tar.entries.keys()]).toEqual(['first', 'last']);
    });
  }
});
