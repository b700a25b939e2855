// The offline bundle at the command line (issue #19, Medium 10): each test
// reproduces one finding against the built CLI. Bundles with real images are
// made and checked in test/offline; these need no registry.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'oid-bundle-edges-'));

describe('Ctrl-C during bundle create', () => {
  it('stops the download in flight, exits 130 (never 0) and leaves no bundle under the final name', async () => {
    const dir = tmp();
    // A loopback file server that sends half the file, then the rest only if nobody hung up.
    const bytes = randomBytes(1024 * 1024);
    let hungUp = false;
    let finished = false;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(bytes.length) });
      res.on('close', () => (hungUp = !finished));
      res.write(bytes.subarray(0, bytes.length / 2));
      setTimeout(() => {
        if (hungUp) return;
        finished = true;
        res.end(bytes.subarray(bytes.length / 2));
      }, 4000);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openim-server.tar.gz`;
      writeFileSync(join(dir, 'contents.yaml'), `images: []\ncharts: []\nfiles:\n  - id: openim-server\n    name: openim-server.tar.gz\n    source: ${url}\n`);
      const output = join(dir, 'out', 'bundle.tar');
      const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'openim-deploy.js'), 'bundle', 'create', '--preset', 'dev', '--contents-from', join(dir, 'contents.yaml'), '-o', output], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, CI: '1', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Ctrl-C once the first half is on disk: the body is streaming.
      const part = join(`${output}.partial.d`, 'file-openim-server.tar.gz.part');
      for (let i = 0; i < 200 && !(existsSync(part) && statSync(part).size > 0); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(part), stderr).toBe(true);
      child.kill('SIGINT');
      const code = await exited;
      for (let i = 0; i < 50 && !hungUp && !finished; i++) await new Promise((r) => setTimeout(r, 20));
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('interrupted: bundle create stopped');
      expect(hungUp, 'the download went on after Ctrl-C').toBe(true);
      expect(finished).toBe(false);
      expect(existsSync(output)).toBe(false);
      expect(readdirSync(join(dir, 'out')).every((n) => n.startsWith('bundle.tar.partial'))).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
