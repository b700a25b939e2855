// The binary target's Prometheus configuration, written to disk exactly as
// the plan writes it (rules files included), passes `promtool check config`
// for the main toggle combinations.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { binaryMonitoringFiles } from '../../src/targets/binary/monitoring/index.js';
import { openimModules } from '../../src/targets/binary/units.js';
import { promtool, tempDir, writeText, removeTempDirs } from './promtool.js';

afterAll(removeTempDirs);

const variants: [string, string, string[]][] = [
  ['single host, bundled Prometheus', 'single-host', []],
  ['single host with logging', 'single-host', ['logging.enabled=true']],
  [
    'production profile, scaled modules',
    'single-host',
    [
      'profile=production',
      'openim.replicas.openim-msgtransfer=8',
      'openim.replicas.openim-push=8',
      'logging.enabled=true',
    ],
  ],
  [
    'external Prometheus and Grafana',
    'single-host',
    ['monitoring.prometheusUrl=http://prom.example:9090', 'monitoring.grafanaUrl=https://grafana.example/'],
  ],
];

describe.each(variants)('binary Prometheus config: %s', (_, preset, sets) => {
  const root = tempDir('host');
  const spec = resolveConfig({
    preset,
    sets: [...sets, `binary.configDir=${root}/etc`, `binary.dataDir=${root}/data`],
  }).spec;
  const files = binaryMonitoringFiles(spec);
  for (const f of files) writeText(f.path, f.content);
  const config = join(root, 'etc/monitoring/prometheus.yml');

  it('passes promtool check config (with its rule files)', () => {
    const r = promtool(['check', 'config', config]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: 1 rule files found/);
    expect(r.output).toMatch(/is valid prometheus config file syntax/);
  });

  it('scrapes node_exporter and one target per OpenIM unit instance', () => {
    const parsed = parse(files.find((f) => f.path === config)!.content) as {
      scrape_configs: { job_name: string; static_configs: unknown[] }[];
    };
    expect(parsed.scrape_configs.map((j) => j.job_name)).toContain('node');
    const targets = parsed.scrape_configs
      .filter((j) => j.job_name.startsWith('openim-'))
      .reduce((n, j) => n + j.static_configs.length, 0);
    // The unit list of the binary target is the reference: one target per instance unit of a module with a metrics port.
    const units = openimModules(spec)
      .filter((m) => m.module.ports.some((p) => p.name === 'metrics'))
      .reduce((n, m) => n + m.instances.length, 0);
    expect(targets).toBe(units);
    expect(targets).toBeGreaterThanOrEqual(11);
  });
});

it('promtool check config rejects a broken config (the check is real)', () => {
  const dir = tempDir('broken');
  const path = writeText(join(dir, 'prometheus.yml'), 'global:\n  scrape_intervall: 30s\n');
  expect(promtool(['check', 'config', path]).status).not.toBe(0);
});
