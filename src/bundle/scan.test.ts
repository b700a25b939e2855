import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tarArchive } from '../archive/tar/in-memory.js';
import { TarFormatError } from '../archive/tar/format.js';
import { readTar } from '../archive/tar/reader.js';
import { indexBundle, readMember } from './scan.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oid-scan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LONG = `blobs/sha256/${'d'.repeat(200)}`;

describe('indexBundle', () => {
  it('finds the same entries and offsets as the streaming reader, pax long paths included', async () => {
    const tar = tarArchive([
      { path: 'manifest.json', data: '{}' },
      { path: LONG, data: 'x'.repeat(700) },
      { path: './files/a', data: 'a' },
    ]);
    writeFileSync(join(dir, 'b.tar'), tar);
    const index = await indexBundle(join(dir, 'b.tar'));
    const streamed = [];
    for await (const { body: _, ...info } of readTar([tar])) streamed.push(info);
    expect(index.entries).toEqual(streamed);
    expect((await readMember(index, LONG))?.toString()).toBe('x'.repeat(700));
    expect((await readMember(index, 'files/a'))?.toString()).toBe('a'); // './' dropped
    await index.files.close();
  });

  it('reports a bundle cut inside an entry or without its end marker', async () => {
    const tar = tarArchive([
      { path: 'a', data: 'A'.repeat(600) },
      { path: 'b', data: 'B' },
    ]);
    writeFileSync(join(dir, 'cut.tar'), tar.subarray(0, 1024));
    await expect(indexBundle(join(dir, 'cut.tar'))).rejects.toThrow(/truncated \(inside a\)/);
    writeFileSync(join(dir, 'open.tar'), tar.subarray(0, tar.length - 1024));
    await expect(indexBundle(join(dir, 'open.tar'))).rejects.toThrow(TarFormatError);
  });
});
