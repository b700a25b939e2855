import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  PodMonitor,
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { resolveConfig } from '../../../config/resolve.js';
import type { KubernetesFacts } from '../../../facts/types.js';
import type { Step, WriteAction } from '../../../plan/types.js';
import { catalogMetricsModules } from '../../../monitoring/index.js';
import { hasSecretRefs } from '../../../secrets/secrets.js';
import {
  grafanaRoute as grafanaRouteWith,
  grafanaUrl,
  loggingSteps as loggingStepsWith,
  MONITORING_FILES,
  MONITORING_STEPS,
  monitoringSteps as monitoringStepsWith,
  OPERATOR_CRDS,
} from './index.js';
import { NFS_SERVER_SET } from '../../../../test/helpers/config-presets.js';
import { withLayout } from '../../../../test/helpers/kubernetes-specs.js';

const monitoringSteps = withLayout(monitoringStepsWith);
const loggingSteps = withLayout(loggingStepsWith);
const grafanaRoute = withLayout(grafanaRouteWith);

const specOf = (preset: string, sets: string[] = []) =>
  resolveConfig({ preset, sets: ['kubernetes.namespace=openim', ...sets] }).spec;
const production = (sets: string[] = []) =>
  specOf('production', ['openim.domain=im.example.com', NFS_SERVER_SET, ...sets]);
const UNPROBED: KubernetesFacts = { target: 'kubernetes', probed: false };
const withCrds = (crds: string[]): KubernetesFacts => ({
  target: 'kubernetes',
  probed: true,
  cluster: { reachable: true, storageClasses: [], ingressClasses: [], crds, namespaceExists: true, nodes: [] },
});

const writes = (steps: Step[]) => steps.flatMap((s) => s.actions.filter((a): a is WriteAction => a.kind === 'write'));
const file = (steps: Step[], render: string) => writes(steps).find((w) => w.render === render);
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJSON() as Record<string, any>);
const step = (steps: Step[], id: string) => steps.find((s) => s.id === id);

