import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import type { ClusterFacts } from '../../../facts/types.js';
import { controllerSteps, gatewayApiCrdChoice } from './controller.js';
import { NFS_SERVER_SET } from '../../../../test/helpers/config-presets.js';

const argvOf = (sets: string[]) => {
  const spec = resolveConfig({
    preset: 'production',
    sets: ['openim.domain=im.example.com', NFS_SERVER_SET, 'kubernetes.ingress.install=true', ...sets],
  }).spec;
  return Object.fromEntries(
    controllerSteps(spec, []).map((s) => [
      s.id,
      s.actions.flatMap((a) => (a.kind === 'exec' && a.argv.includes('upgrade') ? a.argv : [])),
    ]),
  );
};

describe('ingress controller releases', () => {
  it('the istio gateway chart runs without values.schema.json validation (its schema rejects every value under helm 4), the others with it', () => {
    const istio = argvOf(['kubernetes.ingress.controller=istio', 'images.mirror=registry.internal:5000']);
    expect(istio['k8s.ingress-controller.istio-ingressgateway']).toContain('--skip-schema-validation');
    expect(istio['k8s.ingress-controller.istiod']).not.toContain('--skip-schema-validation');
    for (const controller of ['nginx', 'traefik']) {
      for (const argv of Object.values(argvOf([`kubernetes.ingress.controller=${controller}`])))
        expect(argv).not.toContain('--skip-schema-validation');
    }
  });

  it('keeps Gateway API CRDs of the pinned version or newer, or of the experimental channel; upgrades older ones; applies when none', () => {
    expect(gatewayApiCrdChoice('v1.3.0', undefined)).toBe('apply');
    expect(gatewayApiCrdChoice('v1.3.0', { bundleVersion: 'v1.4.0', channel: 'standard' })).toBe('keep');
    expect(gatewayApiCrdChoice('v1.3.0', { bundleVersion: 'v1.3.0', channel: 'standard' })).toBe('keep');
    expect(gatewayApiCrdChoice('v1.3.0', { bundleVersion: 'v1.2.1', channel: 'experimental' })).toBe('keep');
    expect(gatewayApiCrdChoice('v1.3.0', { bundleVersion: 'v1.2.1', channel: 'standard' })).toBe('upgrade');
    expect(gatewayApiCrdChoice('v1.3.0', { bundleVersion: '', channel: '' })).toBe('upgrade');
  });

  it("the Gateway API step follows what the cluster holds: traefik's v1.4.0 is kept, an older bundle is taken over, none is applied", () => {
    const spec = resolveConfig({
      preset: 'production',
      sets: [
        'openim.domain=im.example.com',
        NFS_SERVER_SET,
        'kubernetes.ingress.install=true',
        'kubernetes.ingress.controller=gateway-api',
      ],
    }).spec;
    const cluster = (gatewayApi?: ClusterFacts['gatewayApi']): ClusterFacts => ({
      reachable: true,
      storageClasses: [],
      ingressClasses: [],
      crds: [],
      namespaceExists: true,
      nodes: [],
      ...(gatewayApi ? { gatewayApi } : {}),
    });
    const actions = (c?: ClusterFacts) =>
      controllerSteps(spec, [], c).find((s) => s.id === 'k8s.ingress-controller.gateway-api-crds')!.actions;
    const applyOf = (c?: ClusterFacts) => actions(c).flatMap((a) => (a.kind === 'exec' ? [a.argv] : []));

    expect(applyOf(undefined)).toEqual([
      expect.arrayContaining([
        'apply',
        '--server-side',
        'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml',
      ]),
    ]);
    expect(applyOf(undefined)[0]).not.toContain('--force-conflicts');
    expect(applyOf(cluster())).toEqual(applyOf(undefined));

    const kept = cluster({ bundleVersion: 'v1.4.0', channel: 'standard' });
    expect(applyOf(kept)).toEqual([]);
    expect(actions(kept)).toEqual([
      {
        kind: 'note',
        text: expect.stringMatching(/^Gateway API CRDs v1\.4\.0 \(standard channel\) already in the cluster: kept/),
      },
    ]);

    expect(applyOf(cluster({ bundleVersion: 'v1.1.0', channel: 'standard' }))[0]).toContain('--force-conflicts');
  });
});
