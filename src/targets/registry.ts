// The composition root: the one file that names each target. Planning
// (build-plan.ts → Target.steps), day-two operations (day2For) and, through
// build-plan.ts, the bundle and every command reach a target from here, so
// nothing below the targets has to import one (docs/ARCHITECTURE.md).

import type { Target } from './target.js';
import type { Day2Target } from './day2/types.js';
import { kubernetesTarget } from './kubernetes/index.js';
import { kubernetesDay2 } from './kubernetes/day2/index.js';
import { binaryTarget } from './binary/index.js';
import { binaryDay2 } from './binary/day2/index.js';

export function targetFor(name: 'kubernetes' | 'binary'): Target {
  return (name === 'kubernetes' ? kubernetesTarget : binaryTarget) as Target;
}

export function day2For(target: 'kubernetes' | 'binary'): Day2Target {
  return target === 'kubernetes' ? kubernetesDay2 : binaryDay2;
}
