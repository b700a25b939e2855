// Key-by-key comparison of a rendered OpenIM config file with upstream's own
// file of the same name: same key paths, same value types. Pure functions; the
// suite feeds them real renders and upstream's real files.

import { parse } from 'yaml';
import type { Product } from './upstream.js';

export type FindingKind =
  | 'file-missing' // upstream ships the file, the render has none
  | 'file-unknown' // the render has a file upstream does not ship
  | 'key-missing' // upstream's file has the key path, the rendered one not
  | 'key-unknown' // the rendered file has a key path upstream's has not
  | 'key-type' // both have it, with different value types
  | 'env-unknown' // an IMENV_/CHATENV_ variable that names no key of its rendered file
  | 'env-unused' // decoder: a variable no key of any file reads (viper ignores it silently)
  | 'decode-unused' // decoder: a key upstream's struct has no field for (ErrorUnused)
  | 'decode-unset' // decoder: a struct field the rendered file leaves unset, which upstream's own file sets
  | 'decode-error' // decoder: the file does not load or decode (other than unused keys)
  | 'secret-ref'; // a Deployment env var refers to a key the rendered Secret does not have

export interface Finding {
  kind: FindingKind;
  product: Product;
  file: string;
  /** Dotted key path ('' for file-level findings; the variable name for env findings). */
  key: string;
  detail?: string;
}

export function findingId(f: Finding): string {
  return `${f.kind} ${f.product} ${f.file}${f.key ? ` ${f.key}` : ''}`;
}

/** Value type as YAML gives it; arrays carry their element type when non-empty and uniform. */
type ValueType = string;

function typeOf(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const elems = new Set(value.map(typeOf));
    return elems.size === 1 ? `array<${[...elems][0]}>` : 'array';
  }
  if (typeof value === 'object') return 'map';
  return typeof value; // string | number | boolean
}

/** Every key path of a parsed file (maps recursed, arrays are leaves) → its value type. */
function keyTypes(value: unknown, prefix: string[] = [], out = new Map<string, ValueType>()): Map<string, ValueType> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const path = [...prefix, k];
      out.set(path.join('.'), typeOf(v));
      keyTypes(v, path, out);
    }
  }
  return out;
}

/**
 * Upstream leaves many keys empty (`producerAck:`): YAML null, which viper drops and the
 * struct then holds its zero value. Such a key carries no type to compare with.
 * An empty list (`[]`) says "a list" without an element type.
 */
function compatible(rendered: ValueType, upstream: ValueType): boolean {
  if (upstream === 'null' || rendered === upstream) return true;
  const arr = (t: ValueType) => t === 'array' || t.startsWith('array<');
  return arr(rendered) && arr(upstream) && (rendered === 'array' || upstream === 'array');
}

/** The nearest ancestor path that is itself in `paths`, so only the top of a subtree is reported. */
function underReported(path: string, reported: Set<string>): boolean {
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) if (reported.has(parts.slice(0, i).join('.'))) return true;
  return false;
}

export function compareFile(product: Product, file: string, renderedText: string, upstreamText: string): Finding[] {
  const rendered = keyTypes(parse(renderedText));
  const upstream = keyTypes(parse(upstreamText));
  const findings: Finding[] = [];
  const unknown = new Set<string>();
  const missing = new Set<string>();
  for (const [path, type] of rendered) {
    const up = upstream.get(path);
    if (up === undefined) {
      if (!underReported(path, unknown)) findings.push({ kind: 'key-unknown', product, file, key: path });
      unknown.add(path);
    } else if (!compatible(type, up)) {
      findings.push({ kind: 'key-type', product, file, key: path, detail: `${type}, upstream ${up}` });
    }
  }
  for (const path of upstream.keys()) {
    if (rendered.has(path)) continue;
    if (!underReported(path, missing)) findings.push({ kind: 'key-missing', product, file, key: path });
    missing.add(path);
  }
  return findings;
}

/** File-set comparison of one product. */
export function compareFileSets(product: Product, rendered: string[], upstream: string[]): Finding[] {
  return [
    ...upstream
      .filter((f) => !rendered.includes(f))
      .map((file): Finding => ({ kind: 'file-missing', product, file, key: '' })),
    ...rendered
      .filter((f) => !upstream.includes(f))
      .map((file): Finding => ({ kind: 'file-unknown', product, file, key: '' })),
  ];
}

/**
 * The prefix upstream loads a file's env overrides with: IMENV_/CHATENV_ + file
 * name without .yml, "-" → "_", upper case (open-im-server v3.8.3
 * pkg/common/cmd/constant.go:75-90; chat v1.8.4 pkg/common/config/env.go).
 * Written here from upstream, not imported from the project, so the project's
 * own env naming is what is being checked.
 */
function upstreamEnvPrefix(product: Product, file: string): string {
  const base = file.replace(/\.ya?ml$/, '');
  return `${product === 'server' ? 'IMENV_' : 'CHATENV_'}${base}`.replaceAll('-', '_').toUpperCase();
}

/**
 * An env variable counts as a key of its file: it must name a key path present in
 * the rendered file (viper consults env only for keys the file has; key "." → "_").
 * The file is the one with the longest matching prefix.
 */
export function envFindings(product: Product, names: string[], files: Record<string, string>): Finding[] {
  const findings: Finding[] = [];
  for (const name of names) {
    const file = Object.keys(files)
      .filter((f) => name.startsWith(`${upstreamEnvPrefix(product, f)}_`))
      .sort((a, b) => upstreamEnvPrefix(product, b).length - upstreamEnvPrefix(product, a).length)[0];
    if (!file) {
      findings.push({ kind: 'env-unknown', product, file: '(none)', key: name, detail: 'matches no rendered file' });
      continue;
    }
    const prefix = upstreamEnvPrefix(product, file);
    const keys = [...keyTypes(parse(files[file]!)).keys()];
    if (!keys.some((k) => `${prefix}_${k.replaceAll('.', '_')}`.toUpperCase() === name)) {
      findings.push({ kind: 'env-unknown', product, file, key: name, detail: 'names no key of the rendered file' });
    }
  }
  return findings;
}
