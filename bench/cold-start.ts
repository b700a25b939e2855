// P1: `openim-deploy --version` and `--help` against `node -e 0`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median, type Row } from './stats.js';

function timeCommand(args: string[], runs: number): number {
  const times: number[] = [];
  spawnSync(process.execPath, args, { stdio: 'ignore' }); // warm the file cache
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(performance.now() - start);
  }
  return median(times);
}

export function coldStart(root: string, runs: number): Row[] {
  const bin = join(root, 'bin', 'openim-deploy.js');
  const rows: Row[] = [];
  for (const flag of ['--version', '--help']) {
    // Interleave baseline and subject so machine load affects both alike.
    const node: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < 3; i++) {
      node.push(timeCommand(['-e', '0'], runs));
      cli.push(timeCommand([bin, flag], runs));
    }
    const base = median(node);
    const subject = median(cli);
    rows.push({
      id: `P1 ${flag}`,
      title: `cold start: openim-deploy ${flag}`,
      measured: `${subject.toFixed(0)} ms`,
      baseline: `node -e 0: ${base.toFixed(0)} ms`,
      ratio: subject / base,
      goal: '≤ 1.5×',
      pass: subject / base <= 1.5,
    });
  }
  return rows;
}
