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

  constructor(
    private readonly local: FileStateStore,
    private readonly remote: RemoteState,
  ) {
    this.location = `${remote.location} (local copy ${local.location})`;
  }

  async load(): Promise<DeployState> {
    const [remoteText, local] = await Promise.all([this.remote.read(), this.local.load()]);
    const remote = remoteText === undefined ? undefined : parse(remoteText, this.remote.location);
    const chosen = remote && (remote.serial ?? 0) >= (local.serial ?? 0) ? remote : local;
    this.serial = Math.max(remote?.serial ?? 0, local.serial ?? 0);
    const same = remote !== undefined && remote.serial === local.serial && contentOf(remote) === contentOf(local);
    this.synced = same ? contentOf(chosen) : undefined;
    return chosen;
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
      throw new Error(`could not update ${this.remote.location}: ${error.message}; the local copy ${this.local.location} is current and the next run writes it`);
    }
  }

  async remove(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.remote.remove();
    await this.local.remove();
  }
}
