import { describe, expect, it } from 'vitest';
import { bundleContents } from '../../bundle/contents.js';
import { bundledChartPath, bundledFilePath } from '../../bundle-layout/names.js';
import { CLUSTER_ADDONS, STORAGE_PROVISIONERS } from '../../catalog/infrastructure.js';
import { INGRESS_CONTROLLERS } from '../../catalog/ingress.js';
import { resolveConfig } from '../../config/resolve.js';
import type { DeploySpec } from '../../config/schema.js';
import { buildPlan } from '../build-plan.js';
import type { ExecAction, Plan } from '../../plan/types.js';
import { templatesDir } from '../../util/package-root.js';
import { upstreamChartSource } from './chart-source.js';
import { UNPROBED } from '../../../test/helpers/kubernetes-specs.js';
import { MIRROR_SET } from '../../../test/helpers/config-presets.js';

const offlinePreset = (sets: string[] = []): DeploySpec =>
  resolveConfig({
    preset: 'offline',
    sets: ['openim.domain=im.example.com', MIRROR_SET, 'kubernetes.namespace=openim', ...sets],
  }).spec;
const online = (spec: DeploySpec): DeploySpec => ({ ...spec, offline: { ...spec.offline, bundle: '' } });

const execs = (plan: Plan): ExecAction[] =>
  plan.steps.flatMap((s) => s.actions.filter((a): a is ExecAction => a.kind === 'exec'));
const helmInstalls = (plan: Plan) => execs(plan).filter((a) => a.argv[0] === 'helm' && a.argv.includes('upgrade'));
/** The chart argument of `helm … upgrade --install RELEASE CHART`. */
const chartArg = (argv: string[]) => argv[argv.indexOf('--install') + 2]!;

// Every upstream chart the catalog pins, one spec each way to reach it.
const GATEWAY_API = ['kubernetes.ingress.controller=gateway-api', 'kubernetes.ingress.install=true'];
const everyUpstream = [
  'kubernetes.storage.backend=rook-ceph',
  'kubernetes.ingress.controller=istio',
  'kubernetes.ingress.install=true',
];

/** The bundled archive of every upstream chart the catalog pins. */
const PINNED_ARCHIVES: string[] = [
  ...Object.values(INGRESS_CONTROLLERS).flatMap((p) => p.charts.map((c) => c.chart)),
  ...Object.values(STORAGE_PROVISIONERS).flatMap((p) => p.charts.map((c) => c.chart)),
  ...Object.values(CLUSTER_ADDONS).map((a) => a.chart),
].map(bundledChartPath);

describe('chart source', () => {
  it('offline preset: no --repo, oci:// or https:// in any argv; every upstream release installs its bundled archive', () => {
    for (const sets of [[], everyUpstream, GATEWAY_API]) {
      const plan = buildPlan(offlinePreset(sets), UNPROBED);
      for (const a of execs(plan)) {
        expect(a.argv).not.toContain('--repo');
        for (const arg of a.argv) expect(arg).not.toMatch(/oci:\/\/|https?:\/\//);
      }
      const upstream = plan.steps.flatMap((s) => (s.release && !s.release.local ? [s.release] : []));
      if (sets !== GATEWAY_API) expect(upstream.length).toBeGreaterThan(0);
      for (const r of upstream) {
        expect(PINNED_ARCHIVES).toContain(r.chart);
        expect(r.chart.endsWith(`-${r.version}.tgz`)).toBe(true);
        expect(r.chart).toMatch(/^bundle\/charts\/[a-z0-9-]+-v?\d[\w.-]*\.tgz$/);
        expect(r.repo).toBeUndefined();
        const install = helmInstalls(plan).find((a) => a.argv.includes(r.name) && chartArg(a.argv) === r.chart);
        expect(install, `helm install of ${r.name}`).toBeDefined();
        // A local archive: helm needs (and looks at) no version or repository.
        expect(install!.argv).not.toContain('--version');
      }
      // Our own charts stay local paths, copied from templates/.
      for (const a of helmInstalls(plan)) expect(chartArg(a.argv)).toMatch(/^(\.\/charts\/|bundle\/charts\/)/);
    }
  });

  it('offline preset: the upstream charts it installs are the catalog pins (traefik, monitoring, logging)', () => {
    const plan = buildPlan(offlinePreset(), UNPROBED);
    const charts = plan.steps.flatMap((s) => (s.release && !s.release.local ? [s.release.chart] : [])).sort();
    const pins = [
      INGRESS_CONTROLLERS.traefik.charts[0].chart,
      CLUSTER_ADDONS['kube-prometheus-stack'].chart,
      CLUSTER_ADDONS.loki.chart,
      CLUSTER_ADDONS.alloy.chart,
    ];
    expect(charts).toEqual(pins.map((c) => `bundle/charts/${c.name}-${c.version}.tgz`).sort());
  });

  it('gateway-api offline: the CRD manifest is applied from the file the bundle holds for it', () => {
    const spec = offlinePreset(GATEWAY_API);
    const applied = execs(buildPlan(spec, UNPROBED)).flatMap((a) =>
      a.argv.includes('apply') ? [a.argv[a.argv.indexOf('-f') + 1]!] : [],
    );
    const held = bundleContents(spec, { templatesDir: templatesDir() }).files.map((f) => bundledFilePath(f.name));
    expect(held.length).toBeGreaterThan(0);
    for (const f of held) expect(applied).toContain(f);
    const online = execs(buildPlan({ ...spec, offline: { bundle: '' } }, UNPROBED)).flatMap((a) => a.argv);
    expect(online).toContain(INGRESS_CONTROLLERS['gateway-api'].manifests[0].url);
  });

  it('rook-ceph offline: both Rook charts from the bundle', () => {
    const plan = buildPlan(offlinePreset(['kubernetes.storage.backend=rook-ceph']), UNPROBED);
    const charts = helmInstalls(plan).map((a) => chartArg(a.argv));
    for (const { chart } of STORAGE_PROVISIONERS['rook-ceph'].charts) expect(charts).toContain(bundledChartPath(chart));
  });

  it('the same config without offline.bundle installs from the repositories (the online plan)', () => {
    const plan = buildPlan(online(offlinePreset(everyUpstream)), UNPROBED);
    const upstream = plan.steps.flatMap((s) => (s.release && !s.release.local ? [s.release] : []));
    expect(upstream.length).toBeGreaterThan(0);
    for (const r of upstream) {
      expect(r.repo).toMatch(/^https:\/\//);
      const install = helmInstalls(plan).find((a) => a.argv.includes(r.name) && chartArg(a.argv) === r.chart)!;
      expect(install.argv.join(' ')).toContain(`--repo ${r.repo}`);
      expect(install.argv.join(' ')).toContain(`--version ${r.version}`);
    }
    expect(execs(plan).some((a) => a.argv.some((arg) => arg.startsWith('bundle/')))).toBe(false);
  });

  it('OCI charts: the full reference online, the bundled archive offline', () => {
    const chart = { name: 'thing', repo: 'oci://registry.example/charts/', version: '1.2.3' };
    expect(upstreamChartSource(online(offlinePreset()), chart)).toEqual({
      chart: 'oci://registry.example/charts/thing',
      version: '1.2.3',
      bundled: false,
    });
    expect(upstreamChartSource(offlinePreset(), chart)).toEqual({
      chart: 'bundle/charts/thing-1.2.3.tgz',
      bundled: true,
    });
  });
});
