// CoreDNS for the real-node cluster (issue #17): Service names resolve in pods the way they
// do on any cluster (kube-dns Service at the kubelet's clusterDNS address). The objects follow
// the shape of CoreDNS's own deployment (RBAC read access to Services, EndpointSlices, Pods,
// Namespaces; a Corefile with the kubernetes plugin), written here as data.

import { CLUSTER_DNS } from './real-node.js';

/** Non-root in the pod: listens above 1024, the Service maps 53 to it. */
const DNS_PORT = 1053;

export function corednsObjects(image: string): object {
  const labels = { 'k8s-app': 'kube-dns' };
  const ns = 'kube-system';
  const corefile = `.:${DNS_PORT} {
    errors
    health :8080
    ready :8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loop
    loadbalance
}
`;
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'system:coredns' },
        rules: [
          { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
          { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'system:coredns' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
        subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'coredns', namespace: ns },
        data: { Corefile: corefile },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'coredns', namespace: ns, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: 'coredns',
              dnsPolicy: 'Default', // CoreDNS itself must not ask itself
              priorityClassName: 'system-cluster-critical',
              containers: [
                {
                  name: 'coredns',
                  image,
                  imagePullPolicy: 'Never',
                  args: ['-conf', '/etc/coredns/Corefile'],
                  ports: [
                    { name: 'dns', containerPort: DNS_PORT, protocol: 'UDP' },
                    { name: 'dns-tcp', containerPort: DNS_PORT, protocol: 'TCP' },
                  ],
                  resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
                  livenessProbe: {
                    httpGet: { path: '/health', port: 8080 },
                    initialDelaySeconds: 5,
                    periodSeconds: 10,
                  },
                  readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    capabilities: { drop: ['ALL'] },
                  },
                },
              ],
              volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kube-dns', namespace: ns, labels },
        spec: {
          clusterIP: CLUSTER_DNS,
          selector: labels,
          ports: [
            { name: 'dns', port: 53, targetPort: DNS_PORT, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, targetPort: DNS_PORT, protocol: 'TCP' },
          ],
        },
      },
    ],
  };
}
