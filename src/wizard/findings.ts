// Preflight findings for the summary. A real install runs the target's full
// checks on gathered facts; a dry run only uses the wizard's light looks.

import type { DeploySpec } from '../config/schema.js';
import type { PreflightFinding } from '../errors.js';
import type { Runner } from '../process/runner.js';
import { unprobedFacts, type Facts } from '../facts/types.js';
import { ignorePreflightErrors } from '../preflight/ignore.js';
import { targetFor } from '../targets/registry.js';
import type { HostLook, KubeLook, LightProbes } from './light-probes.js';

function lightFindings(spec: DeploySpec, look: { kube?: KubeLook; host?: HostLook }): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  if (spec.target === 'kubernetes' && look.kube) {
    const kube = look.kube;
    if (!kube.reachable) {
      findings.push({
        id: 'cluster.unreachable',
        severity: 'warn',
        message: `no reachable Kubernetes cluster${kube.problem ? ` (${kube.problem})` : ''}: the plan is made without looking at it`,
        fix: 'point kubectl at the cluster (kubectl config use-context NAME) before installing',
      });
    } else if (
      spec.kubernetes.storage.backend === 'existing' &&
      !kube.storageClasses.some((sc) => sc.name === spec.kubernetes.storage.storageClass)
    ) {
      findings.push({
        id: 'storage.class-missing',
        severity: 'error',
        message: `StorageClass ${spec.kubernetes.storage.storageClass} does not exist in context ${kube.context}`,
        fix: `existing classes: ${kube.storageClasses.map((s) => s.name).join(', ') || 'none'}`,
      });
    }
  }
  if (spec.target === 'binary' && look.host && !look.host.systemd) {
    findings.push({
      id: 'host.systemd',
      severity: 'warn',
      message: `systemd is not PID 1 here (${look.host.init ?? 'unknown'}): the binary target needs a systemd host`,
      fix: 'run the installer on the host OpenIM should run on, or choose the kubernetes target',
    });
  }
  return findings;
}

/**
 * A real install gathers the target's facts and runs its checks; a dry run
 * runs the same checks on unprobed facts (the pure spec checks) plus what
 * the light looks saw. Errors the user ignores (--ignore-preflight) become warnings.
 */
export async function preflight(
  spec: DeploySpec,
  probes: LightProbes,
  runner: Runner,
  dryRun: boolean,
  ignored: Set<string>,
  note: (text: string) => void,
): Promise<{ facts: Facts; findings: PreflightFinding[] }> {
  const target = targetFor(spec.target);
  let facts: Facts = unprobedFacts(spec.target);
  let found: PreflightFinding[];
  if (dryRun) {
    if (spec.target === 'kubernetes') await probes.kubeLook(spec);
    else await probes.hostLook();
    found = [...target.checks(spec, facts as never), ...lightFindings(spec, await probes.seen())];
  } else {
    note('Running the preflight checks…');
    facts = await target.gatherFacts(spec, runner);
    found = target.checks(spec, facts as never);
  }
  return { facts, findings: ignorePreflightErrors(found, ignored) };
}
