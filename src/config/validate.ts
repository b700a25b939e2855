// Turns a merged raw config into a DeploySpec, or a ConfigError naming every
// bad path at once.

import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { closest } from '../util/closest.js';
import { deploySpecSchema } from './schema.js';
import { crossFieldErrors, specWarnings } from './rules.js';
import type { DeploySpec } from './schema.js';
import { schemaAt } from './json-schema.js';

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)'
  );
}

export function zodIssues(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = schemaAt(issue.path.map(String));
      const known = Object.keys(parent?.properties ?? {});
      for (const key of issue.keys) {
        const guess = closest(key, known);
        out.push({
          path: formatPath([...issue.path, key]),
          message: 'unknown key',
          hint: guess ? `did you mean ${guess}?` : known.length ? `known keys: ${known.join(', ')}` : undefined,
        } as ConfigIssue);
      }
      continue;
    }
    out.push({ path: formatPath(issue.path), message: issue.message });
  }
  return out.map((i) => (i.hint === undefined ? { path: i.path, message: i.message } : i));
}

export interface ValidationResult {
  spec: DeploySpec;
  warnings: ConfigIssue[];
}

/** `raw` without the values at `paths` (an unknown key, a wrong type), so defaults take their place. */
function without(raw: unknown, paths: readonly (readonly PropertyKey[])[]): unknown {
  const copy = structuredClone(raw) as Record<PropertyKey, unknown>;
  for (const path of paths) {
    if (path.length === 0) return undefined;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown> | undefined)?.[key];
    if (parent && typeof parent === 'object') delete (parent as Record<PropertyKey, unknown>)[path.at(-1)!];
  }
  return copy;
}

/**
 * The cross-field rules still run when the schema refused something: on the config with the
 * refused values left out, so a typo elsewhere never hides a missing domain or NFS server
 * (only the rules about paths not already reported are added).
 */
function crossFieldOnWhatParsed(raw: unknown, error: z.ZodError): { issues: ConfigIssue[]; spec?: DeploySpec } {
  const paths = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k]) : [i.path],
  );
  const retry = deploySpecSchema.safeParse(without(raw, paths));
  if (!retry.success) return { issues: [] };
  const reported = new Set(paths.map((p) => formatPath(p)));
  return { issues: crossFieldErrors(retry.data).filter((i) => !reported.has(i.path)), spec: retry.data };
}

/** Validate; `extra` issues (from loading layers) are reported together with the schema's. */
export function validateSpec(raw: unknown, extra: ConfigIssue[] = []): ValidationResult {
  const parsed = deploySpecSchema.safeParse(raw);
  if (!parsed.success) {
    const rest = crossFieldOnWhatParsed(raw, parsed.error);
    throw new ConfigError(
      [...extra, ...zodIssues(parsed.error), ...rest.issues],
      undefined,
      extra.length ? undefined : rest.spec,
    );
  }
  const issues = [...extra, ...crossFieldErrors(parsed.data)];
  // A layer that did not load (a missing file, a bad --set) leaves a config we do not know: no partial spec then.
  if (issues.length > 0) throw new ConfigError(issues, undefined, extra.length ? undefined : parsed.data);
  return { spec: parsed.data, warnings: specWarnings(parsed.data) };
}
