// The openim-redis chart's scripts, as helm renders them with the production
// values, run for real: six redis-server processes (Debian's redis-server 7.0,
// the version the chart pins) on loopback addresses, inside a private mount
// namespace whose /etc/hosts plays the cluster DNS. See redis-cluster-scenario.sh.
// Needs root (unshare --mount) and `apt-get install redis-server`.

import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import type { WriteAction } from '../../src/plan/types.js';
import { infrastructureSteps as infrastructureStepsWith } from '../../src/targets/kubernetes/infrastructure/steps.js';
import { helmBinaries, repoRoot } from '../helpers/tools.js';
import { withLayout } from '../helpers/kubernetes-specs.js';

const infrastructureSteps = withLayout(infrastructureStepsWith);

const runner = new ExecaRunner();
const work = mkdtempSync(join(tmpdir(), 'openim-redis-scenario-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function missingPrerequisites(): string[] {
  const missing = ['/usr/bin/redis-server', '/usr/bin/redis-cli', '/usr/bin/unshare'].filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (process.getuid?.() !== 0) missing.push('root (unshare --mount)');
  return missing;
}

describe('openim-redis cluster scripts against real redis-server', () => {
  it('creates the cluster once, and heals after every pod moved to a new IP', async () => {
    expect(missingPrerequisites(), 'install with: apt-get install -y redis-server (and run as root)').toEqual([]);
    const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
    const step = infrastructureSteps(spec, { target: 'kubernetes', probed: false }).find(
      (s) => s.release?.name === 'openim-redis',
    )!;
    const values = step.actions.find((a): a is WriteAction => a.kind === 'write')!.content;
    expect(parse(values)).toMatchObject({ mode: 'cluster', nodes: 6, clusterReplicas: 1 });
    const valuesFile = join(work, 'values.yaml');
    writeFileSync(valuesFile, values);

    const { helm } = helmBinaries()[0]!;
    const rendered = await runner.run([
      helm,
      'template',
      'openim-redis',
      join(repoRoot, 'templates/charts/openim-redis'),
      '--namespace',
      step.release!.namespace,
      '--values',
      valuesFile,
    ]);
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    const objects = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Record<string, any> | null);
    const config = objects.find((o) => o?.kind === 'ConfigMap')!;
    const container = objects.find((o) => o?.kind === 'StatefulSet')!.spec.template.spec.containers[0];
    const domain = (container.env as { name: string; value?: string }[]).find(
      (e) => e.name === 'HEADLESS_DOMAIN',
    )!.value!;
    const dir = join(work, 'scripts');
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(config.data as Record<string, string>))
      writeFileSync(join(dir, name), content);

    const result = await runner.run(
      [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'bash',
        join(repoRoot, 'test/helm/redis-cluster-scenario.sh'),
        dir,
        domain,
      ],
      { timeoutMs: 400_000 },
    );
    const story = result.stdout.split('\n').filter((l) => !/^\d+:[MSC] /.test(l));
    expect(result.exitCode, `${story.join('\n')}\n${result.stderr}`).toBe(0);
    expect(story).toContain('cluster already created');
    expect(story).toContain('data kept across the move');
    expect(story).toContain('SCENARIO OK');
  });
});
