// Installing distribution packages on the host, for the steps that need some
// (Redis and etcd; the monitoring tools from packages).

import type { PackageManager } from '../../catalog/host-artifacts.js';
import type { ExecAction } from '../../plan/types.js';
import { exec } from '../../plan/actions.js';

/** Installs the packages not there yet; nothing when none is missing. apt never asks and adds no recommended packages. */
export function packageInstallActions(pm: PackageManager, missing: string[]): ExecAction[] {
  if (missing.length === 0) return [];
  if (pm === 'apt') {
    return [
      exec(['apt-get', 'update'], { timeoutSeconds: 600 }),
      exec(
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', ...missing],
        {
          timeoutSeconds: 900,
        },
      ),
    ];
  }
  return [exec(['dnf', 'install', '-y', ...missing], { timeoutSeconds: 900 })];
}
