// The Grafana Alloy pipelines that ship OpenIM logs to Loki, one per target.
// Every line carries `module`; Kubernetes lines also `namespace`, `pod`,
// `container`; host lines `unit`, `index` (the -i instance) and `level`.

import { block, expr, printAlloy, type AlloyBlock, type AlloyItem } from './alloy-syntax.js';
import { HOST_UNIT_PATTERN } from './context.js';

const HEADER = 'Written by openim-deploy; a re-run overwrites changes.';

/** `<base>/loki/api/v1/push` for a Loki base URL (a full push URL is kept as is). */
export function lokiPushUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/loki/api/v1/push') ? trimmed : `${trimmed}/loki/api/v1/push`;
}

/** The Loki base URL (Grafana datasource) for a base or push URL. */
export function lokiBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/loki\/api\/v1\/push$/, '');
}

const rule = (items: AlloyItem[]): AlloyBlock => block('rule', undefined, items);

function lokiWrite(pushUrl: string): AlloyBlock {
  return block('loki.write', 'default', [block('endpoint', undefined, [['url', pushUrl]])]);
}

/**
 * Kubernetes (Alloy DaemonSet): tail the container log files of the OpenIM
 * namespace's pods on this node (the chart mounts /var/log and sets HOSTNAME
 * to the node name).
 */
export function kubernetesAlloyConfig(namespace: string, pushUrl: string): string {
  return printAlloy(
    [
      block('discovery.kubernetes', 'pods', [
        ['role', 'pod'],
        block('namespaces', undefined, [['names', [namespace]]]),
        block('selectors', undefined, [
          ['role', 'pod'],
          ['field', expr('"spec.nodeName=" + sys.env("HOSTNAME")')],
        ]),
      ]),
      block('discovery.relabel', 'pods', [
        ['targets', expr('discovery.kubernetes.pods.targets')],
        rule([
          ['source_labels', ['__meta_kubernetes_namespace']],
          ['target_label', 'namespace'],
        ]),
        rule([
          ['source_labels', ['__meta_kubernetes_pod_name']],
          ['target_label', 'pod'],
        ]),
        rule([
          ['source_labels', ['__meta_kubernetes_pod_container_name']],
          ['target_label', 'container'],
        ]),
        // module: the container name, replaced by app.kubernetes.io/name where the pod has one (every OpenIM module does).
        rule([
          ['source_labels', ['__meta_kubernetes_pod_container_name']],
          ['target_label', 'module'],
        ]),
        rule([
          ['source_labels', ['__meta_kubernetes_pod_label_app_kubernetes_io_name']],
          ['regex', '(.+)'],
          ['target_label', 'module'],
        ]),
        rule([
          ['source_labels', ['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name']],
          ['separator', '/'],
          ['replacement', '/var/log/pods/*$1/*.log'],
          ['target_label', '__path__'],
        ]),
      ]),
      block('local.file_match', 'pods', [['path_targets', expr('discovery.relabel.pods.output')]]),
      block('loki.source.file', 'pods', [
        ['targets', expr('local.file_match.pods.targets')],
        ['forward_to', [expr('loki.process.pods.receiver')]],
      ]),
      // Container runtimes write CRI-formatted lines; cri {} unwraps them.
      block('loki.process', 'pods', [
        block('stage.cri', undefined, []),
        ['forward_to', [expr('loki.write.default.receiver')]],
      ]),
      lokiWrite(pushUrl),
    ],
    HEADER,
  );
}

/**
 * Hosts: journald is the log source (every unit logs to the journal; file
 * logs are optional). Units are `openim-<module>@<i>.service` with
 * SyslogIdentifier `<module>-<i>`; other openim*.service units (checks,
 * bundled infrastructure) keep their unit name as module.
 */
export function hostAlloyConfig(pushUrl: string): string {
  return printAlloy(
    [
      block('loki.relabel', 'journal', [
        ['forward_to', []],
        rule([
          ['source_labels', ['__journal__systemd_unit']],
          ['regex', HOST_UNIT_PATTERN],
          ['action', 'keep'],
        ]),
        rule([
          ['source_labels', ['__journal__systemd_unit']],
          ['target_label', 'unit'],
        ]),
        rule([
          ['source_labels', ['__journal__systemd_unit']],
          ['regex', '(.+)\\.service'],
          ['target_label', 'module'],
        ]),
        rule([
          ['source_labels', ['__journal_syslog_identifier']],
          ['regex', '(.+)-([0-9]+)'],
          ['replacement', '$1'],
          ['target_label', 'module'],
        ]),
        rule([
          ['source_labels', ['__journal_syslog_identifier']],
          ['regex', '.+-([0-9]+)'],
          ['replacement', '$1'],
          ['target_label', 'index'],
        ]),
        rule([
          ['source_labels', ['__journal_priority_keyword']],
          ['target_label', 'level'],
        ]),
      ]),
      block('loki.source.journal', 'openim', [
        ['forward_to', [expr('loki.write.default.receiver')]],
        ['relabel_rules', expr('loki.relabel.journal.rules')],
        ['labels', { host: expr('constants.hostname') }],
        ['max_age', '12h'],
      ]),
      lokiWrite(pushUrl),
    ],
    HEADER,
  );
}
