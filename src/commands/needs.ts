// What a config needs before install can run it, said at once (#19 Medium 13): the config's own
// problems, the target's checks that the config alone decides (a host archive without a pinned
// SHA-256, a Gateway API ingress without its class), and what the host must give (root, systemd,
// Go for binary.source build). A new user learns all of it from one command, each with its fix,
// instead of one round per layer.

import chalk from 'chalk';
import type { Io } from '../context.js';
import { resolveConfig, type ConfigInput, type ResolvedConfig } from '../config/resolve.js';
import type { DeploySpec } from '../config/schema.js';
import { ConfigError, type PreflightFinding } from '../errors.js';
import { unprobedFacts } from '../facts/types.js';
import { targetFor } from '../targets/registry.js';
import { formatFinding } from './print-issues.js';

/** The target's findings that need no probe; `ignored` errors become warnings, as in install. */
export function configOnlyFindings(spec: DeploySpec, ignored: readonly string[] = []): PreflightFinding[] {
  const skip = new Set(ignored);
  return targetFor(spec.target)
    .checks(spec, unprobedFacts(spec.target) as never)
    .map((f) => (skip.has(f.id) && f.severity === 'error' ? { ...f, severity: 'warn' as const } : f));
}

/**
 * resolveConfig, and when the config is refused, the target's config-only errors on what parsed
 * are added to the same error: a missing MongoDB address and an unpinned archive in one list.
 */
export function resolveReportingAll(input: ConfigInput, ignored: readonly string[] = []): ResolvedConfig {
  try {
    return resolveConfig(input);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.parsed === undefined) throw error;
    let more: PreflightFinding[] = [];
    try {
      more = configOnlyFindings(error.parsed as DeploySpec, ignored).filter((f) => f.severity === 'error');
    } catch {
      // A config refused by its own rules may not plan at all: its own issues are what to fix first.
    }
    const known = new Set(error.issues.map((i) => i.path));
    const extra = more
      .filter((f) => !known.has(f.id))
      .map((f) => ({ path: f.id, message: f.message, ...(f.fix ? { hint: f.fix } : {}) }));
    if (!extra.length) throw error;
    throw new ConfigError([...error.issues, ...extra]);
  }
}

/**
 * After a plan that probed nothing (install --dry-run, plan): on stderr, what install's preflight
 * will say about this config, and what the host must give. Returns the errors install would stop on.
 */
export function printNeeds(io: Pick<Io, 'err'>, spec: DeploySpec, ignored: readonly string[] = []): PreflightFinding[] {
  const findings = configOnlyFindings(spec, ignored);
  const needs = targetFor(spec.target).hostNeeds?.(spec) ?? [];
  const errors = findings.filter((f) => f.severity === 'error');
  if (!findings.length && !needs.length) return errors;
  io.err(
    errors.length
      ? `${chalk.red('install would stop here')}: ${errors.length} problem(s) of this config, each with its fix:`
      : 'install checks this config first:',
  );
  for (const f of findings) io.err(formatFinding(f));
  if (needs.length) {
    io.err(
      `this host must give (install's preflight checks each; \`openim-deploy doctor\` with the same flags checks them now):`,
    );
    for (const n of needs) io.err(`  - ${n.need} [${n.id}]\n       fix: ${n.fix}`);
  }
  return errors;
}
