import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MONITORING } from '../../../catalog/infrastructure.js';
import type { ExecAction, Plan, Step, WaitAction, WriteAction } from '../../../plan/types.js';
import { parseUnit } from '../systemd-ini.js';
import {
  allExternal,
  ancestors,
  byId,
  FAKE_SHA,
  plan,
  probedHost,
  singleHost,
} from '../../../../test/helpers/binary-specs.js';
import { binaryMonitoringFiles } from './files.js';
import { MONITORING_USER } from './services.js';
import { MONITORING_TARGET } from './steps.js';

const execs = (s: Step) => s.actions.filter((a): a is ExecAction => a.kind === 'exec').map((a) => a.argv.join(' '));
const writes = (s: Step) => s.actions.filter((a): a is WriteAction => a.kind === 'write');

/** Units the plan writes, parsed, by file name. */
function units(p: Plan): Record<string, ReturnType<typeof parseUnit>> {
  return Object.fromEntries(
    writes(byId(p).get('binary.monitoring.units')!).map((w) => [w.path.split('/').pop()!, parseUnit(w.content)]),
  );
}

describe('monitoring in the binary plan', () => {
  it('starts after the infrastructure, and no OpenIM step waits for it', () => {
    const p = plan();
    const ids = p.steps.map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'binary.monitoring.user',
        'binary.monitoring.dirs',
        'binary.monitoring.packages',
        'binary.monitoring.extract.grafana',
        'binary.monitoring.config',
        'binary.monitoring.units',
        'binary.monitoring.start',
        'binary.monitoring.health',
      ]),
    );
    expect(ancestors(p, 'binary.monitoring.start')).toContain('binary.start.infra');
    expect(ancestors(p, 'binary.monitoring.packages')).toContain('binary.infra.packages');
    for (const step of p.steps.filter((s) => !s.id.startsWith('binary.monitoring.'))) {
      expect(
        [...ancestors(p, step.id)].filter((a) => a.startsWith('binary.monitoring.')),
        step.id,
      ).toEqual([]);
    }
    // With external infrastructure there is nothing to wait for.
    expect(byId(plan(allExternal())).get('binary.monitoring.start')!.needs).not.toContain('binary.start.infra');
  });

  it('writes every monitoring file with its mode, the Grafana env 0600, and renders them under monitoring/', () => {
    const spec = singleHost('logging.enabled=true');
    const config = byId(plan(spec)).get('binary.monitoring.config')!;
    const expected = binaryMonitoringFiles(spec);
    expect(writes(config)).toEqual(
      expected.map((f) => ({ kind: 'write', path: f.path, mode: f.mode, content: f.content, render: f.render })),
    );
    expect(writes(config).find((w) => w.path === '/etc/openim/monitoring/grafana/grafana.env')).toMatchObject({
      mode: 0o600,
    });
    expect(writes(config).map((w) => w.path)).toEqual(
      expect.arrayContaining([
        '/etc/openim/monitoring/prometheus.yml',
        '/etc/openim/monitoring/rules/openim-alerts.yml',
        '/etc/openim/monitoring/loki.yml',
        '/etc/openim/monitoring/alloy.alloy',
      ]),
    );
  });

  it('creates a monitoring user and folders it can read, but the OpenIM user cannot', () => {
    const p = plan(singleHost('logging.enabled=true'));
    const steps = byId(p);
    expect(execs(steps.get('binary.monitoring.user')!)).toEqual([
      `useradd --system --user-group --home-dir /var/lib/openim/monitoring --no-create-home --shell /usr/sbin/nologin ${MONITORING_USER}`,
    ]);
    const [configDirs, dataDirs] = execs(steps.get('binary.monitoring.dirs')!);
    expect(configDirs).toMatch(new RegExp(`^install -d -m 0750 -o root -g ${MONITORING_USER} /etc/openim/monitoring `));
    expect(configDirs!.split(' ')).toEqual(
      expect.arrayContaining([
        '/etc/openim/monitoring/rules',
        '/etc/openim/monitoring/grafana/provisioning/datasources',
        '/etc/openim/monitoring/grafana/dashboards',
        '/var/lib/openim/monitoring',
      ]),
    );
    expect(dataDirs!.split(' ')).toEqual(
      expect.arrayContaining([
        '-o',
        MONITORING_USER,
        '/var/lib/openim/monitoring/prometheus',
        '/var/lib/openim/monitoring/loki',
        '/var/lib/openim/monitoring/alloy',
        '/var/lib/openim/monitoring/grafana',
      ]),
    );
    // The top folders let it pass (x) without listing them; without monitoring they stay 0750.
    const dirs = execs(steps.get('binary.dirs')!);
    expect(dirs).toEqual(
      expect.arrayContaining([
        'install -d -m 0751 -o root -g openim /etc/openim',
        'install -d -m 0751 -o openim -g openim /var/lib/openim',
      ]),
    );
    const off = execs(byId(plan(singleHost('monitoring.enabled=false'))).get('binary.dirs')!);
    expect(off).toEqual(
      expect.arrayContaining([
        'install -d -m 0750 -o root -g openim /etc/openim',
        'install -d -m 0750 -o openim -g openim /var/lib/openim',
      ]),
    );
  });

  it('installs Prometheus and node_exporter from the distribution, skipping what is installed, and turns their own services off', () => {
    expect(execs(byId(plan(singleHost(), probedHost())).get('binary.monitoring.packages')!)).toEqual([
      'apt-get update',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus-node-exporter prometheus',
      'systemctl disable --now prometheus-node-exporter.service prometheus.service',
    ]);
    const installed = probedHost({ installedPackages: ['prometheus', 'prometheus-node-exporter', 'redis-server'] });
    expect(execs(byId(plan(singleHost(), installed)).get('binary.monitoring.packages')!)).toEqual([
      'systemctl disable --now prometheus-node-exporter.service prometheus.service',
    ]);
    // The infrastructure packages follow the same rule.
    expect(execs(byId(plan(singleHost(), installed)).get('binary.infra.packages')!)).toEqual([
      'apt-get update',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server',
      'systemctl disable --now redis-server.service etcd.service',
    ]);
    expect(
      execs(byId(plan(singleHost(), probedHost({ packageManager: 'dnf' }))).get('binary.monitoring.packages')!),
    ).toEqual(['dnf install -y golang-github-prometheus-node-exporter golang-github-prometheus']);
  });

  it('fetches Grafana, Loki and Alloy like every archive and unpacks them (zip or tar.gz) into the infra root', () => {
    const p = plan(singleHost('logging.enabled=true', `binary.artifacts.loki.sha256=${FAKE_SHA}`));
    const steps = byId(p);
    expect(steps.get('binary.fetch.loki')!.actions[0]).toEqual({
      kind: 'fetch',
      url: 'http://mirror.example/openim/loki-linux-amd64.zip',
      sha256: FAKE_SHA,
      to: 'artifacts/loki-linux-amd64.zip',
    });
    expect(
      byId(plan(singleHost('binary.mirror=', 'logging.enabled=true'))).get('binary.fetch.alloy')!.actions[0],
    ).toMatchObject({
      url: `https://github.com/grafana/alloy/releases/download/v${MONITORING.hostArchives.alloy.version}/alloy-linux-amd64.zip`,
    });
    const loki = `/opt/openim/infra/loki-${MONITORING.hostArchives.loki.version}`;
    expect(steps.get('binary.monitoring.extract.loki')!.actions).toEqual([
      { kind: 'extract', archive: 'artifacts/loki-linux-amd64.zip', to: loki },
      { kind: 'exec', argv: ['chmod', '0755', `${loki}/loki-linux-amd64`], mutates: true },
    ]);
    expect(steps.get('binary.monitoring.extract.grafana')!.actions[0]).toMatchObject({
      kind: 'extract',
      to: `/opt/openim/infra/grafana-${MONITORING.hostArchives.grafana.version}`,
      strip: 1,
    });
    expect(steps.get('binary.monitoring.extract.grafana')!.needs).toEqual(['binary.dirs', 'binary.fetch.grafana']);
  });

  it('runs each process as openim-monitoring under a hardened unit, Alloy in systemd-journal, node_exporter with the systemd collector', () => {
    const u = units(plan(singleHost('logging.enabled=true')));
    expect(Object.keys(u).sort()).toEqual([
      'openim-alloy.service',
      'openim-grafana.service',
      'openim-loki.service',
      MONITORING_TARGET,
      'openim-node-exporter.service',
      'openim-prometheus.service',
    ]);
    for (const [name, unit] of Object.entries(u)) {
      if (name === MONITORING_TARGET) continue;
      expect(unit.Service!.User, name).toEqual([MONITORING_USER]);
      expect(unit.Service!.NoNewPrivileges, name).toEqual(['yes']);
      expect(unit.Service!.ProtectSystem, name).toEqual(['strict']);
      expect(unit.Service!.CapabilityBoundingSet, name).toEqual(['']);
      expect(unit.Service!.Restart, name).toEqual(['always']);
      expect(unit.Install!.WantedBy, name).toEqual([MONITORING_TARGET]);
      expect(unit.Unit!.PartOf, name).toEqual([MONITORING_TARGET]);
    }
    expect(u['openim-alloy.service']!.Service!.SupplementaryGroups).toEqual(['systemd-journal']);
    expect(u['openim-node-exporter.service']!.Service!.RestrictAddressFamilies![0]).toContain('AF_UNIX');
    expect(u['openim-node-exporter.service']!.Service!.ExecStart).toEqual([
      '/usr/bin/prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.systemd "--collector.systemd.unit-include=openim.+\\\\.service" --collector.systemd.enable-restarts-metrics',
    ]);
    expect(u['openim-grafana.service']!.Service!.EnvironmentFile).toEqual([
      '/etc/openim/monitoring/grafana/grafana.env',
    ]);
    expect(u['openim-grafana.service']!.Unit!.After).toEqual([
      'network-online.target',
      'openim-prometheus.service',
      'openim-loki.service',
    ]);
    expect(u['openim-prometheus.service']!.Service!.ReadWritePaths).toEqual(['/var/lib/openim/monitoring/prometheus']);
    expect(u[MONITORING_TARGET]!.Install!.WantedBy).toEqual(['multi-user.target']);
  });

  it('enables and restarts the units, then waits until each answers', () => {
    const steps = byId(plan());
    expect(execs(steps.get('binary.monitoring.start')!)).toEqual([
      `systemctl enable ${MONITORING_TARGET} openim-node-exporter.service openim-prometheus.service openim-grafana.service`,
      'systemctl restart openim-node-exporter.service openim-prometheus.service openim-grafana.service',
      `systemctl start ${MONITORING_TARGET}`,
    ]);
    const probes = (steps.get('binary.monitoring.health')!.actions as WaitAction[]).map((w) => w.probe);
    expect(probes).toEqual([
      { kind: 'http', url: `http://127.0.0.1:${MONITORING.hostPorts.nodeExporter}/metrics`, expectStatus: 200 },
      { kind: 'http', url: `http://127.0.0.1:${MONITORING.hostPorts.prometheus}/-/ready`, expectStatus: 200 },
      { kind: 'http', url: `http://127.0.0.1:${MONITORING.hostPorts.grafana}/api/health`, expectStatus: 200 },
      {
        kind: 'exec',
        argv: [
          'systemctl',
          'is-active',
          '--quiet',
          'openim-node-exporter.service',
          'openim-prometheus.service',
          'openim-grafana.service',
        ],
      },
    ]);
  });

  it('restarts monitoring only when its own config, units or archives change', () => {
    const note = (p: Plan) => JSON.stringify(byId(p).get('binary.monitoring.start')!.actions[0]);
    const base = plan();
    expect(note(plan())).toBe(note(base));
    expect(note(plan(singleHost('openim.replicas.openim-push=2')))).not.toBe(note(base)); // one more scrape target
    expect(note(plan(singleHost(`binary.artifacts.grafana.sha256=${FAKE_SHA}`)))).not.toBe(note(base));
    // …and OpenIM does not restart for a monitoring-only change.
    const startServer = (p: Plan) => JSON.stringify(byId(p).get('binary.start.server')!.actions[0]);
    expect(startServer(plan(singleHost(`binary.artifacts.grafana.sha256=${FAKE_SHA}`)))).toBe(startServer(base));
  });

  it('points openim-api at the host Grafana, or the external one', () => {
    const apiYml = (p: Plan) =>
      parse(writes(byId(p).get('binary.config.server')!).find((w) => w.path.endsWith('/openim-api.yml'))!.content);
    expect(apiYml(plan()).prometheus.grafanaURL).toBe(`http://openim.localhost:${MONITORING.hostPorts.grafana}/`);
    expect(apiYml(plan(singleHost('monitoring.grafanaUrl=https://grafana.example/'))).prometheus.grafanaURL).toBe(
      'https://grafana.example/',
    );
  });

  it('with an external Prometheus and Grafana: node_exporter on every interface, the files for them, no Grafana download', () => {
    const p = plan(
      singleHost('monitoring.prometheusUrl=http://prom.example:9090', 'monitoring.grafanaUrl=https://grafana.example/'),
    );
    const ids = p.steps.map((s) => s.id);
    expect(ids).not.toContain('binary.fetch.grafana');
    expect(Object.keys(units(p)).sort()).toEqual([MONITORING_TARGET, 'openim-node-exporter.service']);
    expect(units(p)['openim-node-exporter.service']!.Service!.ExecStart![0]).toContain(
      `--web.listen-address=0.0.0.0:${MONITORING.hostPorts.nodeExporter}`,
    );
    expect(execs(byId(p).get('binary.monitoring.packages')!)).toEqual(
      expect.arrayContaining([expect.stringMatching(/apt-get install .* prometheus-node-exporter$/)]),
    );
    expect(writes(byId(p).get('binary.monitoring.config')!).map((w) => w.path)).toContain(
      '/etc/openim/monitoring/prometheus.yml',
    );
    const summary = byId(p)
      .get('binary.summary')!
      .actions.map((a) => (a.kind === 'note' ? a.text : ''));
    expect(summary).toEqual(expect.arrayContaining([expect.stringContaining('to http://prom.example:9090')]));
  });

  it('adds nothing when monitoring and logging are off', () => {
    const p = plan(singleHost('monitoring.enabled=false', 'logging.enabled=false'));
    expect(p.steps.filter((s) => s.id.startsWith('binary.monitoring.'))).toEqual([]);
    expect(p.steps.map((s) => s.id)).not.toContain('binary.fetch.grafana');
  });

  it('logging alone: Alloy ships to the external Loki, nothing else runs', () => {
    const p = plan(
      singleHost('monitoring.enabled=false', 'logging.enabled=true', 'logging.lokiUrl=http://logs.example:3100'),
    );
    expect(Object.keys(units(p)).sort()).toEqual(['openim-alloy.service', MONITORING_TARGET]);
    expect(p.steps.map((s) => s.id)).not.toContain('binary.monitoring.packages');
    expect(p.steps.filter((s) => s.id.startsWith('binary.fetch.')).map((s) => s.id)).toEqual([
      'binary.fetch.server',
      'binary.fetch.chat',
      'binary.fetch.mongodb',
      'binary.fetch.mongosh',
      'binary.fetch.kafka',
      'binary.fetch.minio',
      'binary.fetch.alloy',
    ]);
  });
});
