// A Go module proxy on disk (GOPROXY=file://…, the same protocol as
// proxy.golang.org) serving one tiny module with main packages under cmd/
// and tools/ and a config/ folder: a stand-in for OpenIM's release modules,
// so tests run the real `go` build path in seconds.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

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

export const MODULE = 'example.com/tinyim';
export const VERSION = 'v1.2.3';

export function proxyWithModule(): string {
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
