import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
  symlinkSync,
  linkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchive, resolveInside, UnsafeArchiveError } from './extract.js';
import { tarArchive, tarEntry, type TarWriteEntry } from './tar/in-memory.js';
import { TarFormatError } from './tar/format.js';
import { patchHeader } from '../../test/helpers/tar-helpers.js';
import { readTarFile } from './host-tar.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'extract-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function archive(entries: TarWriteEntry[], gzip = true): string {
  const path = join(dir, gzip ? 'a.tar.gz' : 'a.tar');
  const tar = tarArchive(entries);
  writeFileSync(path, gzip ? gzipSync(tar) : tar);
  return path;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const target = () => join(dir, 'out', 'release');

async function refused(entries: TarWriteEntry[], pattern: RegExp): Promise<void> {
  const path = archive(entries);
  const error = await extractArchive({ archive: path, to: target() }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(UnsafeArchiveError);
  expect((error as Error).message).toMatch(pattern);
  // Nothing lands: no target, no staging folder left behind.
  expect(existsSync(target())).toBe(false);
  expect(existsSync(join(dir, 'out', '.release.partial'))).toBe(false);
}

describe('readTar', () => {
  it('reads what GNU tar writes (long names, links, modes) from tar.gz', async () => {
    const src = join(dir, 'src');
    const long = `${'d'.repeat(60)}/${'f'.repeat(80)}`;
    mkdirSync(join(src, 'bin'), { recursive: true });
    mkdirSync(join(src, 'd'.repeat(60)));
    writeFileSync(join(src, 'bin', 'openim-api'), 'binary', { mode: 0o755 });
    writeFileSync(join(src, long), 'long name');
    linkSync(join(src, 'bin', 'openim-api'), join(src, 'bin', 'openim-push'));
    symlinkSync('openim-api', join(src, 'bin', 'api-link'));
    const path = join(dir, 'gnu.tar.gz');
    execFileSync('tar', ['-czf', path, '-C', src, '--owner=0', '--group=0', '--sort=name', '.']);

    const seen: Record<string, { type: string; linkpath: string; mode: number; data: string }> = {};
    for await (const entry of readTarFile(path)) {
      let data = '';
      for await (const chunk of entry.body()) data += chunk.toString();
      seen[entry.path] = { type: entry.type, linkpath: entry.linkpath, mode: entry.mode, data };
    }
    expect(seen['./bin/openim-api']).toEqual({ type: 'file', linkpath: '', mode: 0o755, data: 'binary' });
    expect(seen['./bin/openim-push']?.type).toBe('hardlink');
    expect(seen['./bin/api-link']).toMatchObject({ type: 'symlink', linkpath: 'openim-api' });
    expect(seen[`./${long}`]?.data).toBe('long name');
  });

  it('reads pax long paths, and skips unread bodies', async () => {
    const long = `a/${'x'.repeat(160)}/file`; // too long for the ustar prefix: a pax record
    const path = archive(
      [
        { path: long, data: 'x'.repeat(1000) },
        { path: 'b', data: 'second' },
      ],
      false,
    );
    const entries: { path: string; data?: string }[] = [];
    for await (const e of readTarFile(path)) {
      if (e.path === 'b') entries.push({ path: e.path, data: (await collect(e.body())).map(String).join('') });
      else entries.push({ path: e.path });
    }
    expect(entries).toEqual([{ path: long }, { path: 'b', data: 'second' }]);
  });

  it('refuses what is not a tar archive, and truncated archives', async () => {
    writeFileSync(join(dir, 'junk'), 'this is not a tar archive at all'.repeat(40));
    await expect(collect(readTarFile(join(dir, 'junk')))).rejects.toThrow(TarFormatError);
    const full = tarArchive([{ path: 'f', data: 'y'.repeat(4000) }]);
    writeFileSync(join(dir, 'cut.tar'), full.subarray(0, 2048));
    await expect(
      (async () => {
        for await (const e of readTarFile(join(dir, 'cut.tar'))) for await (const _ of e.body());
      })(),
    ).rejects.toThrow(/truncated/);
  });
  it('reads what host archives may be: v7 headers, no end-of-archive blocks; keeps only permission bits', async () => {
    const v7 = patchHeader(tarEntry({ path: 'old', data: 'v7', mode: 0o100755 }), 0, 257, Buffer.alloc(8)); // no magic; type bits in the mode
    writeFileSync(join(dir, 'v7.tar'), v7); // and no end blocks
    const entries = await collect(readTarFile(join(dir, 'v7.tar')));
    expect(entries.map((e) => [e.path, e.type, e.mode, e.size])).toEqual([['old', 'file', 0o755, 2]]);
    expect((await extractArchive({ archive: join(dir, 'v7.tar'), to: target() })).files).toBe(1);
  });

  it('refuses empty files and entry types it does not know', async () => {
    writeFileSync(join(dir, 'empty.tar'), '');
    await expect(collect(readTarFile(join(dir, 'empty.tar')))).rejects.toThrow(/not a tar archive/);
    const sparse = patchHeader(
      tarArchive([
        { path: 'ok', data: '1' },
        { path: 'sparse', data: 'x' },
      ]),
      1024,
      156,
      'S',
    ); // 2nd header: after 'ok' and its data block
    writeFileSync(join(dir, 'sparse.tar'), sparse);
    await expect(extractArchive({ archive: join(dir, 'sparse.tar'), to: target() })).rejects.toThrow(
      /unsupported tar entry type "S".*nothing was extracted/,
    );
    expect(existsSync(target())).toBe(false);
  });
});

describe('extractArchive', () => {
  it('extracts files, directories and links inside the target, with safe modes', async () => {
    const path = archive([
      { type: 'directory', path: 'pkg/' },
      { path: 'pkg/bin/tool', data: 'tool', mode: 0o4777 },
      { path: 'pkg/README', data: 'hello' },
      { type: 'symlink', path: 'pkg/bin/alias', linkpath: 'tool' },
      { type: 'symlink', path: 'pkg/docs', linkpath: './bin/../README' },
      { type: 'hardlink', path: 'pkg/bin/copy', linkpath: 'pkg/bin/tool' },
    ]);
    const result = await extractArchive({ archive: path, to: target() });
    expect(result).toMatchObject({ files: 2, links: 3 });
    expect(readFileSync(join(target(), 'pkg/bin/tool'), 'utf8')).toBe('tool');
    expect(statSync(join(target(), 'pkg/bin/tool')).mode & 0o7777).toBe(0o755); // setuid and world-write dropped
    expect(readlinkSync(join(target(), 'pkg/bin/alias'))).toBe('tool');
    expect(statSync(join(target(), 'pkg/bin/copy')).ino).toBe(statSync(join(target(), 'pkg/bin/tool')).ino);
  });

  it('strips leading components and re-roots selected folders (the mage export layout)', async () => {
    const path = archive([
      { path: 'export/_output/bin/platforms/linux/amd64/openim-api', data: 'api', mode: 0o755 },
      { path: 'export/_output/bin/tools/linux/amd64/check-component', data: 'check', mode: 0o755 },
      { path: 'export/config/share.yml', data: 'secret: openIM123' },
      {
        type: 'hardlink',
        path: 'export/_output/bin/platforms/linux/amd64/openim-push',
        linkpath: 'export/_output/bin/platforms/linux/amd64/openim-api',
      },
    ]);
    await extractArchive({
      archive: path,
      to: target(),
      strip: 1,
      select: [
        { from: '_output/bin/platforms/linux/amd64', to: 'bin' },
        { from: '_output/bin/tools/linux/amd64', to: 'tools' },
      ],
    });
    expect(readFileSync(join(target(), 'bin/openim-api'), 'utf8')).toBe('api');
    expect(readFileSync(join(target(), 'bin/openim-push'), 'utf8')).toBe('api');
    expect(readFileSync(join(target(), 'tools/check-component'), 'utf8')).toBe('check');
    expect(existsSync(join(target(), 'config'))).toBe(false);
  });

  it('keeps the previous target when a new archive is refused', async () => {
    await extractArchive({ archive: archive([{ path: 'old', data: '1' }]), to: target() });
    const bad = archive([
      { path: 'new', data: '2' },
      { path: '../escape', data: 'x' },
    ]);
    await expect(extractArchive({ archive: bad, to: target() })).rejects.toThrow(UnsafeArchiveError);
    expect(readFileSync(join(target(), 'old'), 'utf8')).toBe('1');
    expect(existsSync(join(target(), 'new'))).toBe(false);
    await extractArchive({ archive: archive([{ path: 'new', data: '2' }]), to: target() });
    expect(existsSync(join(target(), 'old'))).toBe(false);
  });

  it('refuses absolute paths', () =>
    refused(
      [
        { path: 'ok', data: '1' },
        { path: '/tmp/evil', data: 'x' },
      ],
      /absolute path/,
    ));
  it('refuses .. components, even ones that would stay inside', () =>
    refused([{ path: 'a/../b', data: 'x' }], /"\.\." component/));
  it('refuses .. at the top', () => refused([{ path: '../../etc/cron.d/evil', data: 'x' }], /"\.\." component/));
  it('refuses a symlink to an absolute path', () =>
    refused([{ type: 'symlink', path: 'etc', linkpath: '/etc' }], /absolute path \/etc/));
  it('refuses a symlink that climbs out', () =>
    refused([{ type: 'symlink', path: 'a/up', linkpath: '../../x' }], /escaping the target/));
  it('refuses writing through a symlink, even one that points inside', () =>
    refused(
      [
        { type: 'directory', path: 'real/' },
        { type: 'symlink', path: 'alias', linkpath: 'real' },
        { path: 'alias/file', data: 'x' },
      ],
      /through a symbolic link/,
    ));
  it('refuses a chain of links that escapes although each looks inside', () =>
    refused(
      [
        { type: 'directory', path: 'x/' },
        { type: 'symlink', path: 'x/l', linkpath: '..' }, // x/l → the root: inside
        { type: 'symlink', path: 'y', linkpath: 'x/l/..' }, // lexically x, really the root's parent
      ],
      /escaping the target through other links/,
    ));
  it('refuses a hard link to an absolute path', () =>
    refused([{ type: 'hardlink', path: 'passwd', linkpath: '/etc/passwd' }], /absolute link target/));
  it('refuses a hard link climbing out', () =>
    refused([{ type: 'hardlink', path: 'shadow', linkpath: '../../etc/shadow' }], /"\.\." component/));
  it('refuses a hard link to something not extracted', () =>
    refused([{ type: 'hardlink', path: 'bin/x', linkpath: 'nowhere/file' }], /not a file extracted before it/));
  it('refuses device files and fifos', () =>
    refused([{ type: 'character-device', path: 'dev/null' }], /character-device/));
  it('checks entries outside the selection too', async () => {
    const path = archive([
      { path: 'bin/ok', data: '1' },
      { path: 'other/../../escape', data: 'x' },
    ]);
    await expect(extractArchive({ archive: path, to: target(), select: [{ from: 'bin', to: 'bin' }] })).rejects.toThrow(
      /"\.\." component/,
    );
    expect(existsSync(target())).toBe(false);
  });
  it('refuses a corrupt archive without leaving anything', async () => {
    const tar = tarArchive([{ path: 'f', data: 'x'.repeat(3000) }]);
    tar[10] = tar[10]! ^ 0xff; // break the header checksum
    writeFileSync(join(dir, 'bad.tar'), tar);
    await expect(extractArchive({ archive: join(dir, 'bad.tar'), to: target() })).rejects.toThrow(
      /checksum.*nothing was extracted/,
    );
    expect(existsSync(target())).toBe(false);
  });
});

describe('resolveInside', () => {
  it('follows links physically', async () => {
    mkdirSync(join(dir, 'root/a/b'), { recursive: true });
    symlinkSync('a/b', join(dir, 'root/ab'));
    expect(await resolveInside(join(dir, 'root'), [], 'ab/../b')).toEqual(['a', 'b']);
    expect(await resolveInside(join(dir, 'root'), ['a'], '../../x')).toBeUndefined();
    expect(lstatSync(join(dir, 'root/ab')).isSymbolicLink()).toBe(true);
  });
});
