// Checks the real-systemd harness itself: boot, a packaged service, restart
// accounting, node from the host, loopback to the host, and a clean stop.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROOTFS, SystemdContainer, until } from './container.js';

const name = `openim-harness-${process.pid}`;
let c: SystemdContainer;

/** `systemctl show -p A,B unit` as an object. */
async function show(unit: string, props: string[]): Promise<Record<string, string>> {
  const out = await c.execOk(['systemctl', 'show', '-p', props.join(','), unit]);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('real systemd in systemd-nspawn', () => {
  beforeAll(async () => {
    c = await SystemdContainer.start({ name, rootfs: DEFAULT_ROOTFS });
    console.log(`[harness] booted ${name} in ${c.bootMs} ms (host pid of its systemd: ${c.pid})`);
  });

  afterAll(async () => {
    await c?.stop();
  });

  it('boots to running', async () => {
    const r = await c.exec(['systemctl', 'is-system-running']);
    expect(c.failedUnits).toEqual([]);
    expect(r.stdout.trim()).toBe('running');
  });

  it('starts the packaged redis-server and answers PING', async () => {
    await c.execOk(['systemctl', 'start', 'redis-server.service']);
    expect((await c.execOk(['systemctl', 'is-active', 'redis-server.service'])).trim()).toBe('active');
    const pong = await until('redis PONG', async () => {
      const r = await c.exec(['redis-cli', 'ping']);
      return r.stdout.trim() === 'PONG' ? r.stdout.trim() : undefined;
    });
    expect(pong).toBe('PONG');
    // Stopped again: the container shares the host's loopback, port 6379 included.
    await c.execOk(['systemctl', 'stop', 'redis-server.service']);
  });

  it('restarts a Restart=always unit whose main process is killed', async () => {
    await c.writeFile(
      '/etc/systemd/system/harness-sleep.service',
      [
        '[Unit]',
        'Description=harness sleeper',
        '',
        '[Service]',
        'ExecStart=/bin/sleep infinity',
        'Restart=always',
        'RestartSec=100ms',
        '',
      ].join('\n'),
    );
    expect(await c.readFile('/etc/systemd/system/harness-sleep.service')).toContain('Restart=always');
    await c.execOk(['systemctl', 'daemon-reload']);
    await c.execOk(['systemctl', 'start', 'harness-sleep.service']);
    const before = await show('harness-sleep.service', ['MainPID', 'NRestarts']);
    expect(Number(before.MainPID)).toBeGreaterThan(0);
    expect(before.NRestarts).toBe('0');

    await c.execOk(['kill', '-KILL', before.MainPID!]);
    const after = await until('a restarted MainPID', async () => {
      const s = await show('harness-sleep.service', ['MainPID', 'NRestarts', 'ActiveState']);
      return s.ActiveState === 'active' && s.MainPID !== '0' && s.MainPID !== before.MainPID ? s : undefined;
    });
    expect(after.NRestarts).toBe('1');
  });

  it('runs the host node binary and sees the repo read-only', async () => {
    expect((await c.execOk(['node', '-e', 'console.log(1)'])).trim()).toBe('1');
    expect(await c.execOk(['node', '-e', 'console.log(process.version)'])).toContain(process.version);
    const r = await c.exec(['touch', '/repo/.harness-write-test']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('passes env and stdin to exec', async () => {
    const r = await c.exec(['sh', '-c', 'echo "$FOO"; cat; echo "$HOME"'], {
      env: { FOO: 'bar' },
      input: 'from-stdin\n',
    });
    expect(r).toEqual({ exitCode: 0, stdout: 'bar\nfrom-stdin\n/root\n', stderr: '' });
    // The host environment does not leak in.
    expect((await c.exec(['sh', '-c', 'echo "${VITEST:-unset}"'])).stdout.trim()).toBe('unset');
  });

  it('reaches a loopback HTTP server on the host', async () => {
    const server: Server = createServer((_req, res) => res.end('hello from the host'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await c.execOk(['curl', '-fsS', `http://127.0.0.1:${port}/`])).toBe('hello from the host');
    } finally {
      server.close();
    }
  });

  it('stops cleanly, leaving no nspawn process and no copy behind', async () => {
    const { runDir, pid } = c;
    const t0 = Date.now();
    await c.stop();
    console.log(`[harness] stopped in ${Date.now() - t0} ms`);
    expect(await SystemdContainer.leftovers(name)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    expect(existsSync(`/proc/${pid}`)).toBe(false); // the container's systemd
  });
});
