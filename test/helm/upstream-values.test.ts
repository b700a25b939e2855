// The values we give each upstream chart are values it reads: every key path
// of our values file exists in the chart's own values.yaml (the chart that
// helm is given: ../shared/charts, upstream's packaged release), for every
// preset × ingress controller × storage backend with monitoring and logging
// on. Below an empty map or a null in the chart's defaults any key is free
// (e.g. `podAnnotations: {}`). Anything else is an unknown key: listed in
// ALLOWED with the reason the chart still reads it, or a failure.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import { sharedChartsDir } from '../helpers/shared-charts.js';

const GRAFANA_INI =
  "kube-prometheus-stack-81.4.3 charts/grafana (10.5.15) writes its `grafana.ini` map whole into Grafana's grafana.ini (values.yaml:884, templates/_config.tpl), so any Grafana ini section/key is read";

/** `<chart name> <key path>` → why the chart reads it though its values.yaml does not list it. */
const ALLOWED: Record<string, string> = {
  'loki loki.limits_config.retention_period':
    "loki-12.0.0 values.yaml:316 renders `loki.limits_config` whole (`with .Values.loki.limits_config` | toYaml) as Loki's own limits_config, so any Loki limits key is read; retention_period is Loki's (limits_config docs)",
  'kube-prometheus-stack grafana.grafana.ini.users': GRAFANA_INI,
  'kube-prometheus-stack grafana.grafana.ini.server.serve_from_sub_path': GRAFANA_INI,
  'kube-prometheus-stack grafana.grafana.ini.server.root_url': GRAFANA_INI,
  'kube-prometheus-stack grafana.grafana.ini.analytics.reporting_enabled': GRAFANA_INI,
  'kube-prometheus-stack grafana.fullnameOverride':
    'charts/grafana templates/_helpers.tpl:15 reads .Values.fullnameOverride (not listed in its values.yaml)',
  'nfs-subdir-external-provisioner storageClass.provisionerName':
    'nfs-subdir-external-provisioner-4.0.18 values.yaml:22-23 documents it as a commented key (`# provisionerName:`); templates/storageclass.yaml:15 reads it through the provisionerName helper',
};

const VARIANTS = ['nginx', 'traefik', 'istio', 'gateway-api'].flatMap((controller) =>
  ['nfs', 'rook-ceph', 'local-path'].map((storage) => ({ controller, storage })),
);

type Tree = Record<string, unknown>;

/**
 * The chart's defaults as helm merges them: its values.yaml, each vendored subchart's values.yaml under the
 * subchart's name (charts/<name>/values.yaml, e.g. kube-prometheus-stack's grafana), and Istio's convention of
 * defaults kept under `_internal_defaults_do_not_set` (istio charts' templates/zzz_profile.yaml merges them
 * into the top level, so `global.hub` is read there).
 */
const chartValues = new Map<string, Tree>();
const isTree = (v: unknown): v is Tree => !!v && typeof v === 'object' && !Array.isArray(v);
/** helm's coalescing of a subchart's defaults with what the parent sets for it (parent wins, maps merge). */
function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isTree(v) && isTree(out[k]) ? deepMerge(out[k] as Tree, v) : v;
  return out;
}
function valuesOf(archive: string, chart: string): Tree {
  if (!chartValues.has(archive)) {
    const read = (path: string) =>
      (parse(execFileSync('tar', ['xzf', archive, '-O', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) ??
        {}) as Tree;
    const top = read(`${chart}/values.yaml`);
    const merged: Tree = { ...((top._internal_defaults_do_not_set as Tree | undefined) ?? {}), ...top };
    const members = execFileSync('tar', ['tzf', archive], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split(
      '\n',
    );
    for (const m of members) {
      const sub = new RegExp(`^${chart}/charts/([^/]+)/values\\.yaml$`).exec(m);
      if (sub) merged[sub[1]!] = deepMerge(read(m), (merged[sub[1]!] as Tree | undefined) ?? {});
    }
    chartValues.set(archive, merged);
  }
  return chartValues.get(archive)!;
}

/** Key paths of `ours` the chart's defaults do not have (arrays are values, not trees). */
function unknownPaths(ours: unknown, theirs: unknown, path: string[] = []): string[] {
  if (!ours || typeof ours !== 'object' || Array.isArray(ours)) return [];
  // The chart takes anything here: an open map (`{}`) or a null placeholder.
  if (
    theirs === null ||
    (typeof theirs === 'object' && !Array.isArray(theirs) && Object.keys(theirs as object).length === 0)
  )
    return [];
  if (!theirs || typeof theirs !== 'object' || Array.isArray(theirs)) return [path.join('.')];
  const out: string[] = [];
  for (const [k, v] of Object.entries(ours as Tree)) {
    if (!(k in (theirs as Tree))) out.push([...path, k].join('.'));
    else out.push(...unknownPaths(v, (theirs as Tree)[k], [...path, k]));
  }
  return out;
}

describe('values we set on upstream charts are values the charts read', () => {
  it('every key path of every upstream values file exists in that chart’s values.yaml (or is allowed with a reason)', () => {
    const dir = sharedChartsDir();
    const unknown = new Set<string>();
    let checked = 0;
    for (const { controller, storage } of VARIANTS) {
      const spec = resolveConfig({
        preset: 'production',
        sets: [
          'openim.domain=im.example.com',
          `kubernetes.ingress.controller=${controller}`,
          'kubernetes.ingress.install=true',
          `kubernetes.storage.backend=${storage}`,
          'kubernetes.storage.nfs.server=10.0.0.5',
          'kubernetes.storage.nfs.path=/srv/openim',
          'monitoring.enabled=true',
          'logging.enabled=true',
          ...(controller === 'gateway-api' ? ['kubernetes.ingress.className=openim-gateway'] : []),
          'images.mirror=registry.internal:5000',
        ],
      }).spec;
      const plan = buildPlan(spec, unprobedFacts('kubernetes'));
      for (const step of plan.steps) {
        const release = step.release;
        if (!release || release.local) continue;
        const write = step.actions.find((a) => a.kind === 'write' && a.path === release.valuesFile);
        if (!write || write.kind !== 'write') throw new Error(`${release.name}: no values file in its step`);
        const archive = join(dir, `${release.chart}-${release.version}.tgz`);
        const ours = parse(write.content) as Tree;
        for (const path of unknownPaths(ours, valuesOf(archive, release.chart))) {
          const id = `${release.chart} ${path}`;
          if (!ALLOWED[id]) unknown.add(`${id} (${controller} × ${storage})`);
        }
        checked++;
      }
    }
    console.log(
      `[upstream values] ${checked} values files checked; allowed unknown keys:\n${Object.entries(ALLOWED)
        .map(([k, why]) => `  ${k}: ${why}`)
        .join('\n')}`,
    );
    expect(checked).toBeGreaterThan(20);
    expect([...unknown].sort()).toEqual([]);
  });
});
