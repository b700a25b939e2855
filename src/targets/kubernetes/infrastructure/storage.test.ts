import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as models from 'kubernetes-models';
import { STORAGE_PROVISIONERS } from '../../../catalog/infrastructure.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { ExecAction, Step, WriteAction } from '../../../plan/types.js';
import { NAMESPACE_STEP } from '../names.js';
import { localPathObjects } from './local-path.js';
import { STORAGE_STEP } from './names.js';
import { ROOK_OPERATOR_STEP, storageSteps } from './storage.js';
import { storageClassFor } from './storage-class.js';
import { devSpec, productionSpec } from '../../../../test/helpers/kubernetes-infrastructure-specs.js';

const unprobed: KubernetesFacts = { target: 'kubernetes', probed: false };
const execs = (step: Step) => step.actions.filter((a): a is ExecAction => a.kind === 'exec').map((a) => a.argv);
const written = (step: Step) =>
  parse(step.actions.find((a): a is WriteAction => a.kind === 'write')!.content) as Record<string, any>;

type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': models.v1.Namespace,
  'v1/ServiceAccount': models.v1.ServiceAccount,
  'v1/ConfigMap': models.v1.ConfigMap,
  'rbac.authorization.k8s.io/v1/ClusterRole': models.rbacAuthorizationK8sIo.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': models.rbacAuthorizationK8sIo.v1.ClusterRoleBinding,
  'apps/v1/Deployment': models.apps.v1.Deployment,
  'storage.k8s.io/v1/StorageClass': models.storageK8sIo.v1.StorageClass,
};

describe('storageClassFor', () => {
  it('is the provisioner class, or the one the user named', () => {
    expect(storageClassFor(devSpec())).toBe('local-path');
    expect(storageClassFor(productionSpec())).toBe('nfs-client');
    expect(storageClassFor(productionSpec('kubernetes.storage.backend=rook-ceph'))).toBe('ceph-block');
    expect(
      storageClassFor(productionSpec('kubernetes.storage.backend=existing', 'kubernetes.storage.storageClass=gp3')),
    ).toBe('gp3');
    expect(storageClassFor(devSpec('kubernetes.storage.storageClass=openim-local'))).toBe('openim-local');
  });
});

