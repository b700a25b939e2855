// One backup = one tar (the project's writer and reader, src/archive/parts.ts and
// src/archive/tar/): the parts, then manifest.json with the SHA-256 of every part;
// encrypted as a whole when a key is given (crypto.ts). Reading checks every
// entry against the manifest before the caller may use any of it.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashCounter } from '../util/hash.js';
import { PartWriter } from '../archive/parts.js';
import { checkBundleEntry } from '../archive/safe-path.js';
import { TarAppender } from '../archive/tar/appender.js';
import { readTar } from '../archive/tar/reader.js';
import { decryptFile, encryptFile, isEncrypted, BackupKeyError } from './crypto.js';
import {
  BackupFormatError,
  contentProblems,
  MANIFEST_PATH,
  parseManifest,
  type BackupManifest,
  type ContentEntry,
  type ContentKind,
} from './manifest.js';

export interface StagedFile {
  /** Path inside the archive. */
  path: string;
  kind: ContentKind;
  /** Local file holding it. */
  file: string;
}

export type ManifestBase = Omit<BackupManifest, 'contents'>;

/** Writes the archive to `out` (0600); returns the manifest written into it. */
export async function writeBackupArchive(
  out: string,
  files: StagedFile[],
  base: ManifestBase,
  passphrase?: Buffer,
): Promise<BackupManifest> {
  await mkdir(dirname(out), { recursive: true });
  const plain = passphrase ? `${out}.plain.partial` : `${out}.partial`;
  // Created 0600 first: the writer keeps the mode of a file that exists, and this one holds secrets.
  await writeFile(plain, '', { mode: 0o600 });
  try {
    const manifest = await writeTar(plain, files, base);
    if (passphrase) await encryptFile(plain, `${out}.partial`, passphrase);
    await rename(`${out}.partial`, out);
    return manifest;
  } catch (error) {
    // Nothing half-written stays behind under any name.
    await rm(`${out}.partial`, { force: true });
    throw error;
  } finally {
    if (passphrase) await rm(plain, { force: true });
  }
}

async function writeTar(path: string, files: StagedFile[], base: ManifestBase): Promise<BackupManifest> {
  const writer = await PartWriter.open(path, undefined, 0);
  try {
    const tar = new TarAppender(writer, Math.floor(Date.parse(base.createdAt) / 1000));
    const contents: ContentEntry[] = [];
    for (const f of files) {
      const written = await tar.appendFile(f.path, f.file, (await stat(f.file)).size);
      contents.push({ path: f.path, kind: f.kind, size: written.size, sha256: written.sha256 });
    }
    const manifest: BackupManifest = { ...base, contents };
    await tar.appendBuffer(MANIFEST_PATH, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await tar.end();
    await writer.sync();
    return manifest;
  } finally {
    await writer.close();
  }
}

export interface OpenedBackup {
  manifest: BackupManifest;
  encrypted: boolean;
  /** Each part, extracted under the folder given (path in the archive → local file). */
  files: Map<string, string>;
}

/**
 * Decrypts (when needed) and extracts the archive into `dir`, hashing every
 * entry; throws unless every entry matches the manifest exactly.
 */
export async function openBackupArchive(archive: string, dir: string, passphrase?: Buffer): Promise<OpenedBackup> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const encrypted = await isEncrypted(archive);
  let tarPath = archive;
  if (encrypted) {
    if (!passphrase) throw new BackupKeyError(`${archive} is encrypted: pass the key it was written with (--key-file)`);
    tarPath = join(dir, 'archive.tar');
    await decryptFile(archive, tarPath, passphrase);
  }
  const found = new Map<string, { sha256: string; size: number }>();
  const files = new Map<string, string>();
  let manifestText: string | undefined;
  const partsDir = join(dir, 'parts');
  try {
    for await (const entry of readTar(createReadStream(tarPath) as AsyncIterable<Buffer>)) {
      const path = checkBundleEntry(entry);
      if (entry.type !== 'file') continue;
      if (found.has(path) || (path === MANIFEST_PATH && manifestText !== undefined))
        throw new BackupFormatError(`${path} appears twice in the archive`);
      if (path === MANIFEST_PATH) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry.body()) chunks.push(chunk);
        manifestText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      const local = join(partsDir, path);
      await mkdir(dirname(local), { recursive: true, mode: 0o700 });
      const counter = new HashCounter();
      const body = entry.body();
      const hashing = async function* () {
        for await (const chunk of body) {
          counter.update(chunk);
          yield chunk;
        }
      };
      await pipeline(hashing, createWriteStream(local, { mode: 0o600 }) as Writable);
      found.set(path, { sha256: counter.hex(), size: counter.bytes });
      files.set(path, local);
    }
  } finally {
    if (encrypted) await rm(tarPath, { force: true });
  }
  if (manifestText === undefined)
    throw new BackupFormatError(`${archive} has no ${MANIFEST_PATH}: not an openim-deploy backup`);
  const manifest = parseManifest(manifestText);
  const problems = contentProblems(manifest, found);
  if (problems.length)
    throw new BackupFormatError(
      `${archive} does not match its manifest, nothing was restored:\n  ${problems.join('\n  ')}`,
    );
  return { manifest, encrypted, files };
}
