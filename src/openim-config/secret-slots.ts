// Builders put a SecretSlot where a credential belongs; one pass at the end
// turns every slot into a placeholder (inline) or an empty string plus an env
// variable named from the slot's real key path (env). Deriving names from
// the position in the finished object means a renamed key can never leave a
// stale env name behind.

import { secretRef, type SecretId } from '../secrets/secrets.js';
import { envVarName, type OpenIMProduct } from './env.js';
import type { ConfigFiles } from './types.js';

export class SecretSlot {
  constructor(readonly id: SecretId) {}
}

export function secretSlot(id: SecretId): SecretSlot {
  return new SecretSlot(id);
}

/** A credential that only applies when `enabled` (e.g. Kafka SASL when a username is set). */
export function optionalSecret(enabled: boolean, id: SecretId): SecretSlot | string {
  return enabled ? secretSlot(id) : '';
}

export type SecretMode = 'inline' | 'env';

/** Replace every slot in `files`; returns the env variables created (env mode). */
export function resolveSecretSlots(
  product: OpenIMProduct,
  files: ConfigFiles,
  mode: SecretMode,
): { files: ConfigFiles; env: Record<string, SecretId> } {
  const env: Record<string, SecretId> = {};
  const out: ConfigFiles = {};
  for (const [file, content] of Object.entries(files)) {
    out[file] = walk(content, [], (slot, path) => {
      if (mode === 'inline') return secretRef(slot.id);
      env[envVarName(product, file, path)] = slot.id;
      return '';
    }) as Record<string, unknown>;
  }
  return { files: out, env };
}

function walk(value: unknown, path: string[], onSlot: (slot: SecretSlot, path: string[]) => string): unknown {
  if (value instanceof SecretSlot) {
    if (path.some((p) => /^\d+$/.test(p)))
      throw new Error(`secret ${value.id} inside a list at ${path.join('.')}: env overrides cannot reach it`);
    return onSlot(value, path);
  }
  if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)], onSlot));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], onSlot)]));
  }
  return value;
}
