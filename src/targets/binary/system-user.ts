// The system accounts the host target runs services as (OpenIM's, the
// monitoring stack's): no login shell, no home created (the data dir is
// made by the steps that own it), a group of the same name.

import type { ExecAction } from '../../plan/types.js';
import { exec } from '../../plan/actions.js';

/** useradd for a system account; exit 9 (the user exists already) counts as done, so a re-run passes. */
export function systemUserAction(user: string, homeDir: string): ExecAction {
  return exec(
    [
      'useradd',
      '--system',
      '--user-group',
      '--home-dir',
      homeDir,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      user,
    ],
    { okExitCodes: [9] },
  );
}
