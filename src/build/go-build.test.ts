// The build for real, with the real `go` and a real module proxy: a small
// module served from a GOPROXY=file:// folder (the same protocol as
// proxy.golang.org) stands in for OpenIM's, so the test takes seconds.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTarFile } from '../artifacts/tar.js';
import type { GoBuildAction } from '../plan/types.js';
import { buildDir, goBuildExport } from './go-build.js';

/** A stored (uncompressed) zip: what the Go module proxy protocol serves as <version>.zip. */
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const MODULE = 'example.com/tinyim';
const VERSION = 'v1.2.3';

function proxyWithModule(): string {
  const proxy = mkdtempSync(join(tmpdir(), 'goproxy-'));
  const at = join(proxy, MODULE, '@v');
  mkdirSync(at, { recursive: true });
  const gomod = `module ${MODULE}\n\ngo 1.21\n`;
  const main = (what: string) => `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("${what}") }\n`;
  writeFileSync(join(at, 'list'), `${VERSION}\n`);
  writeFileSync(join(at, `${VERSION}.info`), JSON.stringify({ Version: VERSION, Time: '2026-01-01T00:00:00Z' }));
  writeFileSync(join(at, `${VERSION}.mod`), gomod);
  const prefix = `${MODULE}@${VERSION}/`;
  writeFileSync(
    join(at, `${VERSION}.zip`),
    zip({
      [`${prefix}go.mod`]: gomod,
      [`${prefix}cmd/im-api/main.go`]: main('im-api'),
      [`${prefix}cmd/rpc/im-rpc-user/main.go`]: main('im-rpc-user'),
      [`${prefix}tools/check-component/main.go`]: main('check-component'),
      [`${prefix}config/share.yml`]: 'secret: openIM123\n',
    }),
  );
  return proxy;
}

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

  it('a version the proxy does not serve fails with go\'s own message', async () => {
    const proxy = proxyWithModule();
    const cacheDir = mkdtempSync(join(tmpdir(), 'openim-build-cache-'));
    const action: GoBuildAction = {
      kind: 'go-build', product: 'chat', module: MODULE, version: 'v9.9.9', goVersion: '1.21', arch: 'amd64',
      services: ['cmd/im-api'], tools: [], env: { GOPROXY: `file://${proxy}`, GOSUMDB: 'off', GOTOOLCHAIN: 'local' },
      cacheDir, fileName: 'x.tar.gz', to: join(cacheDir, 'out.tar.gz'),
    };
    await expect(goBuildExport(action, action.to, { report: () => undefined })).rejects.toThrow(/go mod tidy exited 1:[\s\S]*v9\.9\.9/);
  }, 60_000);
});
