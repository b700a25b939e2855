// Issue 18 item 5: a bundle holds every image the install would run. For the
// production preset with monitoring, logging, rook-ceph (object storage too)
// and each ingress controller: `bundle create`'s own code path (bundleContents
// + createBundle, upstream charts pulled from ../shared/charts on loopback
// through its --url-mirror option and rendered with real helm) writes a
// manifest.json; `render` of the same config (charts through
// kubernetes.helmRepoMirrors) writes the manifests; the images named in those
// manifests, read here by a parser of this test's own, must equal the
// manifest's image list: nothing missing behind a firewall, nothing extra.
//
// The registry is a stand-in (StandInRegistry below): every image resolves to a
// tiny synthetic linux/amd64 image, so no image is pulled from the internet;
// what is proven is which references the bundle holds, not their bytes. Pulling
// real images into a bundle and loading them is test:offline's job.

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bundleContents } from '../../src/bundle/contents.js';
import { createBundle } from '../../src/bundle/create.js';
import { formatImage, parseImage } from '../../src/catalog/images.js';
import { INGRESS_CONTROLLERS } from '../../src/catalog/ingress.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { RegistryClient, type FetchedManifest } from '../../src/oci/registry-client.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import { renderPlan } from '../../src/render/render.js';
import { helmBinaries, repoRoot } from '../helpers/tools.js';
import { sharedChartRepo, type ChartRepo } from '../helpers/shared-charts.js';
import { INGRESS_SETS } from '../helpers/ingress-sets.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Stand-in for the registries: any reference is a one-layer linux/amd64 image whose layer names it. */
class StandInRegistry extends RegistryClient {
  readonly asked: string[] = [];
  private readonly blobs = new Map<string, Buffer>();
  override async getManifest(registry: string, repo: string, reference: string): Promise<FetchedManifest> {
    this.asked.push(`${registry}/${repo}:${reference}`);
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64' }));
    const layer = Buffer.from(`${registry}/${repo}:${reference}`);
    this.blobs.set(sha(config), config);
    this.blobs.set(sha(layer), layer);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
      }),
    );
    return { bytes, digest: sha(bytes), mediaType: 'application/vnd.oci.image.manifest.v1+json' };
  }
  override async openBlob(
    _registry: string,
    _repo: string,
    digest: string,
  ): Promise<{ stream: Readable; offset: number; length?: number }> {
    const bytes = this.blobs.get(digest);
    if (!bytes) throw new Error(`stand-in registry: no blob ${digest}`);
    return { stream: Readable.from([bytes]), offset: 0, length: bytes.length };
  }
}

/**
 * Every container image a manifest names, by this test's own reading: `image:` of any container, init container,
 * ephemeral container or custom resource (CephCluster cephVersion.image, Prometheus image…), and image
 * references handed to operators as arguments (`--prometheus-config-reloader=quay.io/…`), ConfigMap values
 * (rook's ROOK_CSI_*_IMAGE) or env entries named *IMAGE, and the proxy istio's injector puts into `image: auto`.
 */
