import type { Target } from '../target.js';
import type { KubernetesFacts } from '../../facts/types.js';
import { gatherKubernetesFacts } from './facts.js';
import { kubernetesChecks } from './checks.js';
import { kubernetesSteps } from './steps.js';
import { infraEndpoints } from './infra-bridge.js';

export const kubernetesTarget: Target<KubernetesFacts> = {
  name: 'kubernetes',
  gatherFacts: gatherKubernetesFacts,
  checks: kubernetesChecks,
  steps: kubernetesSteps,
  filesUrl: (spec) => infraEndpoints(spec).objectStorage.externalAddress,
};
