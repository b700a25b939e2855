// The upstream charts of ../shared/charts (packaged from their release tags,
// with a chart repository index.yaml), served as a chart repository on
// loopback: the product reaches it through its real mirror option,
// kubernetes.helmRepoMirrors. Test fixtures only; never part of the project.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve } from 'node:path';
import * as infrastructure from '../../src/catalog/infrastructure.js';
import type { ChartRef } from '../../src/catalog/infrastructure.js';
import * as ingress from '../../src/catalog/ingress.js';
import type { DeploySpec } from '../../src/config/schema.js';
import { repoRoot } from './tools.js';

const CANDIDATES = [
  process.env.OPENIM_SHARED_CHARTS,
  resolve(repoRoot, '..', 'shared', 'charts'),
  resolve(repoRoot, '..', '..', 'shared', 'charts'),
  '/work/shared/charts',
].filter((p): p is string => !!p);

/** The fixture folder: OPENIM_SHARED_CHARTS, else `shared/charts` beside the checkout (or its main checkout), else this machine's /work/shared/charts. */
export function sharedChartsDir(): string {
  const found = CANDIDATES.find((p) => existsSync(join(p, 'index.yaml')));
  if (!found)
    throw new Error(`no upstream chart fixtures (index.yaml) in ${CANDIDATES.join(', ')}: set OPENIM_SHARED_CHARTS`);
  return found;
}

/** Every repository chart the catalog pins (ingress controllers, storage, monitoring, logging, cert-manager). */
export function pinnedRepoCharts(): ChartRef[] {
  const found: ChartRef[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown) => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const v = value as Partial<ChartRef>;
    if (
      v.source === 'repo' &&
      typeof v.name === 'string' &&
      typeof v.version === 'string' &&
      typeof v.repo === 'string'
    )
      found.push(v as ChartRef);
    for (const child of Object.values(value)) walk(child);
  };
  walk(infrastructure);
  walk(ingress);
  return found;
}

export interface ChartRepo {
  url: string;
  /** kubernetes.helmRepoMirrors sending every pinned upstream repository here. */
  mirrors: Record<string, string>;
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` (index.yaml and the .tgz it lists) on 127.0.0.1. */
async function serveChartRepo(dir = sharedChartsDir()): Promise<ChartRepo> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    requests.push(path);
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || !/\.(ya?ml|tgz)$/.test(file)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': file.endsWith('.tgz') ? 'application/gzip' : 'text/yaml' })
      .end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mirrors = Object.fromEntries(pinnedRepoCharts().map((c) => [c.repo, url]));
  return { url, mirrors, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let shared: Promise<ChartRepo> | undefined;
/** One loopback chart repository for the whole test file, never holding the process open. */
export function sharedChartRepo(): Promise<ChartRepo> {
  shared ??= serveChartRepo();
  return shared;
}

/**
 * A spec whose upstream charts `render` can reach here: every pinned repository mirrored to `repo`; with
 * offline.bundle, the charts staged under <outDir>/bundle/charts as `render` (and `install --bundle`) take them
 * out of a bundle (the fixtures are packaged under the same <name>-<version>.tgz names).
 */
export function withUpstreamCharts(spec: DeploySpec, repo: ChartRepo, outDir: string): DeploySpec {
  if (spec.offline.bundle) {
    const dir = sharedChartsDir();
    mkdirSync(join(outDir, 'bundle', 'charts'), { recursive: true });
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.tgz')))
      copyFileSync(join(dir, f), join(outDir, 'bundle', 'charts', f));
  }
  return { ...spec, kubernetes: { ...spec.kubernetes, helmRepoMirrors: repo.mirrors } };
}
