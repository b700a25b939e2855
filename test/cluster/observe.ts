// Reading what an install left in a TestCluster: Helm releases (through the real
// helm binary), workloads, Services, Endpoints, config and credentials (through the
// REST API), and one comparable "end state" of it all.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { HelmBinaries } from '../helpers/tools.js';
import { LOCK_LEASE } from '../../src/targets/kubernetes/day2/lease.js';
import type { AuditEvent, TestCluster } from './cluster.js';

const execFileP = promisify(execFile);

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  chart: string;
  app_version: string;
}

/**
 * Every release in every state that matters here, pending ones included. helm 4 dropped
 * `list --all`; the status filters exist in both majors and add up.
 */
export async function helmReleases(tools: HelmBinaries, kubeconfig: string, home: string): Promise<HelmRelease[]> {
  const states = ['--deployed', '--failed', '--pending', '--superseded', '--uninstalling'];
  const { stdout } = await execFileP(tools.helm, ['list', '--all-namespaces', ...states, '--output', 'json'], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      KUBECONFIG: kubeconfig,
      HELM_CACHE_HOME: `${home}/.cache/helm`,
      HELM_CONFIG_HOME: `${home}/.config/helm`,
      HELM_DATA_HOME: `${home}/.local/share/helm`,
    },
    timeout: 30_000,
  });
  return (JSON.parse(stdout) as HelmRelease[]).sort((a, b) => a.name.localeCompare(b.name));
}

export const revisions = (releases: HelmRelease[]): Record<string, number> =>
  Object.fromEntries(releases.map((r) => [r.name, Number(r.revision)]));

/** Polls fn until it returns a truthy value; the last value or error explains a timeout. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 300,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${what}${last !== undefined ? ` (last: ${String(last)})` : ''}`);
}

type Json = Record<string, any>;

/** GET a list from the REST API (no kubectl process, no deprecation warnings). */
export async function list(cluster: TestCluster, path: string): Promise<Json[]> {
  const r = await cluster.api('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return (r.body.items ?? []) as Json[];
}

export const ns = (namespace: string, resource: string, group = '/api/v1') =>
  `${group}/namespaces/${namespace}/${resource}`;

/** Deployments and StatefulSets with everything that says "ready". */
export async function workloads(cluster: TestCluster, namespace: string): Promise<Json[]> {
  const [deployments, statefulsets] = await Promise.all([
    list(cluster, ns(namespace, 'deployments', '/apis/apps/v1')),
    list(cluster, ns(namespace, 'statefulsets', '/apis/apps/v1')),
  ]);
  return [
    ...deployments.map((d) => ({ ...d, kind: 'Deployment' })),
    ...statefulsets.map((s) => ({ ...s, kind: 'StatefulSet' })),
  ];
}

/** Ready as `kubectl rollout status` means it: the newest generation observed, every replica updated, ready and available. */
export function isReady(w: Json): boolean {
  const want = w.spec?.replicas ?? 1;
  const s = w.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0);
  const updated = (s.updatedReplicas ?? 0) === want;
  const ready = (s.readyReplicas ?? 0) === want;
  const available =
    w.kind === 'Deployment'
      ? (s.availableReplicas ?? 0) === want
      : (s.currentRevision ?? '') === (s.updateRevision ?? '');
  return observed && updated && ready && available;
}

/**
 * What an install produced, in a form two clusters can be compared by: objects by
 * name with their meaningful fields, never generated values (secrets, UIDs, IPs),
 * and the helm release status without revision numbers (a re-run after a kill may
 * legitimately add a revision).
 */
export async function endState(
  cluster: TestCluster,
  tools: HelmBinaries,
  home: string,
  namespace: string,
): Promise<Json> {
  const [releases, wl, services, configMaps, secrets, pvcs, ingresses, serviceAccounts, roles, pdbs] =
    await Promise.all([
      helmReleases(tools, cluster.kubeconfig, home),
      workloads(cluster, namespace),
      list(cluster, ns(namespace, 'services')),
      list(cluster, ns(namespace, 'configmaps')),
      list(cluster, ns(namespace, 'secrets')),
      list(cluster, ns(namespace, 'persistentvolumeclaims')),
      list(cluster, ns(namespace, 'ingresses', '/apis/networking.k8s.io/v1')),
      list(cluster, ns(namespace, 'serviceaccounts')),
      list(cluster, ns(namespace, 'roles', '/apis/rbac.authorization.k8s.io/v1')),
      list(cluster, ns(namespace, 'poddisruptionbudgets', '/apis/policy/v1')),
    ]);
  const byName = <T>(items: Json[], f: (o: Json) => T) =>
    Object.fromEntries(
      items.map((o) => [o.metadata.name, f(o)]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  return {
    releases: Object.fromEntries(
      releases.map((r) => [
        r.name,
        { namespace: r.namespace, status: r.status, chart: r.chart, appVersion: r.app_version },
      ]),
    ),
    workloads: byName(wl, (w) => ({
      kind: w.kind,
      replicas: w.spec.replicas,
      readyReplicas: w.status?.readyReplicas ?? 0,
      images: w.spec.template.spec.containers.map((c: Json) => c.image),
      // Config checksums and the like: the same config must roll out the same pod template.
      podAnnotations: w.spec.template.metadata?.annotations ?? {},
    })),
    // `kubernetes` points at each test cluster's own API server port.
    services: byName(
      services.filter((s) => s.metadata.name !== 'kubernetes'),
      (s) => (s.spec.ports ?? []).map((p: Json) => `${p.name ?? ''}:${p.port}->${p.targetPort}`),
    ),
    // kube-root-ca.crt holds each cluster's own CA.
    configMaps: byName(
      configMaps.filter((c) => c.metadata.name !== 'kube-root-ca.crt'),
      (c) => c.data ?? {},
    ),
    // Names, types and keys only: the values are generated per install.
    secrets: byName(
      secrets.filter((s) => !s.metadata.name.startsWith('sh.helm.release.')),
      (s) => ({ type: s.type, keys: Object.keys(s.data ?? {}).sort() }),
    ),
    pvcs: byName(pvcs, (p) => ({
      storageClass: p.spec.storageClassName,
      size: p.spec.resources.requests.storage,
      phase: p.status?.phase,
    })),
    ingresses: byName(ingresses, (i) =>
      (i.spec.rules ?? []).flatMap((r: Json) =>
        (r.http?.paths ?? []).map(
          (p: Json) =>
            `${r.host}${p.path}->${p.backend.service?.name}:${p.backend.service?.port?.number ?? p.backend.service?.port?.name}`,
        ),
      ),
    ),
    serviceAccounts: Object.keys(byName(serviceAccounts, () => 1)),
    roles: byName(roles, (r) => r.rules),
    pdbs: Object.keys(byName(pdbs, () => 1)),
  };
}

/** An audited write sent by helm or kubectl: by the installer (or a script), not by a controller or kwok. */
export const isInstallerWrite = (e: AuditEvent): boolean => /^(helm|kubectl)\//i.test(e.userAgent);

/** A write to the installer's own lock Lease: taken and released on every run, its bookkeeping, not the deployment. */
export const isLockWrite = (e: AuditEvent): boolean =>
  e.resource === 'leases.coordination.k8s.io' && e.name === LOCK_LEASE;
