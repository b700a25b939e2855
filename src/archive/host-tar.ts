// Host archives (the `mage export` tarballs, the infrastructure archives) as
// entries for safe extraction: tar or tar.gz, read by the shared tar reader
// (src/archive/tar/). It only parses; what is safe to write is decided by extract.ts.
// Compared with bundles, host archives may be old v7 tars or lack their
// end-of-archive blocks, and a type flag we do not know refuses the archive.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ArchiveEntry } from './entry.js';
import { TarFormatError } from './tar/format.js';
import { readTar } from './tar/reader.js';

/** Entries of an uncompressed tar stream, in order. */
async function* readHostTar(source: AsyncIterable<Buffer>): AsyncGenerator<ArchiveEntry> {
  for await (const entry of readTar(source, { v7: true, allowMissingEnd: true })) {
    if (entry.type === 'other')
      throw new TarFormatError(
        `unsupported tar entry type ${JSON.stringify(entry.flag)} (${entry.path})`,
        entry.headerOffset,
      );
    yield {
      type: entry.type,
      path: entry.path,
      linkpath: entry.linkpath,
      mode: entry.mode & 0o7777,
      size: entry.size,
      body: entry.body,
    };
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
async function openArchive(path: string): Promise<Readable> {
  const file = createReadStream(path);
  if (!(await isGzip(path))) return file;
  const gunzip = createGunzip();
  file.on('error', (e) => gunzip.destroy(e));
  return file.pipe(gunzip);
}

/** Entries of a tar or tar.gz file. */
export async function* readTarFile(path: string): AsyncGenerator<ArchiveEntry> {
  const stream = await openArchive(path);
  try {
    yield* readHostTar(stream);
  } finally {
    stream.destroy();
  }
}
