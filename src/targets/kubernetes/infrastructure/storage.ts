// Storage steps: install the provisioner behind every PVC, or note the
// existing StorageClass. The step `k8s.storage` always exists so that the
// infrastructure releases can depend on it whatever the backend.

import { toYaml } from '../../../secrets/yaml.js';
import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { STORAGE_PROVISIONERS, type ChartRef } from '../../../catalog/infrastructure.js';
import { applyActions, clearDeadPendingRelease } from '../helm-release.js';
import { upstreamChartSource } from '../chart-source.js';
import { helmBase, kubectlBase } from '../tools.js';
import { MANAGED_BY, NAMESPACE_STEP } from '../names.js';
import { localPathManifest } from './local-path.js';
import { STORAGE_STEP, valuesFile } from './names.js';
import { nfsValues } from './nfs.js';
import { ROOK_CLUSTER_NAME, rookClusterValues, rookOperatorValues } from './rook.js';
import { storageClassFor } from './storage-class.js';

export const ROOK_OPERATOR_STEP = 'k8s.storage.rook-ceph-operator';
const LOCAL_PATH_MANIFEST = 'manifests/local-path-provisioner.yaml';

/** `helm upgrade --install` of a pinned upstream chart, with its values file. */
function upstreamRelease(
  spec: DeploySpec,
  release: string,
  chart: ChartRef,
  namespace: string,
  values: Record<string, unknown>,
  timeout = spec.kubernetes.helmTimeout,
): Pick<Step, 'release' | 'actions'> {
  const file = valuesFile(release);
  // The repository online, the bundled archive with offline.bundle.
  const source = upstreamChartSource(spec, chart);
  const from = [
    ...(source.repo ? ['--repo', source.repo] : []),
    ...(source.version ? ['--version', source.version] : []),
  ];
  return {
    release: {
      name: release,
      namespace,
      chart: source.chart,
      ...(source.repo ? { repo: source.repo } : {}),
      version: chart.version,
      valuesFile: file,
      local: false,
    },
    actions: [
      { kind: 'write', path: file, mode: 0o644, content: toYaml(values), render: file },
      clearDeadPendingRelease(spec, release, namespace),
      {
        kind: 'exec',
        argv: [
          ...helmBase(spec),
          'upgrade',
          '--install',
          release,
          source.chart,
          ...from,
          '--namespace',
          namespace,
          '--create-namespace',
          '--values',
          file,
          '--wait',
          '--timeout',
          timeout,
        ],
        mutates: true,
      },
    ],
  };
}

/**
 * A StorageClass the cluster already has, served by the expected provisioner (e.g. k3s ships local-path).
 * The class an earlier run of ours created does not count: else a re-run would plan a different
 * storage step than the run that created it (found by the cluster e2e's second-run check).
 */
function existingClass(facts: KubernetesFacts, name: string, provisioner: string): boolean {
  return (
    facts.cluster?.storageClasses.some(
      (sc) =>
        sc.name === name &&
        sc.provisioner === provisioner &&
        sc.managedBy !== MANAGED_BY['app.kubernetes.io/managed-by'],
    ) ?? false
  );
}

function noteStep(text: string): Step {
  return {
    id: STORAGE_STEP,
    title: 'Storage',
    phase: 'storage',
    needs: [NAMESPACE_STEP],
    component: 'storage',
    actions: [{ kind: 'note', text }],
  };
}

/** What every storage step starts with (the step JSON keeps this key order). */
function storageStepHead(id: string, title: string, needs: string[], retries: number) {
  return { id, title, phase: 'storage' as const, needs, component: 'storage', retries };
}

export function storageSteps(spec: DeploySpec, facts: KubernetesFacts): Step[] {
  const storage = spec.kubernetes.storage;
  const storageClass = storageClassFor(spec);
  if (storage.backend === 'existing')
    return [noteStep(`PVCs use the existing StorageClass ${storageClass} (checked by preflight)`)];
  if (!storage.install)
    return [
      noteStep(
        `PVCs use StorageClass ${storageClass}; its ${STORAGE_PROVISIONERS[storage.backend].title} is not installed by openim-deploy (kubernetes.storage.install false)`,
      ),
    ];

  const kubectl = kubectlBase(spec);
  switch (storage.backend) {
    case 'local-path': {
      const pin = STORAGE_PROVISIONERS['local-path'];
      if (existingClass(facts, storageClass, pin.provisioner)) {
        return [
          noteStep(
            `StorageClass ${storageClass} (${pin.provisioner}) is already in the cluster: not installing a second provisioner`,
          ),
        ];
      }
      return [
        {
          ...storageStepHead(STORAGE_STEP, `Storage: ${pin.title}`, [NAMESPACE_STEP], 2),
          actions: [
            ...applyActions(
              spec,
              LOCAL_PATH_MANIFEST,
              toYaml(localPathManifest(spec, storageClass)),
              0o644,
              LOCAL_PATH_MANIFEST,
            ),
            {
              kind: 'exec',
              argv: [
                ...kubectl,
                '--namespace',
                pin.namespace,
                'rollout',
                'status',
                'deployment/local-path-provisioner',
                '--timeout',
                spec.kubernetes.helmTimeout,
              ],
              mutates: false,
            },
          ],
        },
      ];
    }
    case 'nfs': {
      const pin = STORAGE_PROVISIONERS.nfs;
      const [entry] = pin.charts;
      return [
        {
          ...storageStepHead(STORAGE_STEP, `Storage: ${pin.title}`, [NAMESPACE_STEP], 1),
          ...upstreamRelease(spec, entry.release, entry.chart, pin.namespace, nfsValues(spec, storageClass)),
        },
      ];
    }
    case 'rook-ceph': {
      const pin = STORAGE_PROVISIONERS['rook-ceph'];
      const [operator, cluster] = pin.charts;
      const clusterRelease = upstreamRelease(
        spec,
        cluster.release,
        cluster.chart,
        pin.namespace,
        rookClusterValues(spec, storageClass),
      );
      return [
        {
          ...storageStepHead(ROOK_OPERATOR_STEP, 'Storage: Rook operator', [NAMESPACE_STEP], 1),
          ...upstreamRelease(spec, operator.release, operator.chart, pin.namespace, rookOperatorValues(spec)),
        },
        {
          ...storageStepHead(STORAGE_STEP, 'Storage: Ceph cluster', [ROOK_OPERATOR_STEP], 1),
          release: clusterRelease.release!,
          actions: [
            {
              kind: 'note',
              text: 'Rook uses every empty raw device (no partitions, no filesystem) on every node as a Ceph OSD',
            },
            ...clusterRelease.actions,
            // helm --wait cannot see Ceph's health: wait for the operator to report the cluster ready.
            {
              kind: 'exec',
              argv: [
                ...kubectl,
                '--namespace',
                pin.namespace,
                'wait',
                `cephcluster/${ROOK_CLUSTER_NAME}`,
                '--for=jsonpath={.status.phase}=Ready',
                '--timeout=30m',
              ],
              mutates: false,
              timeoutSeconds: 1860,
            },
          ],
        },
      ];
    }
  }
}
