// The Kubernetes plan: namespace → secrets → OpenIM releases → summary.
// (Issue #3 grows this into storage, infrastructure, config, ingress and smoke.)

import { stringify } from 'yaml';
import type { DeploySpec } from '../../config/rules.js';
import type { KubernetesFacts } from '../../facts/types.js';
import type { Step } from '../../plan/types.js';
import { CHAT_MODULES, FRONT_MODULES, SERVER_MODULES, type OpenIMModule } from '../../catalog/modules.js';
import { secretRef } from '../../secrets/secrets.js';
import { helmBase, kubectlBase } from './tools.js';

function enabledModules(spec: DeploySpec): OpenIMModule[] {
  const c = spec.openim.components;
  return [
    ...SERVER_MODULES,
    ...(c.chat ? CHAT_MODULES : []),
    ...FRONT_MODULES.filter((m) => (m.name === 'openim-web-front' ? c.webFront : c.adminFront)),
  ];
}

export function kubernetesSteps(spec: DeploySpec, _facts: KubernetesFacts): Step[] {
  const ns = spec.kubernetes.namespace;
  const kubectl = kubectlBase(spec);
  const helm = helmBase(spec);
  const steps: Step[] = [];

  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'openim-deploy' } } };
  steps.push({
    id: 'k8s.namespace',
    title: `Namespace ${ns}`,
    phase: 'prepare',
    needs: [],
    actions: [
      { kind: 'write', path: 'manifests/namespace.yaml', mode: 0o644, content: stringify(namespace), render: 'manifests/namespace.yaml' },
      { kind: 'exec', argv: [...kubectl, 'apply', '--server-side', '--field-manager=openim-deploy', '-f', 'manifests/namespace.yaml'], mutates: true },
    ],
    retries: 2,
  });

  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'openim-secrets', namespace: ns },
    type: 'Opaque',
    stringData: { 'openim-secret': secretRef('openim.secret') },
  };
  steps.push({
    id: 'k8s.secrets',
    title: 'Secrets',
    phase: 'config',
    needs: ['k8s.namespace'],
    actions: [
      { kind: 'write', path: 'manifests/secrets.yaml', mode: 0o600, content: stringify(secret) },
      { kind: 'exec', argv: [...kubectl, 'apply', '--server-side', '--field-manager=openim-deploy', '-f', 'manifests/secrets.yaml'], mutates: true },
    ],
  });

  steps.push({
    id: 'k8s.charts',
    title: 'Charts',
    phase: 'prepare',
    needs: [],
    actions: [{ kind: 'copy', from: 'charts/openim-service', to: 'charts/openim-service', render: 'charts/openim-service' }],
  });

  for (const mod of enabledModules(spec)) {
    const replicas = spec.openim.replicas[mod.name] ?? mod.instances[spec.profile];
    const values = { module: mod.name, replicas, ports: mod.ports };
    const valuesFile = `values/${mod.name}.yaml`;
    steps.push({
      id: `k8s.release.${mod.name}`,
      title: `Release ${mod.name}`,
      phase: mod.product === 'server' ? 'server' : mod.product === 'chat' ? 'chat' : 'front',
      needs: ['k8s.secrets', 'k8s.charts'],
      component: mod.name,
      release: { name: mod.name, namespace: ns, chart: './charts/openim-service', valuesFile, local: true },
      actions: [
        { kind: 'write', path: valuesFile, mode: 0o644, content: stringify(values), render: valuesFile },
        {
          kind: 'exec',
          argv: [...helm, 'upgrade', '--install', mod.name, './charts/openim-service', '--namespace', ns, '--values', valuesFile, '--wait', '--timeout', spec.kubernetes.helmTimeout],
          mutates: true,
        },
      ],
      retries: 1,
    });
  }
  return steps;
}
