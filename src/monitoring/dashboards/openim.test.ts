import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolve.js';
import { monitoringContext } from '../context.js';
import { promqlOf } from './grafana.js';
import { openimDashboards } from './openim.js';
import { NFS_SERVER_SET } from '../../../test/helpers/config-presets.js';

const ctx = monitoringContext(
  resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec,
);

describe('OpenIM dashboards', () => {
  const dashboards = openimDashboards(ctx, { logs: true, logModules: ['openim-api', 'chat-api'] });

  it('have unique uids and survive a JSON round trip', () => {
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const d of dashboards) expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('number panels uniquely and keep them inside the 24-column grid', () => {
    for (const d of dashboards) {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('cover overview, API, messaging, infrastructure and logs', () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      'openim-overview',
      'openim-api',
      'openim-messaging',
      'openim-infrastructure',
      'openim-logs',
    ]);
    const all = dashboards
      .flatMap(promqlOf)
      .map((e) => e.expr)
      .join('\n');
    for (const metric of [
      'up{',
      'kube_pod_container_status_restarts_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'http_count',
      'grpc_server_handling_seconds_bucket',
      'online_user_num',
      'kafka_consumergroup_lag',
      'mongodb_',
      'redis_',
    ]) {
      expect(all).toContain(metric);
    }
  });

  it('query through datasource variables, never fixed uids', () => {
    for (const d of dashboards)
      for (const p of d.panels) expect(p.datasource?.uid).toMatch(/^\$\{(datasource|loki)\}$/);
    expect(openimDashboards(ctx, { logs: false, logModules: [] }).some((d) => d.uid === 'openim-logs')).toBe(false);
  });
});
