// Monitoring and logging steps of the Kubernetes plan. kubernetesSteps (../steps.ts)
// appends `monitoringSteps(spec, layout, facts)` and `loggingSteps(spec, layout, facts)`; both
// only need the namespace step, so they run beside the OpenIM releases.
//
//   k8s.monitoring.grafana-admin  Secret with the admin password placeholder
//   k8s.monitoring.stack          helm: kube-prometheus-stack (+ Grafana)
//   k8s.monitoring.monitors       ServiceMonitors + PrometheusRule (kubectl apply --server-side)
//   k8s.monitoring.dashboards     dashboard ConfigMaps for Grafana's sidecar
//   k8s.logging.loki              helm: Loki single binary
//   k8s.logging.alloy             helm: Alloy DaemonSet

import type { DeploySpec } from '../../../config/schema.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { CLUSTER_ADDONS, MONITORING } from '../../../catalog/infrastructure.js';
import { applyActions, releaseStep } from '../helm-release.js';
import { NAMESPACE_STEP } from '../names.js';
import { yamlDocuments } from '../yaml-docs.js';
import { monitoringChoices } from './choices.js';
import {
  dashboardConfigMaps,
  exporterServiceMonitor,
  grafanaAdminSecret,
  moduleServiceMonitors,
  prometheusRule,
} from './objects.js';
import { alloyValues, lokiValues, stackValues } from './values.js';
import type { KubernetesLayout } from '../layout.js';

export const MONITORING_STEPS = {
  grafanaAdmin: 'k8s.monitoring.grafana-admin',
  stack: 'k8s.monitoring.stack',
  monitors: 'k8s.monitoring.monitors',
  dashboards: 'k8s.monitoring.dashboards',
  loki: 'k8s.logging.loki',
  alloy: 'k8s.logging.alloy',
} as const;

/** Render paths (below `render --out DIR`) of the files these steps write. */
export const MONITORING_FILES = {
  grafanaAdmin: 'manifests/monitoring/grafana-admin-secret.yaml',
  monitors: 'manifests/monitoring/openim-monitors.yaml',
  rules: 'manifests/monitoring/openim-alerts.yaml',
  dashboards: 'manifests/monitoring/openim-dashboards.yaml',
} as const;

