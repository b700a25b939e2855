import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import type { Runner } from '../process/runner.js';
import { unprobedFacts } from '../facts/types.js';
import { buildPlan } from '../targets/build-plan.js';
import { templatesDir } from '../util/package-root.js';
import { renderPlan } from './render.js';

/** helm that renders local charts and cannot reach any chart repository. */
const offlineHelm: Runner & { calls: string[][] } = {
  calls: [],
  async run(argv) {
    this.calls.push([...argv]);
    if (argv.includes('--repo'))
      return {
        exitCode: 1,
        stdout: '',
        stderr: `Error: looks like "${argv[argv.indexOf('--repo') + 1]}" is not a valid chart repository or cannot be reached`,
      };
    return { exitCode: 0, stdout: `# ${argv[2]}\n`, stderr: '' };
  },
};

describe('render of upstream charts', () => {
  it('asks helm for every release, upstream ones at their pin from their repository, and an unreachable repository fails naming the chart and kubernetes.helmRepoMirrors', async () => {
    const spec = resolveConfig({
      preset: 'production',
      sets: [
        'openim.domain=im.example.com',
        'kubernetes.storage.nfs.server=10.0.0.5',
        'kubernetes.storage.nfs.path=/srv/openim',
      ],
    }).spec;
    const plan = buildPlan(spec, unprobedFacts('kubernetes'));
    const out = mkdtempSync(join(tmpdir(), 'render-upstream-'));
    const result = await renderPlan(plan, { outDir: out, templatesDir: templatesDir(), runner: offlineHelm });
    const upstream = plan.steps.filter((s) => s.release && !s.release.local).map((s) => s.release!);
    expect(upstream.length).toBeGreaterThan(3);
    expect(result.failed.map((f) => f.release).sort()).toEqual(upstream.map((r) => r.name).sort());
    const prom = result.failed.find((f) => f.release === 'kube-prometheus-stack')!;
    expect(prom.reason).toMatch(
      /^upstream chart kube-prometheus-stack 81\.4\.3 from https:\/\/prometheus-community\.github\.io\/helm-charts: .*set kubernetes\.helmRepoMirrors/,
    );
    const call = offlineHelm.calls.find((c) => c[2] === 'kube-prometheus-stack')!;
    expect(call).toEqual(
      expect.arrayContaining(['--version', '81.4.3', '--repo', 'https://prometheus-community.github.io/helm-charts']),
    );
    // The project's own charts still rendered.
    expect(result.manifests.length).toBe(plan.steps.filter((s) => s.release?.local).length);
    expect(readFileSync(join(out, 'manifests', 'openim-api.yaml'), 'utf8')).toBe('# openim-api\n');
  });
});
