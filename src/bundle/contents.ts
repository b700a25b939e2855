// What a bundle must hold for one config: derived from the plan install would
// run (its Helm releases, the URLs it fetches, every image its files name) and
// from the catalog pins of the components in that plan. Nothing is listed by
// hand here, so a component added to a target lands in its bundles.

import { parseAllDocuments } from 'yaml';
import { formatImage, mirrorPathUpstream, openimImageRef, type ImageRef } from '../catalog/images.js';
import type { ChartRef } from '../catalog/infrastructure.js';
import * as infrastructureCatalog from '../catalog/infrastructure.js';
import * as ingressCatalog from '../catalog/ingress.js';
import {
  HOST_ARCHIVES,
  OPENIM_EXPORTS,
  archiveUrl,
  bundledArtifactName,
  type HostArch,
} from '../catalog/host-artifacts.js';
import { findModule } from '../catalog/modules.js';
import type { DeploySpec } from '../config/schema.js';
import { unprobedFacts } from '../facts/types.js';
import { buildPlan } from '../targets/build-plan.js';
import type { GoBuildAction, Plan, ReleaseRef } from '../plan/types.js';
import { binarySource, goBuildAction } from '../build/source.js';
import { moduleTag } from '../targets/kubernetes/modules/images.js';
import { readChartMeta } from './charts.js';
import { bundledDownloadName } from '../bundle-layout/names.js';

export interface BundleFileSpec {
  /** Catalog id: openim-server, openim-chat, mongodb, a manifest name … */
  id: string;
  /** File name inside the bundle's files/ folder. */
  name: string;
  arch: HostArch | 'any';
  /** URL (http, https, file) or local path to fetch it from; empty when the config gives none. */
  source: string;
  /** Pinned SHA-256 (catalog or config); empty when there is no pin. */
  sha256: string;
  license?: string;
  /** Why `source` is empty, for the error `bundle create` raises. */
  missing?: string;
  /**
   * Built on this (connected) machine instead of fetched: OpenIM server and chat with
   * binary.source build, so the offline install needs no Go. `source` then describes the build.
   */
  build?: GoBuildAction;
}

/** A chart to bundle; charts from the plan carry their release, to be rendered for the images they run. */
export type BundleChartSpec = ChartRef & { release?: { name: string; namespace: string; values: string } };

export interface BundleContents {
  images: ImageRef[];
  charts: BundleChartSpec[];
  files: BundleFileSpec[];
  /** Components the plan installs (for manifest.json). */
  components: string[];
  /** Things the plan needs that the catalog cannot resolve into bundle contents. */
  gaps: string[];
}

export interface ContentsOptions {
  /** Architectures for host artifacts (binary target); default amd64. */
  arches?: HostArch[];
  /** Where OpenIM builds are cached (binary.source build); default: binary.build.cacheDir, else <binary.stateDir>/build-cache. */
  buildCacheDir?: string;
  templatesDir: string;
  /** A plan already built for `spec` (else built here without probing). */
  plan?: Plan;
}

/** A registry host nobody owns: images rewritten to it are the images the plan uses. */
export const SENTINEL_MIRROR = 'bundle-scan.openim-deploy.invalid';

interface CatalogComponent {
  id: string;
  charts: ChartRef[];
  images: ImageRef[];
}

/** An object whose `keys` all hold strings: how catalog entries are recognised by shape. */
const hasStringFields = (v: unknown, keys: readonly string[]): boolean =>
  typeof v === 'object' && v !== null && keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

const isImageRef = (v: unknown): v is ImageRef => hasStringFields(v, ['registry', 'repository', 'tag']);

const isChartRef = (v: unknown): v is ChartRef => hasStringFields(v, ['name', 'version', 'source']);

