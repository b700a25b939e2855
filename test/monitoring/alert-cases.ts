// Synthetic series for `promtool test rules`: for each alert a case where it
// fires (with the exact labels and expanded annotations) and a case where it
// must stay silent. Expected texts are written out here on purpose: they are
// what an operator reads.

import { modulePort } from '../../src/catalog/modules.js';
import { ALERTS, THRESHOLDS, type MonitoringContext } from '../../src/monitoring/index.js';

interface Expected {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertCase {
  name: string;
  alertname: string;
  series: { series: string; values: string }[];
  evalTime: string;
  expected: Expected[];
}

const base = (severity: string) => ({ severity, product: 'openim' });

/** Every case for a platform; `ctx.jobs` gives the modules. */
export function alertCases(ctx: MonitoringContext): AlertCase[] {
  const k8s = ctx.platform === 'kubernetes';
  const ns: Record<string, string> = k8s ? { namespace: ctx.namespace } : {};
  const nsSel = k8s ? `namespace="${ctx.namespace}", ` : '';
  const api = 'openim-api';
  const metrics = modulePort(api, 'metrics');
  const inst = (i: number) => (k8s ? `10.0.0.${i + 1}:${metrics}` : `127.0.0.1:${metrics + i}`);
  const extra = (i: number): Record<string, string> =>
    k8s ? { pod: `openim-api-${i}` } : { unit: `openim-api@${i}.service`, index: String(i) };
  const labelText = (labels: Record<string, string>) =>
    Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ');
  const up = (i: number, values: string) => ({
    series: `up{${nsSel}job="${api}", instance="${inst(i)}", ${labelText(extra(i))}}`,
    values,
  });
  const missing = ctx.jobs[ctx.jobs.length - 1]!;
  const everyJobUp = ctx.jobs
    .filter((j) => j !== missing)
    .map((job) => ({ series: `up{${nsSel}job="${job}", instance="x:1"}`, values: '1x20' }));

  const cases: AlertCase[] = [
    {
      name: 'module down: every target of openim-api fails',
      alertname: ALERTS.moduleDown,
      series: [up(0, '0x10'), up(1, '0x10')],
      evalTime: '3m',
      expected: [
        {
          labels: { ...base('critical'), ...ns, job: api },
          annotations: {
            summary: 'OpenIM module openim-api is down',
            description:
              'Every metrics target of openim-api has failed its scrape for 2 minutes: the module is not running or not reachable.',
          },
        },
      ],
    },
    {
      name: 'module down: one target still up',
      alertname: ALERTS.moduleDown,
      series: [up(0, '0x10'), up(1, '1x10')],
      evalTime: '3m',
      expected: [],
    },
    {
      name: 'instance down after 5 minutes',
      alertname: ALERTS.instanceDown,
      series: [up(0, '0x10'), up(1, '1x10')],
      evalTime: '6m',
      expected: [
        {
          labels: { ...base('warning'), ...ns, job: api, instance: inst(0), ...extra(0) },
          annotations: {
            summary: `OpenIM instance ${inst(0)} of openim-api is down`,
            description: `Prometheus could not scrape ${inst(0)} (openim-api) for 5 minutes.`,
          },
        },
      ],
    },
    {
      name: 'instance down: not yet 5 minutes',
      alertname: ALERTS.instanceDown,
      series: [up(0, '1 1 1 0 0 0 0 0')],
      evalTime: '6m',
      expected: [],
    },
    {
      name: `module absent: no target for ${missing}`,
      alertname: ALERTS.moduleAbsent,
      series: everyJobUp,
      evalTime: '11m',
      expected: [
        {
          labels: { ...base('critical'), ...ns, job: missing },
          annotations: {
            summary: `OpenIM module ${missing} has no metrics target`,
            description: k8s
              ? `No Service endpoint of ${missing} is scraped: no ready pod, a missing Service or ServiceMonitor, or Prometheus cannot select it.`
              : `No instance of ${missing} is in the Prometheus configuration or Prometheus lost it.`,
          },
        },
      ],
    },
    {
      name: 'module absent: every module has a target',
      alertname: ALERTS.moduleAbsent,
      series: [...everyJobUp, { series: `up{${nsSel}job="${missing}", instance="x:1"}`, values: '1x20' }],
      evalTime: '11m',
      expected: [],
    },
  ];

  const n = THRESHOLDS.restartsPerHour;
  if (k8s) {
    const pod = { namespace: ctx.namespace, pod: 'openim-rpc-user-5d9c-abcde', container: 'openim-rpc-user' };
    cases.push(
      {
        name: 'crash-looping container',
        alertname: ALERTS.crashLooping,
        series: [
          {
            series: `kube_pod_container_status_waiting_reason{${labelText({ ...pod, reason: 'CrashLoopBackOff' })}}`,
            values: '1x20',
          },
        ],
        evalTime: '15m',
        expected: [
          {
            labels: { ...base('critical'), ...pod, reason: 'CrashLoopBackOff' },
            annotations: {
              summary: 'Container openim-rpc-user of openim-rpc-user-5d9c-abcde is crash-looping',
              description: `Pod ${ctx.namespace}/openim-rpc-user-5d9c-abcde (openim-rpc-user) has been in CrashLoopBackOff for 10 minutes. See \`openim-deploy logs\` or \`kubectl logs --previous\`.`,
            },
          },
        ],
      },
      {
        name: 'crash-looping: another namespace is not ours',
        alertname: ALERTS.crashLooping,
        series: [
          {
            series: `kube_pod_container_status_waiting_reason{${labelText({ ...pod, namespace: 'other', reason: 'CrashLoopBackOff' })}}`,
            values: '1x20',
          },
        ],
        evalTime: '15m',
        expected: [],
      },
      {
        name: `more than ${n} restarts in an hour`,
        alertname: ALERTS.restartsHigh,
        series: [{ series: `kube_pod_container_status_restarts_total{${labelText(pod)}}`, values: '0+1x60' }],
        evalTime: '60m',
        expected: [
          {
            labels: { ...base('warning'), ...pod },
            annotations: {
              summary: `Container openim-rpc-user restarted more than ${n} times in an hour`,
              description: `Pod ${ctx.namespace}/openim-rpc-user-5d9c-abcde (openim-rpc-user) restarted 60 times in the last hour.`,
            },
          },
        ],
      },
      {
        name: 'two restarts in an hour are fine',
        alertname: ALERTS.restartsHigh,
        series: [{ series: `kube_pod_container_status_restarts_total{${labelText(pod)}}`, values: '0x30 1x15 2x15' }],
        evalTime: '60m',
        expected: [],
      },
    );
  } else {
    const unit = { name: 'openim-rpc-user@0.service' };
    cases.push(
      {
        name: 'crash-looping unit (NRestarts climbing)',
        alertname: ALERTS.crashLooping,
        series: [{ series: `node_systemd_service_restart_total{${labelText(unit)}}`, values: '0+1x30' }],
        evalTime: '15m',
        expected: [
          {
            labels: { ...base('critical'), ...unit },
            annotations: {
              summary: 'Unit openim-rpc-user@0.service is crash-looping',
              description:
                'systemd restarted openim-rpc-user@0.service 15 times in 15 minutes (NRestarts). See `journalctl -u openim-rpc-user@0.service`.',
            },
          },
        ],
      },
      {
        name: 'crash-looping: units of other software are ignored',
        alertname: ALERTS.crashLooping,
        series: [{ series: 'node_systemd_service_restart_total{name="sshd.service"}', values: '0+1x30' }],
        evalTime: '15m',
        expected: [],
      },
      {
        name: `more than ${n} unit restarts in an hour`,
        alertname: ALERTS.restartsHigh,
        series: [{ series: `node_systemd_service_restart_total{${labelText(unit)}}`, values: '0+1x60' }],
        evalTime: '60m',
        expected: [
          {
            labels: { ...base('warning'), ...unit },
            annotations: {
              summary: `Unit openim-rpc-user@0.service restarted more than ${n} times in an hour`,
              description: 'systemd restarted openim-rpc-user@0.service 60 times in the last hour (NRestarts).',
            },
          },
        ],
      },
      {
        name: 'two unit restarts in an hour are fine',
        alertname: ALERTS.restartsHigh,
        series: [{ series: `node_systemd_service_restart_total{${labelText(unit)}}`, values: '0x30 1x15 2x15' }],
        evalTime: '60m',
        expected: [],
      },
      {
        name: 'failed unit',
        alertname: ALERTS.unitFailed,
        series: [
          {
            series: `node_systemd_unit_state{${labelText({ ...unit, state: 'failed', type: 'simple' })}}`,
            values: '1x5',
          },
        ],
        evalTime: '3m',
        expected: [
          {
            labels: { ...base('critical'), ...unit, state: 'failed', type: 'simple' },
            annotations: {
              summary: 'Unit openim-rpc-user@0.service has failed',
              description:
                'systemd gave up on openim-rpc-user@0.service. See `systemctl status openim-rpc-user@0.service`.',
            },
          },
        ],
      },
      {
        name: 'active unit',
        alertname: ALERTS.unitFailed,
        series: [
          {
            series: `node_systemd_unit_state{${labelText({ ...unit, state: 'failed', type: 'simple' })}}`,
            values: '0x5',
          },
        ],
        evalTime: '3m',
        expected: [],
      },
    );
  }

  const lagLabels = { consumergroup: 'push', topic: 'toPush' };
  cases.push(
    {
      name: 'Kafka lag above the threshold and growing',
      alertname: ALERTS.kafkaLagGrowing,
      series: [
        {
          series: `kafka_consumergroup_lag{${labelText({ ...lagLabels, partition: '0' })}}`,
          values: `${THRESHOLDS.kafkaLag}+100x40`,
        },
        { series: `kafka_consumergroup_lag{${labelText({ ...lagLabels, partition: '1' })}}`, values: '10x40' },
      ],
      evalTime: '20m',
      expected: [
        {
          labels: { ...base('warning'), ...lagLabels },
          annotations: {
            summary: 'Kafka consumer group push is falling behind on toPush',
            description: `The lag of push on toPush is above ${THRESHOLDS.kafkaLag} messages and still growing: msgtransfer or push cannot keep up (or is stuck).`,
          },
        },
      ],
    },
    {
      name: 'Kafka lag high but shrinking',
      alertname: ALERTS.kafkaLagGrowing,
      series: [
        { series: `kafka_consumergroup_lag{${labelText({ ...lagLabels, partition: '0' })}}`, values: '9000-100x40' },
      ],
      evalTime: '20m',
      expected: [],
    },
    {
      name: 'Kafka lag of a group that is not OpenIM',
      alertname: ALERTS.kafkaLagGrowing,
      series: [
        { series: 'kafka_consumergroup_lag{consumergroup="other", topic="t", partition="0"}', values: '5000+100x40' },
      ],
      evalTime: '20m',
      expected: [],
    },
  );

  if (k8s) {
    const pvc = { namespace: ctx.namespace, persistentvolumeclaim: 'data-openim-mongodb-0' };
    cases.push(
      {
        name: 'PVC with 5% free',
        alertname: ALERTS.volumeAlmostFull,
        series: [
          { series: `kubelet_volume_stats_available_bytes{${labelText(pvc)}}`, values: '5x10' },
          { series: `kubelet_volume_stats_capacity_bytes{${labelText(pvc)}}`, values: '100x10' },
        ],
        evalTime: '6m',
        expected: [
          {
            labels: { ...base('warning'), ...pvc },
            annotations: {
              summary: 'Volume data-openim-mongodb-0 is almost full',
              description: `PVC ${ctx.namespace}/data-openim-mongodb-0 has 5% free.`,
            },
          },
        ],
      },
      {
        name: 'PVC half full',
        alertname: ALERTS.volumeAlmostFull,
        series: [
          { series: `kubelet_volume_stats_available_bytes{${labelText(pvc)}}`, values: '50x10' },
          { series: `kubelet_volume_stats_capacity_bytes{${labelText(pvc)}}`, values: '100x10' },
        ],
        evalTime: '6m',
        expected: [],
      },
    );
  } else {
    const fs = { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/var/lib/openim' };
    const tmp = { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/tmp' };
    cases.push(
      {
        name: 'filesystem with 5% free',
        alertname: ALERTS.volumeAlmostFull,
        series: [
          { series: `node_filesystem_avail_bytes{${labelText(fs)}}`, values: '5x10' },
          { series: `node_filesystem_size_bytes{${labelText(fs)}}`, values: '100x10' },
        ],
        evalTime: '6m',
        expected: [
          {
            labels: { ...base('warning'), ...fs },
            annotations: {
              summary: 'Filesystem /var/lib/openim is almost full',
              description: 'Filesystem /var/lib/openim (/dev/sda1) has 5% free; MongoDB, Kafka and logs live on it.',
            },
          },
        ],
      },
      {
        name: 'tmpfs filling up is not our business',
        alertname: ALERTS.volumeAlmostFull,
        series: [
          { series: `node_filesystem_avail_bytes{${labelText(tmp)}}`, values: '1x10' },
          { series: `node_filesystem_size_bytes{${labelText(tmp)}}`, values: '100x10' },
        ],
        evalTime: '6m',
        expected: [],
      },
    );
  }
  return cases;
}

/** A promtool test file for one case. */
export function promtoolTestFile(ruleFile: string, c: AlertCase): object {
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: c.name,
        interval: '1m',
        input_series: c.series,
        alert_rule_test: [
          {
            eval_time: c.evalTime,
            alertname: c.alertname,
            exp_alerts: c.expected.map((e) => ({ exp_labels: e.labels, exp_annotations: e.annotations })),
          },
        ],
      },
    ],
  };
}
