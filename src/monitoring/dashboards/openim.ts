// The project's own dashboards: overview, API, messaging, infrastructure and
// logs. Metric names come from open-im-server pkg/common/prommetrics (3.8):
// process_* and go_* on every module, http_count/api_count on openim-api,
// grpc_server_* (go-grpc-prometheus, handling-time histogram on) on every RPC
// module, online_user_num on msggateway, msg_insert_* on msgtransfer,
// *_chat_msg_process_* on rpc-msg, msg_offline_push_failed_total on push.
// Infrastructure panels use the de-facto exporter names: kafka_exporter
// (kafka_consumergroup_lag), percona mongodb_exporter (mongodb_ss_*) and
// redis_exporter (redis_*).

import { KAFKA_CONSUMER_GROUPS } from '../../catalog/modules.js';
import { HOST_UNIT_PATTERN, namespaceMatchers, type MonitoringContext } from '../context.js';
import { anyOf, selector, type Matcher } from '../promql.js';
import { customVariable, dashboard, datasourceVariable, LOKI, type Dashboard, type PanelSpec } from './grafana.js';

export interface DashboardOptions {
  /** Add the logs dashboard (Loki). */
  logs: boolean;
  /** Every module that writes logs (including those without metrics), for the logs dashboard. */
  logModules: string[];
}

const RATE = '5m';

function moduleMatchers(ctx: MonitoringContext): Matcher[] {
  return [...namespaceMatchers(ctx), ['job', '=~', '$module']];
}

function moduleVariable(ctx: MonitoringContext) {
  return customVariable('module', 'Module', ctx.jobs, anyOf(ctx.jobs));
}

function restartPanel(ctx: MonitoringContext): PanelSpec {
  if (ctx.platform === 'kubernetes') {
    return {
      type: 'timeseries',
      title: 'Container restarts in the last hour',
      description: 'kube-state-metrics restart counter, per container (module) in the OpenIM namespace.',
      queries: [
        {
          expr: `sum by (container) (increase(${selector('kube_pod_container_status_restarts_total', namespaceMatchers(ctx))}[1h]))`,
          legend: '{{container}}',
        },
      ],
    };
  }
  return {
    type: 'timeseries',
    title: 'Unit restarts in the last hour (NRestarts)',
    description: 'node_exporter systemd collector (--collector.systemd.enable-restarts-metrics).',
    queries: [
      {
        expr: `sum by (name) (increase(${selector('node_systemd_service_restart_total', [['name', '=~', HOST_UNIT_PATTERN]])}[1h]))`,
        legend: '{{name}}',
      },
    ],
  };
}

