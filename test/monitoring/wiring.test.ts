// The whole plans carry the monitoring pieces: the production Kubernetes
// plan (what `render` writes) has a ServiceMonitor for every OpenIM metrics
// module, the alert rules, the dashboards and log shipping; the single-host
// plan writes the Prometheus config and rules. These pass once the target
// teams call monitoringSteps/loggingSteps (kubernetes/steps.ts) and
// binaryMonitoringFiles (binary/steps.ts).

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { catalogMetricsModules } from '../../src/monitoring/index.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import type { WriteAction } from '../../src/plan/types.js';
import { MONITORING_FILES, MONITORING_STEPS } from '../../src/targets/kubernetes/monitoring/index.js';

const writesOf = (plan: ReturnType<typeof buildPlan>) =>
  plan.steps.flatMap((s) => s.actions.filter((a): a is WriteAction => a.kind === 'write'));

describe('production Kubernetes plan', () => {
  const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
  const plan = buildPlan(spec, unprobedFacts('kubernetes'));
  const ids = plan.steps.map((s) => s.id);

  it('includes the monitoring and logging steps', () => {
    expect(ids, 'kubernetesSteps must append monitoringSteps(spec, facts) and loggingSteps(spec, facts)').toEqual(
      expect.arrayContaining(Object.values(MONITORING_STEPS)),
    );
  });

  it('renders a ServiceMonitor for every OpenIM metrics module, the rules and the dashboards', () => {
    const writes = writesOf(plan);
    const monitors = writes.find((w) => w.render === MONITORING_FILES.monitors);
    expect(monitors, 'monitors file in the render').toBeDefined();
    const names = parseAllDocuments(monitors!.content).map(
      (d) => (d.toJSON() as { metadata: { name: string } }).metadata.name,
    );
    for (const m of catalogMetricsModules()) expect(names).toContain(m.name);
    expect(writes.some((w) => w.render === MONITORING_FILES.rules)).toBe(true);
    expect(writes.some((w) => w.render === MONITORING_FILES.dashboards)).toBe(true);
    expect(writes.some((w) => w.render === 'values/alloy.yaml')).toBe(true);
  });

  it('routes /grafana and points openim-api at it', () => {
    const writes = writesOf(plan);
    const ingress = writes.find((w) => w.render === 'manifests/openim-ingress.yaml');
    expect(ingress?.content, 'openimRoutes must include grafanaRoute(spec)').toContain('openim-grafana');
    expect(writes.map((w) => w.content).join('\n')).toContain('grafanaURL: https://im.example.com/grafana');
  });
});

describe('single-host plan', () => {
  it('writes the Prometheus config and alert rules', () => {
    const spec = resolveConfig({ preset: 'single-host' }).spec;
    const paths = writesOf(buildPlan(spec, unprobedFacts('binary'))).map((w) => w.path);
    expect(paths, 'binarySteps must write binaryMonitoringFiles(spec)').toEqual(
      expect.arrayContaining([
        '/etc/openim/monitoring/prometheus.yml',
        '/etc/openim/monitoring/rules/openim-alerts.yml',
      ]),
    );
  });
});
