// What a Kubernetes plan step creates: its Helm release, and the objects in
// the manifests it applies. Read from the step's data (the release ref, the
// manifest it writes and then applies), so it is known before the step runs.

import { parseAllDocuments } from 'yaml';
import type { Step } from '../../../plan/types.js';
import type { CreatedResource } from '../../../state/types.js';

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  items?: Manifest[];
}

function appliedPaths(step: Step): Set<string> {
  const paths = new Set<string>();
  for (const action of step.actions) {
    if (action.kind !== 'exec') continue;
    const i = action.argv.indexOf('apply');
    const f = action.argv.indexOf('-f');
    if (i >= 0 && f > i && action.argv[f + 1] && action.argv[f + 1] !== '-') paths.add(action.argv[f + 1]!);
  }
  return paths;
}

export function kubernetesResources(step: Step): CreatedResource[] {
  const out: CreatedResource[] = [];
  if (step.release) out.push({ type: 'helm-release', name: step.release.name, namespace: step.release.namespace });
  const applied = appliedPaths(step);
  for (const action of step.actions) {
    if (action.kind !== 'write' || !applied.has(action.path)) continue;
    for (const doc of parseAllDocuments(action.content)) {
      if (!('toJS' in doc)) continue;
      const top = doc.toJS() as Manifest | null;
      // kubectl applies the items of a List one by one.
      for (const obj of top?.kind === 'List' ? (top.items ?? []) : top ? [top] : []) {
        if (!obj.kind || !obj.apiVersion || !obj.metadata?.name) continue;
        // The namespace step adopts a namespace that already exists (prepare made it, or the
        // user did): applying it creates nothing. Whether we created it is state.createdNamespace.
        if (obj.kind === 'Namespace') continue;
        out.push({
          type: 'k8s-object',
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        });
      }
    }
  }
  return out;
}
