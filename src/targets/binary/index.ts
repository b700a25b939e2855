import type { Target } from '../target.js';
import type { BinaryFacts } from '../../facts/types.js';
import { gatherBinaryFacts } from './facts.js';
import { binaryChecks, binaryHostNeeds } from './checks.js';
import { binarySteps } from './steps.js';
import { objectExternalAddress } from './endpoints.js';

export const binaryTarget: Target<BinaryFacts> = {
  name: 'binary',
  gatherFacts: (spec, runner) => gatherBinaryFacts(spec, runner),
  checks: binaryChecks,
  hostNeeds: binaryHostNeeds,
  steps: binarySteps,
  filesUrl: objectExternalAddress,
};
