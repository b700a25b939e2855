// The effective config without its secrets: stored in the state as
// lastApplied and put into support bundles.

import { secretPaths } from '../config/json-schema.js';
import { getPath, setPath, type Plain } from '../config/paths.js';
import type { DeploySpec } from '../config/schema.js';
import { REDACTED } from './redact.js';

export function redactedSpec(spec: DeploySpec): Plain {
  const copy = structuredClone(spec) as unknown as Plain;
  for (const path of secretPaths()) {
    const parts = path.split('.');
    const value = getPath(copy, parts);
    if (typeof value === 'string' && value !== '') setPath(copy, parts, REDACTED);
  }
  return copy;
}
