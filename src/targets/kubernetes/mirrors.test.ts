// images.rewrite and kubernetes.helmRepoMirrors through the whole Kubernetes plan.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INGRESS_CONTROLLERS } from '../../catalog/ingress.js';
import { resolveConfig } from '../../config/resolve.js';
import type { DeploySpec } from '../../config/schema.js';
import { buildPlan } from '../build-plan.js';
import type { ExecAction, Plan, WriteAction } from '../../plan/types.js';
import { upstreamChartSource } from './chart-source.js';
import { rookOperatorValues } from './infrastructure/rook.js';
import { specFor, UNPROBED } from '../../../test/helpers/kubernetes-specs.js';
import { MIRROR_SET } from '../../../test/helpers/config-presets.js';

const ALIYUN = 'registry.cn-hangzhou.aliyuncs.com/openimsdk';
const writes = (plan: Plan): WriteAction[] =>
  plan.steps.flatMap((s) => s.actions.filter((a): a is WriteAction => a.kind === 'write'));
const values = (plan: Plan, name: string) => parse(writes(plan).find((w) => w.path === `values/${name}.yaml`)!.content);
const execs = (plan: Plan): ExecAction[] =>
  plan.steps.flatMap((s) => s.actions.filter((a): a is ExecAction => a.kind === 'exec'));
/** Every `image:` / `repository:` reference in the plan's files. */
const imageRefs = (plan: Plan): string[] =>
  writes(plan).flatMap((w) =>
    [...w.content.matchAll(/^\s*(?:-\s+)?(?:image|repository):\s*"?([^\s"]+)"?\s*$/gm)].map((m) => m[1]!),
  );
const withRules = (
  spec: DeploySpec,
  rewrite: DeploySpec['images']['rewrite'],
  mirror = spec.images.mirror,
): DeploySpec => ({ ...spec, images: { ...spec.images, rewrite, mirror } });

describe('images.rewrite in the plan', () => {
  it('china-mirror: OpenIM images from the Aliyun namespace, every other image through m.daocloud.io', () => {
    const spec = resolveConfig({ preset: 'china-mirror', sets: ['kubernetes.namespace=openim'] }).spec;
    const plan = buildPlan(spec, UNPROBED);
    expect(values(plan, 'openim-api').image.repository).toBe(`${ALIYUN}/openim-api`);
    expect(values(plan, 'chat-api').image.repository).toBe(`${ALIYUN}/openim-chat-api`);
    const refs = imageRefs(plan);
    expect(refs.length).toBeGreaterThan(5);
    expect(refs.some((r) => r.startsWith('m.daocloud.io/'))).toBe(true);
    for (const ref of refs) expect(ref, ref).toMatch(new RegExp(`^(${ALIYUN}/openim-|m\\.daocloud\\.io/)`));
    // Nothing the Aliyun namespace serves goes through the mirror as well.
    expect(refs.filter((r) => r.includes('openimsdk') || r.includes('/openim/'))).toEqual(
      refs.filter((r) => r.startsWith(ALIYUN)),
    );
  });

  it('a rule alone moves only the images it matches', () => {
    const spec = withRules(specFor('dev'), [{ from: 'docker.io/openim', to: ALIYUN }], '');
    const plan = buildPlan(spec, UNPROBED);
    expect(values(plan, 'openim-api').image.repository).toBe(`${ALIYUN}/openim-api`);
    const plain = buildPlan(specFor('dev'), UNPROBED);
    expect(values(plain, 'openim-api').image.repository).toBe('docker.io/openim/openim-api');
    // Infrastructure images are untouched.
    const others = (p: Plan) => imageRefs(p).filter((r) => !r.includes('openim/openim-') && !r.startsWith(ALIYUN));
    expect(others(plan)).toEqual(others(plain));
  });

  it('a whole-registry rule reaches the registries of upstream charts (monitoring, ingress, Rook CSI)', () => {
    const rules = [
      { from: 'quay.io', to: 'quay.mirror.example' },
      { from: 'registry.k8s.io', to: 'k8s.mirror.example/proxy' },
      { from: 'docker.io/istio', to: 'hub.mirror.example/istio' },
    ];
    const spec = withRules(
      specFor('production', ['kubernetes.ingress.controller=istio', 'kubernetes.ingress.install=true']),
      rules,
      'm.daocloud.io',
    );
    const plan = buildPlan(spec, UNPROBED);
    const stack = values(plan, 'kube-prometheus-stack');
    expect(stack.prometheus.prometheusSpec.image.registry).toBe('quay.mirror.example');
    expect(stack['kube-state-metrics'].image.registry).toBe('k8s.mirror.example/proxy');
    // No rule for the rest of Docker Hub: the mirror.
    expect(stack.grafana.image.registry).toBe('m.daocloud.io');
    const istio =
      INGRESS_CONTROLLERS.istio.charts.find((c) => c.release !== 'istio-base') ?? INGRESS_CONTROLLERS.istio.charts[0]!;
    expect(values(plan, istio.release).global.hub).toBe('hub.mirror.example/istio');
    const csi = rookOperatorValues(withRules(specFor('dev'), rules, '')).csi as Record<string, { repository: string }>;
    expect(csi.cephcsi!.repository).toBe('quay.mirror.example/cephcsi/cephcsi');
    expect(csi.provisioner!.repository).toBe('k8s.mirror.example/proxy/sig-storage/csi-provisioner');
    // Nothing moves: no csi block at all (the chart's own repositories).
    expect(rookOperatorValues(specFor('dev')).csi).toBeUndefined();
  });

  it('an offline install ignores the rules: every image comes from images.mirror, where bundle push put it', () => {
    const spec = resolveConfig({
      preset: 'offline',
      sets: [
        'openim.domain=im.example.com',
        MIRROR_SET,
        'kubernetes.namespace=openim',
        `images.rewrite=[{from: docker.io/openim, to: ${ALIYUN}}]`,
      ],
    }).spec;
    expect(spec.images.mirror).toBe('registry.internal:5000');
    const plan = buildPlan(spec, UNPROBED);
    const refs = imageRefs(plan);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref.startsWith(`${spec.images.mirror}/`), ref).toBe(true);
  });
});

