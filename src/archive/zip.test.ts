// Zip extraction: what Info-ZIP and Python write (the kinds of zip Loki and
// Alloy ship) extracts with modes and links; crafted archives with absolute
// paths, `..`, escaping links, devices, lying headers or bombs are refused
// as a whole, and nothing lands in the target.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchive, UnsafeArchiveError } from './extract.js';
import { interopTool } from '../../test/helpers/interop-tool.js';
import { readZipFile, ZipError } from './zip.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const target = () => join(dir, 'out', 'loki');
const hasZip = interopTool({
  name: 'zip (Info-ZIP)',
  present: spawnSync('zip', ['-v']).status === 0,
  install: 'apt-get install -y zip',
});
const hasPython = interopTool({
  name: 'python3 with zipfile',
  present: spawnSync('python3', ['-c', 'import zipfile']).status === 0,
  install: 'apt-get install -y python3',
});

interface Entry {
  name: string;
  data?: Buffer | string;
  /** Unix mode with file type bits (e.g. 0o100755); made-by Unix when set. */
  unixMode?: number;
  method?: 0 | 8;
  flags?: number;
  /** Lies, for the refusal tests. */
  crc?: number;
  size?: number;
  localName?: string;
}

/** A minimal zip writer for crafted archives (the real writers are tested through zip and python3). */
function zipBuffer(entries: Entry[], zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const method = e.method ?? 8;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(e.name);
    const localName = Buffer.from(e.localName ?? e.name);
    const crc = e.crc ?? crc32(data);
    const size = e.size ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    // zip64: sizes and offset only in the extra field, as writers do past 4 GiB.
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(stored.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode !== undefined ? (3 << 8) | 20 : 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(zip64 ? 0xffffffff : stored.length, 20);
    central.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(e.unixMode !== undefined ? (e.unixMode << 16) >>> 0 : 0, 38);
    central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    locals.push(local, localName, stored);
    centrals.push(central, name, extra);
    offset += local.length + localName.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return Buffer.concat([...locals, cd, end]);
  const end64 = Buffer.alloc(56);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeBigUInt64LE(BigInt(entries.length), 24);
  end64.writeBigUInt64LE(BigInt(entries.length), 32);
  end64.writeBigUInt64LE(BigInt(cd.length), 40);
  end64.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, cd, end64, locator, end]);
}

function zipFile(entries: Entry[]): string {
  const path = join(dir, 'a.zip');
  writeFileSync(path, zipBuffer(entries));
  return path;
}

