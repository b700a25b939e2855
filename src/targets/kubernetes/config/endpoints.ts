// Everything OpenIM must know about where things are on Kubernetes: the
// infrastructure addresses plus discovery and the chat → server API URL.

import { grafanaUrl } from '../monitoring/urls.js';
import type { DeploySpec } from '../../../config/schema.js';
import { INGRESS_CLIENT_IP_HEADER } from '../../../catalog/ingress.js';
import { serverRelease } from '../../../catalog/openim-versions.js';
import type { OpenIMEndpoints } from '../../../openim-config/types.js';
import type { InfraEndpoints } from '../infra-bridge.js';
import { ETCD_ROOT_USER, etcdClientAddress } from '../infrastructure/etcd.js';
import type { KubernetesLayout } from '../layout.js';

/**
 * Discovery per the catalog: every catalog version runs etcd discovery on
 * Kubernetes (OpenIMKubernetesRuntime.discoveryReason says why); the etcd is
 * the in-cluster one of templates/charts/openim-etcd, or the user's.
 */
function discovery(spec: DeploySpec, layout: KubernetesLayout): OpenIMEndpoints['discovery'] {
  const ns = layout.namespace;
  if (serverRelease(spec.openim.serverVersion).kubernetes.discovery === 'kubernetes')
    return { kind: 'kubernetes', namespace: ns };
  const etcd = spec.infrastructure.etcd;
  if (etcd.mode === 'external')
    return { kind: 'etcd', address: [...etcd.address], username: etcd.username, namespace: ns };
  return { kind: 'etcd', address: [etcdClientAddress(layout)], username: ETCD_ROOT_USER, namespace: ns };
}

export function openimEndpoints(spec: DeploySpec, layout: KubernetesLayout, infra: InfraEndpoints): OpenIMEndpoints {
  return {
    ...infra,
    discovery: discovery(spec, layout),
    // Chat calls the server API inside the cluster, through its Service (pain point 8).
    apiURL: layout.apiUrl,
    grafanaURL: grafanaUrl(spec),
    // Each pod is its own host: listen on the pod's interfaces, register the pod IP ('' = upstream picks it).
    network: { rpcListenIP: '0.0.0.0', rpcRegisterIP: '' },
    chatProxyHeader: INGRESS_CLIENT_IP_HEADER[spec.kubernetes.ingress.controller],
  };
}
