// argv builders for helm and kubectl: the only place that knows their flags.

import type { DeploySpec } from '../../config/schema.js';

export function kubectlBase(spec: DeploySpec): string[] {
  const argv = ['kubectl'];
  if (spec.kubernetes.kubeconfig) argv.push('--kubeconfig', spec.kubernetes.kubeconfig);
  if (spec.kubernetes.context) argv.push('--context', spec.kubernetes.context);
  return argv;
}

export function helmBase(spec: DeploySpec): string[] {
  const argv = ['helm'];
  if (spec.kubernetes.kubeconfig) argv.push('--kubeconfig', spec.kubernetes.kubeconfig);
  if (spec.kubernetes.context) argv.push('--kube-context', spec.kubernetes.context);
  return argv;
}
