// Specs and facts shared by this folder's tests.

import { resolveConfig } from '../../src/config/resolve.js';
import type { DeploySpec } from '../../src/config/schema.js';
import type { KubernetesFacts } from '../../src/facts/types.js';
import { kubernetesLayout, type KubernetesLayout } from '../../src/targets/kubernetes/layout.js';
import { requiredSets } from './config-presets.js';

export function specFor(preset: 'dev' | 'production', sets: string[] = []): DeploySpec {
  // Tests name the namespace so expectations do not depend on the default.
  // Production leaves the NFS server empty on purpose (#19 Medium 9): the tests name one.
  const base = [
    ...(preset === 'production' ? ['openim.domain=im.example.com'] : []),
    ...requiredSets(preset),
    'kubernetes.namespace=openim',
  ];
  return resolveConfig({ preset, sets: [...base, ...sets] }).spec;
}

export const UNPROBED: KubernetesFacts = { target: 'kubernetes', probed: false };

/**
 * A fixture, written by hand: the facts a probe of a healthy, reachable cluster
 * would return (no cluster is asked). The helm and kubectl versions are those of
 * the helm3 pair scripts/fetch-tools.ts installs. The probe itself is tested in
 * facts.test.ts, and against real clusters by test:cluster and test:k8s-real.
 */
export const PROBED_CLUSTER_FIXTURE: KubernetesFacts = {
  target: 'kubernetes',
  probed: true,
  helm: { path: 'helm', version: 'v3.18.0', major: 3 },
  kubectl: { path: 'kubectl', version: 'v1.33.0', major: 1 },
  cluster: {
    reachable: true,
    serverVersion: 'v1.33.0',
    storageClasses: [{ name: 'standard', provisioner: 'x', isDefault: true }],
    ingressClasses: ['nginx', 'traefik'],
    crds: [],
    namespaceExists: false,
    nodes: [{ name: 'n1', ready: true, cpuMillis: 16000, memoryBytes: 64 * 2 ** 30 }],
  },
};

/**
 * A planner function that takes the layout after the spec, called the way tests call it: with the
 * spec alone, the layout derived from it (as the planners derive it once at their entry).
 */
export function withLayout<Rest extends unknown[], Result>(
  fn: (spec: DeploySpec, layout: KubernetesLayout, ...rest: Rest) => Result,
): (spec: DeploySpec, ...rest: Rest) => Result {
  return (spec, ...rest) => fn(spec, kubernetesLayout(spec), ...rest);
}