describe('storageSteps', () => {
  it('local-path: applies the upstream manifest built as objects, then waits for the rollout', () => {
    const [step] = storageSteps(devSpec('images.mirror=m.daocloud.io'), unprobed);
    expect(step!.id).toBe(STORAGE_STEP);
    expect(step!.needs).toEqual([NAMESPACE_STEP]);
    const manifest = written(step!);
    expect(manifest.kind).toBe('List');
    const items = manifest.items as Record<string, any>[];
    for (const item of items) new MODELS[`${item.apiVersion}/${item.kind}`]!(item).validate();
    expect(items.find((i) => i.kind === 'StorageClass')).toMatchObject({
      metadata: { name: 'local-path' },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    const deployment = items.find((i) => i.kind === 'Deployment')!;
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      'm.daocloud.io/rancher/local-path-provisioner:v0.0.32',
    );
    const helper = JSON.parse(items.find((i) => i.kind === 'ConfigMap')!.data['helperPod.yaml']);
    expect(helper.spec.containers[0].image).toBe('m.daocloud.io/library/busybox:1.36.1');
    expect(execs(step!)).toEqual([
      [
        'kubectl',
        'apply',
        '--server-side',
        '--field-manager=openim-deploy',
        '-f',
        'manifests/local-path-provisioner.yaml',
      ],
      [
        'kubectl',
        '--namespace',
        'local-path-storage',
        'rollout',
        'status',
        'deployment/local-path-provisioner',
        '--timeout',
        '10m',
      ],
    ]);
  });

  it('local-path: leaves a cluster that already has it (k3s) alone', () => {
    const facts: KubernetesFacts = {
      target: 'kubernetes',
      probed: true,
      cluster: {
        reachable: true,
        storageClasses: [{ name: 'local-path', provisioner: 'rancher.io/local-path', isDefault: true }],
        ingressClasses: [],
        crds: [],
        namespaceExists: true,
        nodes: [],
      },
    };
    const steps = storageSteps(devSpec(), facts);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.actions.map((a) => a.kind)).toEqual(['note']);
  });

  it('local-path: keeps planning the same step once its own class exists (a re-run changes nothing)', () => {
    const ours = {
      name: 'local-path',
      provisioner: 'rancher.io/local-path',
      isDefault: false,
      managedBy: 'openim-deploy',
    };
    const facts: KubernetesFacts = {
      target: 'kubernetes',
      probed: true,
      cluster: {
        reachable: true,
        storageClasses: [ours],
        ingressClasses: [],
        crds: [],
        namespaceExists: true,
        nodes: [],
      },
    };
    expect(storageSteps(devSpec(), facts)).toEqual(storageSteps(devSpec(), unprobed));
  });

  it('nfs: the pinned nfs-subdir-external-provisioner chart with server, path and class', () => {
    const [step] = storageSteps(productionSpec('images.mirror=m.daocloud.io'), unprobed);
    const pin = STORAGE_PROVISIONERS.nfs.charts[0];
    expect(step!.release).toEqual({
      name: pin.release,
      namespace: 'nfs-provisioner',
      chart: pin.chart.name,
      repo: pin.chart.repo,
      version: '4.0.18',
      valuesFile: `values/${pin.release}.yaml`,
      local: false,
    });
    expect(execs(step!)).toEqual([
      [
        'kubectl',
        '--namespace',
        'nfs-provisioner',
        'delete',
        'secret',
        '--ignore-not-found',
        '--selector',
        `owner=helm,name=${pin.release},status in (pending-install,pending-upgrade,pending-rollback)`,
      ],
      [
        'helm',
        'upgrade',
        '--install',
        pin.release,
        pin.chart.name,
        '--repo',
        pin.chart.repo,
        '--version',
        '4.0.18',
        '--namespace',
        'nfs-provisioner',
        '--create-namespace',
        '--values',
        `values/${pin.release}.yaml`,
        '--wait',
        '--timeout',
        '10m',
      ],
    ]);
    expect(written(step!)).toMatchObject({
      nfs: { server: 'nfs.internal', path: '/srv/nfs/openim' },
      image: { repository: 'm.daocloud.io/registry.k8s.io/sig-storage/nfs-subdir-external-provisioner', tag: 'v4.0.2' },
      storageClass: { create: true, name: 'nfs-client', defaultClass: false },
    });
  });

  it('rook-ceph: operator, then a cluster whose block pool backs the StorageClass', () => {
    const steps = storageSteps(
      productionSpec('kubernetes.storage.backend=rook-ceph', 'infrastructure.objectStorage.provider=rook-ceph'),
      unprobed,
    );
    expect(steps.map((s) => [s.id, s.needs])).toEqual([
      [ROOK_OPERATOR_STEP, [NAMESPACE_STEP]],
      [STORAGE_STEP, [ROOK_OPERATOR_STEP]],
    ]);
    expect(steps.map((s) => s.release!.version)).toEqual([
      STORAGE_PROVISIONERS['rook-ceph'].charts[0].chart.version,
      STORAGE_PROVISIONERS['rook-ceph'].charts[1].chart.version,
    ]);
    const cluster = written(steps[1]!);
    expect(cluster.cephBlockPools[0].storageClass).toMatchObject({
      enabled: true,
      name: 'ceph-block',
      isDefault: false,
    });
    expect(cluster.cephBlockPools[0].spec.replicated).toEqual({ size: 3 });
    expect(cluster.cephClusterSpec.mon).toEqual({ count: 3, allowMultiplePerNode: false });
    expect(cluster.cephObjectStores).toHaveLength(1);
    expect(cluster.cephObjectStores[0]).toMatchObject({ name: 'openim', storageClass: { name: 'ceph-bucket' } });
    expect(execs(steps[1]!).at(-1)).toEqual([
      'kubectl',
      '--namespace',
      'rook-ceph',
      'wait',
      'cephcluster/rook-ceph',
      '--for=jsonpath={.status.phase}=Ready',
      '--timeout=30m',
    ]);
  });

  it('rook-ceph dev: one monitor and single copies; no object store when MinIO serves files', () => {
    const steps = storageSteps(devSpec('kubernetes.storage.backend=rook-ceph'), unprobed);
    const cluster = written(steps[1]!);
    expect(cluster.cephClusterSpec.mon).toEqual({ count: 1, allowMultiplePerNode: true });
    expect(cluster.cephBlockPools[0].spec.replicated).toEqual({ size: 1, requireSafeReplicaSize: false });
    expect(cluster.cephObjectStores).toEqual([]);
  });

  it('rook-ceph with a mirror: operator, CSI and Ceph images move to it', () => {
    const steps = storageSteps(
      devSpec('kubernetes.storage.backend=rook-ceph', 'images.mirror=m.daocloud.io'),
      unprobed,
    );
    const operator = written(steps[0]!);
    expect(operator.image.repository).toBe('m.daocloud.io/rook/ceph');
    expect(
      Object.values(operator.csi as Record<string, { repository: string }>).every((c) =>
        c.repository.startsWith('m.daocloud.io/'),
      ),
    ).toBe(true);
    expect(written(steps[1]!).cephImage.repository).toBe('m.daocloud.io/quay.io/ceph/ceph');
  });

  it('existing, or install false: no provisioner, only a note', () => {
    for (const spec of [
      productionSpec('kubernetes.storage.backend=existing', 'kubernetes.storage.storageClass=gp3'),
      devSpec('kubernetes.storage.install=false'),
    ]) {
      const steps = storageSteps(spec, unprobed);
      expect(steps.map((s) => s.id)).toEqual([STORAGE_STEP]);
      expect(steps[0]!.actions.map((a) => a.kind)).toEqual(['note']);
    }
  });

  it('builds local-path objects with the chosen class name', () => {
    const sc = localPathObjects(devSpec(), 'openim-local').find((o) => o.kind === 'StorageClass') as Record<
      string,
      any
    >;
    expect(sc.metadata.name).toBe('openim-local');
  });
});
