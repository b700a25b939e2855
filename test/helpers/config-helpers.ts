// Helpers for this folder's tests: a config file on disk, and the issues a
// ConfigError carries.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';

/** Writes `text` to a fresh c.yaml in a new temp folder and returns its path. */
export function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oid-config-'));
  const path = join(dir, 'c.yaml');
  writeFileSync(path, text);
  return path;
}

/** The issues of the ConfigError `fn` throws; fails when it throws nothing or something else. */
export function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
