import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatImage, parseImage } from '../catalog/images.js';
import { findModule } from '../catalog/modules.js';
import { resolveConfig } from '../config/resolve.js';
import { unprobedFacts } from '../facts/types.js';
import { buildPlan } from '../targets/build-plan.js';
import { templatesDir } from '../util/package-root.js';
import { bundleContents, scanPlanImages, SENTINEL_MIRROR } from './contents.js';
import { PLAN_VERSION, type Plan } from '../plan/types.js';
import { requiredSets } from '../../test/helpers/config-presets.js';

const MIRROR = 'registry.test:5000/offline';

function spec(preset: string, sets: string[] = []) {
  return resolveConfig({ preset, sets: ['openim.domain=im.example.com', ...requiredSets(preset), ...sets], env: {} })
    .spec;
}

/** Every image reference in the plan's files, found the way a reviewer would: `image:` strings and repository/tag pairs. */
function imagesInPlan(presetSpec: ReturnType<typeof spec>): string[] {
  const plan = buildPlan(
    { ...presetSpec, images: { ...presetSpec.images, mirror: MIRROR } },
    unprobedFacts(presetSpec.target),
  );
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.image === 'string' && o.image.startsWith(`${MIRROR}/`)) found.add(o.image);
    if (typeof o.repository === 'string' && typeof o.tag === 'string' && o.tag) {
      const repo = typeof o.registry === 'string' && o.registry ? `${o.registry}/${o.repository}` : o.repository;
      if (repo.startsWith(`${MIRROR}/`)) found.add(`${repo}:${o.tag}`);
    }
    Object.values(o).forEach(visit);
  };
  for (const step of plan.steps)
    for (const a of step.actions)
      if (a.kind === 'write') for (const doc of parseAllDocuments(a.content)) visit(doc.toJS());
  // Back to the upstream name: the mirror keeps the upstream path below it.
  return [...found].map((ref) => formatImage(parseImage(ref.slice(MIRROR.length + 1))));
}

describe('bundleContents', () => {
  const production = spec('production');
  const contents = bundleContents(production, { templatesDir: templatesDir() });
  const bundled = new Set(contents.images.map(formatImage));

  it('lists every image the production plan uses', () => {
    const used = imagesInPlan(production);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((ref) => !bundled.has(ref))).toEqual([]);
  });

  it('has the image of every OpenIM module the plan releases, and upstream names only', () => {
    const plan = buildPlan(production, unprobedFacts('kubernetes'));
    const modules = plan.steps.flatMap((s) =>
      s.release && findModule(s.release.name) ? [findModule(s.release.name)!] : [],
    );
    expect(modules.length).toBeGreaterThanOrEqual(18);
    for (const mod of modules)
      expect(
        [...bundled].some((r) => r.includes(`/openim/${mod.image}:`)),
        mod.name,
      ).toBe(true);
    for (const ref of bundled) expect(ref).not.toContain(MIRROR);
  });

  it('has every chart the plan installs, and catalog images for each upstream chart', () => {
    const plan = buildPlan(production, unprobedFacts('kubernetes'));
    for (const release of plan.steps.flatMap((s) => (s.release ? [s.release] : []))) {
      expect(
        contents.charts.some(
          (c) =>
            c.release?.name === release.name ||
            (release.local ? c.source === 'local' : c.name === release.chart.split('/').pop()),
        ),
        release.name,
      ).toBe(true);
    }
    expect(contents.gaps).toEqual([]);
  });

  it('is the same with a mirror or a bundle set: a bundle holds upstream references', () => {
    const offline = spec('production', [`images.mirror=${MIRROR}`, 'offline.bundle=/tmp/x.tar']);
    expect(bundleContents(offline, { templatesDir: templatesDir() }).images).toEqual(contents.images);
  });

  it('binary target: the export tarballs per arch and the archives of bundled infrastructure, no images', () => {
    const host = spec('single-host', ['binary.mirror=https://mirror.example.com/openim']);
    const c = bundleContents(host, { templatesDir: templatesDir(), arches: ['amd64', 'arm64'] });
    const names = c.files.map((f) => f.name);
    expect(names).toContain(`exported_open-im-server_${host.openim.serverVersion}_linux_amd64.tar.gz`);
    expect(names).toContain(`exported_open-im-server_${host.openim.serverVersion}_linux_arm64.tar.gz`);
    expect(new Set(names).size).toBe(names.length);
    expect(c.files.every((f) => f.source.startsWith('https://'))).toBe(true);
    expect(c.images).toEqual([]);
    // binary.source archive without a source for OpenIM's own binaries: the bundle cannot be made, said, not guessed.
    const none = bundleContents(spec('single-host', ['binary.source=archive']), { templatesDir: templatesDir() });
    expect(none.files.find((f) => f.id === 'openim-server')?.missing).toMatch(/binary\.artifacts\.server/);
  });

  it('a host archive the plan fetches is listed once, under the name the offline plan reads, whether or not a local file is given', () => {
    const withFile = bundleContents(
      spec('single-host', [
        'binary.artifacts.minio.file=/srv/minio',
        `binary.artifacts.minio.sha256=${'c'.repeat(64)}`,
      ]),
      { templatesDir: templatesDir() },
    );
    const vendor = bundleContents(spec('single-host'), { templatesDir: templatesDir() });
    const minio = (c: typeof vendor) => c.files.filter((f) => f.id === 'minio').map((f) => f.name);
    expect(minio(vendor)).toEqual(minio(withFile));
    expect(minio(vendor)).toHaveLength(1);
  });

  it('binary.source build (the default without a source): server and chat are built on the connected machine, per arch, unpinned, into the given cache', () => {
    const host = spec('single-host');
    const c = bundleContents(host, {
      templatesDir: templatesDir(),
      arches: ['amd64', 'arm64'],
      buildCacheDir: '/home/u/.cache/openim-deploy/openim-build',
    });
    const built = c.files.filter((f) => f.build);
    expect(built.map((f) => [f.id, f.arch, f.build!.arch, f.build!.version])).toEqual([
      ['openim-server', 'amd64', 'amd64', host.openim.serverVersion],
      ['openim-server', 'arm64', 'arm64', host.openim.serverVersion],
      ['openim-chat', 'amd64', 'amd64', host.openim.chatVersion],
      ['openim-chat', 'arm64', 'arm64', host.openim.chatVersion],
    ]);
    for (const f of built) {
      expect(f.missing).toBeUndefined();
      expect(f.sha256).toBe('');
      expect(f.build!.cacheDir).toBe('/home/u/.cache/openim-deploy/openim-build');
      // The name the offline install reads from files/.
      expect(f.name).toBe(f.build!.fileName);
      expect(f.source).toMatch(/^go build github\.com\/openimsdk\//);
    }
  });
});

