// The partial config the wizard fills: the merged layers (flag ?? file ??
// preset ?? env) plus what was answered. A key any layer set is never asked.

import { deploySpecSchema } from '../config/schema.js';
import { getPath, setPath, splitPath, type Plain } from '../config/paths.js';
import { sourceOf, type Layers } from '../config/resolve.js';

const defaults = new Map<string, Plain>();

/** Schema defaults alone (no preset) for a profile (some defaults depend on it): what an unset key means. */
export function schemaDefaults(profile?: unknown): Plain {
  const key = profile === 'dev' || profile === 'production' ? profile : '';
  let found = defaults.get(key);
  if (!found) {
    found = deploySpecSchema.parse(key ? { profile: key } : {}) as unknown as Plain;
    defaults.set(key, found);
  }
  return found;
}

export class Answers {
  /** Layers merged with answers: the input the final validation sees. */
  readonly raw: Plain;
  /** Keys the wizard set (asked, or implied by an answer), in order. */
  readonly set = new Map<string, unknown>();
  constructor(readonly layers: Layers) {
    this.raw = structuredClone(layers.raw);
  }

  /** A flag, file, preset or env variable already answers this key. */
  given(path: string): boolean {
    return getPath(this.layers.raw, splitPath(path)) !== undefined;
  }

  /** Known now: given, answered, or left to the schema default. */
  has(path: string): boolean {
    return getPath(this.raw, splitPath(path)) !== undefined;
  }

  /** The effective value: given or answered, else the schema default. */
  get<T = unknown>(path: string): T {
    const parts = splitPath(path);
    const value = getPath(this.raw, parts);
    return (value !== undefined ? value : getPath(schemaDefaults(getPath(this.raw, ['profile'])), parts)) as T;
  }

  put(path: string, value: unknown): void {
    setPath(this.raw, splitPath(path), value);
    this.set.set(path, value);
  }

  /** Take an answer back (to ask again). */
  forget(path: string): void {
    const parts = splitPath(path);
    const parent = getPath(this.raw, parts.slice(0, -1));
    if (parent && typeof parent === 'object') delete (parent as Plain)[parts[parts.length - 1]!];
    this.set.delete(path);
  }

  /** Where a value came from, for the summary: the layer's label, `answer`, or `default`. */
  sourceOf(path: string): string {
    return this.set.has(path) ? 'answer' : sourceOf(this.layers.sources, path);
  }
}
