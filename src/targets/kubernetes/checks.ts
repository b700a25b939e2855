// Preflight for Kubernetes: pure functions of (spec, facts).

import type { DeploySpec } from '../../config/schema.js';
import type { PreflightFinding } from '../../errors.js';
import type { KubernetesFacts } from '../../facts/types.js';
import { INGRESS_CONTROLLERS } from '../../catalog/ingress.js';
import { infrastructureChecks } from './infrastructure/index.js';
import { UNREACHABLE_FIX, unreachableMessage } from './unreachable.js';
import { objectStorageBackend } from './infra-bridge.js';
import { kubernetesLayout } from './layout.js';
import { findingList } from '../../preflight/findings.js';

/** CRDs an ingress controller the installer does not install must find in the cluster: [CRD, what provides it]. */
const CONTROLLER_CRDS: Readonly<
  Partial<Record<DeploySpec['kubernetes']['ingress']['controller'], [string, string][]>>
> = {
  'gateway-api': [
    ['gateways.gateway.networking.k8s.io', 'Gateway API CRDs'],
    ['httproutes.gateway.networking.k8s.io', 'Gateway API CRDs (HTTPRoute)'],
  ],
  istio: [
    ['virtualservices.networking.istio.io', 'Istio'],
    ['gateways.networking.istio.io', 'Istio (Gateway)'],
  ],
  traefik: [
    ['ingressroutes.traefik.io', 'Traefik CRDs (IngressRoute, traefik.io)'],
    ['middlewares.traefik.io', 'Traefik CRDs (Middleware, traefik.io)'],
  ],
};

