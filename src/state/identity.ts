// Values that cannot change once installed (the Embedded Cluster lesson:
// say which ones, and refuse with the reason instead of half-moving things).
// Each is stored in the state at the first install and compared on every run.

import type { DeploySpec } from '../config/schema.js';
import type { ConfigIssue } from '../errors.js';

interface Immutable {
  path: string;
  applies: (spec: DeploySpec) => boolean;
  value: (spec: DeploySpec) => string;
  why: string;
}

const IMMUTABLE: readonly Immutable[] = [
  {
    path: 'target',
    applies: () => true,
    value: (s) => s.target,
    why: 'the state belongs to an install of the other kind; moving between Kubernetes and hosts is a new install',
  },
  {
    path: 'kubernetes.namespace',
    applies: (s) => s.target === 'kubernetes',
    value: (s) => s.kubernetes.namespace,
    why: 'releases, volumes (PVCs) and the state Secret live in that namespace; changing it would start a second install beside the first',
  },
  {
    path: 'binary.prefix',
    applies: (s) => s.target === 'binary',
    value: (s) => s.binary.prefix,
    why: 'the units run the binaries below it and rollback switches links there',
  },
  {
    path: 'binary.dataDir',
    applies: (s) => s.target === 'binary',
    value: (s) => s.binary.dataDir,
    why: 'MongoDB, Kafka, MinIO and OpenIM keep their data there; a new path would start empty',
  },
  {
    path: 'binary.configDir',
    applies: (s) => s.target === 'binary',
    value: (s) => s.binary.configDir,
    why: 'the installed units read their config from there',
  },
  {
    path: 'binary.user',
    applies: (s) => s.target === 'binary',
    value: (s) => s.binary.user,
    why: 'the data folders belong to that user',
  },
  {
    path: 'infrastructure.mongodb.database',
    applies: () => true,
    value: (s) => s.infrastructure.mongodb.database,
    why: 'every message, user and group is stored in that database; another name would start empty',
  },
];

export function identityOf(spec: DeploySpec): Record<string, string> {
  return Object.fromEntries(IMMUTABLE.filter((i) => i.applies(spec)).map((i) => [i.path, i.value(spec)]));
}

/** One issue per immutable value the config changes, naming the path, both values and why. */
export function identityIssues(stored: Record<string, string> | undefined, spec: DeploySpec): ConfigIssue[] {
  if (!stored) return [];
  const issues: ConfigIssue[] = [];
  for (const item of IMMUTABLE) {
    const before = stored[item.path];
    if (before === undefined || !item.applies(spec)) {
      // A target switch is reported once, by `target` itself.
      continue;
    }
    const now = item.value(spec);
    if (now !== before) {
      issues.push({
        path: item.path,
        message: `cannot change after install: installed with "${before}", the config now says "${now}": ${item.why}`,
        hint: `set ${item.path} back to ${before}, or uninstall first and install anew`,
      });
    }
  }
  const target = stored.target;
  if (target && target !== spec.target) return issues.filter((i) => i.path === 'target');
  return issues;
}
