// Everything a command needs once the config is known: secrets from state,
// the plan, a redactor. Shared by install, plan, render and doctor.

import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { DeploySpec } from '../config/schema.js';
import type { Facts } from '../facts/types.js';
import { buildPlan } from '../targets/build-plan.js';
import type { Plan } from '../plan/types.js';
import { Redactor } from '../secrets/redact.js';
import type { SecretValues } from '../secrets/secrets.js';

export function defaultWorkdir(
  spec: DeploySpec,
  env: Record<string, string | undefined>,
  cwd: string,
  flag?: string,
): string {
  const chosen = flag ?? env.OPENIM_DEPLOY_WORKDIR;
  if (chosen) return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
  if (spec.target === 'binary') return join(spec.binary.stateDir, 'work');
  const context = spec.kubernetes.context || 'current';
  return join(env.HOME ?? homedir(), '.openim-deploy', `${context}-${spec.kubernetes.namespace}`);
}

/** Redacts every secret in use, plus the secret-looking values the user gave in the config. */
export function redactorFor(secrets: Partial<SecretValues>, spec?: DeploySpec): Redactor {
  const extra = spec ? [spec.infrastructure.mongodb.uri].filter(Boolean) : [];
  return new Redactor([...Object.values(secrets).filter((v): v is string => typeof v === 'string'), ...extra]);
}

export function planFor(spec: DeploySpec, facts: Facts): Plan {
  return buildPlan(spec, facts);
}
