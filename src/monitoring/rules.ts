// Alerting rules for OpenIM, as data. The same groups become a
// PrometheusRule (Kubernetes) and a rules file (hosts); promtool checks and
// unit-tests them (test/monitoring). Restart tracking:
//   Kubernetes: kube-state-metrics' kube_pod_container_status_restarts_total
//               and the CrashLoopBackOff waiting reason.
//   Hosts:      node_exporter's systemd collector with
//               --collector.systemd.enable-restarts-metrics exports each
//               unit's NRestarts as node_systemd_service_restart_total;
//               unit state comes from node_systemd_unit_state.

import { KAFKA_CONSUMER_GROUPS } from '../catalog/modules.js';
import {
  HOST_UNIT_PATTERN,
  jobMatchers,
  namespaceMatchers,
  openimMatchers,
  type MonitoringContext,
} from './context.js';
import { anyOf, selector, type Matcher } from './promql.js';
import { FOR, THRESHOLDS } from './thresholds.js';

type Severity = 'critical' | 'warning';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity } & Record<string, string>;
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

const alert = (
  name: string,
  severity: Severity,
  expr: string,
  forDuration: string | undefined,
  summary: string,
  description: string,
): AlertRule => ({
  alert: name,
  expr,
  ...(forDuration ? { for: forDuration } : {}),
  labels: { severity, product: 'openim' },
  annotations: { summary, description },
});

/** Alert names, for docs and tests; every platform has each of the first five. */
export const ALERTS = {
  moduleDown: 'OpenIMModuleDown',
  instanceDown: 'OpenIMInstanceDown',
  moduleAbsent: 'OpenIMModuleAbsent',
  crashLooping: 'OpenIMCrashLooping',
  restartsHigh: 'OpenIMRestartsHigh',
  unitFailed: 'OpenIMUnitFailed',
  kafkaLagGrowing: 'OpenIMKafkaLagGrowing',
  volumeAlmostFull: 'OpenIMVolumeAlmostFull',
} as const;

/**
 * A group whose rules differ by platform. Kubernetes rules get the matchers of
 * OpenIM's namespace; host rules select by systemd unit or mount instead.
 */
function platformGroup(
  ctx: MonitoringContext,
  name: string,
  rules: { kubernetes: (namespace: Matcher[]) => AlertRule[]; host: AlertRule[] },
): RuleGroup {
  return { name, rules: ctx.platform === 'kubernetes' ? rules.kubernetes(namespaceMatchers(ctx)) : rules.host };
}

function availability(ctx: MonitoringContext): RuleGroup {
  const up = selector('up', openimMatchers(ctx));
  const by = ctx.platform === 'kubernetes' ? 'namespace, job' : 'job';
  const rules = [
    alert(
      ALERTS.moduleDown,
      'critical',
      `sum by (${by}) (${up}) == 0`,
      FOR.moduleDown,
      'OpenIM module {{ $labels.job }} is down',
      'Every metrics target of {{ $labels.job }} has failed its scrape for 2 minutes: the module is not running or not reachable.',
    ),
    alert(
      ALERTS.instanceDown,
      'warning',
      `${up} == 0`,
      FOR.instanceDown,
      'OpenIM instance {{ $labels.instance }} of {{ $labels.job }} is down',
      'Prometheus could not scrape {{ $labels.instance }} ({{ $labels.job }}) for 5 minutes.',
    ),
  ];
  if (ctx.jobs.length > 0) {
    // absent() keeps the equality matchers as labels, so each branch names its job.
    const absent = ctx.jobs.map((job) => `absent(${selector('up', jobMatchers(ctx, job))})`).join(' or ');
    rules.push(
      alert(
        ALERTS.moduleAbsent,
        'critical',
        absent,
        FOR.moduleAbsent,
        'OpenIM module {{ $labels.job }} has no metrics target',
        ctx.platform === 'kubernetes'
          ? 'No Service endpoint of {{ $labels.job }} is scraped: no ready pod, a missing Service or ServiceMonitor, or Prometheus cannot select it.'
          : 'No instance of {{ $labels.job }} is in the Prometheus configuration or Prometheus lost it.',
      ),
    );
  }
  return { name: 'openim.availability', rules };
}

