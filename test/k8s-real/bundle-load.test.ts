// `bundle load` on a real node (issue #17 item 2): an image built here goes through a real
// registry into a real bundle (`bundle create`), then into the node's containerd with
// `bundle load` (no registry reachable from the node), and a pod runs from it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../cluster/cluster.js';
import { writeOciArchive } from '../cluster/oci-image.js';
import { until } from '../cluster/real-node.js';
import { runCli } from '../offline/helpers/cli.js';
import { startRegistry, type Registry } from '../offline/helpers/registry.js';

const REF = 'docker.io/openim-test/hello-bundled:1.0';
let c: TestCluster;
let registry: Registry;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openim-bundle-load-'));
  [c, registry] = await Promise.all([
    TestCluster.start({ realNode: true, timeoutMs: 240_000 }),
    startRegistry({ name: 'bundle-load' }),
  ]);
});

afterAll(async () => {
  await c?.stop();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bundle load', () => {
  it("imports a bundle's images into the node's containerd, and a pod runs from one", async () => {
    const archive = join(dir, 'hello.tar');
    const bin = join(process.env.CLUSTER_CACHE ?? join(process.cwd(), '.cache/cluster'), 'bin', 'hello');
    await writeOciArchive(archive, [
      { ref: REF, files: [{ path: 'usr/local/bin/hello', from: bin }], entrypoint: ['/usr/local/bin/hello'] },
    ]);
    await promisify(execFile)('skopeo', [
      '--insecure-policy',
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `oci-archive:${archive}:1.0`,
      `docker://${registry.host}/docker.io/openim-test/hello-bundled:1.0`,
    ]);
    writeFileSync(join(dir, 'contents.yaml'), JSON.stringify({ images: [REF], charts: [], files: [] }));
    const bundle = join(dir, 'images.bundle');
    const created = await runCli([
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      join(dir, 'contents.yaml'),
      '--pull-mirror',
      `docker.io=${registry.host}/docker.io`,
      '--platform',
      'linux/amd64',
      '-o',
      bundle,
    ]);
    expect(created.code, created.stderr).toBe(0);

    // Not there before: the node has no registry to pull it from.
    expect(await c.node!.ctr(['images', 'ls', '-q'])).not.toContain(REF);
    const loaded = await runCli(['bundle', 'load', bundle, '--address', c.node!.containerdSocket]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stderr).toContain('verified');
    expect(loaded.stdout).toContain(REF);
    expect(await c.node!.ctr(['images', 'ls', '-q'])).toContain(REF);

    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'from-bundle', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'hello',
            image: REF,
            imagePullPolicy: 'Never',
            args: ['serve', ':8080'],
            readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
          },
        ],
      },
    };
    expect((await c.api('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    await until('pod from the bundle Ready', 120_000, async () => {
      c.node!.checkAlive();
      const r = await c.api('GET', '/api/v1/namespaces/default/pods/from-bundle');
      return !!r.body?.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
    });
  });

  it('refuses a containerd that is not there, naming the fix', async () => {
    const bundle = join(dir, 'images.bundle');
    const missing = await runCli(['bundle', 'load', bundle, '--no-verify', '--address', join(dir, 'no.sock')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/is containerd running at .*no\.sock/);
  });
});
