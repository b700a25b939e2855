// JSON Schema for editors, generated from the zod schema; also the map the
// resolver uses to type env and --set values and to find secret fields.

import { z } from 'zod';
import { deploySpecSchema } from './schema.js';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  secret?: boolean;
  [key: string]: unknown;
};

let cached: JsonSchema | undefined;

export function configJsonSchema(): JsonSchema {
  cached ??= z.toJSONSchema(deploySpecSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return cached;
}

/** The sub-schema at a dotted path, or undefined when the path is not in the schema. */
export function schemaAt(path: string[], root: JsonSchema = configJsonSchema()): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    node = child(node, segment);
  }
  return node;
}

function child(node: JsonSchema, segment: string): JsonSchema | undefined {
  if (node.properties && segment in node.properties) return node.properties[segment];
  if (node.items && /^\d+$/.test(segment)) return node.items;
  if (node.additionalProperties && typeof node.additionalProperties === 'object') return node.additionalProperties;
  for (const alt of node.anyOf ?? []) {
    const found = child(alt, segment);
    if (found) return found;
  }
  return undefined;
}

/** Primitive type names a leaf accepts. */
export function leafTypes(node: JsonSchema): Set<string> {
  const types = new Set<string>();
  const visit = (n: JsonSchema) => {
    if (typeof n.type === 'string') types.add(n.type);
    if (Array.isArray(n.type)) n.type.forEach((t) => types.add(t));
    if (n.enum) n.enum.forEach((v) => types.add(typeof v));
    if (n.const !== undefined) types.add(typeof n.const);
    n.anyOf?.forEach(visit);
  };
  visit(node);
  return types;
}

/** Dotted paths of every field marked secret (record keys and array items as `*`). */
export function secretPaths(root: JsonSchema = configJsonSchema()): string[] {
  const out: string[] = [];
  const walk = (node: JsonSchema, prefix: string[]) => {
    if (node.secret) out.push(prefix.join('.'));
    for (const [key, value] of Object.entries(node.properties ?? {})) walk(value, [...prefix, key]);
    node.anyOf?.forEach((alt) => walk(alt, prefix));
  };
  walk(root, []);
  return out;
}

/** Every leaf path (objects walked, arrays and records are leaves). */
export function leafPaths(root: JsonSchema = configJsonSchema()): string[] {
  const out: string[] = [];
  const walk = (node: JsonSchema, prefix: string[]) => {
    if (node.properties) {
      for (const [key, value] of Object.entries(node.properties)) walk(value, [...prefix, key]);
      return;
    }
    out.push(prefix.join('.'));
  };
  walk(root, []);
  return out;
}
