import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding openim-deploy's package.json, from source or from dist. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'openim-deploy') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the openim-deploy package root');
    dir = parent;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** package.json's `bugs` (a URL, or `{ url }`), where bug reports go; undefined while the package names none. */
export function packageBugsUrl(): string | undefined {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    bugs?: string | { url?: string };
  };
  return typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
}

export const templatesDir = () => join(packageRoot(), 'templates');
export const presetsDir = () => join(packageRoot(), 'presets');
