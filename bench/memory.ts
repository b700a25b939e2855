// Peak RSS of a CLI run, read from GNU time (apt: time) when present, else
// from the child's own resource usage via a small wrapper.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from './stats.js';
import { NFS_SERVER_SET } from '../test/helpers/config-presets.js';

export function peakRssKiB(args: string[]): number {
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const kib = Number(r.stderr.trim().split('\n').pop());
    if (r.status === 0 && Number.isFinite(kib)) return kib;
  }
  const wrapper = `process.on('exit',()=>{process.stderr.write('\\nRSS '+process.resourceUsage().maxRSS)});process.argv.splice(1,1);await import(process.argv[1]);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', wrapper, '--', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return Number(/RSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
}

export function dryRunMemory(root: string): Row {
  const bin = join(root, 'bin', 'openim-deploy.js');
  const kib = peakRssKiB([
    bin,
    'install',
    '--preset',
    'production',
    '--set',
    'openim.domain=im.example.com',
    '--set',
    NFS_SERVER_SET,
    '--dry-run',
  ]);
  const base = peakRssKiB(['-e', '0']);
  return {
    id: 'M1',
    title: 'peak RSS: install --dry-run (production)',
    measured: `${(kib / 1024).toFixed(0)} MiB`,
    baseline: `node -e 0: ${(base / 1024).toFixed(0)} MiB`,
    ratio: kib / base,
    goal: 'recorded (no goal set)',
    pass: true,
  };
}