export function kubernetesChecks(spec: DeploySpec, facts: KubernetesFacts): PreflightFinding[] {
  const layout = kubernetesLayout(spec);
  const { findings, error, warn } = findingList();
  // Pure spec checks: they hold whatever the cluster looks like.
  const ingress = spec.kubernetes.ingress;
  if (ingress.controller === 'gateway-api' && !ingress.className) {
    error(
      'ingress.gateway-class',
      'kubernetes.ingress.className is empty: a Gateway needs the name of the GatewayClass that serves it',
      'kubectl get gatewayclass lists them; pass --set kubernetes.ingress.className=NAME',
    );
  }
  if (ingress.controller === 'nginx' && !ingress.install) {
    warn(
      'ingress.nginx-snippets',
      'the X-Request-Api header on /api uses a configuration-snippet, which ingress-nginx ignores unless allow-snippet-annotations is true (annotations-risk-level Critical)',
      'enable it on your controller, or let the installer install it (--set kubernetes.ingress.install=true)',
    );
  }
  if (ingress.controller === 'istio' && ingress.tls.mode === 'secret') {
    warn(
      'ingress.istio-tls-secret',
      `Istio reads TLS Secret ${ingress.tls.secretName} from the ingress gateway's namespace (${INGRESS_CONTROLLERS.istio.namespace}), not from ${layout.namespace}`,
      `create it in ${INGRESS_CONTROLLERS.istio.namespace}`,
    );
  }
  const storageBackend = objectStorageBackend(spec, layout);
  if (
    ingress.controller === 'traefik' &&
    !ingress.install &&
    storageBackend &&
    storageBackend.namespace !== layout.namespace
  ) {
    warn(
      'ingress.traefik-cross-namespace',
      `the /im-minio-api route points at ${storageBackend.service} in namespace ${storageBackend.namespace}, which Traefik only follows with providers.kubernetesCRD.allowCrossNamespace=true`,
      'enable it on your Traefik, or let the installer install Traefik (--set kubernetes.ingress.install=true)',
    );
  }
  findings.push(...infrastructureChecks(spec, facts));
  if (!facts.probed) return findings;

  if (!facts.helm)
    error(
      'helm.missing',
      'helm is not installed or not on PATH',
      'install helm 3.14+ or 4.x (https://helm.sh/docs/intro/install/), or pass --helm /path/to/helm',
    );
  else if (facts.helm.major < 3)
    error('helm.version', `helm ${facts.helm.version} is too old`, 'use helm 3.14+ or 4.x');
  else if (/^v3\.18\.0(?:[+-]|$)/.test(facts.helm.version)) {
    // helm v3.18.0 takes a value of 0 as set in `if` (helm/helm#30923, fixed in v3.18.1): ingress-nginx 4.14.3 then
    // writes progressDeadlineSeconds: 0 and kube-prometheus-stack 81.4.3 maximumStartupDurationSeconds: 0, which the
    // API server refuses (found by test/cluster/upstream.test.ts). Other charts may be hit the same way.
    const hit = [
      ...(ingress.install && ingress.controller === 'nginx' ? ['ingress-nginx'] : []),
      ...(spec.monitoring.enabled ? ['kube-prometheus-stack'] : []),
    ];
    const message = `helm ${facts.helm.version} renders a value of 0 as set (helm/helm#30923)`;
    if (hit.length)
      error(
        'helm.regression',
        `${message}: the API server refuses what it renders for ${hit.join(' and ')}`,
        'use helm 3.18.1+ or 4.x',
      );
    else
      warn(
        'helm.regression',
        `${message}; charts with 0 in their values may render objects the API server refuses`,
        'use helm 3.18.1+ or 4.x',
      );
  }
  if (!facts.kubectl)
    error(
      'kubectl.missing',
      'kubectl is not installed or not on PATH',
      'install kubectl matching your cluster version',
    );

  const cluster = facts.cluster;
  if (facts.kubectl && (!cluster || !cluster.reachable)) {
    error('cluster.unreachable', unreachableMessage(cluster?.error ?? ''), UNREACHABLE_FIX);
    return findings;
  }
  if (!cluster) return findings;

  const storage = spec.kubernetes.storage;
  if (storage.backend === 'existing') {
    if (!cluster.storageClasses.some((sc) => sc.name === storage.storageClass)) {
      error(
        'storage.class-missing',
        `StorageClass ${storage.storageClass} does not exist`,
        `existing classes: ${cluster.storageClasses.map((s) => s.name).join(', ') || 'none'}`,
      );
    }
  }
  if (
    storage.backend !== 'existing' &&
    !storage.install &&
    storage.storageClass &&
    !cluster.storageClasses.some((sc) => sc.name === storage.storageClass)
  ) {
    error(
      'storage.class-missing',
      `StorageClass ${storage.storageClass} does not exist and kubernetes.storage.install is false`,
      'install the provisioner (--set kubernetes.storage.install=true) or name an existing class',
    );
  }
  if (spec.kubernetes.ingress.controller !== 'none' && !spec.kubernetes.ingress.install) {
    const controller = spec.kubernetes.ingress.controller;
    const needsClass = controller === 'nginx' || (controller === 'traefik' && spec.kubernetes.ingress.className !== '');
    const className =
      spec.kubernetes.ingress.className || (controller === 'nginx' ? INGRESS_CONTROLLERS.nginx.className : controller);
    if (needsClass && !cluster.ingressClasses.includes(className)) {
      warn(
        'ingress.class-missing',
        `no IngressClass ${className} in the cluster: the routes will not be served`,
        `install a controller or pass --set kubernetes.ingress.install=true`,
      );
    }
  }
  const controllerCrds = ingress.install ? [] : (CONTROLLER_CRDS[ingress.controller] ?? []);
  const crdNeeds: [boolean, string, string][] = [
    ...controllerCrds.map(([crd, what]): [boolean, string, string] => [true, crd, what]),
    [spec.kubernetes.ingress.tls.mode === 'cert-manager', 'certificates.cert-manager.io', 'cert-manager'],
    [
      spec.monitoring.enabled && !spec.monitoring.prometheusUrl,
      'servicemonitors.monitoring.coreos.com',
      'the Prometheus operator CRDs (installed with kube-prometheus-stack)',
    ],
  ];
  for (const [needed, crd, what] of crdNeeds) {
    if (needed && !cluster.crds.includes(crd)) {
      const fatal = crd !== 'servicemonitors.monitoring.coreos.com';
      (fatal ? error : warn)(
        `crd.${crd}`,
        `${what} not found in the cluster (CRD ${crd})`,
        fatal ? `install ${what} first` : 'the monitoring release installs them',
      );
    }
  }
  if (cluster.nodes.length === 0) error('nodes.none', 'the cluster has no nodes');
  else {
    const ready = cluster.nodes.filter((n) => n.ready);
    const cpu = ready.reduce((sum, n) => sum + n.cpuMillis, 0);
    const memory = ready.reduce((sum, n) => sum + n.memoryBytes, 0);
    const need =
      spec.profile === 'production' ? { cpu: 8000, memory: 16 * 2 ** 30 } : { cpu: 2000, memory: 4 * 2 ** 30 };
    if (cpu < need.cpu || memory < need.memory) {
      warn(
        'nodes.capacity',
        `ready nodes have ${(cpu / 1000).toFixed(1)} CPU and ${(memory / 2 ** 30).toFixed(1)} GiB; the ${spec.profile} profile wants ${need.cpu / 1000} CPU and ${need.memory / 2 ** 30} GiB`,
        'add nodes or use the dev profile',
      );
    }
  }
  return findings;
}