function restarts(ctx: MonitoringContext): RuleGroup {
  const n = THRESHOLDS.restartsPerHour;
  const units = ['name', '=~', HOST_UNIT_PATTERN] as const;
  const restartsTotal = selector('node_systemd_service_restart_total', [units]);
  return platformGroup(ctx, 'openim.restarts', {
    kubernetes: (ns) => [
      alert(
        ALERTS.crashLooping,
        'critical',
        `max_over_time(${selector('kube_pod_container_status_waiting_reason', [...ns, ['reason', '=', 'CrashLoopBackOff']])}[5m]) >= 1`,
        FOR.crashLoop,
        'Container {{ $labels.container }} of {{ $labels.pod }} is crash-looping',
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) has been in CrashLoopBackOff for 10 minutes. See `openim-deploy logs` or `kubectl logs --previous`.',
      ),
      alert(
        ALERTS.restartsHigh,
        'warning',
        `increase(${selector('kube_pod_container_status_restarts_total', ns)}[1h]) > ${n}`,
        undefined,
        'Container {{ $labels.container }} restarted more than ' + n + ' times in an hour',
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) restarted {{ $value | humanize }} times in the last hour.',
      ),
    ],
    host: [
      alert(
        ALERTS.crashLooping,
        'critical',
        `increase(${restartsTotal}[15m]) >= ${THRESHOLDS.hostCrashLoopRestarts}`,
        undefined,
        'Unit {{ $labels.name }} is crash-looping',
        'systemd restarted {{ $labels.name }} {{ $value | humanize }} times in 15 minutes (NRestarts). See `journalctl -u {{ $labels.name }}`.',
      ),
      alert(
        ALERTS.restartsHigh,
        'warning',
        `increase(${restartsTotal}[1h]) > ${n}`,
        undefined,
        'Unit {{ $labels.name }} restarted more than ' + n + ' times in an hour',
        'systemd restarted {{ $labels.name }} {{ $value | humanize }} times in the last hour (NRestarts).',
      ),
      alert(
        ALERTS.unitFailed,
        'critical',
        `${selector('node_systemd_unit_state', [units, ['state', '=', 'failed']])} == 1`,
        FOR.unitFailed,
        'Unit {{ $labels.name }} has failed',
        'systemd gave up on {{ $labels.name }}. See `systemctl status {{ $labels.name }}`.',
      ),
    ],
  });
}

function kafka(): RuleGroup {
  const lag = selector('kafka_consumergroup_lag', [
    ['consumergroup', '=~', anyOf(Object.values(KAFKA_CONSUMER_GROUPS))],
  ]);
  const t = THRESHOLDS.kafkaLag;
  return {
    name: 'openim.kafka',
    rules: [
      alert(
        ALERTS.kafkaLagGrowing,
        'warning',
        `(sum by (consumergroup, topic) (${lag}) > ${t}) and (sum by (consumergroup, topic) (delta(${lag}[15m])) > 0)`,
        FOR.kafkaLag,
        'Kafka consumer group {{ $labels.consumergroup }} is falling behind on {{ $labels.topic }}',
        'The lag of {{ $labels.consumergroup }} on {{ $labels.topic }} is above ' +
          t +
          ' messages and still growing: msgtransfer or push cannot keep up (or is stuck).',
      ),
    ],
  };
}

function storage(ctx: MonitoringContext): RuleGroup {
  const ratio = THRESHOLDS.freeSpaceRatio;
  const fs = [
    ['fstype', '!~', 'tmpfs|ramfs|overlay|squashfs|nsfs|fuse.lxcfs'],
    ['mountpoint', '!~', '/(run|sys|proc|dev)(/.*)?'],
  ] as const;
  return platformGroup(ctx, 'openim.storage', {
    kubernetes: (ns) => [
      alert(
        ALERTS.volumeAlmostFull,
        'warning',
        `${selector('kubelet_volume_stats_available_bytes', ns)} / ${selector('kubelet_volume_stats_capacity_bytes', ns)} < ${ratio}`,
        FOR.volume,
        'Volume {{ $labels.persistentvolumeclaim }} is almost full',
        'PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free.',
      ),
    ],
    host: [
      alert(
        ALERTS.volumeAlmostFull,
        'warning',
        `${selector('node_filesystem_avail_bytes', fs)} / ${selector('node_filesystem_size_bytes', fs)} < ${ratio}`,
        FOR.volume,
        'Filesystem {{ $labels.mountpoint }} is almost full',
        'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) has {{ $value | humanizePercentage }} free; MongoDB, Kafka and logs live on it.',
      ),
    ],
  });
}

export function openimAlertGroups(ctx: MonitoringContext): RuleGroup[] {
  return [availability(ctx), restarts(ctx), kafka(), storage(ctx)];
}

/** A Prometheus rules file (`rule_files` / promtool check rules). */
export function rulesFile(groups: RuleGroup[]): { groups: RuleGroup[] } {
  return { groups };
}
