import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import { controllerSteps } from './controller.js';

const argvOf = (sets: string[]) => {
  const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', 'kubernetes.ingress.install=true', ...sets] }).spec;
  return Object.fromEntries(controllerSteps(spec, []).map((s) => [s.id, s.actions.flatMap((a) => (a.kind === 'exec' && a.argv.includes('upgrade') ? a.argv : []))]));
};

describe('ingress controller releases', () => {
  it('the istio gateway chart runs without values.schema.json validation (its schema rejects every value under helm 4), the others with it', () => {
    const istio = argvOf(['kubernetes.ingress.controller=istio', 'images.mirror=registry.internal:5000']);
    expect(istio['k8s.ingress-controller.istio-ingressgateway']).toContain('--skip-schema-validation');
    expect(istio['k8s.ingress-controller.istiod']).not.toContain('--skip-schema-validation');
    for (const controller of ['nginx', 'traefik']) {
      for (const argv of Object.values(argvOf([`kubernetes.ingress.controller=${controller}`]))) expect(argv).not.toContain('--skip-schema-validation');
    }
  });
});
