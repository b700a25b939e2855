import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { monitoringContext } from './context.js';
import { ALERTS, openimAlertGroups } from './rules.js';
import { requiredSets } from '../../test/helpers/config-presets.js';

const ctxOf = (preset: string, sets: string[] = []) =>
  monitoringContext(
    resolveConfig({ preset, sets: ['kubernetes.namespace=openim', ...requiredSets(preset), ...sets] }).spec,
  );

describe('alert rules', () => {
  const k8s = openimAlertGroups(ctxOf('production', ['openim.domain=im.example.com']));
  const host = openimAlertGroups(ctxOf('single-host'));
  const names = (groups: typeof k8s) => groups.flatMap((g) => g.rules.map((r) => r.alert));

  it('cover module down, crash-looping, restarts per hour, Kafka lag and free space on both targets', () => {
    for (const groups of [k8s, host]) {
      expect(names(groups)).toEqual(
        expect.arrayContaining([
          ALERTS.moduleDown,
          ALERTS.instanceDown,
          ALERTS.moduleAbsent,
          ALERTS.crashLooping,
          ALERTS.restartsHigh,
          ALERTS.kafkaLagGrowing,
          ALERTS.volumeAlmostFull,
        ]),
      );
    }
    expect(names(host)).toContain(ALERTS.unitFailed);
  });

  it('track restarts through kube-state-metrics on Kubernetes and NRestarts on hosts', () => {
    const expr = (groups: typeof k8s, alert: string) =>
      groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!.expr;
    expect(expr(k8s, ALERTS.restartsHigh)).toContain('kube_pod_container_status_restarts_total{namespace="openim"}');
    expect(expr(k8s, ALERTS.crashLooping)).toContain('CrashLoopBackOff');
    expect(expr(host, ALERTS.restartsHigh)).toContain('node_systemd_service_restart_total');
  });

  it('scope Kubernetes rules to the OpenIM namespace and name every metrics module', () => {
    const absent = k8s.flatMap((g) => g.rules).find((r) => r.alert === ALERTS.moduleAbsent)!.expr;
    for (const job of ctxOf('production', ['openim.domain=im.example.com']).jobs)
      expect(absent).toContain(`absent(up{namespace="openim", job="${job}"})`);
  });

  it('give every rule a severity, a summary and a description', () => {
    for (const rule of [...k8s, ...host].flatMap((g) => g.rules)) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(0);
      expect(rule.annotations.description.length).toBeGreaterThan(0);
    }
  });
});
