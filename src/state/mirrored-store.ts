// State kept in two places: a local 0600 file written synchronously on every
// change (the write-ahead record a resume relies on), and a remote copy (the
// Kubernetes Secret) that other machines and `status` read.
//
// The remote copy is written in the background, newest snapshot wins: a
// journal change every step would otherwise cost one API round trip per
// record and serialise the whole run behind them. `flush()` waits for it.
// Load takes whichever copy has the higher serial, so a remote write that
// failed (API server blip) is repaired by the next save from this machine.
// A save that changes nothing (same content, serial aside) while both copies
// agree writes neither: a re-run with nothing to do must not touch the cluster.

import { rename } from 'node:fs/promises';
import type { FileStateStore } from './file-store.js';
import { emptyState, type DeployState, type StateStore } from './types.js';

/** Where the remote copy lives; the text is the state JSON. */
export interface RemoteState {
  readonly location: string;
  /** The stored text, or undefined when there is none yet. Throws when it cannot tell. */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  remove(): Promise<void>;
}

export interface MirrorOptions {
  /**
   * The live cluster's identity (its kube-system namespace UID), when it could
   * be read. The local copy lives in a folder named after the kube context,
   * which can point at another cluster any day: a copy marked with another
   * cluster is set aside, never taken for this cluster's state.
   */
  cluster?: string;
}

/** Whether a state records work done (an empty one is safe to use anywhere). */
function hasInstall(state: DeployState): boolean {
  return Object.keys(state.steps).length > 0 || state.installed !== undefined;
}

function parse(text: string, where: string): DeployState {
  try {
    return { ...emptyState(), ...(JSON.parse(text) as DeployState) };
  } catch (e) {
    throw new Error(`cannot read state ${where}: ${(e as Error).message}`);
  }
}

/** The state as stored, without the serial that every save bumps. */
function contentOf(state: DeployState): string {
  const { serial: _serial, ...rest } = state;
  return JSON.stringify(rest);
}

export class MirroredStateStore implements StateStore {
  readonly location: string;
  private serial = 0;
  private pending: string | undefined;
  private inflight: Promise<void> | undefined;
  private lastError: Error | undefined;
  /** The content (serial aside) both copies are known to hold; undefined when they may differ. */
  private synced: string | undefined;

  /** Where a local copy of another cluster's state was moved by load(). */
  setAside: string | undefined;

  constructor(
    private readonly local: FileStateStore,
    private readonly remote: RemoteState,
    private readonly options: MirrorOptions = {},
  ) {
    this.location = `${remote.location} (local copy ${local.location})`;
  }

  async load(): Promise<DeployState> {
    const [remoteText, localCopy] = await Promise.all([this.remote.read(), this.local.load()]);
    const remote = remoteText === undefined ? undefined : parse(remoteText, this.remote.location);
    const local = await this.ownLocal(localCopy, remote);
    const chosen = remote && (remote.serial ?? 0) >= (local.serial ?? 0) ? remote : local;
    this.serial = Math.max(remote?.serial ?? 0, local.serial ?? 0);
    const same = remote !== undefined && remote.serial === local.serial && contentOf(remote) === contentOf(local);
    this.synced = same ? contentOf(chosen) : undefined;
    return chosen;
  }

  /** The local copy if it belongs to this cluster; another cluster's is moved aside (kept, not used). */
  private async ownLocal(local: DeployState, remote: DeployState | undefined): Promise<DeployState> {
    const cluster = this.options.cluster;
    if (!cluster || !hasInstall(local)) return local;
    if (local.cluster && local.cluster !== cluster) {
      const aside = `${this.local.location}.cluster-${local.cluster.replace(/[^A-Za-z0-9-]/g, '_')}`;
      await rename(this.local.location, aside);
      this.setAside = aside;
      return emptyState();
    }
    if (!local.cluster && !remote) {
      // Written before copies were marked: it may be this cluster's (its Secret lost) or another's.
      throw new Error(
        `the local state ${this.local.location} records an install, but this cluster has no record of it (no ${this.remote.location}); it may belong to another cluster (check \`kubectl config current-context\`). ` +
          `For a new install in this cluster pass --workdir DIR; if it is this cluster's, put the record back: kubectl create secret generic openim-deploy-state -n <namespace> --from-file=state.json=${this.local.location}`,
      );
    }
    return local;
  }

  async save(state: DeployState): Promise<void> {
    const content = contentOf(state);
    if (content === this.synced) return;
    const stamped: DeployState = { ...state, serial: ++this.serial };
    this.synced = undefined; // until the local copy holds it: a failed local write must not be skipped next time
    await this.local.save(stamped);
    this.synced = content;
    this.pending = JSON.stringify(stamped);
    this.inflight ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined) {
      const text = this.pending;
      this.pending = undefined;
      try {
        await this.remote.write(text);
        this.lastError = undefined;
      } catch (e) {
        this.lastError = e as Error;
        this.synced = undefined; // the remote copy is behind: the next save must write it
      }
    }
    this.inflight = undefined;
  }

  async flush(): Promise<void> {
    while (this.inflight) await this.inflight;
    if (this.lastError) {
      const error = this.lastError;
      throw new Error(
        `could not update ${this.remote.location}: ${error.message}; the local copy ${this.local.location} is current and the next run writes it`,
      );
    }
  }

  async remove(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.remote.remove();
    await this.local.remove();
  }
}
