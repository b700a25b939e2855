// `bundle create --contents-from FILE`: replaces the derived image, chart or
// file list (each one given) with an explicit one. For bundles of extra
// images, and for tests that bundle small images of their own.

import { join } from 'node:path';
import { z } from 'zod';
import { parseImage } from '../catalog/images.js';
import { loadConfigFile } from '../config/config-file.js';
import { ConfigError } from '../errors.js';
import { readChartMeta } from './charts.js';
import type { BundleContents } from './contents.js';

const contentsFileSchema = z.strictObject({
  images: z.array(z.string().min(1)).optional(),
  charts: z
    .array(
      z.strictObject({
        source: z.enum(['local', 'repo', 'oci']),
        name: z.string().min(1),
        version: z.string().default(''),
        repo: z.string().default(''),
        license: z.string().default(''),
      }),
    )
    .optional(),
  files: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().regex(/^[A-Za-z0-9._+-]+$/, 'a plain file name'),
        source: z.string().min(1),
        sha256: z.union([z.string().regex(/^[a-f0-9]{64}$/), z.literal('')]).default(''),
        arch: z.enum(['amd64', 'arm64', 'any']).default('any'),
        license: z.string().optional(),
      }),
    )
    .optional(),
});

export function applyContentsFile(contents: BundleContents, file: string, templatesDir: string): BundleContents {
  // Read like a config file: a regular file of sane size, YAML limits, never a hang on a FIFO.
  const { layer: raw, issue } = loadConfigFile(file, '--contents-from');
  if (issue) throw new ConfigError([issue]);
  const parsed = contentsFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: `${file}: ${i.path.join('.')}`, message: i.message })),
    );
  const given = parsed.data;
  const charts = given.charts?.map((c) => {
    if (c.source === 'local') return { ...c, version: readChartMeta(join(templatesDir, 'charts', c.name)).version };
    if (!c.version || !c.repo)
      throw new ConfigError([
        { path: `${file}: charts.${c.name}`, message: 'repo and version are required for repo and oci charts' },
      ]);
    return c;
  });
  return {
    ...contents,
    ...(given.images ? { images: given.images.map(parseImage) } : {}),
    ...(charts ? { charts } : {}),
    ...(given.files ? { files: given.files } : {}),
    gaps: given.images ? [] : contents.gaps,
  };
}
