// Grafana on a host: configured through environment variables (no INI file
// to template), datasources and dashboards provisioned from files.

import { stringify } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import { MONITORING } from '../../../catalog/infrastructure.js';
import { lokiBaseUrl } from '../../../monitoring/log-shipping.js';
import { secretRef } from '../../../secrets/secrets.js';
import { hostMonitoringChoices } from './choices.js';
import { monitoringPaths } from './paths.js';

/** `openim-api.yml prometheus.grafanaURL` on a host: the user's Grafana, else the bundled one on its port. */
export function hostGrafanaUrl(spec: DeploySpec): string {
  if (!spec.monitoring.enabled) return '';
  return spec.monitoring.grafanaUrl || `http://${spec.openim.domain || '127.0.0.1'}:${MONITORING.hostPorts.grafana}/`;
}

function hostPrometheusUrl(spec: DeploySpec): string {
  return spec.monitoring.prometheusUrl || `http://127.0.0.1:${MONITORING.hostPorts.prometheus}`;
}

export function hostLokiUrl(spec: DeploySpec): string {
  return spec.logging.lokiUrl ? lokiBaseUrl(spec.logging.lokiUrl) : `http://127.0.0.1:${MONITORING.hostPorts.loki}`;
}

/** EnvironmentFile= of the Grafana unit (0600: it holds the admin password placeholder). */
export function grafanaEnvironment(spec: DeploySpec): Record<string, string> {
  const paths = monitoringPaths(spec);
  return {
    GF_PATHS_DATA: paths.data.grafana,
    GF_PATHS_LOGS: `${paths.data.grafana}/log`,
    GF_PATHS_PLUGINS: `${paths.data.grafana}/plugins`,
    GF_PATHS_PROVISIONING: paths.grafanaProvisioning,
    GF_SERVER_HTTP_PORT: String(MONITORING.hostPorts.grafana),
    GF_SERVER_ROOT_URL: hostGrafanaUrl(spec),
    GF_SECURITY_ADMIN_USER: 'admin',
    GF_SECURITY_ADMIN_PASSWORD: secretRef('grafana.adminPassword'),
    GF_USERS_ALLOW_SIGN_UP: 'false',
    GF_ANALYTICS_REPORTING_ENABLED: 'false',
    GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
  };
}

export { environmentFileText } from '../env-file.js';

export function grafanaDatasources(spec: DeploySpec): string {
  const sources: object[] = [
    {
      name: 'Prometheus',
      type: 'prometheus',
      uid: 'prometheus',
      url: hostPrometheusUrl(spec),
      access: 'proxy',
      isDefault: true,
    },
  ];
  if (hostMonitoringChoices(spec).alloy)
    sources.push({
      name: 'Loki',
      type: 'loki',
      uid: 'loki',
      url: hostLokiUrl(spec),
      access: 'proxy',
      isDefault: false,
    });
  return stringify({ apiVersion: 1, datasources: sources }, { lineWidth: 0 });
}

export function grafanaDashboardProvider(spec: DeploySpec): string {
  const paths = monitoringPaths(spec);
  return stringify(
    {
      apiVersion: 1,
      providers: [
        {
          name: 'openim',
          folder: 'OpenIM',
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: true,
          options: { path: paths.grafanaDashboards },
        },
      ],
    },
    { lineWidth: 0 },
  );
}
