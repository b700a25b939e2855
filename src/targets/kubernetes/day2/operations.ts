// Day-two plans on Kubernetes, as steps the executor runs (journalled,
// interruptible, printed by --dry-run like any plan):
//   uninstall: releases in reverse install order (helm keeps StatefulSet
//              PVCs), then the objects we applied; --purge also deletes the
//              PVCs of our releases and the namespace, only when we created
//              it (state.createdNamespace) and it is not a system one.
//   rollback:  `helm rollback` of each release to the revision recorded for
//              the version we go back to, in reverse install order.

import type { DeploySpec } from '../../../config/schema.js';
import type { UninstallOptions } from '../../day2/types.js';
import type { Runner } from '../../../process/runner.js';
import type { Step } from '../../../plan/types.js';
import type { CreatedResource, DeployState, HistoryEntry } from '../../../state/types.js';
import { helmBase } from '../tools.js';
import { failure, inNamespace, kubectl, type Json } from './kubectl.js';
import { BACKUP_FIRST_HINT } from '../../day2/backup-types.js';
import { kubernetesLayout, type KubernetesLayout } from '../layout.js';

type Recorded<T extends CreatedResource['type']> = Extract<CreatedResource, { type: T }> & { order: number };

/** Resources of a type from the journal, newest install order last, each once. */
function recorded<T extends CreatedResource['type']>(state: DeployState, type: T): Recorded<T>[] {
  const out = new Map<string, Recorded<T>>();
  for (const entry of Object.values(state.steps)) {
    for (const r of entry.resources ?? []) {
      if (r.type !== type) continue;
      const key = JSON.stringify(r);
      const order = entry.order ?? 0;
      if (!out.has(key) || out.get(key)!.order < order)
        out.set(key, { ...(r as Extract<CreatedResource, { type: T }>), order });
    }
  }
  return [...out.values()].sort((a, b) => a.order - b.order);
}

/** Chains steps one after another (reverse order must really be sequential). */
function chain(steps: Omit<Step, 'needs'>[], first: string[] = []): Step[] {
  return steps.map((s, i) => ({ ...s, needs: i === 0 ? first : [steps[i - 1]!.id] }));
}

/** Kinds that live outside any namespace: kubectl delete needs no -n for them. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
  'PriorityClass',
  'PersistentVolume',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'GatewayClass',
  'ClusterIssuer',
]);

function deleteArgv(spec: DeploySpec, layout: KubernetesLayout, o: Recorded<'k8s-object'>): string[] {
  const kind = `${o.kind.toLowerCase()}.${groupOf(o.apiVersion)}`.replace(/\.$/, '');
  const scope = CLUSTER_SCOPED.has(o.kind) ? [] : ['-n', o.namespace ?? layout.namespace];
  return kubectl(spec, 'delete', kind, o.name, ...scope, '--ignore-not-found');
}

/** Namespaces the cluster itself owns: never deleted, whatever the state says. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export function kubernetesUninstallSteps(spec: DeploySpec, state: DeployState, options: UninstallOptions): Step[] {
  const layout = kubernetesLayout(spec);
  const ns = layout.namespace;
  const releases = recorded(state, 'helm-release').reverse();
  const objects = recorded(state, 'k8s-object').reverse();
  // Objects in the install's namespace are ours alone; cluster-scoped ones and those in other
  // namespaces (the storage provisioner, its StorageClass) may serve other workloads and the
  // volumes we keep: they go only with --purge, after the volumes.
  const ours = objects.filter((o) => o.namespace === ns && o.kind !== 'Namespace');
  const shared = objects.filter((o) => o.namespace !== ns && o.kind !== 'Namespace');
  const steps: Omit<Step, 'needs'>[] = releases.map((r) => ({
    id: `uninstall.release.${r.name}`,
    title: `Uninstall release ${r.name}`,
    phase: 'prepare',
    actions: [
      {
        kind: 'exec',
        argv: [
          ...helmBase(spec),
          'uninstall',
          r.name,
          '--namespace',
          r.namespace,
          '--wait',
          '--timeout',
          spec.kubernetes.helmTimeout,
          '--ignore-not-found',
        ],
        mutates: true,
      },
    ],
    retries: 1,
  }));
  if (ours.length) {
    steps.push({
      id: 'uninstall.objects',
      title: `Delete ${ours.length} object(s) openim-deploy applied in ${ns}`,
      phase: 'prepare',
      actions: ours.map((o) => ({ kind: 'exec' as const, argv: deleteArgv(spec, layout, o), mutates: true })),
    });
  }
  if (!options.purge) {
    if (shared.length) {
      steps.push({
        id: 'uninstall.kept',
        title: 'Kept: volumes and shared objects',
        phase: 'summary',
        actions: [
          {
            kind: 'note',
            text: `kept the volumes (PVCs) in ${ns} and ${shared.length} object(s) outside it that other workloads may use (${shared.map((o) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`).join(', ')}); uninstall --purge removes them`,
          },
        ],
      });
    }
    return chain(steps);
  }
  if (releases.length) {
    steps.push({
      id: 'uninstall.volumes',
      title: 'Delete the volumes (PVCs) of the releases',
      phase: 'storage',
      // Before the provisioner goes, so it can still reclaim the volumes.
      actions: [
        {
          kind: 'exec',
          argv: inNamespace(
            spec,
            'delete',
            'pvc',
            '-l',
            `app.kubernetes.io/instance in (${releases.map((r) => r.name).join(',')})`,
            '--ignore-not-found',
          ),
          mutates: true,
        },
      ],
    });
  }
  if (shared.length) {
    steps.push({
      id: 'uninstall.shared',
      title: `Delete ${shared.length} object(s) openim-deploy applied outside ${ns}`,
      phase: 'storage',
      actions: shared.map((o) => ({ kind: 'exec' as const, argv: deleteArgv(spec, layout, o), mutates: true })),
    });
  }
  if (state.createdNamespace === ns && !SYSTEM_NAMESPACES.has(ns) && !ns.startsWith('kube-')) {
    steps.push({
      id: 'uninstall.namespace',
      title: `Delete namespace ${ns}`,
      phase: 'prepare',
      actions: [
        {
          kind: 'exec',
          argv: kubectl(spec, 'delete', 'namespace', ns, '--ignore-not-found', '--wait=false'),
          mutates: true,
        },
      ],
    });
  }
  return chain(steps);
}

/** `apps/v1` → `apps`; `v1` → `` (core group). */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

