// The scenario every reliability test starts from: `install --preset dev`
// against a fresh simulated cluster, with its work dir in a temp folder.

import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunOptions } from '../../src/process/runner.js';
import { FakeCluster, FakeRunner } from './fake-cluster.js';
import { normalisedState, readState, runCli, seedState, tempDir } from './harness.js';

const DEV_INSTALL = [
  'install',
  '--preset',
  'dev',
  '--yes',
  '--json',
  '--concurrency',
  '4',
  '--ignore-preflight',
  'discovery.namespace-fixed',
];

export interface Setup {
  dir: string;
  cluster: FakeCluster;
  workdir: string;
  args: string[];
}

export function setup(name: string): Setup {
  const dir = tempDir(name);
  const workdir = join(dir, 'work');
  return { dir, cluster: new FakeCluster(join(dir, 'cluster')), workdir, args: [...DEV_INSTALL, '--workdir', workdir] };
}

/** Plan commands are the ones the executor runs in the work dir; facts, state and lock calls have no cwd. */
export const isPlanCommand = (s: Setup, options: RunOptions) => options.cwd === s.workdir;

export function clusterView(cluster: FakeCluster): unknown {
  const releases = Object.fromEntries(
    Object.entries(cluster.releases()).map(([n, r]) => [
      n,
      { chart: r.chart, values: r.values, namespace: r.namespace },
    ]),
  );
  const objects = Object.fromEntries(
    Object.entries(cluster.objects())
      // The state and the lock are compared through the state file; their bookkeeping fields differ by design.
      .filter(([key]) => !key.startsWith('Lease/') && !key.endsWith('/openim-deploy-state')),
  );
  return { releases, objects };
}

/** A clean run from a state that holds only `secrets`: the reference end state. */
export async function referenceRun(secrets: Record<string, string>): Promise<{ state: unknown; cluster: unknown }> {
  const s = setup('ref');
  seedState(s.workdir, secrets);
  const run = await runCli(s.args, { runner: new FakeRunner(s.cluster), cwd: s.dir });
  expect(run.code, run.err).toBe(0);
  return { state: normalisedState(readState(s.workdir)), cluster: clusterView(s.cluster) };
}
