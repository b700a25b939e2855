import { describe, expect, it } from 'vitest';
import type { ClusterFacts, KubernetesFacts } from '../../../facts/types.js';
import { infrastructureChecks } from './checks.js';
import { devSpec, productionSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';

const unprobed: KubernetesFacts = { target: 'kubernetes', probed: false };
function facts(cluster: Partial<ClusterFacts>): KubernetesFacts {
  return {
    target: 'kubernetes',
    probed: true,
    cluster: {
      reachable: true,
      storageClasses: [],
      ingressClasses: [],
      crds: [],
      namespaceExists: true,
      nodes: [],
      ...cluster,
    },
  };
}
const ids = (findings: { id: string; severity: string }[]) => findings.map((f) => `${f.severity}:${f.id}`);

describe('infrastructureChecks', () => {
  it('passes the presets', () => {
    expect(infrastructureChecks(devSpec(), unprobed)).toEqual([]);
    expect(infrastructureChecks(productionSpec(), unprobed)).toEqual([]);
  });

  it('refuses two Redis nodes (neither standalone nor a cluster) and warns on even quorums', () => {
    const findings = infrastructureChecks(
      productionSpec(
        'infrastructure.redis.replicas=2',
        'infrastructure.mongodb.replicas=4',
        'infrastructure.kafka.brokers=2',
      ),
      unprobed,
    );
    expect(ids(findings)).toEqual(['error:redis.nodes', 'warn:mongodb.members', 'warn:kafka.nodes']);
  });

  it('refuses MinIO credentials MinIO would refuse', () => {
    const findings = infrastructureChecks(
      devSpec('infrastructure.objectStorage.accessKey=ab', 'infrastructure.objectStorage.secretKey=short'),
      unprobed,
    );
    expect(ids(findings)).toEqual(['error:objectStorage.accessKey', 'error:objectStorage.secretKey']);
  });

  it('refuses external loopback addresses: in a pod they are the pod itself', () => {
    const spec = devSpec('infrastructure.redis.mode=external', 'infrastructure.redis.address[0]=127.0.0.1:6379');
    expect(ids(infrastructureChecks(spec, unprobed))).toEqual(['error:redis.address']);
  });

  it('needs the StorageClass when the installer does not install its provisioner', () => {
    const spec = devSpec('kubernetes.storage.install=false');
    expect(ids(infrastructureChecks(spec, facts({})))).toEqual(['error:storage.class-missing']);
    expect(
      infrastructureChecks(
        spec,
        facts({ storageClasses: [{ name: 'local-path', provisioner: 'rancher.io/local-path', isDefault: true }] }),
      ),
    ).toEqual([]);
  });

  it('refuses to install local-path over a class of the same name from another provisioner', () => {
    const findings = infrastructureChecks(
      devSpec(),
      facts({ storageClasses: [{ name: 'local-path', provisioner: 'example.com/other', isDefault: false }] }),
    );
    expect(ids(findings)).toEqual(['error:storage.class-taken']);
  });

  it('needs Rook when rook-ceph is used without installing it', () => {
    const spec = productionSpec(
      'kubernetes.storage.backend=rook-ceph',
      'kubernetes.storage.install=false',
      'infrastructure.objectStorage.provider=rook-ceph',
    );
    const findings = infrastructureChecks(
      spec,
      facts({ storageClasses: [{ name: 'ceph-block', provisioner: 'rook-ceph.rbd.csi.ceph.com', isDefault: false }] }),
    );
    expect(ids(findings)).toEqual([
      'error:crd.cephclusters.ceph.rook.io',
      'error:crd.objectbucketclaims.objectbucket.io',
    ]);
  });
});