async function refused(
  entries: Entry[],
  pattern: RegExp,
  kind: typeof UnsafeArchiveError | typeof ZipError = UnsafeArchiveError,
): Promise<void> {
  const error = await extractArchive({ archive: zipFile(entries), to: target() }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(kind);
  expect((error as Error).message).toMatch(pattern);
  expect(existsSync(target())).toBe(false);
  expect(existsSync(join(dir, 'out', '.loki.partial'))).toBe(false);
}

const FILE = 0o100000;
const LINK = 0o120000;

describe('zip extraction', () => {
  it.skipIf(!hasZip)('extracts what Info-ZIP writes: the executable bit, folders and links kept', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'loki-linux-amd64'), Buffer.alloc(300_000, 'loki'), { mode: 0o755 });
    writeFileSync(join(src, 'bin', 'README'), 'readme', { mode: 0o644 });
    symlinkSync('../loki-linux-amd64', join(src, 'bin', 'loki'));
    const path = join(dir, 'loki-linux-amd64.zip');
    execFileSync('zip', ['-q', '-r', '-y', path, 'loki-linux-amd64', 'bin'], { cwd: src });
    const result = await extractArchive({ archive: path, to: target() });
    expect(result).toMatchObject({ files: 2, links: 1, bytes: 300_006 });
    expect(statSync(join(target(), 'loki-linux-amd64')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(target(), 'loki-linux-amd64')).equals(Buffer.alloc(300_000, 'loki'))).toBe(true);
    expect(statSync(join(target(), 'bin', 'README')).mode & 0o777).toBe(0o644);
    expect(readlinkSync(join(target(), 'bin', 'loki'))).toBe('../loki-linux-amd64');
  });

  it.skipIf(!hasPython)('reads stored, deflated and zip64 entries Python writes', async () => {
    const path = join(dir, 'py.zip');
    const script = [
      'import sys, zipfile',
      'with zipfile.ZipFile(sys.argv[1], "w") as z:',
      '    z.writestr("stored.txt", "stored text", compress_type=zipfile.ZIP_STORED)',
      '    z.writestr("deflated.txt", "deflated " * 1000, compress_type=zipfile.ZIP_DEFLATED)',
      '    with z.open("big/zip64.bin", "w", force_zip64=True) as f: f.write(b"64" * 5000)',
    ].join('\n');
    execFileSync('python3', ['-c', script, path]);
    const seen: Record<string, string> = {};
    for await (const entry of readZipFile(path)) {
      let data = '';
      for await (const chunk of entry.body()) data += chunk.toString();
      seen[`${entry.type} ${entry.path}`] = data;
    }
    expect(seen).toEqual({
      'file stored.txt': 'stored text',
      'file deflated.txt': 'deflated '.repeat(1000),
      'file big/zip64.bin': '64'.repeat(5000),
    });
    await extractArchive({ archive: path, to: target(), strip: 1 });
    expect(readFileSync(join(target(), 'zip64.bin'), 'utf8')).toBe('64'.repeat(5000));
    expect(existsSync(join(target(), 'stored.txt'))).toBe(false); // stripped away: only one component
  });

  it('reads sizes, offsets and counts from zip64 records', async () => {
    const path = join(dir, 'z64.zip');
    writeFileSync(
      path,
      zipBuffer(
        [
          { name: 'a', data: 'first' },
          { name: 'b/c', data: 'second '.repeat(100), unixMode: FILE | 0o755 },
        ],
        true,
      ),
    );
    // The crafted layout is a real zip64 file, not one only this reader accepts.
    if (hasPython)
      expect(
        execFileSync(
          'python3',
          ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), z.namelist())', path],
          { encoding: 'utf8' },
        ).trim(),
      ).toBe("None ['a', 'b/c']");
    await extractArchive({ archive: path, to: target() });
    expect(readFileSync(join(target(), 'a'), 'utf8')).toBe('first');
    expect(readFileSync(join(target(), 'b/c'), 'utf8')).toBe('second '.repeat(100));
    expect(statSync(join(target(), 'b/c')).mode & 0o777).toBe(0o755);
  });

  it('replaces the target only when the whole archive was read, and keeps no setuid bit', async () => {
    mkdirSync(target(), { recursive: true });
    writeFileSync(join(target(), 'old'), 'previous version');
    await extractArchive({
      archive: zipFile([{ name: 'alloy-linux-amd64', data: 'alloy', unixMode: FILE | 0o4755 }]),
      to: target(),
    });
    expect(existsSync(join(target(), 'old'))).toBe(false);
    expect(statSync(join(target(), 'alloy-linux-amd64')).mode & 0o7777).toBe(0o755);
  });

  it('gives files a zip without Unix modes 0644 (the plan sets the executable bit itself)', async () => {
    await extractArchive({ archive: zipFile([{ name: 'loki-linux-amd64', data: 'x', method: 0 }]), to: target() });
    expect(statSync(join(target(), 'loki-linux-amd64')).mode & 0o777).toBe(0o644);
  });

  it('refuses absolute paths and ".." components', async () => {
    await refused(
      [
        { name: 'ok', data: 'x' },
        { name: '/etc/cron.d/evil', data: 'x' },
      ],
      /absolute path/,
    );
    await refused([{ name: 'a/../../evil', data: 'x' }], /"\.\." component/);
  });

  it('refuses links that escape, directly or through other links', async () => {
    await refused([{ name: 'l', data: '/etc/shadow', unixMode: LINK | 0o777 }], /absolute path \/etc\/shadow/);
    await refused([{ name: 'd/l', data: '../../outside', unixMode: LINK | 0o777 }], /escaping the target/);
    await refused(
      [
        { name: 'x/up', data: '..', unixMode: LINK | 0o777 },
        { name: 'y', data: 'x/up/..', unixMode: LINK | 0o777 },
      ],
      /escaping the target through other links/,
    );
    await refused(
      [
        { name: 'l', data: 'sub', unixMode: LINK | 0o777 },
        { name: 'l/file', data: 'x' },
      ],
      /through a symbolic link/,
    );
  });

  it('refuses devices and fifos', async () => {
    await refused([{ name: 'dev', unixMode: 0o020000 | 0o644 }], /character-device/);
    await refused([{ name: 'pipe', unixMode: 0o010000 | 0o644 }], /fifo/);
  });

  it('refuses lying and unsupported entries (ZipError), writing nothing', async () => {
    await refused([{ name: 'f', data: 'hello', crc: 1 }], /CRC-32 mismatch/, ZipError);
    await refused(
      [{ name: 'bomb', data: Buffer.alloc(100_000), size: 10 }],
      /inflates beyond its declared 10 bytes/,
      ZipError,
    );
    await refused([{ name: 'short', data: 'abc', size: 100 }], /holds 3 bytes, not the declared 100/, ZipError);
    await refused([{ name: 'safe', localName: '../evil', data: 'x' }], /local header of safe names/, ZipError);
    await refused([{ name: 'secret', data: 'x', flags: 0x801 }], /encrypted/, ZipError);
    await refused(
      [
        { name: 'ok', data: 'x' },
        { name: 'lzma', data: 'x', method: 14 as 0 },
      ],
      /compression method 14/,
      ZipError,
    );
  });

  it('refuses a truncated zip', async () => {
    const whole = zipBuffer([{ name: 'f', data: 'data' }]);
    const path = join(dir, 'cut.zip');
    writeFileSync(path, whole.subarray(0, whole.length - 5));
    const error = await extractArchive({ archive: path, to: target() }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ZipError);
    expect((error as Error).message).toMatch(/no end of central directory.*nothing was extracted/);
  });

  it('still reads tar.gz (format by content, not by name)', async () => {
    const src = join(dir, 'tsrc');
    mkdirSync(src);
    writeFileSync(join(src, 'f'), 'tar');
    const path = join(dir, 'looks-like.zip');
    execFileSync('tar', ['-czf', path, '-C', src, 'f']);
    await extractArchive({ archive: path, to: target() });
    expect(readFileSync(join(target(), 'f'), 'utf8')).toBe('tar');
  });
});
