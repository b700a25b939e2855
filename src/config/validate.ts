// Turns a merged raw config into a DeploySpec, or a ConfigError naming every
// bad path at once.

import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { closest } from '../util/closest.js';
import { deploySpecSchema } from './schema.js';
import { crossFieldErrors, specWarnings, type DeploySpec } from './rules.js';
import { schemaAt } from './json-schema.js';
import { defaultNamespace } from '../catalog/openim-versions.js';

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';
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

/**
 * Defaults that depend on the chosen OpenIM version. v3.8.3's Kubernetes
 * discovery only looks in namespace `default`, so that is where it goes unless
 * the config names a namespace (then preflight explains the conflict).
 */
function applyVersionDefaults(raw: unknown, spec: DeploySpec): void {
  const given = (raw as { kubernetes?: { namespace?: unknown } } | undefined)?.kubernetes?.namespace;
  if (given === undefined) spec.kubernetes.namespace = defaultNamespace(spec.openim.serverVersion);
}

export interface ValidationResult {
  spec: DeploySpec;
  warnings: ConfigIssue[];
}

/** Validate; `extra` issues (from loading layers) are reported together with the schema's. */
export function validateSpec(raw: unknown, extra: ConfigIssue[] = []): ValidationResult {
  const parsed = deploySpecSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError([...extra, ...zodIssues(parsed.error)]);
  applyVersionDefaults(raw, parsed.data);
  const issues = [...extra, ...crossFieldErrors(parsed.data)];
  if (issues.length > 0) throw new ConfigError(issues);
  return { spec: parsed.data, warnings: specWarnings(parsed.data) };
}
