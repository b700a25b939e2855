// Chart archives for a bundle: the project's own charts packed from
// templates/charts (deterministically: sorted entries, fixed times, so a
// resumed bundle gets the same bytes), and upstream charts pulled from an
// HTTP repository (index.yaml → .tgz, digest checked) or an OCI registry.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import type { ChartRef } from '../catalog/infrastructure.js';
import { readBody, discard, sendWithRetry, type HttpOptions, HttpError } from '../http/request.js';
import { MEDIA, type ImageManifest } from '../oci/media-types.js';
import type { RegistryClient } from '../oci/registry-client.js';
import { pullLocation } from '../oci/resolve.js';
import { fetchVerified, urlOpener, type Verified } from './download.js';
import { tarArchive } from '../archive/tar/in-memory.js';

/** `.helmignore` lines as matchers (basename globs and folder names, as helm mostly uses them). */
function ignoreMatchers(chartDir: string): ((rel: string, isDir: boolean) => boolean)[] {
  const file = join(chartDir, '.helmignore');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((pattern) => {
      const dirOnly = pattern.endsWith('/');
      const glob = pattern.replace(/\/$/, '');
      const re = toRegex(glob);
      return (rel: string, isDir: boolean) =>
        (!dirOnly || isDir) && (glob.includes('/') ? re.test(rel) : re.test(rel.split('/').pop()!));
    });
}

export function readChartMeta(chartDir: string): { name: string; version: string } {
  const meta = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name?: unknown; version?: unknown };
  if (typeof meta.name !== 'string' || typeof meta.version !== 'string')
    throw new Error(`${chartDir}/Chart.yaml needs a name and a version`);
  return { name: meta.name, version: String(meta.version) };
}

/** `helm package`, in-process: `<name>/…` entries in a gzipped tar. */
export function packChart(chartDir: string): { name: string; version: string; tgz: Buffer } {
  if (!existsSync(join(chartDir, 'Chart.yaml'))) throw new Error(`no chart at ${chartDir} (Chart.yaml missing)`);
  const { name, version } = readChartMeta(chartDir);
  const ignored = ignoreMatchers(chartDir);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      const rel = relative(chartDir, full).split('\\').join('/');
      if (ignored.some((m) => m(rel, entry.isDirectory()))) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(rel);
      // Symlinks and others are left out, as helm package refuses to follow links out of the chart.
    }
  };
  walk(chartDir);
  const archive = tarArchive(
    files.map((rel) => ({ path: `${name}/${rel}`, data: readFileSync(join(chartDir, rel)), mode: 0o644, mtime: 0 })),
  );
  return { name, version, tgz: gzipSync(archive, { level: 9 }) };
}

interface RepoIndex {
  entries?: Record<string, { version?: string; urls?: string[]; digest?: string }[]>;
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/**
 * A download URL after `--url-mirror FROM=TO` rewriting: the longest FROM
 * that prefixes the URL is replaced by TO (chart repositories, host artifacts).
 */
export function mirrorUrl(url: string, mirrors: Record<string, string>): string {
  const match = Object.entries(mirrors)
    .filter(([from]) => url === from || url.startsWith(withSlash(from)) || withSlash(url) === withSlash(from))
    .sort(([a], [b]) => b.length - a.length)[0];
  if (!match) return url;
  const [from, to] = match;
  const rest = url.length > from.length ? url.slice(withSlash(from).length) : '';
  return rest ? `${withSlash(to)}${rest}` : to;
}

/** Pulls `name@version` from a classic HTTP chart repository into `dest`. */
export async function pullRepoChart(
  chart: ChartRef,
  dest: string,
  http: HttpOptions,
  mirrors: Record<string, string> = {},
): Promise<Verified> {
  const base = withSlash(mirrorUrl(chart.repo, mirrors));
  const indexUrl = new URL('index.yaml', base).toString();
  const sent = await sendWithRetry(indexUrl, () => ({}), http);
  if (sent.response.status !== 200) {
    await discard(sent);
    throw new HttpError(
      `chart repository ${chart.repo}: index.yaml answered HTTP ${sent.response.status}`,
      sent.response.status,
      indexUrl,
    );
  }
  const index = parseYaml((await readBody(sent, 256 * 1024 * 1024, http.signal)).toString('utf8')) as RepoIndex;
  const versions = index.entries?.[chart.name] ?? [];
  const wanted = chart.version.replace(/^v/, '');
  const entry =
    versions.find((v) => v.version === chart.version) ?? versions.find((v) => v.version?.replace(/^v/, '') === wanted);
  if (!entry)
    throw new Error(
      `chart ${chart.name} ${chart.version} is not in ${chart.repo} (it has ${
        versions
          .slice(0, 5)
          .map((v) => v.version)
          .join(', ') || 'no versions of it'
      })`,
    );
  const url = entry.urls?.[0];
  if (!url) throw new Error(`chart ${chart.name} ${chart.version} in ${chart.repo} has no download URL`);
  const absolute = new URL(url, base).toString();
  const pinned = entry.digest && /^[a-f0-9]{64}$/.test(entry.digest) ? entry.digest : undefined;
  return fetchVerified(
    `chart ${chart.name}-${chart.version}`,
    dest,
    pinned ? { sha256: pinned } : {},
    urlOpener(absolute, http),
  );
}

/** `oci://host/path` + name → registry, repository. */
function ociChartLocation(chart: ChartRef): { registry: string; repository: string } {
  const base = chart.repo.replace(/^oci:\/\//, '').replace(/\/+$/, '');
  const [registry, ...path] = base.split('/');
  if (!registry) throw new Error(`chart ${chart.name}: bad OCI repository ${chart.repo}`);
  return { registry, repository: [...path, chart.name].join('/') };
}

/** Pulls a chart stored as an OCI artifact (helm push) into `dest`. */
export async function pullOciChart(
  chart: ChartRef,
  dest: string,
  client: RegistryClient,
  pullMirrors: Record<string, string> = {},
): Promise<Verified> {
  const upstream = ociChartLocation(chart);
  const { registry, repository } = pullLocation({ ...upstream, tag: chart.version }, pullMirrors);
  const found = await client.getManifest(registry, repository, chart.version, `${MEDIA.ociManifest}`);
  const manifest = JSON.parse(found.bytes.toString('utf8')) as ImageManifest;
  const layer = manifest.layers.find((l) => l.mediaType === MEDIA.helmChart);
  if (!layer)
    throw new Error(`${registry}/${repository}:${chart.version} is not a Helm chart (no ${MEDIA.helmChart} layer)`);
  return fetchVerified(
    `chart ${chart.name}-${chart.version}`,
    dest,
    { sha256: layer.digest.slice(7), size: layer.size },
    async (offset) => client.openBlob(registry, repository, layer.digest, offset),
  );
}
