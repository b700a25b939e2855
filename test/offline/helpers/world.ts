// The connected side and the air-gapped side of the tests, all on loopback:
//  - a token service (Docker Hub flow: anonymous pull, credentialed push),
//  - the source registry (docker-registry 2.8, token auth) seeded with small
//    images built here and pushed with skopeo; it stands in for quay.io,
//    docker.io and ghcr.io through `bundle create --pull-mirror`,
//  - an HTTP server with a chart repository (index.yaml + .tgz) and a host
//    artifact, standing in for a Helm repo and a download site,
//  - the target registry (token auth, credentials required for everything),
//    reached with a docker config.json, as a private registry would be.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startFileServer, type FileServer } from './http-server.js';
import { blob, buildImage, manifestOf, pushWithSkopeo, randomLayer, type BuiltImage, type Layer } from './images.js';
import { startRegistry, type Registry } from './registry.js';
import { startTokenServer, type TokenServer } from './token-server.js';
import { removeTempDirs, tempDir } from './scratch.js';

export const REFS = {
  a: 'quay.io/openim-test/app-a:1.0',
  b: 'docker.io/openimtest/app-b:1.0',
  multi: 'ghcr.io/openim-test/multi:2.0',
} as const;

/** Not listed anywhere: only rendering the demo chart finds it. */
export const RENDERED_REF = 'registry.k8s.io/openim-test/rendered:3.0';

export const SEED = { user: 'seed', password: 'seed-pw' };
export const ADMIN = { user: 'admin', password: 'admin-pw' };

export interface World {
  tokens: TokenServer;
  targetTokens: TokenServer;
  source: Registry;
  target: Registry;
  http: FileServer;
  base: Layer;
  images: Record<keyof typeof REFS, BuiltImage>;
  rendered: BuiltImage;
  /** `bundle create` flags that send the upstream names to the loopback servers. */
  mirrorFlags: string[];
  chart: { name: string; version: string; repo: string; tgz: Buffer };
  ociChart: { name: string; version: string; repo: string; digest: string };
  binary: { name: string; url: string; sha256: string; bytes: Buffer };
  /** A folder whose config.json holds the target's credentials (DOCKER_CONFIG). */
  dockerConfig: string;
  /** `--contents-from` YAML for the small test images, charts and file. */
  contentsFile: string;
  stop(): Promise<void>;
}

/** Upstream registries the source registry stands in for; each one's images live below its name. */
const UPSTREAMS = ['docker.io', 'quay.io', 'ghcr.io', 'registry.k8s.io', 'registry.cn-hangzhou.aliyuncs.com'];

/** `quay.io/a/b:1` → `quay.io/a/b:1` below the source host (the upstream registry name is the first path element). */
function sourcePath(ref: string): string {
  return ref;
}

export function mirrorFlagsFor(
  source: string,
  urls: Record<string, string> = {},
  registries: string[] = UPSTREAMS,
): string[] {
  return [
    ...registries.flatMap((registry) => ['--pull-mirror', `${registry}=${source}/${registry}`]),
    ...Object.entries(urls).flatMap(([from, to]) => ['--url-mirror', `${from}=${to}`]),
  ];
}

function tgzOf(files: Record<string, string>): Buffer {
  const dir = tempDir('chart');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const tgz = execFileSync('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '-czf',
    '-',
    '-C',
    dir,
    ...Object.keys(files)
      .map((f) => f.split('/')[0]!)
      .filter((v, i, a) => a.indexOf(v) === i),
  ]);
  rmSync(dir, { recursive: true, force: true });
  return tgz;
}

