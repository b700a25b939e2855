// The build for real, with the real `go` and a real module proxy: a small
// module served from a GOPROXY=file:// folder (the same protocol as
// proxy.golang.org) stands in for OpenIM's, so the test takes seconds.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTarFile } from '../archive/host-tar.js';
import type { GoBuildAction } from '../plan/types.js';
import { buildDir, goBuildExport } from './go-build.js';
import { MODULE, proxyWithModule, VERSION } from '../../test/helpers/go-proxy.js';

describe('go build of a release module into the mage export layout', () => {
  it('builds every main package through the module proxy, packs bin/tools/config, caches by version', async () => {
    const proxy = proxyWithModule();
    const cacheDir = mkdtempSync(join(tmpdir(), 'openim-build-cache-'));
    const work = mkdtempSync(join(tmpdir(), 'openim-build-work-'));
    const action: GoBuildAction = {
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
      fileName: `exported_tinyim_${VERSION}_linux_amd64.tar.gz`,
      to: join(work, 'artifacts', 'server.tar.gz'),
    };
    const lines: string[] = [];
    const first = await goBuildExport(action, action.to, { report: (t) => lines.push(t) });
    expect(first).toMatchObject({ cached: false, sha256: expect.stringMatching(/^[a-f0-9]{64}$/) });
    expect(lines.some((l) => /go build: 2 services of example\.com\/tinyim@v1\.2\.3/.test(l))).toBe(true);
    const entries: Record<string, number> = {};
    for await (const e of readTarFile(action.to)) {
      entries[e.path] = e.mode;
      for await (const _ of e.body()) void _;
    }
    expect(entries).toMatchObject({
      '_output/bin/platforms/linux/amd64/im-api': 0o755,
      '_output/bin/platforms/linux/amd64/im-rpc-user': 0o755,
      '_output/bin/tools/linux/amd64/check-component': 0o755,
      'config/share.yml': 0o644,
    });
    // The binary runs (linux/amd64 is this machine).
    const extracted = mkdtempSync(join(tmpdir(), 'openim-build-x-'));
    execFileSync('tar', ['xzf', action.to, '-C', extracted]);
    expect(execFileSync(join(extracted, '_output/bin/platforms/linux/amd64/im-api')).toString().trim()).toBe('im-api');

    // Second run: from the cache, same bytes, nothing built.
    const second = await goBuildExport(action, action.to, { report: () => undefined });
    expect(second).toMatchObject({ cached: true, sha256: first.sha256 });
    // A cached tarball that no longer matches its stamp is rebuilt, never used.
    writeFileSync(join(buildDir(action), action.fileName), 'tampered');
    const third = await goBuildExport(action, action.to, { report: () => undefined });
    expect(third.cached).toBe(false);
    expect(readFileSync(action.to).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  }, 180_000);

  it("a version the proxy does not serve fails with go's own message", async () => {
    const proxy = proxyWithModule();
    const cacheDir = mkdtempSync(join(tmpdir(), 'openim-build-cache-'));
    const action: GoBuildAction = {
      kind: 'go-build',
      product: 'chat',
      module: MODULE,
      version: 'v9.9.9',
      goVersion: '1.21',
      arch: 'amd64',
      services: ['cmd/im-api'],
      tools: [],
      env: { GOPROXY: `file://${proxy}`, GOSUMDB: 'off', GOTOOLCHAIN: 'local' },
      cacheDir,
      fileName: 'x.tar.gz',
      to: join(cacheDir, 'out.tar.gz'),
    };
    await expect(goBuildExport(action, action.to, { report: () => undefined })).rejects.toThrow(
      /go mod tidy exited 1:[\s\S]*v9\.9\.9/,
    );
  }, 60_000);
});
