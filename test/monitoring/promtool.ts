// The real promtool: $PROMTOOL, else `promtool` on PATH (Debian: apt-get
// install prometheus). A missing promtool fails the suite with how to get it;
// it never turns into a silent skip.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

const PROMTOOL = process.env['PROMTOOL'] || 'promtool';

export interface RunResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd?: string): RunResult {
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  if (r.error)
    throw new Error(
      `cannot run ${PROMTOOL} (${r.error.message}); install it with: apt-get install -y prometheus (or set PROMTOOL)`,
    );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const dirs: string[] = [];

/** Remove every scratch folder made so far (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A scratch folder; removeTempDirs() deletes it. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `openim-${prefix}-`));
  dirs.push(dir);
  return dir;
}

export function writeYaml(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(value, { lineWidth: 0 }));
  return path;
}

export function writeText(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}
