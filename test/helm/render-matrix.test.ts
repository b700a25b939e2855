// Every preset × ingress controller × storage backend, through the real
// `render` code path (buildPlan → renderPlan → helm template), with helm 3
// and helm 4; every object rendered (helm manifests and the plan's own
// manifests) must pass Kubernetes schema validation.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { MIRROR_SET } from '../helpers/config-presets.js';
import { OPENIM_DEFAULTS } from '../../src/catalog/openim-versions.js';
import { ALL_MODULES } from '../../src/catalog/modules.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import { renderPlan } from '../../src/render/render.js';
import { helmBinaries, repoRoot } from '../helpers/tools.js';
import { validateObject, type SchemaProblem } from './k8s-schemas.js';
import { TemplateCache } from './template-cache.js';
import { sharedChartRepo, withUpstreamCharts, type ChartRepo } from '../helpers/shared-charts.js';
import { INGRESS_SETS } from '../helpers/ingress-sets.js';

const PRESETS: Record<string, string[]> = {
  dev: [],
  production: ['openim.domain=im.example.com'],
  offline: ['openim.domain=im.example.com', MIRROR_SET],
  'china-mirror': [],
};
const CONTROLLERS: Record<string, string[]> = { ...INGRESS_SETS, none: ['kubernetes.ingress.controller=none'] };
const STORAGE: Record<string, string[]> = {
  'local-path': ['kubernetes.storage.backend=local-path'],
  nfs: [
    'kubernetes.storage.backend=nfs',
    'kubernetes.storage.nfs.server=nfs.internal',
    'kubernetes.storage.nfs.path=/srv/nfs/openim',
  ],
  // Ceph also serves the object storage (RGW), so the cross-namespace /im-minio-api route is covered.
  'rook-ceph': ['kubernetes.storage.backend=rook-ceph', 'infrastructure.objectStorage.provider=rook-ceph'],
  existing: ['kubernetes.storage.backend=existing', 'kubernetes.storage.storageClass=standard'],
};

const cases = Object.keys(PRESETS).flatMap((preset) =>
  Object.keys(CONTROLLERS).flatMap((controller) =>
    Object.keys(STORAGE).map((storage) => ({ preset, controller, storage })),
  ),
);
const OPENIM_RELEASES = new Set(ALL_MODULES.map((m) => m.name));
const templatesDir = join(repoRoot, 'templates');
const work = mkdtempSync(join(tmpdir(), 'openim-helm-'));
// Upstream charts (ingress controllers, storage, monitoring, logging) from ../shared/charts on loopback,
// through the product's mirror option: every release renders, none is left as values only.
let repo: ChartRepo;
beforeAll(async () => {
  repo = await sharedChartRepo();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function objectsIn(dir: string, only?: string[]): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && (!only || only.includes(f)))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as Record<string, any> | null;
      if (!obj) continue;
      // kubectl's v1 List is a wrapper, not a kind the API stores: validate its items.
      const items = obj.apiVersion === 'v1' && obj.kind === 'List' ? (obj.items as Record<string, any>[]) : [obj];
      for (const item of items) out.push({ ...item, __file: file });
    }
  }
  return out;
}

describe.each(helmBinaries())('$label: render matrix', ({ label, helm }) => {
  const runner = new TemplateCache(new ExecaRunner());

  it.each(cases)('$preset × $controller × $storage', async ({ preset, controller, storage }) => {
    const resolved = resolveConfig({
      preset,
      sets: [...PRESETS[preset]!, ...CONTROLLERS[controller]!, ...STORAGE[storage]!],
    }).spec;
    const outDir = join(work, `${label}-${preset}-${controller}-${storage}`);
    const spec = withUpstreamCharts(resolved, repo, outDir);
    const plan = buildPlan(spec, unprobedFacts('kubernetes'));
    const result = await renderPlan(plan, { outDir, templatesDir, runner, helm });

    // Every release renders: the project's own charts and the upstream ones at their pins.
    const releases = plan.steps.filter((s) => s.release).map((s) => s.release!);
    const locals = releases.filter((r) => r.local).map((r) => r.name);
    expect(result.failed).toEqual([]);
    expect(result.manifests.sort()).toEqual(releases.map((r) => `manifests/${r.name}.yaml`).sort());
    for (const upstream of releases.filter((r) => !r.local)) {
      expect(objectsIn(join(outDir, 'manifests'), [`${upstream.name}.yaml`]).length, upstream.name).toBeGreaterThan(0);
    }
    if (storage === 'rook-ceph')
      expect(
        objectsIn(join(outDir, 'manifests'), ['rook-ceph-cluster.yaml']).some((o) => o.kind === 'CephCluster'),
      ).toBe(true);
    const openimReleases = locals.filter((n) => OPENIM_RELEASES.has(n));
    expect(openimReleases.length).toBe(18);

    // The project's own objects against the Kubernetes schemas (upstream charts bring CRD kinds of their own).
    const objects = objectsIn(
      join(outDir, 'manifests'),
      locals.map((n) => `${n}.yaml`),
    );
    const problems: SchemaProblem[] = objects.flatMap(({ __file, ...obj }) =>
      validateObject(obj).map((p) => ({ ...p, object: `${__file}: ${p.object}` })),
    );
    expect(problems).toEqual([]);

    // Traps, on what helm actually rendered.
    for (const svc of objects.filter((o) => o.kind === 'Service' && OPENIM_RELEASES.has(o.metadata.name))) {
      const names = (svc.spec.ports as { name: string }[]).map((p) => p.name);
      if (names.includes('grpc')) expect(names[0], svc.metadata.name).toBe('grpc');
    }
    for (const role of objects.filter((o) => o.kind === 'Role' && o.metadata.name.endsWith('-discovery'))) {
      const rules = role.rules as { resources: string[]; verbs: string[] }[];
      expect(
        rules.some((r) => r.resources.includes('pods') && r.verbs.includes('get')),
        role.metadata.name,
      ).toBe(true);
      expect(
        rules.some(
          (r) => r.resources.includes('endpoints') && ['get', 'list', 'watch'].every((v) => r.verbs.includes(v)),
        ),
      ).toBe(true);
    }
    for (const dep of objects.filter((o) => o.kind === 'Deployment' && OPENIM_RELEASES.has(o.metadata.name))) {
      const pod = dep.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
      expect(pod.containers[0].securityContext.capabilities.drop).toEqual(['ALL']);
      if (dep.metadata.name !== 'openim-web-front' && dep.metadata.name !== 'openim-admin-front') {
        expect(dep.spec.template.metadata.annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
      }
      expect(objects.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === dep.metadata.name)).toBe(
        dep.spec.replicas > 1,
      );
    }
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap'))
      expect(JSON.stringify(cm.data ?? {})).not.toMatch(/«secret:/);
    const text = objects.map((o) => JSON.stringify(o)).join('\n');
    for (const weak of OPENIM_DEFAULTS.weakSecrets.filter((w) => w !== OPENIM_DEFAULTS.chatAdminAccount))
      expect(text).not.toContain(weak);
    rmSync(outDir, { recursive: true, force: true });
  });

  it('ran helm for real, reusing only byte-identical inputs', () => {
    expect(runner.calls.run).toBeGreaterThan(18);
  });
});
