// What `plan`, `doctor` and the README say about each catalog version: how it
// finds its peers on Kubernetes, how a process is told where its config is,
// and how far the project has verified it. Pure data from the catalog.

import { CHAT_RELEASES, SERVER_RELEASES, type KubernetesRuntime, type Verification } from './openim-versions.js';

export interface VersionRow {
  product: 'server' | 'chat';
  version: string;
  /** Discovery on Kubernetes, as the README table words it. */
  kubernetesDiscovery: string;
  /** How the process gets its config folder. */
  config: string;
  verification: Verification;
  /** Why that discovery (upstream files named). */
  reason: string;
}

function discoveryText(runtime: KubernetesRuntime): string {
  return runtime.discovery === 'etcd' ? 'etcd in the cluster' : 'Kubernetes API (service names)';
}

function configText(runtime: KubernetesRuntime): string {
  return runtime.configVia === 'env' ? 'CONFIG_PATH' : '-c <dir> -i <n>';
}

/** Every catalog version, server lines first, in catalog order. */
export function versionRows(): VersionRow[] {
  return [
    ...SERVER_RELEASES.map((r) => ({
      product: 'server' as const,
      version: r.version,
      kubernetesDiscovery: discoveryText(r.kubernetes),
      config: configText(r.kubernetes),
      verification: r.verification,
      reason: r.kubernetes.discoveryReason,
    })),
    ...CHAT_RELEASES.map((r) => ({
      product: 'chat' as const,
      version: r.version,
      kubernetesDiscovery: discoveryText(r.kubernetes),
      config: configText(r.kubernetes),
      verification: r.verification,
      reason: r.kubernetes.discoveryReason,
    })),
  ];
}

/**
 * Text lines for `plan` and `doctor`. Kubernetes: every catalog version (the
 * chosen ones marked, with the reason for their discovery); binary: the chosen
 * versions (discovery is always the host's etcd there).
 */
export function versionReport(target: 'kubernetes' | 'binary', chosen: { server: string; chat?: string }): string[] {
  const isChosen = (r: VersionRow) =>
    r.product === 'server' ? r.version === chosen.server : r.version === chosen.chat;
  const rows = versionRows().filter((r) => target === 'kubernetes' || isChosen(r));
  const lines = [
    target === 'kubernetes'
      ? 'OpenIM versions on Kubernetes (* = chosen):'
      : 'OpenIM versions (binary target: discovery through etcd on this host, config with -c):',
  ];
  for (const r of rows) {
    const mark = isChosen(r) ? '*' : ' ';
    const discovery = target === 'kubernetes' ? `discovery: ${r.kubernetesDiscovery}; ` : '';
    lines.push(`  ${mark} ${r.product} ${r.version}: ${discovery}config: ${r.config}; verification: ${r.verification}`);
    if (target === 'kubernetes' && isChosen(r)) lines.push(`      why: ${r.reason}`);
  }
  return lines;
}
