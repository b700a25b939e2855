// The Kubernetes lock: Lease `openim-deploy-lock` (coordination.k8s.io/v1)
// in the install's namespace. Create fails when it exists; replace carries
// the resourceVersion, so two runs racing for a free Lease cannot both win.

import type { DeploySpec } from '../../../config/schema.js';
import type { Runner } from '../../../process/runner.js';
import type { LeaseBackend, LeaseRecord } from '../../../state/lease-lock.js';
import {
  failure,
  getJson,
  inNamespace,
  isAlreadyExists,
  isConflict,
  isNotFound,
  kubectl,
  type Json,
} from './kubectl.js';
import { kubernetesLayout, type KubernetesLayout } from '../layout.js';

export const LOCK_LEASE = 'openim-deploy-lock';

const HOLDER = {
  host: 'openim-deploy/holder-host',
  pid: 'openim-deploy/holder-pid',
  start: 'openim-deploy/holder-start',
} as const;

function leaseManifest(layout: KubernetesLayout, r: LeaseRecord): Json {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...layout.metadata(LOCK_LEASE),
      annotations: {
        [HOLDER.host]: r.holderHost ?? '',
        [HOLDER.pid]: r.holderPid === undefined ? '' : String(r.holderPid),
        [HOLDER.start]: r.holderStart ?? '',
      },
      ...(r.resourceVersion ? { resourceVersion: r.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: r.holder,
      leaseDurationSeconds: r.durationSeconds,
      acquireTime: r.acquireTime,
      renewTime: r.renewTime,
      leaseTransitions: r.transitions,
    },
  };
}

function leaseRecord(lease: Json): LeaseRecord {
  const spec = (lease.spec ?? {}) as Json;
  const notes = (lease.metadata?.annotations ?? {}) as Record<string, string>;
  return {
    ...(notes[HOLDER.host] ? { holderHost: notes[HOLDER.host] } : {}),
    ...(notes[HOLDER.pid] ? { holderPid: Number(notes[HOLDER.pid]) } : {}),
    ...(notes[HOLDER.start] ? { holderStart: notes[HOLDER.start] } : {}),
    holder: String(spec.holderIdentity ?? ''),
    acquireTime: String(spec.acquireTime ?? ''),
    renewTime: String(spec.renewTime ?? spec.acquireTime ?? ''),
    durationSeconds: Number(spec.leaseDurationSeconds ?? 0),
    transitions: Number(spec.leaseTransitions ?? 0),
    resourceVersion: String(lease.metadata?.resourceVersion ?? ''),
  };
}

export function kubeLeaseBackend(spec: DeploySpec, runner: Runner): LeaseBackend {
  const layout = kubernetesLayout(spec);
  const ns = layout.namespace;
  const send = async (verb: 'create' | 'replace', record: LeaseRecord) => {
    const argv = kubectl(spec, verb, '-o', 'json', '-f', '-');
    const r = await runner.run(argv, { input: JSON.stringify(leaseManifest(layout, record)), timeoutMs: 30_000 });
    return { argv, r };
  };
  const version = (stdout: string): string | undefined => {
    try {
      return String((JSON.parse(stdout) as Json).metadata?.resourceVersion ?? '') || undefined;
    } catch {
      return undefined;
    }
  };
  return {
    location: `Lease ${ns}/${LOCK_LEASE}`,
    async get() {
      const lease = await getJson(runner, inNamespace(spec, 'get', 'lease', LOCK_LEASE, '-o', 'json'));
      return lease ? leaseRecord(lease) : undefined;
    },
    async create(record) {
      const { argv, r } = await send('create', record);
      if (r.exitCode === 0) {
        const resourceVersion = version(r.stdout);
        return { created: true, ...(resourceVersion ? { resourceVersion } : {}) };
      }
      if (isAlreadyExists(r)) return { created: false };
      throw failure(argv, r);
    },
    async update(record) {
      const { argv, r } = await send('replace', record);
      if (r.exitCode === 0) {
        const resourceVersion = version(r.stdout);
        return { result: 'ok', ...(resourceVersion ? { resourceVersion } : {}) };
      }
      if (isConflict(r)) return { result: 'conflict' };
      if (isNotFound(r)) return { result: 'gone' };
      throw failure(argv, r);
    },
  };
}
