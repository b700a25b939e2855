import { describe, expect, it } from 'vitest';
import { kubernetesChecks } from './checks.js';
import { PROBED_CLUSTER_FIXTURE, specFor, UNPROBED } from '../../../test/helpers/kubernetes-specs.js';

const ids = (f: ReturnType<typeof kubernetesChecks>) => f.map((x) => `${x.severity}:${x.id}`);

describe('kubernetes preflight', () => {
  it('accepts any namespace for every catalog server version: discovery runs through etcd in the cluster', () => {
    for (const v of ['v3.8.3', 'v3.8.3-patch.16', 'v3.8.4']) {
      const found = ids(
        kubernetesChecks(
          specFor('production', [`openim.serverVersion=${v}`, 'kubernetes.namespace=team-im']),
          UNPROBED,
        ),
      );
      expect(found.filter((f) => f.includes('namespace'))).toEqual([]);
    }
  });

  it('checks CRDs the chosen ingress and TLS need', () => {
    const found = ids(kubernetesChecks(specFor('production', ['openim.serverVersion=v3.8.4']), PROBED_CLUSTER_FIXTURE));
    expect(found).toContain('error:crd.ingressroutes.traefik.io');
    expect(found).toContain('error:crd.certificates.cert-manager.io');
    const installed = ids(
      kubernetesChecks(
        specFor('production', ['openim.serverVersion=v3.8.4', 'kubernetes.ingress.install=true']),
        PROBED_CLUSTER_FIXTURE,
      ),
    );
    expect(installed).not.toContain('error:crd.ingressroutes.traefik.io');
  });

  it('asks for a GatewayClass and the ingress class', () => {
    expect(
      ids(
        kubernetesChecks(
          specFor('production', ['openim.serverVersion=v3.8.4', 'kubernetes.ingress.controller=gateway-api']),
          PROBED_CLUSTER_FIXTURE,
        ),
      ),
    ).toContain('error:ingress.gateway-class');
    const facts = { ...PROBED_CLUSTER_FIXTURE, cluster: { ...PROBED_CLUSTER_FIXTURE.cluster!, ingressClasses: [] } };
    expect(ids(kubernetesChecks(specFor('dev', ['openim.serverVersion=v3.8.4']), facts))).toContain(
      'warn:ingress.class-missing',
    );
  });

  it('refuses helm v3.18.0 for the charts its regression breaks, warns otherwise', () => {
    const facts = (version: string) => ({
      ...PROBED_CLUSTER_FIXTURE,
      helm: { path: 'helm', version, major: Number(version.slice(1, 2)) },
    });
    const nginx = [
      'openim.serverVersion=v3.8.4',
      'kubernetes.ingress.controller=nginx',
      'kubernetes.ingress.install=true',
      'monitoring.enabled=false',
    ];
    expect(ids(kubernetesChecks(specFor('production', nginx), facts('v3.18.0+gcc58e3f')))).toContain(
      'error:helm.regression',
    );
    expect(
      ids(
        kubernetesChecks(
          specFor('production', ['openim.serverVersion=v3.8.4', 'monitoring.enabled=true']),
          facts('v3.18.0'),
        ),
      ),
    ).toContain('error:helm.regression');
    expect(ids(kubernetesChecks(specFor('dev', ['openim.serverVersion=v3.8.4']), facts('v3.18.0')))).toContain(
      'warn:helm.regression',
    );
    for (const ok of ['v3.18.1', 'v3.19.0', 'v4.1.4'])
      expect(ids(kubernetesChecks(specFor('production', nginx), facts(ok))).filter((f) => f.includes('helm.'))).toEqual(
        [],
      );
  });

  it('checks an existing StorageClass', () => {
    const found = ids(
      kubernetesChecks(
        specFor('production', [
          'openim.serverVersion=v3.8.4',
          'kubernetes.storage.backend=existing',
          'kubernetes.storage.storageClass=fast',
        ]),
        PROBED_CLUSTER_FIXTURE,
      ),
    );
    expect(found).toContain('error:storage.class-missing');
  });
});
