// Each answer is checked on the spot by the very zod piece the full
// validation uses later, so the wizard can never accept what `install` refuses.

import { z } from 'zod';
import { deploySpecSchema } from '../config/schema.js';
import { secretPaths } from '../config/json-schema.js';
import { splitPath } from '../config/paths.js';

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let node = schema;
  for (;;) {
    if (node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodOptional)
      node = node.unwrap() as AnySchema;
    // The whole spec is an object piped into a transform (profile-dependent defaults): its keys are the object's.
    else if (node instanceof z.ZodPipe) node = node.in as AnySchema;
    else return node;
  }
}

/** The zod schema of one config key (with its default/optional wrapper), e.g. `kubernetes.namespace`. */
function fieldSchema(path: string): AnySchema {
  let node: AnySchema = deploySpecSchema;
  for (const segment of splitPath(path)) {
    const inner = unwrap(node);
    if (!(inner instanceof z.ZodObject)) throw new Error(`${path}: ${segment} is not inside an object`);
    const next = (inner.shape as Record<string, AnySchema>)[segment];
    if (!next) throw new Error(`${path}: no such key in the config schema`);
    node = next;
  }
  return node;
}

/** Values an enum key accepts, in schema order. */
export function enumValues(path: string): string[] {
  const inner = unwrap(fieldSchema(path));
  if (!(inner instanceof z.ZodEnum)) throw new Error(`${path} is not an enum`);
  return inner.options.map(String);
}

/** The schema's verdict on a value: true, or the first message. */
export function checkValue(path: string, value: unknown): true | string {
  const result = fieldSchema(path).safeParse(value);
  return result.success ? true : (result.error.issues[0]?.message ?? 'invalid value');
}

/** Parse through the piece (defaults applied); throws on a value the wizard should never have produced. */
export function parseValue<T = unknown>(path: string, value: unknown): T {
  const result = fieldSchema(path).safeParse(value);
  if (!result.success) throw new Error(`${path}: ${result.error.issues[0]?.message ?? 'invalid value'}`);
  return result.data as T;
}

let secrets: Set<string> | undefined;

/** Credentials: never shown, never saved, never put on a command line. */
export function isSecretPath(path: string): boolean {
  secrets ??= new Set(secretPaths());
  return secrets.has(path);
}