describe('bundle contents and the binary target agree on file names', () => {
  it('every file an offline binary plan reads from bundle/files/ is one the bundle holds, per arch', () => {
    const sets = ['binary.mirror=https://mirror.example.com/openim'];
    const c = bundleContents(spec('single-host', sets), { templatesDir: templatesDir(), arches: ['amd64', 'arm64'] });
    const held = new Set(c.files.map((f) => `bundle/files/${f.name}`));
    for (const arch of ['amd64', 'arm64']) {
      const offline = spec('single-host', [...sets, 'offline.bundle=/tmp/x.tar', `binary.arch=${arch}`]);
      const read = buildPlan(offline, unprobedFacts('binary'))
        .steps.flatMap((s) => s.actions)
        .flatMap((a) => (a.kind === 'fetch' && a.file?.startsWith('bundle/') ? [a.file] : []));
      expect(read.length, arch).toBeGreaterThan(0);
      expect(
        read.filter((f) => !held.has(f)),
        arch,
      ).toEqual([]);
    }
  });
});

describe('scanPlanImages', () => {
  it('reads upstream names back from mirrored references, registries with a port included', () => {
    const content = [
      `image: ${SENTINEL_MIRROR}/localhost_5000/a/b:1`,
      `other: "${SENTINEL_MIRROR}/quay.io/ceph/ceph:v19.2.3"`,
      `third: ${SENTINEL_MIRROR}/library/redis:7`,
    ].join('\n');
    const plan: Plan = {
      version: PLAN_VERSION,
      target: 'kubernetes',
      profile: 'dev',
      openim: { serverVersion: 'x', chatVersion: 'y' },
      scope: 'openim',
      steps: [
        {
          id: 's',
          title: 's',
          phase: 'config',
          needs: [],
          actions: [{ kind: 'write', path: 'f.yaml', mode: 0o644, content }],
        },
      ],
    };
    expect(scanPlanImages(plan).map(formatImage).sort()).toEqual([
      'docker.io/library/redis:7',
      'localhost:5000/a/b:1',
      'quay.io/ceph/ceph:v19.2.3',
    ]);
  });
});
