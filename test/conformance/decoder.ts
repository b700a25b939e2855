// Runs the strict Go decoder (decode/main.go: upstream's own config structs,
// mapstructure ErrorUnused) on a folder of config files.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Product } from './upstream.js';

export interface DecodeResult {
  files: Record<string, { unused: string[]; unset: string[]; error?: string }>;
  unusedEnv: string[];
  unknownFiles: string[];
  missingFiles: string[];
}

/** Decodes `files` (name → YAML) as `product` would load them, with `env` set (name → value). */
export async function decode(
  bin: string,
  product: Product,
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<DecodeResult> {
  const dir = mkdtempSync(join(tmpdir(), `openim-decode-${product}-`));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'env.json'), JSON.stringify(env));
    // A clean environment: only what the pod would set, so a stray IMENV_* of the caller cannot leak in.
    const { stdout } = await execa(bin, ['-product', product, '-dir', dir, '-env', join(dir, 'env.json')], {
      env: { PATH: process.env.PATH ?? '' },
      extendEnv: false,
    });
    return JSON.parse(stdout) as DecodeResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
