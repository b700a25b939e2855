// Where helm takes an upstream (non-local) chart from: its HTTP repository or
// OCI registry online (or their kubernetes.helmRepoMirrors entry); with `offline.bundle` the archive `install --bundle`
// stages under <workdir>/bundle/charts/, so helm never opens a connection.
// Pure: the plan only names the path; the executor runs helm in the work dir.

import { bundledChartPath } from '../../bundle-layout/names.js';
import type { DeploySpec } from '../../config/schema.js';

export interface UpstreamChart {
  /** Chart name in its repository. */
  name: string;
  /** HTTP repository URL, or an `oci://` reference prefix. */
  repo?: string;
  version?: string;
}

/** What helm is given: the chart argument, plus `--repo` / `--version` when they apply. */
export interface ChartSource {
  chart: string;
  repo?: string;
  version?: string;
  /** True when the chart is the bundled archive (relative to the work dir). */
  bundled: boolean;
}

/** The repository helm is sent to: the `kubernetes.helmRepoMirrors` entry for `repo` (trailing `/` ignored), else `repo`. */
function mirroredRepo(spec: DeploySpec, repo: string): string {
  const bare = (url: string) => url.replace(/\/+$/, '');
  const entry = Object.entries(spec.kubernetes.helmRepoMirrors).find(([from]) => bare(from) === bare(repo));
  return entry ? entry[1] : repo;
}

export function upstreamChartSource(spec: DeploySpec, upstream: UpstreamChart): ChartSource {
  // A bundled archive is named by name and version; without a version there is nothing to find offline.
  if (spec.offline.bundle && upstream.version)
    return { chart: bundledChartPath({ name: upstream.name, version: upstream.version }), bundled: true };
  const c = upstream.repo ? { ...upstream, repo: mirroredRepo(spec, upstream.repo) } : upstream;
  const version = c.version ? { version: c.version } : {};
  // helm has no --repo for OCI registries: the chart argument is the full reference.
  if (c.repo?.startsWith('oci://'))
    return { chart: `${c.repo.replace(/\/+$/, '')}/${c.name}`, ...version, bundled: false };
  return { chart: c.name, ...(c.repo ? { repo: c.repo } : {}), ...version, bundled: false };
}

/** The helm argv tail naming the chart source: `--version V` and `--repo URL` where they apply. */
export function chartSourceArgs(source: ChartSource): string[] {
  return [...(source.version ? ['--version', source.version] : []), ...(source.repo ? ['--repo', source.repo] : [])];
}
