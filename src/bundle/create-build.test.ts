// bundle create for the binary target with binary.source build: OpenIM is
// built on the connected machine by the real `go` (a tiny release module from
// a file:// module proxy stands in for OpenIM's, see test/helpers/go-proxy.ts)
// and packed into files/, so the offline host needs no Go.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../catalog/openim-versions.js';
import type { GoBuildAction } from '../plan/types.js';
import { RegistryClient } from '../oci/registry-client.js';
import { templatesDir } from '../util/package-root.js';
import { buildDir } from '../build/go-build.js';
import { MODULE, proxyWithModule, VERSION } from '../../test/helpers/go-proxy.js';
import { createBundle, type CreateEvent } from './create.js';
import { verifyBundle } from './verify.js';

function action(cacheDir: string, proxy: string): GoBuildAction {
  const fileName = `exported_tinyim_${VERSION}_linux_amd64.tar.gz`;
  return {
    kind: 'go-build',
    product: 'server',
    module: MODULE,
    version: VERSION,
    goVersion: '1.21',
    arch: 'amd64',
    services: ['cmd/im-api', 'cmd/rpc/im-rpc-user'],
    tools: ['tools/check-component'],
    env: { GOPROXY: `file://${proxy}`, GOSUMDB: 'off', GOTOOLCHAIN: 'local' },
    cacheDir,
    fileName,
    to: fileName,
  };
}

function create(dir: string, build: GoBuildAction, events: CreateEvent[], name = 'bundle.tar') {
  return createBundle({
    output: join(dir, name),
    contents: {
      components: ['openim-server'],
      gaps: [],
      images: [],
      charts: [],
      files: [
        {
          id: 'openim-server',
          name: build.fileName,
          arch: 'amd64',
          source: `go build ${build.module}@${build.version}`,
          sha256: '',
          build,
        },
      ],
    },
    platforms: [{ os: 'linux', architecture: 'amd64' }],
    meta: {
      target: 'binary',
      profile: 'dev',
      openim: { serverVersion: DEFAULT_SERVER_VERSION, chatVersion: DEFAULT_CHAT_VERSION },
      createdBy: 'test',
    },
    templatesDir: templatesDir(),
    concurrency: 2,
    client: new RegistryClient(),
    http: {},
    report: (e) => events.push(e),
  });
}

describe('bundle create builds OpenIM when binary.source is build', () => {
  it('runs the Go build, packs its tarball under files/ with the digest of what was built, and reuses the cache next time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oid-create-build-'));
    const build = action(join(dir, 'cache'), proxyWithModule());
    const events: CreateEvent[] = [];
    const first = await create(dir, build, events);
    const built = readFileSync(join(buildDir(build), build.fileName));
    const digest = createHash('sha256').update(built).digest('hex');
    expect(first.manifest.files).toEqual([
      expect.objectContaining({
        id: 'openim-server',
        name: build.fileName,
        sha256: digest,
        pinned: false,
        source: `go build ${MODULE}@${VERSION}`,
      }),
    ]);
    expect(events).toContainEqual({ kind: 'file', name: build.fileName, how: 'built', pinned: false });
    expect(events.some((e) => e.kind === 'build' && /go build: 2 services/.test(e.message))).toBe(true);
    // No "unpinned download" warning for a build: there was no download.
    expect(events.some((e) => e.kind === 'warning')).toBe(false);
    expect((await verifyBundle(first.paths[0]!, {})).ok).toBe(true);

    const again: CreateEvent[] = [];
    const second = await create(dir, build, again, 'bundle2.tar');
    expect(second.manifest.files[0]!.sha256).toBe(digest);
    expect(again.some((e) => e.kind === 'build' && /cached build/.test(e.message))).toBe(true);
  }, 180_000);

  it("a failing build stops the bundle with go's own message and leaves no bundle", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oid-create-build-'));
    const build = { ...action(join(dir, 'cache'), proxyWithModule()), version: 'v9.9.9' };
    await expect(create(dir, build, [])).rejects.toThrow(/go mod tidy exited 1:[\s\S]*v9\.9\.9/);
    expect(() => readFileSync(join(dir, 'bundle.tar'))).toThrow();
  }, 60_000);
});
