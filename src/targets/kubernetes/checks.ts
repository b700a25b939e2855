// Preflight for Kubernetes: pure functions of (spec, facts).

import type { DeploySpec } from '../../config/rules.js';
import type { PreflightFinding } from '../../errors.js';
import type { KubernetesFacts } from '../../facts/types.js';

export function kubernetesChecks(spec: DeploySpec, facts: KubernetesFacts): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  const error = (id: string, message: string, fix?: string) => findings.push({ id, severity: 'error', message, ...(fix ? { fix } : {}) });
  const warn = (id: string, message: string, fix?: string) => findings.push({ id, severity: 'warn', message, ...(fix ? { fix } : {}) });
  if (!facts.probed) return findings;

  if (!facts.helm) error('helm.missing', 'helm is not installed or not on PATH', 'install helm 3.14+ or 4.x: https://helm.sh/docs/intro/install/');
  else if (facts.helm.major < 3) error('helm.version', `helm ${facts.helm.version} is too old`, 'use helm 3.14+ or 4.x');
  if (!facts.kubectl) error('kubectl.missing', 'kubectl is not installed or not on PATH', 'install kubectl matching your cluster version');

  const cluster = facts.cluster;
  if (facts.kubectl && (!cluster || !cluster.reachable)) {
    error('cluster.unreachable', `cannot reach the Kubernetes API${cluster?.error ? `: ${cluster.error}` : ''}`, 'check kubectl config current-context, or pass --set kubernetes.context=NAME');
    return findings;
  }
  if (!cluster) return findings;

  const storage = spec.kubernetes.storage;
  if (storage.backend === 'existing') {
    if (!cluster.storageClasses.some((sc) => sc.name === storage.storageClass)) {
      error('storage.class-missing', `StorageClass ${storage.storageClass} does not exist`, `existing classes: ${cluster.storageClasses.map((s) => s.name).join(', ') || 'none'}`);
    }
  }
  if (spec.kubernetes.ingress.controller !== 'none' && !spec.kubernetes.ingress.install) {
    const needsClass = spec.kubernetes.ingress.controller === 'nginx' || spec.kubernetes.ingress.controller === 'traefik';
    const className = spec.kubernetes.ingress.className || spec.kubernetes.ingress.controller;
    if (needsClass && !cluster.ingressClasses.includes(className)) {
      warn('ingress.class-missing', `no IngressClass ${className} in the cluster: the routes will not be served`, `install a controller or pass --set kubernetes.ingress.install=true`);
    }
  }
  const crdNeeds: [boolean, string, string][] = [
    [spec.kubernetes.ingress.controller === 'gateway-api' && !spec.kubernetes.ingress.install, 'gateways.gateway.networking.k8s.io', 'Gateway API CRDs'],
    [spec.kubernetes.ingress.controller === 'istio' && !spec.kubernetes.ingress.install, 'virtualservices.networking.istio.io', 'Istio'],
    [spec.kubernetes.ingress.tls.mode === 'cert-manager', 'certificates.cert-manager.io', 'cert-manager'],
    [spec.monitoring.enabled && !spec.monitoring.prometheusUrl, 'servicemonitors.monitoring.coreos.com', 'the Prometheus operator CRDs (installed with kube-prometheus-stack)'],
  ];
  for (const [needed, crd, what] of crdNeeds) {
    if (needed && !cluster.crds.includes(crd)) {
      const fatal = crd !== 'servicemonitors.monitoring.coreos.com';
      (fatal ? error : warn)(`crd.${crd}`, `${what} not found in the cluster (CRD ${crd})`, fatal ? `install ${what} first` : 'the monitoring release installs them');
    }
  }
  if (cluster.nodes.length === 0) error('nodes.none', 'the cluster has no nodes');
  else {
    const ready = cluster.nodes.filter((n) => n.ready);
    const cpu = ready.reduce((sum, n) => sum + n.cpuMillis, 0);
    const memory = ready.reduce((sum, n) => sum + n.memoryBytes, 0);
    const need = spec.profile === 'production' ? { cpu: 8000, memory: 16 * 2 ** 30 } : { cpu: 2000, memory: 4 * 2 ** 30 };
    if (cpu < need.cpu || memory < need.memory) {
      warn('nodes.capacity', `ready nodes have ${(cpu / 1000).toFixed(1)} CPU and ${(memory / 2 ** 30).toFixed(1)} GiB; the ${spec.profile} profile wants ${need.cpu / 1000} CPU and ${need.memory / 2 ** 30} GiB`, 'add nodes or use the dev profile');
    }
  }
  return findings;
}
