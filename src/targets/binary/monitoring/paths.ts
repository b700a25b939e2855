// Where monitoring lives on a host, below the binary layout:
//   <configDir>/monitoring/{prometheus.yml, rules/, loki.yml, alloy.alloy, grafana/…}
//   <dataDir>/monitoring/{prometheus,loki,alloy,grafana}/
//   <prefix>/infra/<component>-<version>/   (Loki, Alloy, Grafana archives)

import type { DeploySpec } from '../../../config/schema.js';
import { binaryLayout } from '../layout.js';

export interface MonitoringPaths {
  configDir: string;
  rulesDir: string;
  prometheusConfig: string;
  lokiConfig: string;
  alloyConfig: string;
  grafanaDir: string;
  grafanaEnv: string;
  grafanaProvisioning: string;
  grafanaDashboards: string;
  dataDir: string;
  data: { prometheus: string; loki: string; alloy: string; grafana: string };
  infraRoot: string;
}

export function monitoringPaths(spec: DeploySpec): MonitoringPaths {
  const layout = binaryLayout(spec);
  const configDir = `${layout.configDir}/monitoring`;
  const dataDir = `${layout.dataDir}/monitoring`;
  const grafanaDir = `${configDir}/grafana`;
  return {
    configDir,
    rulesDir: `${configDir}/rules`,
    prometheusConfig: `${configDir}/prometheus.yml`,
    lokiConfig: `${configDir}/loki.yml`,
    alloyConfig: `${configDir}/alloy.alloy`,
    grafanaDir,
    grafanaEnv: `${grafanaDir}/grafana.env`,
    grafanaProvisioning: `${grafanaDir}/provisioning`,
    grafanaDashboards: `${grafanaDir}/dashboards`,
    dataDir,
    data: {
      prometheus: `${dataDir}/prometheus`,
      loki: `${dataDir}/loki`,
      alloy: `${dataDir}/alloy`,
      grafana: `${dataDir}/grafana`,
    },
    infraRoot: layout.infraRoot,
  };
}
