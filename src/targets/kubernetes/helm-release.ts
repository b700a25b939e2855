// One Helm release as a plan step: write its values (built as an object),
// then `helm upgrade --install … --wait`. The only place that shapes helm's
// install argv.

import { stringify } from 'yaml';
import type { DeploySpec } from '../../config/rules.js';
import type { Phase, Step } from '../../plan/types.js';
import { helmBase, kubectlBase } from './tools.js';

export interface ReleaseSpec {
  id: string;
  title: string;
  phase: Phase;
  needs: string[];
  name: string;
  namespace: string;
  /** Local chart path (relative to the work dir) or the chart name in `repo`. */
  chart: string;
  values: object;
  local: boolean;
  repo?: string;
  version?: string;
  createNamespace?: boolean;
  component?: string;
  retries?: number;
}

export function helmUpgradeArgv(spec: DeploySpec, r: Pick<ReleaseSpec, 'name' | 'chart' | 'namespace' | 'repo' | 'version' | 'createNamespace'>, valuesFile: string): string[] {
  return [
    ...helmBase(spec),
    'upgrade', '--install', r.name, r.chart,
    '--namespace', r.namespace,
    '--values', valuesFile,
    '--wait', '--timeout', spec.kubernetes.helmTimeout,
    ...(r.version ? ['--version', r.version] : []),
    ...(r.repo ? ['--repo', r.repo] : []),
    ...(r.createNamespace ? ['--create-namespace'] : []),
  ];
}

export function releaseStep(spec: DeploySpec, r: ReleaseSpec): Step {
  const valuesFile = `values/${r.name}.yaml`;
  return {
    id: r.id,
    title: r.title,
    phase: r.phase,
    needs: r.needs,
    ...(r.component ? { component: r.component } : {}),
    release: {
      name: r.name,
      namespace: r.namespace,
      chart: r.chart,
      valuesFile,
      local: r.local,
      ...(r.version ? { version: r.version } : {}),
      ...(r.repo ? { repo: r.repo } : {}),
    },
    actions: [
      { kind: 'write', path: valuesFile, mode: 0o644, content: stringify(r.values, { lineWidth: 0 }), render: valuesFile },
      { kind: 'exec', argv: helmUpgradeArgv(spec, r, valuesFile), mutates: true },
    ],
    retries: r.retries ?? 1,
  };
}

/** `kubectl apply --server-side` of a manifest file the step writes first. */
export function applyActions(spec: DeploySpec, path: string, content: string, mode: number, render?: string): Step['actions'] {
  return [
    { kind: 'write', path, mode, content, ...(render ? { render } : {}) },
    { kind: 'exec', argv: [...kubectlBase(spec), 'apply', '--server-side', '--field-manager=openim-deploy', '-f', path], mutates: true },
  ];
}
