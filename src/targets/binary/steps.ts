// The host plan: user and directories first. (Issue #4 grows this into
// artifacts, config, units, start order and health checks.)

import type { DeploySpec } from '../../config/rules.js';
import type { BinaryFacts } from '../../facts/types.js';
import type { Step } from '../../plan/types.js';

export function binarySteps(spec: DeploySpec, _facts: BinaryFacts): Step[] {
  const b = spec.binary;
  return [
    {
      id: 'binary.user',
      title: `System user ${b.user}`,
      phase: 'prepare',
      needs: [],
      actions: [{ kind: 'exec', argv: ['useradd', '--system', '--home-dir', b.dataDir, '--shell', '/usr/sbin/nologin', b.user], mutates: true, okExitCodes: [9] }],
    },
    {
      id: 'binary.dirs',
      title: 'Directories',
      phase: 'prepare',
      needs: ['binary.user'],
      actions: [
        { kind: 'exec', argv: ['install', '-d', '-m', '0755', b.prefix, `${b.configDir}/server`, `${b.configDir}/chat`], mutates: true },
        { kind: 'exec', argv: ['install', '-d', '-m', '0750', '-o', b.user, '-g', b.user, b.dataDir], mutates: true },
        { kind: 'exec', argv: ['install', '-d', '-m', '0700', b.stateDir], mutates: true },
      ],
    },
  ];
}
