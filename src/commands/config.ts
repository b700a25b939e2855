import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { CliContext } from '../context.js';
import { ConfigError } from '../errors.js';
import { collectLayers, loadPresetLayer, namedSources, resolveConfig, sourceOf } from '../config/resolve.js';
import { configJsonSchema, secretPaths } from '../config/json-schema.js';
import { initFileText } from '../config/init-file.js';
import { getPath, leavesOf, setPath, type Plain } from '../config/paths.js';
import { REDACTED } from '../secrets/redact.js';
import { configInput } from '../config/command-options.js';
import type { ConfigInitFlags, ConfigSchemaFlags, ConfigShowFlags, ConfigValidateFlags } from './flags.js';
import { printWarnings } from './print-issues.js';
import { refuseExistingFile } from './output-file.js';
import { unprobedFacts } from '../facts/types.js';
import { configOnlyFindings, resolveReportingAll } from './needs.js';
import { planFor } from '../deployment/plan-inputs.js';

export async function configInitCommand(ctx: Pick<CliContext, 'io'>, flags: ConfigInitFlags): Promise<void> {
  let seed: Plain = {};
  if (flags.preset) {
    const { layer, issue } = loadPresetLayer(flags.preset);
    if (issue) throw new ConfigError([issue]);
    seed = layer ?? {};
  }
  const text = initFileText(seed);
  if (!flags.output || flags.output === '-') {
    ctx.io.out(text);
    return;
  }
  refuseExistingFile(flags.output, '--output', flags.force);
  await writeFile(flags.output, text);
  ctx.io.err(`wrote ${flags.output}`);
}

export async function configValidateCommand(
  ctx: Pick<CliContext, 'io' | 'env'>,
  flags: ConfigValidateFlags,
): Promise<void> {
  const input = configInput(flags, ctx.env);
  // -c / --preset, or what OPENIM_DEPLOY_CONFIG / OPENIM_DEPLOY_PRESET name (as every other command reads them).
  const named = namedSources(input);
  if (!named.file && !named.preset)
    throw new ConfigError([
      {
        path: '--config',
        message: 'nothing to validate',
        hint: 'pass -c FILE (or --preset NAME, or set OPENIM_DEPLOY_CONFIG)',
      },
    ]);
  const resolved = resolveReportingAll(input);
  // What install refuses before probing anything, validate refuses too: the target's checks that
  // depend on the config alone (namespace vs version, topology, addresses), and the plan itself.
  const spec = resolved.spec;
  const issues = configOnlyFindings(spec)
    .filter((f) => f.severity === 'error')
    .map((f) => ({ path: f.id, message: f.message, ...(f.fix ? { hint: f.fix } : {}) }));
  if (issues.length) throw new ConfigError(issues, 'the target refuses this configuration');
  planFor(spec, unprobedFacts(spec.target));
  printWarnings(ctx.io, resolved.warnings);
  ctx.io.out(
    `${named.file ?? `preset ${named.preset}`}: valid (target ${resolved.spec.target}, profile ${resolved.spec.profile})\n`,
  );
}

export async function configSchemaCommand(ctx: Pick<CliContext, 'io'>, flags: ConfigSchemaFlags): Promise<void> {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (flags.output) refuseExistingFile(flags.output, '--output', flags.force);
  if (flags.output) await writeFile(flags.output, text);
  else ctx.io.out(text);
}

/** The effective config with secrets redacted, and where each value came from. */
export async function configShowCommand(ctx: Pick<CliContext, 'io' | 'env'>, flags: ConfigShowFlags): Promise<void> {
  const input = configInput(flags, ctx.env);
  const resolved = resolveConfig(input);
  const spec = structuredClone(resolved.spec) as unknown as Plain;
  for (const path of secretPaths()) {
    const parts = path.split('.');
    const value = getPath(spec, parts);
    if (typeof value === 'string' && value !== '') setPath(spec, parts, REDACTED);
  }
  const sources = collectLayers(input).sources;
  const rows = leavesOf(spec).map((parts) => ({
    path: parts.join('.'),
    value: getPath(spec, parts),
    source: sourceOf(sources, parts.join('.')),
  }));
  if (flags.json) {
    ctx.io.out(
      `${JSON.stringify({ config: spec, sources: Object.fromEntries(rows.map((r) => [r.path, r.source])) }, null, 2)}\n`,
    );
    return;
  }
  printWarnings(ctx.io, resolved.warnings);
  const width = Math.max(...rows.map((r) => r.path.length));
  for (const row of rows) {
    const value =
      typeof row.value === 'string' ? row.value || '""' : stringify(row.value, { collectionStyle: 'flow' }).trim();
    ctx.io.out(`${row.path.padEnd(width)}  ${value}  (${row.source})\n`);
  }
}
