import { binaryDay2 } from '../binary/day2/index.js';
import { kubernetesDay2 } from '../kubernetes/day2/index.js';
import type { Day2Target } from './types.js';

export function day2For(target: 'kubernetes' | 'binary'): Day2Target {
  return target === 'kubernetes' ? kubernetesDay2 : binaryDay2;
}