/** Every catalog entry that has images and/or charts, found by shape so new entries need no registration here. */
function catalogComponents(): CatalogComponent[] {
  const found: CatalogComponent[] = [];
  const visit = (id: string, value: unknown, depth: number) => {
    if (depth > 3 || typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const v = value as Record<string, unknown>;
    const images = typeof v.images === 'object' && v.images !== null ? Object.values(v.images).filter(isImageRef) : [];
    const charts = [
      ...(isChartRef(v.chart) ? [v.chart] : []),
      ...(Array.isArray(v.charts)
        ? v.charts.flatMap((c: unknown) =>
            isChartRef(c)
              ? [c]
              : isChartRef((c as { chart?: unknown })?.chart)
                ? [(c as { chart: ChartRef }).chart]
                : [],
          )
        : []),
    ];
    if (images.length || charts.length) {
      found.push({ id: typeof v.id === 'string' ? v.id : id, charts, images });
      return;
    }
    for (const [key, child] of Object.entries(v)) visit(key, child, depth + 1);
  };
  for (const mod of [infrastructureCatalog, ingressCatalog])
    for (const [key, value] of Object.entries(mod)) visit(key, value, 0);
  return found;
}

const imageKey = (ref: ImageRef) => formatImage(ref);

/** The upstream reference behind `SENTINEL/<path>:<tag>` (the inverse of the mirror rewrite). */
function unmirror(path: string, tag: string, digest?: string): ImageRef {
  return { ...mirrorPathUpstream(path), tag, ...(digest ? { digest } : {}) };
}

/** Images named in the plan's files and commands once every image is rewritten to the sentinel mirror. */
export function scanPlanImages(plan: Plan): ImageRef[] {
  const found = new Map<string, ImageRef>();
  const add = (ref: ImageRef) => found.set(imageKey(ref), ref);
  const prefix = `${SENTINEL_MIRROR}/`;
  const walk = (node: unknown, depth: number) => {
    if (depth > 64 || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    const o = node as Record<string, unknown>;
    const tag = typeof o.tag === 'string' && o.tag ? o.tag : undefined;
    const digest = typeof o.digest === 'string' && o.digest ? o.digest : undefined;
    if (typeof o.repository === 'string' && tag) {
      if (o.registry === SENTINEL_MIRROR) add(unmirror(o.repository, tag, digest));
      else if (o.repository.startsWith(prefix)) add(unmirror(o.repository.slice(prefix.length), tag, digest));
    }
    for (const child of Object.values(o)) walk(child, depth + 1);
  };
  const text = (s: string) => {
    const re = new RegExp(
      `${SENTINEL_MIRROR.replace(/\./g, '\\.')}/([a-z0-9][a-z0-9._/-]*?):([A-Za-z0-9_][A-Za-z0-9._-]{0,127})(@sha256:[a-f0-9]{64})?(?=$|[\\s"',\\]}])`,
      'g',
    );
    for (const m of s.matchAll(re)) add(unmirror(m[1]!, m[2]!, m[3]?.slice(1)));
  };
  for (const step of plan.steps) {
    for (const action of step.actions) {
      if (action.kind === 'exec') action.argv.forEach(text);
      if (action.kind !== 'write') continue;
      text(action.content);
      try {
        for (const doc of parseAllDocuments(action.content)) walk(doc.toJS(), 0);
      } catch {
        // not YAML/JSON: the text scan above covers it
      }
    }
  }
  return [...found.values()];
}

/** A release's chart as a ChartRef (local charts read their Chart.yaml). */
function releaseChart(release: ReleaseRef, plan: Plan, templatesDir: string): BundleChartSpec {
  const values = plan.steps.flatMap((s) => s.actions).find((a) => a.kind === 'write' && a.path === release.valuesFile);
  const rel = {
    name: release.name,
    namespace: release.namespace,
    values: values && values.kind === 'write' ? values.content : '',
  };
  if (release.local) {
    const copy = plan.steps
      .flatMap((s) => s.actions)
      .find((a) => a.kind === 'copy' && a.to.replace(/^\.\//, '') === release.chart.replace(/^\.\//, ''));
    const from = copy && copy.kind === 'copy' ? copy.from : release.chart.replace(/^\.\//, '');
    const meta = readChartMeta(`${templatesDir}/${from}`);
    return { source: 'local', name: meta.name, version: meta.version, repo: '', license: 'Apache-2.0', release: rel };
  }
  if (release.chart.startsWith('oci://')) {
    const path = release.chart.replace(/\/+$/, '');
    const cut = path.lastIndexOf('/');
    return {
      source: 'oci',
      name: path.slice(cut + 1),
      repo: path.slice(0, cut),
      version: release.version ?? '',
      license: '',
      release: rel,
    };
  }
  const name =
    release.chart.includes('/') && !release.repo ? release.chart.split('/').pop()! : release.chart.replace(/^.*\//, '');
  return {
    source: release.repo?.startsWith('oci://') ? 'oci' : 'repo',
    name,
    repo: release.repo ?? '',
    version: release.version ?? '',
    license: '',
    release: rel,
  };
}

const sameChart = (a: ChartRef, b: ChartRef) =>
  a.name === b.name && a.version.replace(/^v/, '') === b.version.replace(/^v/, '');

function hostFiles(spec: DeploySpec, arches: HostArch[], buildCacheDir?: string): BundleFileSpec[] {
  const files: BundleFileSpec[] = [];
  const b = spec.binary;
  const artifacts = b.artifacts as Record<string, { url?: string; file?: string; sha256?: string } | undefined>;
  const base = b.mirror.replace(/\/+$/, '');
  const exports: [string, keyof typeof OPENIM_EXPORTS, string, boolean][] = [
    ['openim-server', 'server', spec.openim.serverVersion, true],
    ['openim-chat', 'chat', spec.openim.chatVersion, spec.openim.components.chat],
  ];
  for (const [id, key, version, wanted] of exports) {
    if (!wanted) continue;
    const exp = OPENIM_EXPORTS[key];
    const given = artifacts[key] ?? {};
    for (const arch of arches) {
      // The catalog names files/ entries: the binary target reads them by the same function.
      const name = bundledArtifactName(key, version, arch);
      const pin = (exp.sha256 as Record<string, Partial<Record<HostArch, string>>>)[version]?.[arch] ?? '';
      const source = given.file || given.url || (base ? `${base}/${name}` : '');
      // Nothing to fetch and binary.source build: built here, as install would build it on the host.
      const forBuild = buildCacheDir
        ? { ...spec, binary: { ...spec.binary, build: { ...spec.binary.build, cacheDir: buildCacheDir } } }
        : spec;
      const build =
        !source && binarySource(spec, key) === 'build' ? goBuildAction(forBuild, key, arch, name) : undefined;
      files.push({
        id,
        name,
        arch,
        source: source || (build ? `go build ${build.module}@${build.version} (linux/${arch})` : ''),
        // A user pin is for the host's own arch; only trust it for a single-arch bundle. A build is
        // not pinned: the bundle records the digest of what was built (and signs it with --sign-key).
        sha256: build ? '' : (arches.length === 1 ? given.sha256 : '') || pin,
        license: 'Apache-2.0',
        ...(build ? { build } : {}),
        ...(source || build
          ? {}
          : {
              missing: `OpenIM publishes no ${key} binaries: set binary.source build (needs Go here), binary.artifacts.${key}.url or .file, or binary.mirror`,
            }),
      });
    }
  }
  const infra = spec.infrastructure;
  const wanted: (keyof typeof HOST_ARCHIVES)[] = [
    ...(infra.mongodb.mode === 'bundled' ? (['mongodb', 'mongosh'] as const) : []),
    ...(infra.kafka.mode === 'bundled' ? (['kafka'] as const) : []),
    ...(infra.objectStorage.mode === 'bundled' && infra.objectStorage.provider === 'minio' ? (['minio'] as const) : []),
    ...(spec.target === 'binary' && spec.binary.proxy.enabled ? (['caddy'] as const) : []),
  ];
  for (const id of wanted) {
    const archive = HOST_ARCHIVES[id];
    const given = artifacts[id] ?? {};
    // Without {arch} in its URL an archive is the same for every arch (Kafka is Java), but the
    // binary target looks for it under the name the catalog gives it per arch: one entry per arch.
    const perArch = archive.url.includes('{arch}');
    for (const arch of arches) {
      const pin = (archive.sha256 as Partial<Record<HostArch, string>>)[arch] ?? '';
      files.push({
        id,
        name: bundledArtifactName(id, archive.version, arch),
        arch,
        source: given.file || given.url || archiveUrl(archive, arch),
        sha256: (arches.length === 1 || !perArch ? given.sha256 : '') || pin,
        license: archive.license,
      });
    }
  }
  return files;
}

/** URLs the plan fetches (e.g. `kubectl apply -f https://…`) become bundled files; chart repositories are charts. */
function planUrls(plan: Plan): BundleFileSpec[] {
  const found = new Map<string, BundleFileSpec>();
  const repos = new Set(plan.steps.flatMap((s) => (s.release?.repo ? [s.release.repo] : [])));
  for (const step of plan.steps)
    for (const action of step.actions) {
      if (action.kind !== 'exec') continue;
      for (const [i, arg] of action.argv.entries()) {
        if (!/^https?:\/\/\S+$/.test(arg) || repos.has(arg) || action.argv[i - 1] === '--repo') continue;
        found.set(arg, {
          id: step.component ?? step.id,
          name: bundledDownloadName(arg, step.component),
          arch: 'any',
          source: arg,
          sha256: '',
        });
      }
    }
  return [...found.values()];
}

/**
 * Downloads the binary plan makes for each arch (monitoring and logging archives, and
 * whatever a target adds later): bundled under the name the plan saves them as, which
 * is the name the offline plan reads from bundle/files/.
 */
function planFetches(upstream: DeploySpec, arches: HostArch[]): BundleFileSpec[] {
  const found: BundleFileSpec[] = [];
  for (const arch of arches) {
    const plan = buildPlan({ ...upstream, binary: { ...upstream.binary, arch } }, unprobedFacts(upstream.target));
    for (const step of plan.steps)
      for (const action of step.actions) {
        if (action.kind !== 'fetch' || !action.url) continue;
        const name = action.to.split('/').pop()!;
        if (!found.some((f) => f.name === name))
          found.push({ id: step.component ?? step.id, name, arch, source: action.url, sha256: action.sha256 });
      }
  }
  return found;
}

export function bundleContents(spec: DeploySpec, options: ContentsOptions): BundleContents {
  // Upstream references: the bundle holds what the registries serve, not the mirror's names.
  // `images.rewrite` too: its rules name online mirrors, and the sentinel scan below needs every image under the mirror.
  // Chart repository mirrors likewise: the bundle records charts by their upstream source (bundle create --pull-mirror reaches them).
  const upstream: DeploySpec = {
    ...spec,
    images: { ...spec.images, mirror: '', rewrite: [] },
    kubernetes: { ...spec.kubernetes, helmRepoMirrors: {} },
    offline: { ...spec.offline, bundle: '' },
  };
  const plan = options.plan ?? buildPlan(upstream, unprobedFacts(spec.target));
  const gaps: string[] = [];
  const images = new Map<string, ImageRef>();
  const addImage = (ref: ImageRef) => images.set(imageKey(ref), ref);
  const components = new Set<string>();

  const releases = plan.steps.flatMap((s) => (s.release ? [s.release] : []));
  const charts: BundleContents['charts'] = [];
  for (const release of releases) {
    const chart = releaseChart(release, plan, options.templatesDir);
    if (!charts.some((c) => sameChart(c, chart) && c.source === chart.source)) charts.push(chart);
    const mod = findModule(release.name);
    if (mod) {
      components.add(mod.name);
      addImage(openimImageRef(mod.image, moduleTag(upstream, mod), spec.images.registry));
    }
  }

  const catalog = catalogComponents();
  const stepComponents = new Set(plan.steps.flatMap((s) => (s.component ? [s.component] : [])));
  for (const entry of catalog) {
    const byChart = entry.charts.some((c) => charts.some((used) => sameChart(used, c)));
    // A component's images are for Kubernetes; on a host the same component runs from an archive.
    const byStep = spec.target === 'kubernetes' && stepComponents.has(entry.id);
    if (!byChart && !byStep) continue;
    components.add(entry.id);
    entry.images.forEach(addImage);
    for (const used of charts) {
      const pinned = entry.charts.find((c) => sameChart(used, c));
      if (pinned && !used.license) used.license = pinned.license;
    }
  }
  for (const chart of charts) {
    if (
      chart.source !== 'local' &&
      !catalog.some((e) => e.images.length > 0 && e.charts.some((c) => sameChart(c, chart)))
    ) {
      gaps.push(
        `chart ${chart.name} ${chart.version}: the catalog pins no image for it; only rendering it with helm (bundle create --helm) finds the images it runs`,
      );
    }
  }

  // Every image the plan's files name, once rewritten to a mirror (issue #3 §7 makes that every image).
  const scanned = scanPlanImages(
    buildPlan({ ...upstream, images: { ...upstream.images, mirror: SENTINEL_MIRROR } }, unprobedFacts(spec.target)),
  );
  scanned.forEach(addImage);
  for (const c of stepComponents) components.add(c);

  const arches = options.arches ?? ['amd64'];
  const host = spec.target === 'binary' ? hostFiles(spec, arches, options.buildCacheDir) : [];
  // A host artifact the plan also fetches (MinIO, Kafka… from the vendor URL) is the same file: the bundle keeps it
  // once, under the per-arch name the offline plan reads (matched by component, as the fetch names it differently).
  const fetched =
    spec.target === 'binary'
      ? planFetches(upstream, arches).filter((f) => !host.some((h) => h.name === f.name || h.id === f.id))
      : [];
  const files = [...planUrls(plan), ...host, ...fetched];
  return {
    images: [...images.values()].sort((a, b) => imageKey(a).localeCompare(imageKey(b))),
    charts,
    files,
    components: [...components].sort(),
    gaps,
  };
}
