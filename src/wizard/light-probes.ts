// The few read-only looks the wizard takes to suggest defaults: is there a
// reachable kube context (and which StorageClasses it has), and is systemd
// PID 1 here. Cheap, bounded by timeouts, and the only probes a dry run makes.

import type { DeploySpec } from '../config/schema.js';
import type { Runner } from '../process/runner.js';
import type { StorageClassFact } from '../facts/types.js';
import { kubectlBase } from '../targets/kubernetes/tools.js';

export interface KubeLook {
  /** kubectl's current context, when one is set. */
  context?: string;
  /** The API server answered `get storageclass`. */
  reachable: boolean;
  storageClasses: StorageClassFact[];
  /** Why not reachable, in a few words. */
  problem?: string;
}

export interface HostLook {
  /** Name of PID 1 (`systemd` on a systemd host). */
  init?: string;
  systemd: boolean;
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

async function lookAtKube(
  runner: Runner,
  spec: Pick<DeploySpec, 'kubernetes'>,
  signal?: AbortSignal,
): Promise<KubeLook> {
  const kubectl = kubectlBase(spec as DeploySpec);
  const opts = (timeoutMs: number) => ({ timeoutMs, ...(signal ? { signal } : {}) });
  const current = await runner.run([...kubectl, 'config', 'current-context'], opts(5_000));
  if (current.exitCode !== 0)
    return { reachable: false, storageClasses: [], problem: lastLine(current.stderr) || 'no current kubectl context' };
  const context = spec.kubernetes.context || current.stdout.trim();
  const classes = await runner.run(
    [...kubectl, 'get', 'storageclass', '-o', 'json', '--request-timeout=5s'],
    opts(10_000),
  );
  if (classes.exitCode !== 0)
    return {
      context,
      reachable: false,
      storageClasses: [],
      problem: lastLine(classes.stderr) || `kubectl exited ${classes.exitCode}`,
    };
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl's StorageClass JSON; each field read is checked
    const items = (JSON.parse(classes.stdout) as { items?: Record<string, any>[] }).items ?? [];
    const storageClasses = items.map((sc) => ({
      name: String(sc.metadata?.name),
      provisioner: String(sc.provisioner ?? ''),
      isDefault: sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    }));
    return { context, reachable: true, storageClasses };
  } catch {
    return { context, reachable: false, storageClasses: [], problem: 'kubectl printed no JSON' };
  }
}

async function lookAtHost(runner: Runner, signal?: AbortSignal): Promise<HostLook> {
  try {
    const result = await runner.run(['cat', '/proc/1/comm'], { timeoutMs: 5_000, ...(signal ? { signal } : {}) });
    if (result.exitCode !== 0) return { systemd: false };
    const init = result.stdout.trim();
    return { init, systemd: init === 'systemd' };
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return { systemd: false };
  }
}

/** Each look happens at most once, and only when a question needs it. */
export class LightProbes {
  private kube?: Promise<KubeLook>;
  private host?: Promise<HostLook>;
  constructor(
    private readonly runner: Runner,
    private readonly signal?: AbortSignal,
  ) {}

  kubeLook(spec: Pick<DeploySpec, 'kubernetes'>): Promise<KubeLook> {
    this.kube ??= lookAtKube(this.runner, spec, this.signal).catch((e: Error) => {
      if (e.name === 'AbortError') throw e;
      return { reachable: false, storageClasses: [], problem: e.message };
    });
    return this.kube;
  }

  hostLook(): Promise<HostLook> {
    this.host ??= lookAtHost(this.runner, this.signal);
    return this.host;
  }

  /** What was looked at so far (for findings without probing more). */
  async seen(): Promise<{ kube?: KubeLook; host?: HostLook }> {
    return { ...(this.kube ? { kube: await this.kube } : {}), ...(this.host ? { host: await this.host } : {}) };
  }
}
