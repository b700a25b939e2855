// A Runner for the render matrix: runs every command for real, and reuses the
// output of a `helm template` whose argv, chart files and values file are
// byte-identical to one already run (the OpenIM releases do not change across
// ingress controllers or storage backends). Anything else is never cached.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunOptions, RunResult, Runner } from '../../src/process/runner.js';

function hashTree(path: string, hash: ReturnType<typeof createHash>): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      hash.update(`${name}\0`);
      hashTree(join(path, name), hash);
    }
  } else hash.update(readFileSync(path));
}

export class TemplateCache implements Runner {
  readonly calls = { run: 0, reused: 0 };
  private readonly results = new Map<string, RunResult>();
  constructor(private readonly inner: Runner) {}

  private key(argv: readonly string[], cwd: string): string | undefined {
    if (argv[1] !== 'template') return undefined;
    const chart = argv[3];
    const values = argv[argv.indexOf('--values') + 1];
    if (!chart || !values) return undefined;
    const hash = createHash('sha256').update(argv.join('\0'));
    // A local chart folder is hashed; an upstream chart is named by --repo and --version in argv.
    if (existsSync(resolve(cwd, chart))) hashTree(resolve(cwd, chart), hash);
    hash.update(readFileSync(resolve(cwd, values)));
    return hash.digest('hex');
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const key = this.key(argv, options.cwd ?? process.cwd());
    const hit = key ? this.results.get(key) : undefined;
    if (hit) {
      this.calls.reused++;
      return hit;
    }
    this.calls.run++;
    const result = await this.inner.run(argv, options);
    if (key) this.results.set(key, result);
    return result;
  }
}
