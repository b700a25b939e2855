import { describe, expect, it } from 'vitest';
import { kubernetesChecks } from './checks.js';
import { REAL_CLUSTER, specFor, UNPROBED } from './test-specs.js';

const ids = (f: ReturnType<typeof kubernetesChecks>) => f.map((x) => `${x.severity}:${x.id}`);

describe('kubernetes preflight', () => {
  it('refuses a namespace other than default for v3.8.3-patch.16 (discovery hard-codes it), with both fixes', () => {
    const findings = kubernetesChecks(specFor('production'), UNPROBED);
    const quirk = findings.find((f) => f.id === 'discovery.namespace-fixed')!;
    expect(quirk.severity).toBe('error');
    expect(quirk.fix).toContain('kubernetes.namespace=default');
    expect(quirk.fix).toContain('openim.serverVersion=v3.8.4');
  });

  it('accepts namespace default for 3.8.3, and any namespace for 3.8.4', () => {
    expect(ids(kubernetesChecks(specFor('production', ['kubernetes.namespace=default']), UNPROBED))).not.toContain('error:discovery.namespace-fixed');
    expect(ids(kubernetesChecks(specFor('production', ['openim.serverVersion=v3.8.4']), UNPROBED))).not.toContain('error:discovery.namespace-fixed');
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
