// #19 High 1 through the CLI: the same machine, the same default work dir
// (~/.openim-deploy/<context>-<namespace>), kubectl switched to a fresh second
// cluster. The second install must really install (no "unchanged"), with its
// own credentials, and the first cluster's state stays where it was.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeCluster, FakeRunner } from './fake-cluster.js';
import { runCli, tempDir } from './harness.js';

describe('a second cluster behind the same kube context', () => {
  it('installs for real into it, with its own state and credentials', async () => {
    const home = tempDir('wrong-cluster');
    const first = new FakeCluster(join(home, 'cluster-1'), { uid: 'uid-first' });
    const second = new FakeCluster(join(home, 'cluster-2'), { uid: 'uid-second' });
    // No --workdir: the default, keyed by context and namespace, is shared by both runs.
    const install = [
      'install',
      '--preset',
      'dev',
      '--namespace',
      'im',
      '--yes',
      '--ignore-preflight',
      'discovery.namespace-fixed',
    ];

    const one = await runCli(install, { runner: new FakeRunner(first), cwd: home });
    expect(one.code, one.err).toBe(0);
    const two = await runCli(install, { runner: new FakeRunner(second), cwd: home });
    expect(two.code, two.err).toBe(0);
    expect(two.err).toMatch(/done: [1-9]\d* steps applied, 0 unchanged/);
    expect(two.err).toContain('belonged to another cluster');
    expect(Object.keys(second.releases()).length).toBeGreaterThan(5);

    const stateOf = (c: FakeCluster) => {
      const secret = c.get('Secret', 'im', 'openim-deploy-state') as { data: Record<string, string> };
      return JSON.parse(Buffer.from(secret.data['state.json']!, 'base64').toString('utf8')) as {
        cluster: string;
        secrets: Record<string, string>;
      };
    };
    const [a, b] = [stateOf(first), stateOf(second)];
    expect(a.cluster).not.toBe(b.cluster);
    expect(b.secrets['openim.secret']).not.toBe(a.secrets['openim.secret']);
    // The first cluster's local copy is kept beside the new one, not overwritten.
    expect(
      readdirSync(join(home, '.openim-deploy', 'current-im')).filter((f) => f.startsWith('state.json.cluster-')),
    ).toHaveLength(1);
  });
});
