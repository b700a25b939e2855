import { describe, expect, it } from 'vitest';
import { kubernetesChecks } from './checks.js';
import { REAL_CLUSTER, specFor, UNPROBED } from './test-specs.js';

const ids = (f: ReturnType<typeof kubernetesChecks>) => f.map((x) => `${x.severity}:${x.id}`);

describe('kubernetes preflight', () => {
  it('accepts any namespace for every catalog server version: discovery runs through etcd in the cluster', () => {
    for (const v of ['v3.8.3', 'v3.8.3-patch.16', 'v3.8.4']) {
      const found = ids(kubernetesChecks(specFor('production', [`openim.serverVersion=${v}`, 'kubernetes.namespace=team-im']), UNPROBED));
      expect(found.filter((f) => f.includes('namespace'))).toEqual([]);
    }
  });

  it('checks CRDs the chosen ingress and TLS need', () => {
    const found = ids(kubernetesChecks(specFor('production', ['openim.serverVersion=v3.8.4']), REAL_CLUSTER));
    expect(found).toContain('error:crd.ingressroutes.traefik.io');
    expect(found).toContain('error:crd.certificates.cert-manager.io');
    const installed = ids(kubernetesChecks(specFor('production', ['openim.serverVersion=v3.8.4', 'kubernetes.ingress.install=true']), REAL_CLUSTER));
    expect(installed).not.toContain('error:crd.ingressroutes.traefik.io');
  });

  it('asks for a GatewayClass and the ingress class', () => {
    expect(ids(kubernetesChecks(specFor('production', ['openim.serverVersion=v3.8.4', 'kubernetes.ingress.controller=gateway-api']), REAL_CLUSTER))).toContain('error:ingress.gateway-class');
    const facts = { ...REAL_CLUSTER, cluster: { ...REAL_CLUSTER.cluster!, ingressClasses: [] } };
    expect(ids(kubernetesChecks(specFor('dev', ['openim.serverVersion=v3.8.4']), facts))).toContain('warn:ingress.class-missing');
  });

  it('checks an existing StorageClass', () => {
    const found = ids(kubernetesChecks(specFor('production', ['openim.serverVersion=v3.8.4', 'kubernetes.storage.backend=existing', 'kubernetes.storage.storageClass=fast']), REAL_CLUSTER));
    expect(found).toContain('error:storage.class-missing');
  });
});
