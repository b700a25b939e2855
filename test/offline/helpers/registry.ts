// A real distribution registry (Debian's docker-registry 2.8) on loopback:
// a random port, storage in a temp dir, our own config.yml. Started and
// stopped by the test (by its pid), never as a system service.

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tempDir } from './scratch.js';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, waitFor } from './ports.js';

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
}

export interface Registry {
  /** host:port */
  host: string;
  dir: string;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export async function startRegistry(
  options: { token?: TokenAuth; name?: string; tls?: { certificate: string; key: string } } = {},
): Promise<Registry> {
  const dir = tempDir(`registry-${options.name ?? 'r'}`);
  const port = await freePort();
  const config = {
    version: 0.1,
    log: { level: 'info', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'data') },
      delete: { enabled: true },
      cache: { blobdescriptor: 'inmemory' },
    },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: 'openim-deploy-test-secret',
      ...(options.tls ? { tls: options.tls } : {}),
    },
    ...(options.token
      ? {
          auth: {
            token: {
              realm: options.token.realm,
              service: options.token.service,
              issuer: options.token.issuer,
              rootcertbundle: options.token.rootCertBundle,
            },
          },
        }
      : {}),
  };
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, stringify(config));
  const logFile = join(dir, 'registry.log');
  const out = openSync(logFile, 'a');
  const child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', out, out] });
  const host = `127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(`registry ${host}`, async () => {
    if (exited) throw new Error(`registry exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (options.tls)
      return new Promise<boolean>((resolve) =>
        connect(port, '127.0.0.1', function (this: Socket) {
          this.destroy();
          resolve(true);
        }).on('error', () => resolve(false)),
      );
    const res = await fetch(`http://${host}/v2/`);
    await res.body?.cancel();
    return res.status === 200 || res.status === 401;
  });
  return {
    host,
    dir,
    process: child,
    log: () => readFileSync(logFile, 'utf8'),
    stop: async () => {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