function overview(ctx: MonitoringContext): Dashboard {
  const m = moduleMatchers(ctx);
  const panels: PanelSpec[] = [
    {
      type: 'stat',
      title: 'Targets up per module',
      description: 'Scraped metrics targets answering, per module (0 = down).',
      queries: [{ expr: `sum by (job) (${selector('up', m)})`, legend: '{{job}}' }],
      width: 24,
    },
    restartPanel(ctx),
    {
      type: 'timeseries',
      title: 'Targets down',
      queries: [{ expr: `sum by (job) (${selector('up', m)} == bool 0)`, legend: '{{job}}' }],
    },
    {
      type: 'timeseries',
      title: 'CPU per module (cores)',
      queries: [
        { expr: `sum by (job) (rate(${selector('process_cpu_seconds_total', m)}[${RATE}]))`, legend: '{{job}}' },
      ],
    },
    {
      type: 'timeseries',
      title: 'Memory per module (resident)',
      unit: 'bytes',
      queries: [{ expr: `sum by (job) (${selector('process_resident_memory_bytes', m)})`, legend: '{{job}}' }],
    },
    {
      type: 'timeseries',
      title: 'Goroutines per module',
      queries: [{ expr: `sum by (job) (${selector('go_goroutines', m)})`, legend: '{{job}}' }],
    },
    {
      type: 'timeseries',
      title: 'Open file descriptors per module',
      queries: [{ expr: `sum by (job) (${selector('process_open_fds', m)})`, legend: '{{job}}' }],
    },
  ];
  if (ctx.platform === 'kubernetes') {
    const containers: Matcher[] = [...namespaceMatchers(ctx), ['container', '!=', ''], ['container', '!=', 'POD']];
    panels.push(
      {
        type: 'timeseries',
        title: 'Container CPU (all containers in the namespace)',
        queries: [
          {
            expr: `sum by (container) (rate(${selector('container_cpu_usage_seconds_total', containers)}[${RATE}]))`,
            legend: '{{container}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'Container memory working set',
        unit: 'bytes',
        queries: [
          {
            expr: `sum by (container) (${selector('container_memory_working_set_bytes', containers)})`,
            legend: '{{container}}',
          },
        ],
      },
    );
  }
  return dashboard({
    uid: 'openim-overview',
    title: 'OpenIM / Overview',
    description: 'Up, restarts, CPU and memory of every OpenIM module.',
    variables: [datasourceVariable('prometheus'), moduleVariable(ctx)],
    panels,
  });
}

function api(ctx: MonitoringContext): Dashboard {
  const apiSel = (metric: string, extra: Matcher[] = []) =>
    selector(metric, [...namespaceMatchers(ctx), ['job', '=', 'openim-api'], ...extra]);
  const rpc: Matcher[] = [...namespaceMatchers(ctx), ['job', '=~', '$module']];
  const bucket = selector('grpc_server_handling_seconds_bucket', rpc);
  const quantile = (q: number) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${bucket}[${RATE}])))`,
    legend: `p${Math.round(q * 100)}`,
  });
  return dashboard({
    uid: 'openim-api',
    title: 'OpenIM / API and RPC',
    description:
      'openim-api request rate by path and status, OpenIM error codes, and the latency of the RPC calls behind the API (3.8 exports no HTTP latency histogram).',
    variables: [datasourceVariable('prometheus'), moduleVariable(ctx)],
    panels: [
      {
        type: 'stat',
        title: 'API requests per second',
        queries: [{ expr: `sum(rate(${apiSel('http_count')}[${RATE}]))` }],
        width: 8,
        redBelow: 0,
      },
      {
        type: 'stat',
        title: 'API errors per second (errCode != 0)',
        queries: [{ expr: `sum(rate(${apiSel('api_count', [['code', '!=', '0']])}[${RATE}])) or vector(0)` }],
        width: 8,
        redBelow: 0,
      },
      {
        type: 'stat',
        title: 'HTTP 5xx per second',
        queries: [{ expr: `sum(rate(${apiSel('http_count', [['status', '=~', '5..']])}[${RATE}])) or vector(0)` }],
        width: 8,
        redBelow: 0,
      },
      {
        type: 'timeseries',
        title: 'Requests by path (top 10)',
        unit: 'reqps',
        queries: [{ expr: `topk(10, sum by (path) (rate(${apiSel('http_count')}[${RATE}])))`, legend: '{{path}}' }],
      },
      {
        type: 'timeseries',
        title: 'Requests by HTTP status',
        unit: 'reqps',
        queries: [{ expr: `sum by (status) (rate(${apiSel('http_count')}[${RATE}]))`, legend: '{{status}}' }],
      },
      {
        type: 'timeseries',
        title: 'OpenIM error codes',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (code) (rate(${apiSel('api_count', [['code', '!=', '0']])}[${RATE}]))`,
            legend: 'errCode {{code}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'RPC latency (server side, selected modules)',
        unit: 's',
        queries: [quantile(0.5), quantile(0.95), quantile(0.99)],
      },
      {
        type: 'timeseries',
        title: 'RPC p95 latency by service',
        unit: 's',
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (le, grpc_service) (rate(${bucket}[${RATE}])))`,
            legend: '{{grpc_service}}',
          },
        ],
      },
      {
        type: 'timeseries',
        title: 'RPC calls by service and code',
        unit: 'reqps',
        queries: [
          {
            expr: `sum by (grpc_service, grpc_code) (rate(${selector('grpc_server_handled_total', rpc)}[${RATE}]))`,
            legend: '{{grpc_service}} {{grpc_code}}',
          },
        ],
      },
    ],
  });
}

function messaging(ctx: MonitoringContext): Dashboard {
  const job = (name: string) => [...namespaceMatchers(ctx), ['job', '=', name]] as Matcher[];
  const rate = (metric: string, name: string) => `sum(rate(${selector(metric, job(name))}[${RATE}]))`;
  const lag = selector('kafka_consumergroup_lag', [
    ['consumergroup', '=~', anyOf(Object.values(KAFKA_CONSUMER_GROUPS))],
  ]);
  return dashboard({
    uid: 'openim-messaging',
    title: 'OpenIM / Messaging',
    description:
      'Online connections, the message pipeline (msgtransfer → Redis/Mongo, push) and Kafka consumer lag of the msgtransfer and push groups.',
    variables: [datasourceVariable('prometheus')],
    panels: [
      {
        type: 'stat',
        title: 'Online users (all gateways)',
        queries: [{ expr: `sum(${selector('online_user_num', job('openim-msggateway'))})` }],
        width: 8,
        redBelow: 0,
      },
      {
        type: 'timeseries',
        title: 'Online users per gateway instance',
        queries: [
          {
            expr: `sum by (instance) (${selector('online_user_num', job('openim-msggateway'))})`,
            legend: '{{instance}}',
          },
        ],
        width: 16,
      },
      {
        type: 'timeseries',
        title: 'msgtransfer: messages stored',
        unit: 'ops',
        queries: [
          { expr: rate('msg_insert_redis_success_total', 'openim-msgtransfer'), legend: 'Redis ok' },
          { expr: rate('msg_insert_redis_failed_total', 'openim-msgtransfer'), legend: 'Redis failed' },
          { expr: rate('msg_insert_mongo_success_total', 'openim-msgtransfer'), legend: 'Mongo ok' },
          { expr: rate('msg_insert_mongo_failed_total', 'openim-msgtransfer'), legend: 'Mongo failed' },
          { expr: rate('seq_set_failed_total', 'openim-msgtransfer'), legend: 'seq set failed' },
        ],
      },
      {
        type: 'timeseries',
        title: 'rpc-msg: messages processed',
        unit: 'ops',
        queries: [
          { expr: rate('single_chat_msg_process_success_total', 'openim-rpc-msg'), legend: 'single ok' },
          { expr: rate('single_chat_msg_process_failed_total', 'openim-rpc-msg'), legend: 'single failed' },
          { expr: rate('group_chat_msg_process_success_total', 'openim-rpc-msg'), legend: 'group ok' },
          { expr: rate('group_chat_msg_process_failed_total', 'openim-rpc-msg'), legend: 'group failed' },
        ],
      },
      {
        type: 'timeseries',
        title: 'Offline push failures',
        unit: 'ops',
        queries: [{ expr: rate('msg_offline_push_failed_total', 'openim-push'), legend: 'failed' }],
      },
      {
        type: 'timeseries',
        title: 'Kafka consumer lag (msgtransfer and push groups)',
        description: 'kafka_exporter: messages not yet consumed, per consumer group and topic.',
        queries: [{ expr: `sum by (consumergroup, topic) (${lag})`, legend: '{{consumergroup}} / {{topic}}' }],
      },
    ],
  });
}

function infrastructure(ctx: MonitoringContext): Dashboard {
  const ns = namespaceMatchers(ctx);
  const sel = (metric: string, extra: Matcher[] = []) => selector(metric, [...ns, ...extra]);
  const panels: PanelSpec[] = [
    { type: 'stat', title: 'MongoDB up', queries: [{ expr: `sum(${sel('mongodb_up')})` }], width: 6 },
    { type: 'stat', title: 'Redis up', queries: [{ expr: `sum(${sel('redis_up')})` }], width: 6 },
    { type: 'stat', title: 'Kafka brokers', queries: [{ expr: `max(${sel('kafka_brokers')})` }], width: 6 },
    {
      type: 'stat',
      title: 'Redis connected clients',
      queries: [{ expr: `sum(${sel('redis_connected_clients')})` }],
      width: 6,
      redBelow: 0,
    },
    {
      type: 'timeseries',
      title: 'MongoDB connections',
      queries: [
        {
          expr: `sum by (instance) (${sel('mongodb_ss_connections', [['conn_type', '=', 'current']])})`,
          legend: '{{instance}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'MongoDB operations',
      unit: 'ops',
      queries: [
        {
          expr: `sum by (legacy_op_type) (rate(${sel('mongodb_ss_opcounters')}[${RATE}]))`,
          legend: '{{legacy_op_type}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Redis memory used',
      unit: 'bytes',
      queries: [{ expr: `sum by (instance) (${sel('redis_memory_used_bytes')})`, legend: '{{instance}}' }],
    },
    {
      type: 'timeseries',
      title: 'Redis commands',
      unit: 'ops',
      queries: [
        { expr: `sum by (instance) (rate(${sel('redis_commands_processed_total')}[${RATE}]))`, legend: '{{instance}}' },
      ],
    },
    {
      type: 'timeseries',
      title: 'Redis keyspace hit ratio',
      unit: 'percentunit',
      queries: [
        {
          expr: `sum(rate(${sel('redis_keyspace_hits_total')}[${RATE}])) / clamp_min(sum(rate(${sel('redis_keyspace_hits_total')}[${RATE}])) + sum(rate(${sel('redis_keyspace_misses_total')}[${RATE}])), 1e-9)`,
        },
      ],
    },
  ];
  if (ctx.platform === 'host') {
    panels.push(
      {
        type: 'timeseries',
        title: 'Host CPU busy',
        unit: 'percentunit',
        queries: [{ expr: `1 - avg(rate(${selector('node_cpu_seconds_total', [['mode', '=', 'idle']])}[${RATE}]))` }],
      },
      {
        type: 'timeseries',
        title: 'Host memory used',
        unit: 'percentunit',
        queries: [{ expr: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes' }],
      },
      {
        type: 'timeseries',
        title: 'Filesystem free',
        unit: 'percentunit',
        queries: [
          {
            expr: `${selector('node_filesystem_avail_bytes', [['fstype', '!~', 'tmpfs|overlay|squashfs']])} / ${selector('node_filesystem_size_bytes', [['fstype', '!~', 'tmpfs|overlay|squashfs']])}`,
            legend: '{{mountpoint}}',
          },
        ],
      },
    );
  } else {
    panels.push({
      type: 'timeseries',
      title: 'Volume free (PVCs in the namespace)',
      unit: 'percentunit',
      queries: [
        {
          expr: `${sel('kubelet_volume_stats_available_bytes')} / ${sel('kubelet_volume_stats_capacity_bytes')}`,
          legend: '{{persistentvolumeclaim}}',
        },
      ],
    });
  }
  return dashboard({
    uid: 'openim-infrastructure',
    title: 'OpenIM / Infrastructure',
    description: 'MongoDB, Redis and Kafka basics from their exporters, and free space.',
    variables: [datasourceVariable('prometheus')],
    panels,
  });
}

function logs(ctx: MonitoringContext, modules: string[]): Dashboard {
  const labels =
    ctx.platform === 'kubernetes'
      ? `namespace=${JSON.stringify(ctx.namespace)}, module=~"$module"`
      : 'module=~"$module"';
  return dashboard({
    uid: 'openim-logs',
    title: 'OpenIM / Logs',
    description: 'Logs of every OpenIM module from Loki, labelled by module.',
    variables: [datasourceVariable('loki'), customVariable('module', 'Module', modules, '.+')],
    panels: [
      {
        type: 'timeseries',
        title: 'Log lines per module',
        datasource: LOKI,
        queries: [{ expr: `sum by (module) (count_over_time({${labels}}[1m]))`, legend: '{{module}}' }],
        width: 24,
        height: 6,
      },
      {
        type: 'timeseries',
        title: 'Error lines per module',
        datasource: LOKI,
        queries: [
          { expr: `sum by (module) (count_over_time({${labels}} |~ "(?i)error|panic" [1m]))`, legend: '{{module}}' },
        ],
        width: 24,
        height: 6,
      },
      { type: 'logs', title: 'Logs', datasource: LOKI, queries: [{ expr: `{${labels}}` }], width: 24, height: 16 },
    ],
  });
}

export function openimDashboards(ctx: MonitoringContext, options: DashboardOptions): Dashboard[] {
  const all = [overview(ctx), api(ctx), messaging(ctx), infrastructure(ctx)];
  return options.logs ? [...all, logs(ctx, options.logModules)] : all;
}
