// Resolution order: defaults < --preset < -c FILE < env OPENIM_DEPLOY_* < flags and --set.
// Never prompts; the wizard fills gaps before calling this.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { presetsDir } from '../util/package-root.js';
import { closest } from '../util/closest.js';
import { loadConfigFile } from './config-file.js';
import { deepMerge, leavesOf, setPath, splitPath, type Plain } from './paths.js';
import { leafPaths, leafTypes, schemaAt } from './json-schema.js';
import { validateSpec } from './validate.js';
import type { DeploySpec } from './schema.js';

const ENV_PREFIX = 'OPENIM_DEPLOY_';
/** Env variables that are not config keys. */
const RESERVED_ENV = new Set([
  'OPENIM_DEPLOY_PRESET',
  'OPENIM_DEPLOY_CONFIG',
  'OPENIM_DEPLOY_WORKDIR',
  'OPENIM_DEPLOY_LOG',
]);

export interface ConfigInput {
  preset?: string;
  file?: string;
  env?: Record<string, string | undefined>;
  /** Values from dedicated flags (e.g. --target), already as a partial config. */
  flags?: Plain;
  /** Repeatable `--set a.b.c=value`. */
  sets?: string[];
}

export type SourceLabel = string;

export interface Layers {
  raw: Plain;
  /** Dotted leaf path → where its value came from; absent = default. */
  sources: Map<string, SourceLabel>;
  issues: ConfigIssue[];
}

export interface ResolvedConfig {
  spec: DeploySpec;
  sources: Map<string, SourceLabel>;
  warnings: ConfigIssue[];
  /** The merged input before defaults: what the user actually said. */
  raw: Plain;
}

export function listPresets(): string[] {
  const dir = presetsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function loadPresetLayer(name: string): { layer?: Plain; issue?: ConfigIssue } {
  const names = listPresets();
  if (!names.includes(name)) {
    const guess = closest(name, names);
    return {
      issue: {
        path: '--preset',
        message: `unknown preset "${name}"`,
        hint: guess ? `did you mean ${guess}?` : `one of: ${names.join(', ')}`,
      },
    };
  }
  return loadYamlLayer(join(presetsDir(), `${name}.yaml`), '--preset');
}

function loadYamlLayer(file: string, label = '--config'): { layer?: Plain; issue?: ConfigIssue } {
  return loadConfigFile(file, label);
}

/** `OPENIM_DEPLOY_KUBERNETES__INGRESS__CONTROLLER` ↔ `kubernetes.ingress.controller`. */
export function envNameFor(path: string): string {
  return (
    ENV_PREFIX +
    splitPath(path)
      .map((s) =>
        s
          .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
          .replace(/-/g, '_')
          .toUpperCase(),
      )
      .join('__')
  );
}

function envLayer(env: Record<string, string | undefined>): {
  layer: Plain;
  sources: Map<string, SourceLabel>;
  issues: ConfigIssue[];
} {
  const byName = new Map(leafPaths().map((p) => [envNameFor(p), p]));
  const layer: Plain = {};
  const sources = new Map<string, SourceLabel>();
  const issues: ConfigIssue[] = [];
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || RESERVED_ENV.has(name)) continue;
    const path = byName.get(name);
    if (!path) {
      const guess = closest(name, [...byName.keys()]);
      issues.push({
        path: name,
        message: 'unknown OPENIM_DEPLOY_ variable',
        ...(guess ? { hint: `did you mean ${guess}?` } : {}),
      });
      continue;
    }
    const typed = typedValue(splitPath(path), value);
    if ('issue' in typed) issues.push({ path: name, message: typed.issue });
    else {
      setPath(layer, splitPath(path), typed.value);
      sources.set(path, `env:${name}`);
    }
  }
  return { layer, sources, issues };
}

