// The objects part of a backup: every object of one bucket, over the S3 API
// (./s3.ts), as numbered files under objects/<bucket>/ with an index of keys
// (keys may hold anything; archive entry names do not), and the way back.
// Target-neutral: a target only says where the S3 endpoint is (a host's
// MinIO, a port-forward to the MinIO Service).

import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StagedFile } from './archive.js';
import type { S3Client } from './s3.js';

interface ObjectIndexEntry {
  key: string;
  size: number;
  contentType: string;
  /** Entry name under objects/<bucket>/. */
  file: string;
}

export interface ObjectIndex {
  bucket: string;
  objects: ObjectIndexEntry[];
}

/** Index entries in an archive: objects/<bucket>/index.json. */
const OBJECT_INDEX_PATTERN = /^objects\/[^/]+\/index\.json$/;

/** Downloads every object of `bucket` into `dir`/objects; returns the staged files and a one-line description. */
export async function saveBucket(
  s3: S3Client,
  bucket: string,
  dir: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<{ files: StagedFile[]; description: string }> {
  const objects = await s3.list(bucket);
  const objDir = join(dir, 'objects');
  await mkdir(objDir, { recursive: true, mode: 0o700 });
  const index: ObjectIndexEntry[] = [];
  const files: StagedFile[] = [];
  log(`${objects.length} object(s) in bucket ${bucket}`);
  for (const [i, o] of objects.entries()) {
    if (signal.aborted) throw new Error('interrupted');
    const file = String(i).padStart(6, '0');
    const contentType = await s3.get(bucket, o.key, join(objDir, file));
    index.push({ key: o.key, size: (await stat(join(objDir, file))).size, contentType, file });
    files.push({ path: `objects/${bucket}/${file}`, kind: 'objects', file: join(objDir, file) });
  }
  const indexFile = join(objDir, 'index.json');
  await writeFile(indexFile, `${JSON.stringify({ bucket, objects: index } satisfies ObjectIndex, null, 2)}\n`, {
    mode: 0o600,
  });
  files.push({ path: `objects/${bucket}/index.json`, kind: 'objects', file: indexFile });
  return {
    files,
    description: `${index.length} object(s), ${index.reduce((n, o) => n + o.size, 0)} bytes, of bucket ${bucket}`,
  };
}

/** The object indexes of an opened archive (entry path → local file). */
export async function objectIndexes(files: Map<string, string>): Promise<{ path: string; index: ObjectIndex }[]> {
  const out: { path: string; index: ObjectIndex }[] = [];
  for (const [path, file] of files)
    if (OBJECT_INDEX_PATTERN.test(path))
      out.push({ path, index: JSON.parse(await readFile(file, 'utf8')) as ObjectIndex });
  return out;
}

/** Puts the objects of one index back into `bucket` (created when missing). */
export async function restoreBucket(
  s3: S3Client,
  bucket: string,
  indexPath: string,
  index: ObjectIndex,
  files: Map<string, string>,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<void> {
  log(`putting ${index.objects.length} object(s) back into bucket ${bucket}`);
  if (!(await s3.bucketExists(bucket))) await s3.createBucket(bucket);
  const folder = indexPath.slice(0, -'index.json'.length);
  for (const o of index.objects) {
    if (signal.aborted) throw new Error('interrupted');
    const local = files.get(`${folder}${o.file}`);
    if (!local) throw new Error(`object ${o.key}: ${o.file} missing from the archive`);
    await s3.put(bucket, o.key, local, o.size, o.contentType);
  }
}