export function monitoringSteps(spec: DeploySpec, layout: KubernetesLayout, facts: KubernetesFacts): Step[] {
  if (!spec.monitoring.enabled) return [];
  const c = monitoringChoices(spec, facts);
  const stackAddon = CLUSTER_ADDONS['kube-prometheus-stack'];
  const steps: Step[] = [];

  if (c.bundledGrafana) {
    steps.push({
      id: MONITORING_STEPS.grafanaAdmin,
      title: 'Grafana admin credentials (Secret)',
      phase: 'monitoring',
      needs: [NAMESPACE_STEP],
      component: 'grafana',
      actions: applyActions(
        spec,
        MONITORING_FILES.grafanaAdmin,
        yamlDocuments([grafanaAdminSecret(layout)]),
        0o600,
        MONITORING_FILES.grafanaAdmin,
      ),
      retries: 2,
    });
  }

  if (c.stack) {
    steps.push(
      releaseStep(spec, {
        id: MONITORING_STEPS.stack,
        title: `Monitoring stack (${stackAddon.chart.name} ${stackAddon.chart.version})`,
        phase: 'monitoring',
        // Grafana lives in the OpenIM namespace and reads the admin Secret there.
        needs: c.bundledGrafana ? [NAMESPACE_STEP, MONITORING_STEPS.grafanaAdmin] : [NAMESPACE_STEP],
        name: MONITORING.releases.stack,
        namespace: stackAddon.namespace,
        chart: stackAddon.chart.name,
        repo: stackAddon.chart.repo,
        version: stackAddon.chart.version,
        values: stackValues(spec, layout, c),
        local: false,
        createNamespace: true,
        component: 'monitoring',
        retries: 1,
      }),
    );
  }

  const monitors = yamlDocuments([...moduleServiceMonitors(spec, layout), exporterServiceMonitor(layout)]);
  const rules = yamlDocuments([prometheusRule(spec, layout)]);
  if (c.applyOperatorObjects) {
    steps.push({
      id: MONITORING_STEPS.monitors,
      title: 'ServiceMonitors and alert rules',
      phase: 'monitoring',
      // The operator CRDs come with the stack when it is bundled.
      needs: c.bundledPrometheus ? [NAMESPACE_STEP, MONITORING_STEPS.stack] : [NAMESPACE_STEP],
      component: 'monitoring',
      actions: [
        ...applyActions(spec, MONITORING_FILES.monitors, monitors, 0o644, MONITORING_FILES.monitors),
        ...applyActions(spec, MONITORING_FILES.rules, rules, 0o644, MONITORING_FILES.rules),
      ],
      retries: 2,
    });
  } else {
    steps.push({
      id: MONITORING_STEPS.monitors,
      title: 'ServiceMonitors and alert rules (for your Prometheus)',
      phase: 'monitoring',
      needs: [],
      component: 'monitoring',
      actions: [
        {
          kind: 'write',
          path: MONITORING_FILES.monitors,
          mode: 0o644,
          content: monitors,
          render: MONITORING_FILES.monitors,
        },
        { kind: 'write', path: MONITORING_FILES.rules, mode: 0o644, content: rules, render: MONITORING_FILES.rules },
        {
          kind: 'note',
          text: `monitoring.prometheusUrl is set and the cluster has no Prometheus operator CRDs: scrape the OpenIM Services' "metrics" ports in namespace ${layout.namespace} and load the rules from ${MONITORING_FILES.rules} into your Prometheus`,
        },
      ],
    });
  }

  const dashboards = yamlDocuments(dashboardConfigMaps(spec, layout));
  steps.push({
    id: MONITORING_STEPS.dashboards,
    title: 'Grafana dashboards (ConfigMaps)',
    phase: 'monitoring',
    needs: [NAMESPACE_STEP],
    component: 'grafana',
    actions: c.bundledGrafana
      ? applyActions(spec, MONITORING_FILES.dashboards, dashboards, 0o644, MONITORING_FILES.dashboards)
      : [
          {
            kind: 'write',
            path: MONITORING_FILES.dashboards,
            mode: 0o644,
            content: dashboards,
            render: MONITORING_FILES.dashboards,
          },
          {
            kind: 'note',
            text: `monitoring.grafanaUrl is set: import the dashboards from ${MONITORING_FILES.dashboards} into ${spec.monitoring.grafanaUrl}`,
          },
        ],
    retries: 2,
  });
  return steps;
}

export function loggingSteps(spec: DeploySpec, layout: KubernetesLayout, _facts: KubernetesFacts): Step[] {
  if (!spec.logging.enabled) return [];
  const steps: Step[] = [];
  const loki = CLUSTER_ADDONS.loki;
  const alloy = CLUSTER_ADDONS.alloy;
  if (!spec.logging.lokiUrl) {
    steps.push(
      releaseStep(spec, {
        id: MONITORING_STEPS.loki,
        title: `Loki (${loki.chart.name} ${loki.chart.version}, single binary)`,
        phase: 'monitoring',
        needs: [],
        name: MONITORING.releases.loki,
        namespace: loki.namespace,
        chart: loki.chart.name,
        repo: loki.chart.repo,
        version: loki.chart.version,
        values: lokiValues(spec),
        local: false,
        createNamespace: true,
        component: 'logging',
      }),
    );
  }
  steps.push(
    releaseStep(spec, {
      id: MONITORING_STEPS.alloy,
      title: `Log shipping (${alloy.chart.name} ${alloy.chart.version})`,
      phase: 'monitoring',
      needs: spec.logging.lokiUrl ? [NAMESPACE_STEP] : [NAMESPACE_STEP, MONITORING_STEPS.loki],
      name: MONITORING.releases.alloy,
      namespace: alloy.namespace,
      chart: alloy.chart.name,
      repo: alloy.chart.repo,
      version: alloy.chart.version,
      values: alloyValues(spec, layout),
      local: false,
      createNamespace: true,
      component: 'logging',
    }),
  );
  return steps;
}
