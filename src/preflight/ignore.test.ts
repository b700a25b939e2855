import { describe, expect, it } from 'vitest';
import type { PreflightFinding } from '../errors.js';
import { ignorePreflightErrors } from './ignore.js';

const found: PreflightFinding[] = [
  { id: 'helm.version', severity: 'error', message: 'helm 2', fix: 'install helm 3' },
  { id: 'cluster.memory', severity: 'warn', message: 'little memory' },
  { id: 'ingress.class', severity: 'error', message: 'no IngressClass' },
];

describe('--ignore-preflight', () => {
  it('turns only the named errors into warnings, keeping message and fix', () => {
    expect(ignorePreflightErrors(found, ['helm.version'])).toEqual([
      { id: 'helm.version', severity: 'warn', message: 'helm 2', fix: 'install helm 3' },
      found[1],
      found[2],
    ]);
  });

  it('leaves warnings, unknown ids and an empty list alone', () => {
    expect(ignorePreflightErrors(found, ['cluster.memory', 'no.such.check'])).toEqual(found);
    expect(ignorePreflightErrors(found)).toEqual(found);
    expect(ignorePreflightErrors(found, new Set(['helm.version', 'ingress.class'])).map((f) => f.severity)).toEqual([
      'warn',
      'warn',
      'warn',
    ]);
  });
});
