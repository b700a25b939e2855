// The openim-etcd chart's auth setup (files/enable-auth.sh, shipped in the
// chart's ConfigMap and run by its post-install Job) against a real etcd:
// Debian's etcd-server on loopback ports. It must turn authentication on once,
// change nothing on a re-run, leave etcd refusing anonymous reads, and fail
// with a clear message when the Secret's password is not root's.
// Needs `apt-get install etcd-server wget`.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { helmBinaries, repoRoot } from '../helpers/tools.js';

const chart = join(repoRoot, 'templates/charts/openim-etcd');
const work = mkdtempSync(join(tmpdir(), 'openim-etcd-auth-'));
let etcd: ChildProcess | undefined;
afterAll(() => {
  if (etcd?.pid) etcd.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

function missing(): string[] {
  return ['/usr/bin/etcd', '/usr/bin/wget'].filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function runScript(script: string, url: string, password: string): { code: number; out: string } {
  try {
    const out = execFileSync('sh', ['-c', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ETCD_URL: url, ETCD_ROOT_PASSWORD: password },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: `${err.stdout}${err.stderr}` };
  }
}

async function post(url: string, path: string, body: object): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/v3/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

describe('openim-etcd auth setup against a real etcd', () => {
  it('turns authentication on once, is idempotent, and refuses a foreign root password clearly', async () => {
    expect(missing(), 'install with: apt-get install -y etcd-server wget').toEqual([]);
    // The script exactly as helm renders it into the chart's ConfigMap.
    const helm = helmBinaries()[0]!;
    const rendered = execFileSync(helm.helm, ['template', 'openim-etcd', chart, '--namespace', 'openim'], {
      encoding: 'utf8',
    });
    const configMap = parseAllDocuments(rendered)
      .map((d) => d.toJS() as { kind?: string; data?: Record<string, string> })
      .find((d) => d.kind === 'ConfigMap')!;
    const script = configMap.data!['enable-auth.sh']!;
    expect(script).toBe(readFileSync(join(chart, 'files/enable-auth.sh'), 'utf8').trimEnd());

    const [client, peer] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${client}`;
    etcd = spawn(
      '/usr/bin/etcd',
      [
        '--data-dir',
        join(work, 'data'),
        '--listen-client-urls',
        url,
        '--advertise-client-urls',
        url,
        '--listen-peer-urls',
        `http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peer}`,
        '--initial-cluster',
        `default=http://127.0.0.1:${peer}`,
      ],
      { stdio: 'ignore' },
    );
    const password = 'Gen3rated-"quote\\and space';

    const first = runScript(script, url, password);
    expect(first, first.out).toMatchObject({ code: 0 });
    expect(first.out).toContain('etcd authentication enabled');
    const again = runScript(script, url, password);
    expect(again.out).toContain('already on');
    expect(again.code).toBe(0);

    // Anonymous reads are refused now; root with the Secret's password gets a token.
    expect(JSON.stringify(await post(url, 'kv/range', { key: Buffer.from('x').toString('base64') }))).toMatch(
      /user name is empty|permission denied/,
    );
    expect(await post(url, 'auth/authenticate', { name: 'root', password })).toHaveProperty('token');

    const wrong = runScript(script, url, 'not-the-password');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/root cannot log in to etcd with the password from the Secret/);
  });
});