describe('kubernetes.helmRepoMirrors', () => {
  const traefik = INGRESS_CONTROLLERS.traefik.charts[0]!.chart;
  const installArgv = (plan: Plan, release: string) =>
    execs(plan).find((a) => a.argv[0] === 'helm' && a.argv.includes('upgrade') && a.argv.includes(release))!.argv;
  const base = ['kubernetes.ingress.controller=traefik', 'kubernetes.ingress.install=true'];

  it('the plan sends helm to the mirror URL of a configured repository', () => {
    const spec = specFor('dev', base);
    const mirrored: DeploySpec = {
      ...spec,
      kubernetes: { ...spec.kubernetes, helmRepoMirrors: { [`${traefik.repo}/`]: 'https://charts.internal/traefik' } },
    };
    const argv = installArgv(buildPlan(mirrored, UNPROBED), 'traefik');
    expect(argv.join(' ')).toContain('--repo https://charts.internal/traefik');
    expect(argv.join(' ')).not.toContain(traefik.repo!);
  });

  it('unchanged without one, or for repositories it does not name', () => {
    const spec = specFor('dev', base);
    const plain = installArgv(buildPlan(spec, UNPROBED), 'traefik');
    expect(plain.join(' ')).toContain(`--repo ${traefik.repo}`);
    const other: DeploySpec = {
      ...spec,
      kubernetes: {
        ...spec.kubernetes,
        helmRepoMirrors: { 'https://charts.example/other': 'https://charts.internal/other' },
      },
    };
    expect(installArgv(buildPlan(other, UNPROBED), 'traefik')).toEqual(plain);
  });

  it('OCI repositories map to an OCI mirror; an offline install still uses the bundled archive', () => {
    const spec = specFor('dev');
    const chart = { name: 'thing', repo: 'oci://registry.example/charts', version: '1.2.3' };
    const mirrors = { 'oci://registry.example/charts': 'oci://registry.internal:5000/charts/' };
    const online: DeploySpec = { ...spec, kubernetes: { ...spec.kubernetes, helmRepoMirrors: mirrors } };
    expect(upstreamChartSource(online, chart)).toEqual({
      chart: 'oci://registry.internal:5000/charts/thing',
      version: '1.2.3',
      bundled: false,
    });
    const offline: DeploySpec = { ...online, offline: { bundle: '/tmp/b.tar' } };
    expect(upstreamChartSource(offline, chart)).toEqual({ chart: 'bundle/charts/thing-1.2.3.tgz', bundled: true });
  });
});
