import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { emptyState, type DeployState, type StateStore } from './types.js';

/** State in a 0600 JSON file, replaced atomically so a crash never leaves half a file. */
export class FileStateStore implements StateStore {
  constructor(readonly location: string) {}

  async load(): Promise<DeployState> {
    try {
      const parsed = JSON.parse(await readFile(this.location, 'utf8')) as DeployState;
      return { ...emptyState(), ...parsed };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw new Error(`cannot read state ${this.location}: ${(e as Error).message}`);
    }
  }

  async save(state: DeployState): Promise<void> {
    await mkdir(dirname(this.location), { recursive: true, mode: 0o700 });
    const tmp = `${this.location}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.location);
  }

  async remove(): Promise<void> {
    await rm(this.location, { force: true });
  }
}

/** In-memory state for tests and dry runs. */
export class MemoryStateStore implements StateStore {
  readonly location = 'memory';
  constructor(private state: DeployState = emptyState()) {}
  async load(): Promise<DeployState> {
    return structuredClone(this.state);
  }
  async save(state: DeployState): Promise<void> {
    this.state = structuredClone(state);
  }
  async remove(): Promise<void> {
    this.state = emptyState();
  }
}
