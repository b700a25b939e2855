// Read-only probes of helm, kubectl and the cluster.

import type { DeploySpec } from '../../config/schema.js';
import type { Runner } from '../../process/runner.js';
import type { ClusterFacts, KubernetesFacts, ToolInfo } from '../../facts/types.js';
import { helmBase, kubectlBase } from './tools.js';
import { kubernetesLayout } from './layout.js';

function parseVersion(text: string): { version: string; major: number } | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)[^\s"]*/.exec(text);
  return match ? { version: match[0].startsWith('v') ? match[0] : `v${match[0]}`, major: Number(match[1]) } : undefined;
}

async function tool(runner: Runner, argv: string[], path: string): Promise<ToolInfo | undefined> {
  try {
    const result = await runner.run(argv, { timeoutMs: 15_000 });
    if (result.exitCode !== 0) return undefined;
    const parsed = parseVersion(result.stdout);
    return parsed ? { path, ...parsed } : undefined;
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl's JSON walked by path; readers check what they use
type Json = Record<string, any>;

async function getJson(runner: Runner, argv: string[]): Promise<Json | undefined> {
  const result = await runner.run(argv, { timeoutMs: 20_000 });
  if (result.exitCode !== 0) return undefined;
  try {
    return JSON.parse(result.stdout) as Json;
  } catch {
    return undefined;
  }
}

/** "8", "7500m" → millicores; "32Gi", "1000Mi", "123456Ki" → bytes. */
function parseCpu(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

function parseBytes(q: string): number {
  const m = /^([0-9.]+)([KMGTP]i?)?$/.exec(q);
  if (!m) return 0;
  const units: Record<string, number> = {
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
  };
  return Math.round(Number(m[1]) * (m[2] ? units[m[2]]! : 1));
}

export async function clusterFacts(spec: DeploySpec, runner: Runner): Promise<ClusterFacts> {
  const kubectl = kubectlBase(spec);
  const version = await runner.run([...kubectl, 'version', '-o', 'json'], { timeoutMs: 20_000 });
  const empty: ClusterFacts = {
    reachable: false,
    storageClasses: [],
    ingressClasses: [],
    crds: [],
    namespaceExists: false,
    nodes: [],
  };
  let server: Json | undefined;
  try {
    server = (JSON.parse(version.stdout) as Json).serverVersion as Json | undefined;
  } catch {
    server = undefined;
  }
  if (!server) return { ...empty, error: version.stderr.trim().split('\n').pop() ?? 'no answer from the API server' };
  const context = await runner.run([...kubectl, 'config', 'current-context'], { timeoutMs: 10_000 });
  const [classes, ingressClasses, crds, namespace, nodes] = await Promise.all([
    getJson(runner, [...kubectl, 'get', 'storageclass', '-o', 'json']),
    getJson(runner, [...kubectl, 'get', 'ingressclass', '-o', 'json']),
    getJson(runner, [...kubectl, 'get', 'crd', '-o', 'json']),
    runner.run([...kubectl, 'get', 'namespace', kubernetesLayout(spec).namespace, '-o', 'name'], { timeoutMs: 20_000 }),
    getJson(runner, [...kubectl, 'get', 'nodes', '-o', 'json']),
  ]);
  const nodeItems = (nodes?.items ?? []) as Json[];
  const gateways = ((crds?.items ?? []) as Json[]).find(
    (c) => c.metadata?.name === 'gateways.gateway.networking.k8s.io',
  );
  const gatewayAnnotations = (gateways?.metadata?.annotations ?? {}) as Record<string, string>;
  // kwok marks the nodes it fakes; pods "run" there without containers.
  const simulated =
    nodeItems.length > 0 &&
    nodeItems.every(
      (n) =>
        n.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake' ||
        n.metadata?.labels?.['kwok.x-k8s.io/node'] === 'fake' ||
        n.metadata?.labels?.type === 'kwok',
    );
  return {
    reachable: true,
    ...(simulated ? { simulated } : {}),
    context: spec.kubernetes.context || context.stdout.trim(),
    serverVersion: String(server.gitVersion ?? ''),
    storageClasses: ((classes?.items ?? []) as Json[]).map((sc) => ({
      name: String(sc.metadata?.name),
      provisioner: String(sc.provisioner ?? ''),
      isDefault: sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
      ...(sc.metadata?.labels?.['app.kubernetes.io/managed-by']
        ? { managedBy: String(sc.metadata.labels['app.kubernetes.io/managed-by']) }
        : {}),
    })),
    ingressClasses: ((ingressClasses?.items ?? []) as Json[]).map((ic) => String(ic.metadata?.name)),
    crds: ((crds?.items ?? []) as Json[]).map((c) => String(c.metadata?.name)).sort(),
    ...(gateways
      ? {
          gatewayApi: {
            bundleVersion: gatewayAnnotations['gateway.networking.k8s.io/bundle-version'] ?? '',
            channel: gatewayAnnotations['gateway.networking.k8s.io/channel'] ?? '',
          },
        }
      : {}),
    namespaceExists: namespace.exitCode === 0,
    nodes: nodeItems.map((n) => ({
      name: String(n.metadata?.name),
      ready: ((n.status?.conditions ?? []) as Json[]).some((c) => c.type === 'Ready' && c.status === 'True'),
      cpuMillis: parseCpu(String(n.status?.allocatable?.cpu ?? '0')),
      memoryBytes: parseBytes(String(n.status?.allocatable?.memory ?? '0')),
    })),
  };
}

export async function gatherKubernetesFacts(spec: DeploySpec, runner: Runner): Promise<KubernetesFacts> {
  const [helm, kubectl] = await Promise.all([
    tool(runner, [...helmBase(spec).slice(0, 1), 'version', '--short'], 'helm'),
    tool(runner, ['kubectl', 'version', '--client', '-o', 'json'], 'kubectl'),
  ]);
  const facts: KubernetesFacts = { target: 'kubernetes', probed: true };
  if (helm) facts.helm = helm;
  if (kubectl) facts.kubectl = kubectl;
  if (kubectl) facts.cluster = await clusterFacts(spec, runner);
  return facts;
}
