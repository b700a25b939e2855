// The Kubernetes state: Secret `openim-deploy-state` in the install's
// namespace, the JSON in data["state.json"]. Written with server-side apply
// from stdin, so the content never appears in argv.

import type { DeploySpec } from '../../../config/schema.js';
import type { Runner } from '../../../process/runner.js';
import type { RemoteState } from '../../../state/mirrored-store.js';
import { DAY2_FIELD_MANAGER, failure, getJson, inNamespace, isAlreadyExists, kubectl } from './kubectl.js';
import { kubernetesLayout, type KubernetesLayout } from '../layout.js';

export const STATE_SECRET = 'openim-deploy-state';
const STATE_KEY = 'state.json';

function stateSecretManifest(layout: KubernetesLayout, text: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: layout.metadata(STATE_SECRET, { 'app.kubernetes.io/component': 'openim-deploy-state' }),
    type: 'Opaque',
    data: { [STATE_KEY]: Buffer.from(text, 'utf8').toString('base64') },
  };
}

export function kubeStateRemote(spec: DeploySpec, runner: Runner): RemoteState {
  const layout = kubernetesLayout(spec);
  const ns = layout.namespace;
  return {
    location: `Secret ${ns}/${STATE_SECRET}`,
    async read() {
      const secret = await getJson(runner, inNamespace(spec, 'get', 'secret', STATE_SECRET, '-o', 'json'));
      const data = secret?.data?.[STATE_KEY] as string | undefined;
      return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
    },
    async write(text) {
      const argv = kubectl(
        spec,
        'apply',
        '--server-side',
        `--field-manager=${DAY2_FIELD_MANAGER}`,
        '--force-conflicts',
        '-f',
        '-',
      );
      const r = await runner.run(argv, { input: JSON.stringify(stateSecretManifest(layout, text)), timeoutMs: 30_000 });
      if (r.exitCode !== 0) throw failure(argv, r);
    },
    async remove() {
      const argv = inNamespace(spec, 'delete', 'secret', STATE_SECRET, '--ignore-not-found');
      const r = await runner.run(argv, { timeoutMs: 30_000 });
      if (r.exitCode !== 0) throw failure(argv, r);
    },
  };
}

/**
 * What tells one cluster from another: the UID of its kube-system namespace,
 * made once when the cluster was created. A context name does not: it is a
 * local alias that can point anywhere. Undefined when the user may not read
 * it (namespaced RBAC): then the state cannot be checked against the cluster.
 */
export async function clusterIdentity(spec: DeploySpec, runner: Runner): Promise<string | undefined> {
  const ns = await getJson(runner, kubectl(spec, 'get', 'namespace', 'kube-system', '-o', 'json')).catch(
    () => undefined,
  );
  const uid = ns?.metadata?.uid;
  return typeof uid === 'string' && uid ? uid : undefined;
}

/**
 * The namespace must exist before the Lease and the state Secret can: create
 * it (the plan's namespace step then adopts it with server-side apply).
 * True only when this call created it: that is the one fact that lets
 * `uninstall --purge` delete the namespace.
 */
export async function ensureNamespace(spec: DeploySpec, runner: Runner): Promise<boolean> {
  const ns = kubernetesLayout(spec).namespace;
  const existing = await getJson(runner, kubectl(spec, 'get', 'namespace', ns, '-o', 'json'));
  if (existing) return false;
  const argv = kubectl(spec, 'create', 'namespace', ns);
  const r = await runner.run(argv, { timeoutMs: 30_000 });
  if (r.exitCode === 0) return true;
  if (isAlreadyExists(r)) return false;
  throw failure(argv, r);
}
