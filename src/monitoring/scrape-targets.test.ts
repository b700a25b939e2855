import { describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../catalog/modules.js';
import { resolveConfig } from '../config/resolve.js';
import { catalogMetricsModules, metricsModules } from './scrape-targets.js';
import { requiredSets } from '../../test/helpers/config-presets.js';

const spec = (preset: string, sets: string[] = []) =>
  resolveConfig({ preset, sets: ['kubernetes.namespace=openim', ...requiredSets(preset), ...sets] }).spec;

describe('metrics modules', () => {
  it('are exactly the catalog modules with a port named metrics', () => {
    const expected = ALL_MODULES.filter((m) => m.ports.some((p) => p.name === 'metrics')).map((m) => m.name);
    expect(catalogMetricsModules().map((m) => m.name)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('take the instance count of the profile, overridden by openim.replicas, and drop modules scaled to 0', () => {
    const production = metricsModules(spec('production', ['openim.domain=im.example.com']));
    const transfer = production.find((m) => m.module.name === 'openim-msgtransfer')!;
    expect(transfer.instances).toBe(transfer.module.instances.production);
    const custom = metricsModules(
      spec('production', [
        'openim.domain=im.example.com',
        'openim.replicas.openim-push=5',
        'openim.replicas.openim-rpc-third=0',
      ]),
    );
    expect(custom.find((m) => m.module.name === 'openim-push')!.instances).toBe(5);
    expect(custom.some((m) => m.module.name === 'openim-rpc-third')).toBe(false);
  });

  it('give each module the metrics port from the catalog', () => {
    for (const m of metricsModules(spec('dev'))) {
      expect(m.port).toBe(m.module.ports.find((p) => p.name === 'metrics')!.port);
    }
  });
});
