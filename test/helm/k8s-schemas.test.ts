import { describe, expect, it } from 'vitest';
import { MODELS, validateObject } from './k8s-schemas.js';

// The validator itself must be able to fail: a suite that cannot fail proves nothing.
describe('schema validation', () => {
  it('knows the kinds the installer renders', () => {
    for (const k of [
      'apps/v1/Deployment',
      'v1/Service',
      'policy/v1/PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1/Role',
      'networking.k8s.io/v1/Ingress',
      'traefik.io/v1alpha1/IngressRoute',
      'traefik.io/v1alpha1/Middleware',
      'networking.istio.io/v1beta1/VirtualService',
      'networking.istio.io/v1beta1/Gateway',
      'gateway.networking.k8s.io/v1/HTTPRoute',
      'gateway.networking.k8s.io/v1/Gateway',
      'cert-manager.io/v1/Certificate',
      'monitoring.coreos.com/v1/ServiceMonitor',
    ]) {
      expect(MODELS.has(k), k).toBe(true);
    }
  });

  it('rejects unknown kinds and invalid objects', () => {
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Nope', metadata: { name: 'x' } })[0]!.message).toMatch(
      /no schema/,
    );
    expect(
      validateObject({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x' },
        spec: { ports: [{ port: 'eighty' }] },
      }),
    ).not.toEqual([]);
    expect(
      validateObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: {} } }),
    ).not.toEqual([]);
    expect(validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } })).toEqual(
      [],
    );
    const obc = {
      apiVersion: 'objectbucket.io/v1alpha1',
      kind: 'ObjectBucketClaim',
      metadata: { name: 'b' },
      spec: { storageClassName: 'ceph-bucket', bucketName: 'openim' },
    };
    expect(validateObject(obc)).toEqual([]);
    expect(validateObject({ ...obc, spec: { bucketName: 'openim' } })).not.toEqual([]);
    expect(validateObject({ ...obc, spec: { ...obc.spec, bucket: 'typo' } })).not.toEqual([]);
  });
});