describe('monitoringSteps (production)', () => {
  const spec = production();
  const steps = [...monitoringSteps(spec, UNPROBED), ...loggingSteps(spec, UNPROBED)];

  it('install kube-prometheus-stack, Loki and Alloy from the catalog pins, after the namespace', () => {
    expect(steps.map((s) => s.id)).toEqual([
      MONITORING_STEPS.grafanaAdmin,
      MONITORING_STEPS.stack,
      MONITORING_STEPS.monitors,
      MONITORING_STEPS.dashboards,
      MONITORING_STEPS.loki,
      MONITORING_STEPS.alloy,
    ]);
    expect(step(steps, MONITORING_STEPS.stack)!.release).toMatchObject({
      name: 'kube-prometheus-stack',
      namespace: 'monitoring',
      chart: 'kube-prometheus-stack',
      local: false,
    });
    expect(step(steps, MONITORING_STEPS.monitors)!.needs).toContain(MONITORING_STEPS.stack);
    expect(step(steps, MONITORING_STEPS.alloy)!.needs).toContain(MONITORING_STEPS.loki);
  });

  it('renders a ServiceMonitor for every catalog module with a metrics port, valid for the Prometheus operator', () => {
    const objects = docs(file(steps, MONITORING_FILES.monitors)!.content);
    const names = objects.map((o) => o.metadata.name);
    for (const m of catalogMetricsModules()) {
      const sm = objects.find((o) => o.metadata.name === m.name);
      expect(sm, `ServiceMonitor for ${m.name}`).toBeDefined();
      expect(sm!.spec.selector.matchLabels['app.kubernetes.io/name']).toBe(m.name);
      expect(sm!.spec.endpoints[0].port).toBe('metrics');
    }
    expect(names).toContain('openim-infrastructure-exporters');
    for (const o of objects) {
      expect(o.kind).toBe('ServiceMonitor');
      expect(o.metadata.labels.release).toBe('kube-prometheus-stack');
      expect(() => new ServiceMonitor(o as never).validate()).not.toThrow();
    }
  });

  it('renders a PrometheusRule the operator model accepts', () => {
    const [rule] = docs(file(steps, MONITORING_FILES.rules)!.content);
    expect(() => new PrometheusRule(rule as never).validate()).not.toThrow();
    expect(rule!.spec.groups.length).toBeGreaterThan(0);
  });

  it('rejects a broken monitor (the validation is real)', () => {
    expect(() =>
      new ServiceMonitor({ metadata: { name: 'x' }, spec: { endpoints: [{ port: 5 }] } } as never).validate(),
    ).toThrow();
    expect(() => new PodMonitor({ metadata: { name: 'x' }, spec: {} } as never).validate()).toThrow();
  });

  it('ships dashboards as ConfigMaps with the sidecar label and a secret-free admin Secret', () => {
    const maps = docs(file(steps, MONITORING_FILES.dashboards)!.content);
    expect(maps.length).toBe(5);
    for (const m of maps) {
      expect(() => new ConfigMap(m as never).validate()).not.toThrow();
      expect(m.metadata.labels.grafana_dashboard).toBe('1');
      for (const json of Object.values(m.data as Record<string, string>)) expect(() => JSON.parse(json)).not.toThrow();
    }
    const secretFile = file(steps, MONITORING_FILES.grafanaAdmin)!;
    expect(secretFile.mode).toBe(0o600);
    const [secret] = docs(secretFile.content);
    expect(() => new Secret(secret as never).validate()).not.toThrow();
    expect(secret!.stringData['admin-password']).toBe('«secret:grafana.adminPassword»');
  });

  it('keeps secret values out of every values file (placeholders only, and only in the Secret)', () => {
    for (const w of writes(steps)) {
      if (w.render !== MONITORING_FILES.grafanaAdmin) expect(hasSecretRefs(w.content), w.render).toBe(false);
    }
    const values = parse(file(steps, 'values/kube-prometheus-stack.yaml')!.content);
    expect(values.grafana.admin).toEqual({
      existingSecret: 'openim-grafana-admin',
      userKey: 'admin-user',
      passwordKey: 'admin-password',
    });
    expect(JSON.stringify(values)).not.toMatch(/adminPassword"?:/);
  });

  it('serves Grafana under /grafana of the public host, in the OpenIM namespace, with Prometheus and Loki datasources', () => {
    const values = parse(file(steps, 'values/kube-prometheus-stack.yaml')!.content);
    expect(values.grafana['grafana.ini'].server).toEqual({
      root_url: 'https://im.example.com/grafana/',
      serve_from_sub_path: true,
    });
    expect(values.grafana.namespaceOverride).toBe('openim');
    expect(values.grafana.sidecar.datasources.defaultDatasourceEnabled).toBe(true);
    expect(values.grafana.additionalDataSources).toEqual([
      expect.objectContaining({ type: 'loki', url: 'http://loki.monitoring.svc:3100' }),
    ]);
    expect(values.prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues).toBe(false);
    expect(values.prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues).toBe(false);
    expect(grafanaUrl(spec)).toBe('https://im.example.com/grafana');
    expect(grafanaRoute(spec)).toMatchObject({
      path: '/grafana',
      service: 'openim-grafana',
      serviceNamespace: 'openim',
      stripPrefix: false,
    });
  });

  it('runs Loki as a single binary and Alloy as a DaemonSet shipping to it', () => {
    const loki = parse(file(steps, 'values/loki.yaml')!.content);
    expect(loki.deploymentMode).toBe('SingleBinary');
    expect(loki.singleBinary.persistence).toMatchObject({ enabled: true, size: spec.kubernetes.storage.sizes.logging });
    const alloy = parse(file(steps, 'values/alloy.yaml')!.content);
    expect(alloy.controller.type).toBe('daemonset');
    expect(alloy.alloy.configMap.content).toContain('url = "http://loki.monitoring.svc:3100/loki/api/v1/push"');
  });
});

describe('monitoring toggles', () => {
  it('monitoring.enabled=false and logging.enabled=false plan nothing, and grafanaURL is empty', () => {
    const spec = production(['monitoring.enabled=false', 'logging.enabled=false']);
    expect(monitoringSteps(spec, UNPROBED)).toEqual([]);
    expect(loggingSteps(spec, UNPROBED)).toEqual([]);
    expect(grafanaUrl(spec)).toBe('');
    expect(grafanaRoute(spec)).toBeUndefined();
  });

  it('an external Prometheus keeps the stack for Grafana only and renders monitors without applying them when the CRDs are missing', () => {
    const spec = production(['monitoring.prometheusUrl=http://prom.example:9090']);
    const steps = monitoringSteps(spec, withCrds([]));
    const values = parse(file(steps, 'values/kube-prometheus-stack.yaml')!.content);
    expect(values.prometheus.enabled).toBe(false);
    expect(values.prometheusOperator.enabled).toBe(false);
    expect(values.crds.enabled).toBe(false);
    for (const component of ['kubelet', 'kubeApiServer', 'kubeStateMetrics', 'nodeExporter', 'alertmanager'])
      expect(values[component].enabled, component).toBe(false);
    expect(values.grafana.enabled).toBe(true);
    expect(values.grafana.additionalDataSources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', url: 'http://prom.example:9090', isDefault: true }),
    );
    const monitors = step(steps, MONITORING_STEPS.monitors)!;
    expect(monitors.actions.some((a) => a.kind === 'exec')).toBe(false);
    expect(monitors.actions.some((a) => a.kind === 'note')).toBe(true);
    // With the operator CRDs present, the monitors are applied for the existing operator.
    const applied = step(monitoringSteps(spec, withCrds([...OPERATOR_CRDS])), MONITORING_STEPS.monitors)!;
    expect(applied.actions.filter((a) => a.kind === 'exec')).toHaveLength(2);
  });

  it('an external Grafana drops the bundled one and the route; grafanaURL is the given one', () => {
    const spec = production(['monitoring.grafanaUrl=https://grafana.example/']);
    const steps = monitoringSteps(spec, UNPROBED);
    expect(step(steps, MONITORING_STEPS.grafanaAdmin)).toBeUndefined();
    expect(parse(file(steps, 'values/kube-prometheus-stack.yaml')!.content).grafana).toEqual({ enabled: false });
    expect(grafanaUrl(spec)).toBe('https://grafana.example/');
    expect(grafanaRoute(spec)).toBeUndefined();
  });

  it('both external: no stack at all', () => {
    const spec = production(['monitoring.grafanaUrl=https://g', 'monitoring.prometheusUrl=http://p']);
    expect(monitoringSteps(spec, UNPROBED).some((s) => s.id === MONITORING_STEPS.stack)).toBe(false);
  });

  it('an external Loki: no Loki release, Alloy pushes to it', () => {
    const spec = production(['logging.lokiUrl=https://logs.example/loki/api/v1/push']);
    const steps = loggingSteps(spec, UNPROBED);
    expect(steps.map((s) => s.id)).toEqual([MONITORING_STEPS.alloy]);
    expect(parse(file(steps, 'values/alloy.yaml')!.content).alloy.configMap.content).toContain(
      'url = "https://logs.example/loki/api/v1/push"',
    );
    const stack = parse(file(monitoringSteps(spec, UNPROBED), 'values/kube-prometheus-stack.yaml')!.content);
    expect(stack.grafana.additionalDataSources).toContainEqual(
      expect.objectContaining({ type: 'loki', url: 'https://logs.example' }),
    );
  });

  it('rewrites chart image registries for a mirror, keeping the upstream host in the path', () => {
    const spec = production(['images.mirror=mirror.example/cache']);
    const stack = parse(file(monitoringSteps(spec, UNPROBED), 'values/kube-prometheus-stack.yaml')!.content);
    expect(stack.prometheus.prometheusSpec.image.registry).toBe('mirror.example/cache/quay.io');
    expect(stack['kube-state-metrics'].image.registry).toBe('mirror.example/cache/registry.k8s.io');
    expect(stack.grafana.image.registry).toBe('mirror.example/cache');
    const loki = parse(file(loggingSteps(spec, UNPROBED), 'values/loki.yaml')!.content);
    expect(loki.global.imageRegistry).toBe('mirror.example/cache');
  });
});