function setLayer(sets: string[]): { layer: Plain; paths: string[]; issues: ConfigIssue[] } {
  const layer: Plain = {};
  const paths: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      issues.push({
        path: `--set ${item}`,
        message: 'expected key=value',
        hint: 'e.g. --set openim.domain=im.example.com',
      });
      continue;
    }
    const path = splitPath(item.slice(0, eq));
    const dotted = path.join('.');
    if (!schemaAt(path)) {
      issues.push({ path: `--set ${dotted}`, message: 'unknown key', ...hintForUnknown(path) });
      continue;
    }
    const typed = typedValue(path, item.slice(eq + 1));
    if ('issue' in typed) issues.push({ path: `--set ${dotted}`, message: typed.issue });
    else {
      setPath(layer, path, typed.value);
      paths.push(dotted);
    }
  }
  return { layer, paths, issues };
}

function hintForUnknown(path: string[]): { hint?: string } {
  const parent = schemaAt(path.slice(0, -1));
  const known = Object.keys(parent?.properties ?? {});
  const guess = closest(path[path.length - 1] ?? '', known);
  return guess ? { hint: `did you mean ${[...path.slice(0, -1), guess].join('.')}?` } : {};
}

/** Type a text value by what the schema expects at `path`: strings stay strings. */
function typedValue(path: string[], text: string): { value: unknown } | { issue: string } {
  const node = schemaAt(path);
  const types = node ? leafTypes(node) : new Set<string>();
  if (types.has('string') && !types.has('array') && !types.has('object')) return { value: text };
  if (types.has('boolean') && /^(true|false)$/i.test(text)) return { value: text.toLowerCase() === 'true' };
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(text)) return { value: Number(text) };
  if (types.has('array') && !text.trim().startsWith('['))
    return {
      value: text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  try {
    return { value: parseYaml(text) as unknown };
  } catch {
    return { issue: `cannot read "${text}" as a value` };
  }
}

/** The preset and config file an input names: flags first, else OPENIM_DEPLOY_PRESET / OPENIM_DEPLOY_CONFIG. */
export function namedSources(input: ConfigInput): { preset?: string; file?: string } {
  const env = input.env ?? {};
  const preset = input.preset ?? (env.OPENIM_DEPLOY_PRESET || undefined);
  const file = input.file ?? (env.OPENIM_DEPLOY_CONFIG || undefined);
  return { ...(preset ? { preset } : {}), ...(file ? { file } : {}) };
}

/** Merge every layer and note the source of each leaf; collects problems without throwing. */
export function collectLayers(input: ConfigInput): Layers {
  const issues: ConfigIssue[] = [];
  const sources = new Map<string, SourceLabel>();
  let raw: Plain = {};
  const apply = (layer: Plain | undefined, label: string) => {
    if (!layer) return;
    raw = deepMerge(raw, layer);
    for (const leaf of leavesOf(layer)) if (leaf.length) sources.set(leaf.join('.'), label);
  };

  const env = input.env ?? {};
  const { preset, file } = namedSources(input);
  if (preset) {
    const { layer, issue } = loadPresetLayer(preset);
    if (issue) issues.push(issue);
    apply(layer, `preset:${preset}`);
  }
  if (file) {
    const { layer, issue } = loadYamlLayer(file);
    if (issue) issues.push(issue);
    apply(layer, `file:${file}`);
  }
  const fromEnv = envLayer(env);
  issues.push(...fromEnv.issues);
  raw = deepMerge(raw, fromEnv.layer);
  for (const [path, label] of fromEnv.sources) sources.set(path, label);

  apply(input.flags, 'flag');
  const fromSets = setLayer(input.sets ?? []);
  issues.push(...fromSets.issues);
  raw = deepMerge(raw, fromSets.layer);
  for (const path of fromSets.paths) sources.set(path, 'flag:--set');
  return { raw, sources, issues };
}

export function resolveConfig(input: ConfigInput): ResolvedConfig {
  const layers = collectLayers(input);
  const { spec, warnings } = validateSpec(layers.raw, layers.issues);
  return { spec, warnings, sources: layers.sources, raw: layers.raw };
}

/** Source of a leaf, walking up to the nearest set ancestor (arrays, records). */
export function sourceOf(sources: Map<string, SourceLabel>, path: string): SourceLabel {
  const parts = splitPath(path);
  for (let i = parts.length; i > 0; i--) {
    const hit = sources.get(parts.slice(0, i).join('.'));
    if (hit) return hit;
  }
  for (const [key, label] of sources) if (key.startsWith(`${path}.`)) return label;
  return 'default';
}
