// `status` on Kubernetes: Deployments and StatefulSets of the install, their
// pods' restarts and last termination reasons, Services as endpoints, and the
// public URLs the ingress serves. Reading is three list calls; the rest is a
// pure function of their JSON (tested with fixtures).

import type { DeploySpec } from '../../../config/schema.js';
import { assembleReport } from '../../day2/report.js';
import type { ComponentStatus, StatusReport } from '../../day2/types.js';
import type { Runner } from '../../../process/runner.js';
import type { DeployState } from '../../../state/types.js';
import { enabledModules } from '../steps.js';
import { publicUrls } from '../urls.js';
import { inNamespace, listItems, type Json } from './kubectl.js';

export interface ClusterSnapshot {
  workloads: Json[];
  pods: Json[];
  services: Json[];
}

export async function readSnapshot(spec: DeploySpec, runner: Runner): Promise<ClusterSnapshot> {
  const [workloads, pods, services] = await Promise.all([
    listItems(runner, inNamespace(spec, 'get', 'deployments,statefulsets', '-o', 'json')),
    listItems(runner, inNamespace(spec, 'get', 'pods', '-o', 'json')),
    listItems(runner, inNamespace(spec, 'get', 'services', '-o', 'json')),
  ]);
  return { workloads, pods, services };
}

const labelsOf = (o: Json): Record<string, string> => (o.metadata?.labels ?? {}) as Record<string, string>;

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Release names the journal says we installed. */
function recordedReleases(state: DeployState): string[] {
  const names = new Set<string>();
  for (const entry of Object.values(state.steps))
    for (const r of entry.resources ?? []) if (r.type === 'helm-release') names.add(r.name);
  return [...names];
}

function imageTag(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(colon + 1) : 'latest';
}

function productOf(labels: Record<string, string>, name: string, spec: DeploySpec): ComponentStatus['product'] {
  const component = labels['app.kubernetes.io/component'];
  if (component === 'server' || component === 'chat' || component === 'front') return component;
  const mod = enabledModules(spec).find((m) => m.name === name);
  if (mod) return mod.product;
  return labels['app.kubernetes.io/part-of'] === 'openim' || /mongo|redis|kafka|minio|etcd|rgw/.test(name)
    ? 'infrastructure'
    : 'other';
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

function podFacts(pods: Json[]) {
  let restarts = 0;
  let last: { at: string; text: string } | undefined;
  let waiting: string | undefined;
  for (const pod of pods) {
    const statuses = [
      ...((pod.status?.initContainerStatuses ?? []) as ContainerStatus[]),
      ...((pod.status?.containerStatuses ?? []) as ContainerStatus[]),
    ];
    for (const c of statuses) {
      restarts += c.restartCount ?? 0;
      const t = c.lastState?.terminated;
      if (t && (c.restartCount ?? 0) > 0) {
        const at = t.finishedAt ?? '';
        if (!last || at > last.at)
          last = {
            at,
            text: `${t.reason ?? 'terminated'} (exit ${t.exitCode ?? '?'})${at ? ` at ${at}` : ''} in ${pod.metadata?.name}/${c.name}`,
          };
      }
      const w = c.state?.waiting;
      if (w?.reason && w.reason !== 'PodInitializing' && w.reason !== 'ContainerCreating' && !waiting)
        waiting = `${w.reason}${w.message ? `: ${w.message.split('\n')[0]}` : ''} (${pod.metadata?.name}/${c.name})`;
    }
    if (!waiting && pod.status?.phase === 'Pending') {
      const unschedulable = ((pod.status?.conditions ?? []) as Json[]).find(
        (c) => c.type === 'PodScheduled' && c.status === 'False',
      );
      if (unschedulable)
        waiting =
          `Pending: ${unschedulable.reason ?? ''} ${unschedulable.message ?? ''} (${pod.metadata?.name})`.replace(
            /\s+/g,
            ' ',
          );
    }
  }
  return { restarts, last: last?.text, waiting };
}

export function kubernetesStatus(
  spec: DeploySpec,
  snapshot: ClusterSnapshot,
  state: DeployState,
  now = new Date(),
): StatusReport {
  const releases = new Set(recordedReleases(state));
  const expected = new Set(enabledModules(spec).map((m) => m.name));
  const ours = snapshot.workloads.filter((w) => {
    const labels = labelsOf(w);
    return (
      labels['app.kubernetes.io/part-of'] === 'openim' ||
      releases.has(labels['app.kubernetes.io/instance'] ?? '') ||
      expected.has(String(w.metadata?.name))
    );
  });
  const components: ComponentStatus[] = ours.map((w) => {
    const name = String(w.metadata?.name);
    const labels = labelsOf(w);
    const selector = (w.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
    const pods = snapshot.pods.filter((p) => matches(selector, labelsOf(p)));
    const templateLabels = (w.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
    const endpoints = snapshot.services
      .filter((s) => matches(s.spec?.selector as Record<string, string> | undefined, templateLabels))
      .flatMap((s) =>
        ((s.spec?.ports ?? []) as Json[]).map((p) => `${s.metadata?.name}:${p.port}${p.name ? `/${p.name}` : ''}`),
      );
    const image = String(w.spec?.template?.spec?.containers?.[0]?.image ?? '');
    const desired = Number(w.spec?.replicas ?? 1);
    const ready = Number(w.status?.readyReplicas ?? 0);
    const facts = podFacts(pods);
    const component: ComponentStatus = {
      name,
      kind: String(w.kind ?? 'Deployment'),
      product: productOf(labels, name, spec),
      version: labels['app.kubernetes.io/version'] ?? (image ? imageTag(image) : ''),
      desired,
      ready,
      restarts: facts.restarts,
      endpoints,
      healthy: desired === 0 || (ready >= desired && !facts.waiting),
    };
    if (facts.last) component.lastRestart = facts.last;
    if (facts.waiting) component.waiting = facts.waiting;
    return component;
  });
  // A module the plan installs but the cluster does not show is the worst kind of unhealthy.
  const present = new Set(components.map((c) => c.name));
  const installedSteps = Object.values(state.steps).some((e) => e.status === 'done');
  if (installedSteps) {
    for (const mod of enabledModules(spec)) {
      if (present.has(mod.name)) continue;
      components.push({
        name: mod.name,
        kind: 'Deployment',
        product: mod.product,
        version: '',
        desired: 1,
        ready: 0,
        restarts: 0,
        waiting: 'not found in the cluster',
        endpoints: [],
        healthy: false,
      });
    }
  }
  components.sort((a, b) => order(a.product) - order(b.product) || a.name.localeCompare(b.name));

  const urls = spec.kubernetes.ingress.controller === 'none' ? [] : kubernetesUrls(spec);
  return assembleReport(spec, state, components, urls, now);
}

const ORDER: ComponentStatus['product'][] = ['infrastructure', 'server', 'chat', 'front', 'other'];
const order = (p: ComponentStatus['product']) => ORDER.indexOf(p);

export function kubernetesUrls(spec: DeploySpec): { name: string; url: string }[] {
  const u = publicUrls(spec);
  const c = spec.openim.components;
  return [
    { name: 'api', url: u.apiAddr },
    { name: 'websocket', url: u.wsAddr },
    { name: 'files', url: u.objectStorage },
    ...(c.chat
      ? [
          { name: 'chat api', url: u.chatApi },
          { name: 'admin api', url: u.adminApi },
        ]
      : []),
    ...(c.webFront ? [{ name: 'web', url: u.web }] : []),
    ...(c.adminFront && u.adminConsole ? [{ name: 'admin console', url: u.adminConsole }] : []),
  ];
}
