import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import type { Step } from '../../../plan/types.js';
import { emptyState, type DeployState } from '../../../state/types.js';
import { kubernetesRollbackSteps, kubernetesUninstallSteps } from './operations.js';
import { kubernetesResources } from './resources.js';

const spec = resolveConfig({ preset: 'dev', sets: ['kubernetes.namespace=im'] }).spec;
const entry = (order: number, resources: DeployState['steps'][string]['resources']) => ({
  status: 'done' as const,
  hash: 'h',
  at: 'x',
  attempt: 1,
  order,
  resources,
});
const state: DeployState = {
  ...emptyState(),
  createdNamespace: 'im',
  steps: {
    'k8s.namespace': entry(0, []),
    'k8s.config': entry(1, [
      { type: 'k8s-object', apiVersion: 'v1', kind: 'ConfigMap', name: 'openim-server-config', namespace: 'im' },
    ]),
    'k8s.release.openim-mongodb': entry(2, [{ type: 'helm-release', name: 'openim-mongodb', namespace: 'im' }]),
    'k8s.release.openim-api': entry(3, [{ type: 'helm-release', name: 'openim-api', namespace: 'im' }]),
    'k8s.ingress': entry(4, [
      { type: 'k8s-object', apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'openim', namespace: 'im' },
    ]),
    'k8s.storage': entry(1, [
      { type: 'k8s-object', apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: 'local-path' },
      {
        type: 'k8s-object',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'local-path-provisioner',
        namespace: 'local-path-storage',
      },
    ]),
  },
};
const argvs = (steps: Step[]) =>
  steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'exec' ? [a.argv.join(' ')] : [])));

describe('Kubernetes uninstall plan', () => {
  it('releases in reverse install order, then our objects; PVCs, shared objects and the namespace stay', () => {
    const steps = kubernetesUninstallSteps(spec, state, { purge: false });
    expect(argvs(steps)).toEqual([
      'helm uninstall openim-api --namespace im --wait --timeout 10m --ignore-not-found',
      'helm uninstall openim-mongodb --namespace im --wait --timeout 10m --ignore-not-found',
      'kubectl delete ingress.networking.k8s.io openim -n im --ignore-not-found',
      'kubectl delete configmap openim-server-config -n im --ignore-not-found',
    ]);
    // Strictly one after another.
    expect(steps.map((s) => s.needs)).toEqual([[], [steps[0]!.id], [steps[1]!.id], [steps[2]!.id]]);
    const kept = steps.at(-1)!.actions[0]!;
    expect(kept.kind === 'note' && kept.text).toContain(
      'Deployment local-path-storage/local-path-provisioner, StorageClass local-path',
    );
  });
  it('--purge deletes the PVCs while the provisioner still runs, then the shared objects, then the namespace we created', () => {
    const tail = argvs(kubernetesUninstallSteps(spec, state, { purge: true })).slice(-4);
    expect(tail).toEqual([
      'kubectl -n im delete pvc -l app.kubernetes.io/instance in (openim-api,openim-mongodb) --ignore-not-found',
      'kubectl delete deployment.apps local-path-provisioner -n local-path-storage --ignore-not-found',
      'kubectl delete storageclass.storage.k8s.io local-path --ignore-not-found',
      'kubectl delete namespace im --ignore-not-found --wait=false',
    ]);
  });
  it('nothing recorded, nothing to do', () => {
    expect(kubernetesUninstallSteps(spec, emptyState(), { purge: true })).toEqual([]);
  });
});

describe('Kubernetes rollback plan', () => {
  it('helm rollback of each recorded release to its revision, newest first', () => {
    const steps = kubernetesRollbackSteps(spec, state, {
      at: 'x',
      action: 'install',
      serverVersion: 'a',
      chatVersion: 'b',
      revisions: { 'openim-api': 3, 'openim-mongodb': 1 },
    });
    expect(argvs(steps)).toEqual([
      'helm rollback openim-api 3 --namespace im --wait --timeout 10m',
      'helm rollback openim-mongodb 1 --namespace im --wait --timeout 10m',
    ]);
  });
});

describe('kubernetesResources', () => {
  it('names the release and every object of an applied manifest, List items included', () => {
    const step: Step = {
      id: 's',
      title: 's',
      phase: 'storage',
      needs: [],
      release: { name: 'r', namespace: 'im', chart: 'c', valuesFile: 'v', local: true },
      actions: [
        {
          kind: 'write',
          path: 'manifests/x.yaml',
          mode: 0o644,
          content:
            'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: sa, namespace: ns}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}\n',
        },
        { kind: 'exec', argv: ['kubectl', 'apply', '--server-side', '-f', 'manifests/x.yaml'], mutates: true },
        {
          kind: 'write',
          path: 'values/not-applied.yaml',
          mode: 0o644,
          content: 'kind: ConfigMap\napiVersion: v1\nmetadata: {name: nope}\n',
        },
      ],
    };
    expect(kubernetesResources(step)).toEqual([
      { type: 'helm-release', name: 'r', namespace: 'im' },
      { type: 'k8s-object', apiVersion: 'v1', kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
      { type: 'k8s-object', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'cr' },
    ]);
  });
});
