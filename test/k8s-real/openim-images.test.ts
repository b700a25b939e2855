// The OpenIM server and chat images on the real node: built from h-harness's binaries under the plan's
// references, imported with `bundle load`'s path (ctr images import), and runnable there.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatImage } from '../../src/catalog/images.js';
import { CHAT_MODULES, SERVER_MODULES } from '../../src/catalog/modules.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { moduleImage } from '../../src/targets/kubernetes/modules/images.js';
import { TestCluster } from '../cluster/cluster.js';
import { writeOciArchive } from '../cluster/oci-image.js';
import { until } from '../cluster/real-node.js';
import { productImageSpecs } from './openim-images.js';

let c: TestCluster;
let dir: string;
const spec = resolveConfig({ preset: 'dev', sets: ['openim.serverVersion=v3.8.3', 'openim.chatVersion=v1.8.4'] }).spec;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openim-images-'));
  c = await TestCluster.start({ realNode: true, timeoutMs: 240_000 });
});

afterAll(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenIM server and chat images', () => {
  it('every server and chat module image the plan names is on the node after an import, and runs there', async () => {
    const specs = [
      ...(await productImageSpecs(spec, 'server', join(dir, 'bin'))),
      ...(await productImageSpecs(spec, 'chat', join(dir, 'bin'))),
    ];
    const archive = join(dir, 'openim-images.tar');
    const t0 = Date.now();
    await writeOciArchive(archive, specs);
    await c.node!.importImages(archive);
    console.log(
      `${specs.length} server and chat images built and imported in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const listed = await c.node!.ctr(['images', 'ls', '-q']);
    for (const mod of [...SERVER_MODULES, ...CHAT_MODULES])
      expect(listed).toContain(formatImage(moduleImage(spec, mod)));

    // The binary is the entrypoint and runs as the non-root user: `--help` answers and exits 0.
    const api = formatImage(moduleImage(spec, SERVER_MODULES[0]!));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'openim-api-help', namespace: 'default' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'api',
            image: api,
            imagePullPolicy: 'Never',
            args: ['--help'],
            securityContext: { runAsNonRoot: true },
          },
        ],
      },
    };
    expect((await c.api('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201);
    let phase = '';
    await until('openim-api --help finished', 120_000, async () => {
      c.node!.checkAlive();
      phase = (await c.api('GET', '/api/v1/namespaces/default/pods/openim-api-help')).body?.status?.phase ?? '';
      return phase === 'Succeeded' || phase === 'Failed';
    });
    const logs = await c.kubectl(['logs', 'openim-api-help']);
    expect(phase, logs).toBe('Succeeded');
    expect(logs).toMatch(/Usage/);
  });
});