/** A small chart; with `image`, it runs a Deployment of that image (as upstream charts do, from their values). */
export function chartTgz(name: string, version: string, image?: string): Buffer {
  return tgzOf({
    [`${name}/Chart.yaml`]: stringify({ apiVersion: 'v2', name, version, appVersion: version }),
    [`${name}/values.yaml`]: stringify({ message: 'hello', ...(image ? { image } : {}) }),
    [`${name}/templates/configmap.yaml`]:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  message: {{ .Values.message | quote }}\n',
    ...(image
      ? {
          [`${name}/templates/deployment.yaml`]:
            'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  selector:\n    matchLabels: {app: demo}\n  template:\n    metadata:\n      labels: {app: demo}\n    spec:\n      containers:\n        - name: main\n          image: {{ .Values.image | quote }}\n',
        }
      : {}),
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function startWorld(): Promise<World> {
  const tokens = await startTokenServer({ users: { [SEED.user]: SEED.password } });
  const targetTokens = await startTokenServer({ users: { [ADMIN.user]: ADMIN.password }, anonymousPull: false });
  const source = await startRegistry({ token: tokens.auth, name: 'source' });
  const target = await startRegistry({ token: targetTokens.auth, name: 'target' });
  const http = await startFileServer();

  // Two images share a 256 KiB base layer; a third is multi-platform with the base on amd64.
  const base = randomLayer('base', 256 * 1024);
  const images = {
    a: buildImage('app-a', ['amd64'], () => [base, randomLayer('app-a', 20 * 1024)]),
    b: buildImage('app-b', ['amd64'], () => [base, randomLayer('app-b', 30 * 1024)]),
    multi: buildImage('multi', ['amd64', 'arm64'], (arch) =>
      arch === 'amd64' ? [base, randomLayer('multi-amd64', 10 * 1024)] : [randomLayer('multi-arm64', 12 * 1024)],
    ),
  };
  for (const key of Object.keys(REFS) as (keyof typeof REFS)[])
    await pushWithSkopeo(images[key], `${source.host}/${sourcePath(REFS[key])}`, `${SEED.user}:${SEED.password}`);
  const rendered = buildImage('rendered', ['amd64'], () => [base, randomLayer('rendered', 8 * 1024)]);
  await pushWithSkopeo(rendered, `${source.host}/${sourcePath(RENDERED_REF)}`, `${SEED.user}:${SEED.password}`);

  // A classic chart repository.
  const chart = {
    name: 'demo',
    version: '0.3.0',
    repo: 'https://charts.example.com/stable',
    tgz: chartTgz('demo', '0.3.0', RENDERED_REF),
  };
  http.files.set('/charts/demo-0.3.0.tgz', chart.tgz);
  http.files.set(
    '/charts/index.yaml',
    Buffer.from(
      stringify({
        apiVersion: 'v1',
        entries: { demo: [{ name: 'demo', version: '0.3.0', urls: ['demo-0.3.0.tgz'], digest: sha256(chart.tgz) }] },
      }),
    ),
  );

  // A chart stored as an OCI artifact (what `helm push` makes).
  const ociTgz = chartTgz('ocidemo', '1.2.3');
  const helmConfig = Buffer.from(JSON.stringify({ apiVersion: 'v2', name: 'ocidemo', version: '1.2.3' }));
  const configBlob = blob(helmConfig, 'application/vnd.cncf.helm.config.v1+json');
  const layerBlob = blob(ociTgz, 'application/vnd.cncf.helm.chart.content.v1.tar+gzip');
  const manifest = manifestOf(configBlob, [layerBlob]);
  await pushWithSkopeo(
    { root: manifest, blobs: [configBlob, layerBlob, manifest], manifests: {} },
    `${source.host}/${sourcePath('ghcr.io/openim-test/charts/ocidemo')}:1.2.3`,
    `${SEED.user}:${SEED.password}`,
  );
  const ociChart = {
    name: 'ocidemo',
    version: '1.2.3',
    repo: 'oci://ghcr.io/openim-test/charts',
    digest: layerBlob.digest,
  };

  // A host artifact with a pinned digest.
  const binaryBytes = tgzOf({ 'tool/bin/tool': '#!/bin/sh\necho tool\n' });
  http.files.set('/files/tool-1.0-linux-amd64.tar.gz', binaryBytes);
  const binary = {
    name: 'tool-1.0-linux-amd64.tar.gz',
    url: `${http.url}/files/tool-1.0-linux-amd64.tar.gz`,
    sha256: sha256(binaryBytes),
    bytes: binaryBytes,
  };

  const dockerConfig = tempDir('docker');
  writeFileSync(
    join(dockerConfig, 'config.json'),
    JSON.stringify({
      auths: { [target.host]: { auth: Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64') } },
    }),
  );

  const contentsFile = join(tempDir('contents'), 'contents.yaml');
  writeFileSync(
    contentsFile,
    stringify({
      images: Object.values(REFS),
      charts: [
        { source: 'local', name: 'openim-service' },
        { source: 'repo', name: chart.name, version: chart.version, repo: chart.repo },
        { source: 'oci', name: ociChart.name, version: ociChart.version, repo: ociChart.repo },
      ],
      files: [{ id: 'tool', name: binary.name, source: binary.url, sha256: binary.sha256, arch: 'amd64' }],
    }),
  );

  return {
    tokens,
    targetTokens,
    source,
    target,
    http,
    base,
    images,
    rendered,
    mirrorFlags: mirrorFlagsFor(source.host, { [chart.repo]: `${http.url}/charts` }),
    chart,
    ociChart,
    binary,
    dockerConfig,
    contentsFile,
    stop: async () => {
      await Promise.all([source.stop(), target.stop(), tokens.stop(), targetTokens.stop(), http.stop()]);
      removeTempDirs();
    },
  };
}