function imagesIn(text: string): Set<string> {
  const out = new Set<string>();
  const ref =
    /^(?:[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?\/|[a-z0-9.-]+:\d+\/)?[a-z0-9._-]+(?:\/[a-z0-9._-]+)*(?::[\w][\w.-]*)?(?:@sha256:[a-f0-9]{64})?$/;
  const add = (value: string) => {
    const v = value.trim();
    if (!ref.test(v) || !/[:@]/.test(v.split('/').pop()!)) return;
    out.add(formatImage(parseImage(v)));
  };
  const visit = (node: unknown, key = ''): void => {
    if (typeof node === 'string') {
      if (key === 'image' || /IMAGE$/.test(key)) add(node);
      const flag = /^--[\w-]*(?:image|reloader)[\w-]*=(.+)$/.exec(node);
      if (flag) add(flag[1]!);
    } else if (Array.isArray(node)) node.forEach((n) => visit(n, key));
    else if (node && typeof node === 'object') {
      const { name, value } = node as { name?: unknown; value?: unknown };
      if (typeof name === 'string' && typeof value === 'string' && /IMAGE$/.test(name)) add(value);
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> } | null;
    visit(obj);
    // Istio's gateway runs `image: auto`: the proxy image istiod's injector puts in at admission, from its values.
    if (obj?.kind === 'ConfigMap' && obj.metadata?.name === 'istio-sidecar-injector' && obj.data?.values) {
      const g = (JSON.parse(obj.data.values) as { global: { hub: string; tag: string; proxy: { image: string } } })
        .global;
      add(`${g.hub}/${g.proxy.image}:${g.tag}`);
    }
  }
  return out;
}

const CONTROLLERS = INGRESS_SETS;
const BASE = [
  'openim.domain=im.example.com',
  'monitoring.enabled=true',
  'logging.enabled=true',
  'kubernetes.storage.backend=rook-ceph',
  'infrastructure.objectStorage.provider=rook-ceph',
];
const helm = helmBinaries()[0]!.helm;
const work = mkdtempSync(join(tmpdir(), 'openim-bundle-images-'));
let repo: ChartRepo;
beforeAll(async () => {
  repo = await sharedChartRepo();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bundle image list equals the images of the rendered manifests (production, monitoring, logging, rook-ceph)', () => {
  it.each(Object.keys(CONTROLLERS))('%s', async (controller) => {
    const spec = resolveConfig({
      preset: 'production',
      sets: [...BASE, ...CONTROLLERS[controller as keyof typeof CONTROLLERS]],
      env: {},
    }).spec;
    const dir = join(work, controller);
    const runner = new ExecaRunner();

    // render: every release through the chart mirror, as a user with a mirror would run it.
    const renderOut = join(dir, 'render');
    const plan = buildPlan(
      { ...spec, kubernetes: { ...spec.kubernetes, helmRepoMirrors: repo.mirrors } },
      unprobedFacts('kubernetes'),
    );
    const rendered = await renderPlan(plan, {
      outDir: renderOut,
      templatesDir: join(repoRoot, 'templates'),
      runner,
      helm,
    });
    expect(rendered.failed, JSON.stringify(rendered.failed)).toEqual([]);
    const releases = plan.steps.filter((s) => s.release).length;
    expect(rendered.manifests.length).toBe(releases);
    // Every manifest render wrote: helm's per release and the plan's own (manifests/**/*.yaml).
    const files = readdirSync(join(renderOut, 'manifests'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.yaml'),
    );
    const inRender = new Set(
      files.flatMap((f) => [...imagesIn(readFileSync(join(renderOut, 'manifests', f), 'utf8'))]),
    );

    // bundle create: the same config, charts through --url-mirror, images from the stand-in registry.
    const client = new StandInRegistry();
    const warnings: string[] = [];
    const result = await createBundle({
      output: join(dir, 'bundle.tar'),
      contents: bundleContents(spec, { templatesDir: join(repoRoot, 'templates') }),
      platforms: [{ os: 'linux', architecture: 'amd64' }],
      meta: {
        target: spec.target,
        profile: spec.profile,
        openim: { serverVersion: spec.openim.serverVersion, chatVersion: spec.openim.chatVersion },
        createdBy: 'test',
      },
      templatesDir: join(repoRoot, 'templates'),
      concurrency: 4,
      client,
      http: {},
      helm: { runner, helm },
      urlMirrors: {
        ...repo.mirrors,
        ...Object.fromEntries(
          INGRESS_CONTROLLERS['gateway-api'].manifests.map((m) => [
            m.url,
            `${repo.url}/gateway-api-${m.version}-standard-install.yaml`,
          ]),
        ),
      },
      report: (e) => {
        if (e.kind === 'warning' && /could not be rendered/.test(e.message)) warnings.push(e.message);
      },
    });
    expect(warnings).toEqual([]);
    const inBundle = result.manifest.images.map((i) => i.ref);
    expect(inBundle.length, 'de-duplicated').toBe(new Set(inBundle).size);
    // Every upstream chart came from the mirror, none from the internet.
    for (const c of result.manifest.charts.filter((c) => c.source === 'repo'))
      expect(repo.requests).toContain(`/${c.name}-${c.version}.tgz`);

    const bundled = new Set(inBundle);
    expect({
      missingFromBundle: [...inRender].filter((i) => !bundled.has(i)).sort(),
      notInRender: [...bundled].filter((i) => !inRender.has(i)).sort(),
    }).toEqual({ missingFromBundle: [], notInRender: [] });
    expect(inRender.size).toBeGreaterThan(30);
  });
});
