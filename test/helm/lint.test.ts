import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import { helmBinaries, repoRoot } from '../helpers/tools.js';

const chartsDir = join(repoRoot, 'templates', 'charts');
const charts = readdirSync(chartsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const runner = new ExecaRunner();

describe.each(helmBinaries())('$label: helm lint --strict', ({ helm }) => {
  it('finds the own charts', () => {
    expect(charts).toContain('openim-service');
  });

  it.each(charts)('%s', async (chart) => {
    const r = await runner.run([helm, 'lint', '--strict', join(chartsDir, chart)]);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('0 chart(s) failed');
  });

  it('openim-service refuses a gRPC port that is not first', async () => {
    const r = await runner.run([
      helm,
      'template',
      'x',
      join(chartsDir, 'openim-service'),
      '--set',
      'ports[0].name=metrics',
      '--set',
      'ports[0].port=12000',
      '--set',
      'ports[1].name=grpc',
      '--set',
      'ports[1].port=10000',
    ]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('grpc port of openim-service must be listed first');
  });

  it('openim-service values.schema.json rejects a misspelt value', async () => {
    const r = await runner.run([helm, 'template', 'x', join(chartsDir, 'openim-service'), '--set', 'replica=2']);
    expect(r.exitCode).not.toBe(0);
  });
});
