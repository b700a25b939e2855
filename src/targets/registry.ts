import type { Target } from './target.js';
import { kubernetesTarget } from './kubernetes/index.js';
import { binaryTarget } from './binary/index.js';

export function targetFor(name: 'kubernetes' | 'binary'): Target {
  return (name === 'kubernetes' ? kubernetesTarget : binaryTarget) as Target;
}