export function kubernetesRollbackSteps(spec: DeploySpec, state: DeployState, to: HistoryEntry): Step[] {
  const revisions = to.revisions ?? {};
  const releases = recorded(state, 'helm-release')
    .filter((r) => revisions[r.name] !== undefined)
    .reverse();
  return chain(
    releases.map((r) => ({
      id: `rollback.release.${r.name}`,
      title: `Roll ${r.name} back to revision ${revisions[r.name]}`,
      phase: 'server' as const,
      actions: [
        {
          kind: 'exec' as const,
          argv: [
            ...helmBase(spec),
            'rollback',
            r.name,
            String(revisions[r.name]),
            '--namespace',
            r.namespace,
            '--wait',
            '--timeout',
            spec.kubernetes.helmTimeout,
          ],
          mutates: true,
        },
      ],
      retries: 1,
    })),
  );
}

/** Helm revision of every release in the namespace. */
export async function kubernetesRevisions(spec: DeploySpec, runner: Runner): Promise<Record<string, number>> {
  const argv = [...helmBase(spec), 'list', '--namespace', kubernetesLayout(spec).namespace, '--all', '-o', 'json'];
  const r = await runner.run(argv, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw failure(argv, r);
  let list: Json[];
  try {
    list = JSON.parse(r.stdout || '[]') as Json[];
  } catch {
    throw new Error(`\`${argv.join(' ')}\` did not print JSON`);
  }
  return Object.fromEntries(list.map((rel) => [String(rel.name), Number(rel.revision)]));
}

export function kubernetesBackupHint(spec: DeploySpec): string {
  const layout = kubernetesLayout(spec);
  const ns = layout.namespace;
  const ours = BACKUP_FIRST_HINT;
  if (spec.infrastructure.mongodb.mode === 'external')
    return `${ours} Or back up your external MongoDB (mongodump, or your provider's snapshot) before upgrading.`;
  return [
    ours,
    'Or back up MongoDB by hand, e.g. snapshot the PVCs of openim-mongodb, or:',
    `  kubectl -n ${ns} exec ${layout.infraReleases.mongodb}-0 -- sh -c 'mongodump --archive --gzip -u root -p "$MONGODB_ROOT_PASSWORD" --authenticationDatabase admin' > openim-mongodb-$(date +%F).archive.gz`,
    `The root password is in the openim-deploy state (mongodb.rootPassword) and in Secret ${layout.secrets.infra}.`,
  ].join('\n');
}

export function kubernetesLogsArgv(
  spec: DeploySpec,
  module: string,
  options: { follow: boolean; tail: number },
): string[] {
  return inNamespace(
    spec,
    'logs',
    '-l',
    `app.kubernetes.io/instance=${module}`,
    '--all-containers',
    '--prefix',
    '--tail',
    String(options.tail),
    '--max-log-requests',
    '20',
    ...(options.follow ? ['-f'] : []),
  );
}
