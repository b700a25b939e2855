import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import { ALL_MODULES, FRONT_HOST_PORTS } from '../../../catalog/modules.js';
import { resolveConfig } from '../../../config/resolve.js';
import { catalogMetricsModules } from '../../../monitoring/index.js';
import { hasSecretRefs } from '../../../secrets/secrets.js';
import { openimModules } from '../units.js';
import { binaryMonitoringFiles, binaryMonitoringServices, hostGrafanaUrl, prometheusConfig } from './index.js';

const specOf = (sets: string[] = []) => resolveConfig({ preset: 'single-host', sets }).spec;

describe('binary Prometheus configuration', () => {
  it('has one static target per unit instance on the metrics port + index, for every metrics module', () => {
    const spec = specOf(['profile=production', 'openim.replicas.openim-push=3']);
    const config = prometheusConfig(spec);
    for (const units of openimModules(spec)) {
      const base = units.module.ports.find((p) => p.name === 'metrics')?.port;
      const job = config.scrape_configs.find((j) => j.job_name === units.module.name);
      if (base === undefined) {
        expect(job).toBeUndefined();
        continue;
      }
      expect(job!.static_configs.map((s) => s.targets[0])).toEqual(
        units.instances.map((_, i) => `127.0.0.1:${base + i}`),
      );
      expect(job!.static_configs.map((s) => s.labels!.unit)).toEqual(units.instances);
    }
    expect(config.scrape_configs.find((j) => j.job_name === 'openim-push')!.static_configs).toHaveLength(3);
    expect(config.scrape_configs.map((j) => j.job_name)).toEqual(
      expect.arrayContaining([...catalogMetricsModules().map((m) => m.name), 'node']),
    );
  });

  it('targets the host name instead of loopback for an external Prometheus', () => {
    const config = prometheusConfig(specOf(['monitoring.prometheusUrl=http://prom:9090']));
    expect(config.scrape_configs[0]!.static_configs[0]!.targets[0]).toMatch(/^openim\.localhost:/);
    expect(config.scrape_configs.some((j) => j.job_name === 'prometheus')).toBe(false);
  });
});

describe('binary monitoring files', () => {
  it('write Prometheus, rules, dashboards and Grafana provisioning; logging adds Loki and Alloy', () => {
    const paths = (sets: string[]) => binaryMonitoringFiles(specOf(sets)).map((f) => f.path);
    expect(paths([])).toEqual(
      expect.arrayContaining([
        '/etc/openim/monitoring/prometheus.yml',
        '/etc/openim/monitoring/rules/openim-alerts.yml',
        '/etc/openim/monitoring/grafana/dashboards/openim-overview.json',
        '/etc/openim/monitoring/grafana/grafana.env',
        '/etc/openim/monitoring/grafana/provisioning/datasources/openim.yaml',
      ]),
    );
    expect(paths([])).not.toContain('/etc/openim/monitoring/alloy.alloy');
    const logging = paths(['logging.enabled=true']);
    expect(logging).toEqual(
      expect.arrayContaining([
        '/etc/openim/monitoring/loki.yml',
        '/etc/openim/monitoring/alloy.alloy',
        '/etc/openim/monitoring/grafana/dashboards/openim-logs.json',
      ]),
    );
    expect(paths(['monitoring.enabled=false', 'logging.enabled=false'])).toEqual([]);
  });

  it('keep the Grafana password a placeholder in a 0600 file, and nowhere else', () => {
    for (const f of binaryMonitoringFiles(specOf(['logging.enabled=true']))) {
      if (f.path.endsWith('grafana.env')) {
        expect(f.mode).toBe(0o600);
        expect(f.content).toContain('GF_SECURITY_ADMIN_PASSWORD="«secret:grafana.adminPassword|env»"');
      } else expect(hasSecretRefs(f.content), f.path).toBe(false);
    }
  });

  it('provision the bundled or the external Loki as a datasource and ship the journal to it', () => {
    const files = binaryMonitoringFiles(specOf(['logging.enabled=true', 'logging.lokiUrl=http://logs:3100']));
    const ds = parse(files.find((f) => f.path.endsWith('datasources/openim.yaml'))!.content);
    expect(ds.datasources).toContainEqual(expect.objectContaining({ type: 'loki', url: 'http://logs:3100' }));
    expect(files.some((f) => f.path.endsWith('loki.yml'))).toBe(false);
    expect(files.find((f) => f.path.endsWith('alloy.alloy'))!.content).toContain(
      'url = "http://logs:3100/loki/api/v1/push"',
    );
  });

  it('give a render path below monitoring/ for each file', () => {
    for (const f of binaryMonitoringFiles(specOf(['logging.enabled=true'])))
      expect(f.render).toMatch(/^monitoring\/[^/]/);
  });
});

describe('binary monitoring services', () => {
  it('run node_exporter with the systemd collector and NRestarts for openim units', () => {
    const services = binaryMonitoringServices(specOf(['logging.enabled=true']), 'amd64');
    expect(services.map((s) => s.id)).toEqual(['node-exporter', 'prometheus', 'loki', 'alloy', 'grafana']);
    const ne = services[0]!;
    expect(ne.argv).toEqual(
      expect.arrayContaining([
        '--collector.systemd',
        '--collector.systemd.enable-restarts-metrics',
        '--collector.systemd.unit-include=openim.+\\.service',
      ]),
    );
    expect(services.find((s) => s.id === 'alloy')!.supplementaryGroups).toContain('systemd-journal');
    expect(services.find((s) => s.id === 'loki')!.argv[0]).toBe(
      `/opt/openim/infra/loki-${MONITORING.hostArchives.loki.version}/loki-linux-amd64`,
    );
  });

  it('use host ports that collide with no infrastructure port and no OpenIM port range', () => {
    const taken = new Map<number, string>();
    for (const [name, port] of [...Object.entries(HOST_INFRA_PORTS), ...Object.entries(FRONT_HOST_PORTS)])
      taken.set(port, name);
    for (const m of ALL_MODULES) {
      const max = m.maxInstances ?? 64;
      for (const p of m.ports) for (let i = 0; i < max; i++) taken.set(p.port + i, `${m.name} ${p.name}`);
    }
    for (const [name, port] of Object.entries(MONITORING.hostPorts))
      expect(taken.get(port), `${name} ${port}`).toBeUndefined();
  });

  it('point openim-api at the host Grafana, or the external one', () => {
    expect(hostGrafanaUrl(specOf())).toBe(`http://openim.localhost:${MONITORING.hostPorts.grafana}/`);
    expect(hostGrafanaUrl(specOf(['monitoring.grafanaUrl=https://g.example/']))).toBe('https://g.example/');
    expect(hostGrafanaUrl(specOf(['monitoring.enabled=false']))).toBe('');
  });
});
