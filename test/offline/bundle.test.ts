// bundle create → verify → inspect → push against real registries on loopback.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  openSync,
  writeSync,
  readSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexBundle } from '../../src/bundle/scan.js';
import type { InspectReport } from '../../src/bundle/inspect.js';
import { runCli } from './helpers/cli.js';
import { helmBinaries } from '../helpers/tools.js';
import { ADMIN, REFS, RENDERED_REF, startWorld, type World } from './helpers/world.js';
import { tempDir } from './helpers/scratch.js';

const run = promisify(execFile);
let world: World;
let dir: string;
let bundle: string;

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The digest a registry serves for a reference, read with skopeo (not our client). */
async function servedDigest(ref: string, creds?: string): Promise<string> {
  const { stdout } = await run(
    'skopeo',
    [
      '--insecure-policy',
      'inspect',
      '--raw',
      '--tls-verify=false',
      ...(creds ? ['--creds', creds] : []),
      `docker://${ref}`,
    ],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  return sha(stdout as unknown as Buffer);
}

async function flipByte(source: string, member: string, out: string): Promise<void> {
  copyFileSync(source, out);
  const index = await indexBundle(out);
  const entry = index.byPath.get(member);
  await index.files.close();
  if (!entry) throw new Error(`${member} not in bundle`);
  const fd = openSync(out, 'r+');
  const at = entry.dataOffset + Math.floor(entry.size / 2);
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0x20;
  writeSync(fd, byte, 0, 1, at);
  closeSync(fd);
}

beforeAll(async () => {
  world = await startWorld();
  dir = tempDir('offline');
  bundle = join(dir, 'openim.tar');
  const r = await runCli([
    'bundle',
    'create',
    '--preset',
    'dev',
    '--contents-from',
    world.contentsFile,
    '-o',
    bundle,
    '--platform',
    'linux/amd64',
    '--helm',
    helmBinaries()[0]!.helm,
    ...world.mirrorFlags,
  ]);
  if (r.code !== 0) throw new Error(`bundle create failed (${r.code}):\n${r.stderr}`);
});

afterAll(async () => {
  await world?.stop();
});

describe('bundle create → verify → inspect', () => {
  it('writes one tar with the OCI layout, charts, files, manifest and checksums; verify passes', async () => {
    expect(existsSync(bundle)).toBe(true);
    expect(readdirSync(dir)).toEqual(['openim.tar']); // no .partial leftovers
    const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(
      expect.arrayContaining([
        'images/oci-layout',
        'images/index.json',
        'manifest.json',
        'checksums.sha256',
        'charts/openim-service-0.1.0.tgz',
        'charts/demo-0.3.0.tgz',
        'charts/ocidemo-1.2.3.tgz',
        `files/${world.binary.name}`,
      ]),
    );
    const verify = await runCli(['bundle', 'verify', bundle]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('OK');
    // Plain tools agree: GNU tar unpacks it, sha256sum -c accepts the list, skopeo reads the layout.
    const out = tempDir('untar');
    execFileSync('tar', ['-xf', bundle, '-C', out]);
    expect(
      execFileSync('sha256sum', ['--strict', '-c', 'checksums.sha256'], { cwd: out, encoding: 'utf8' }),
    ).not.toContain('FAILED');
    const raw = (
      await run('skopeo', ['--insecure-policy', 'inspect', '--raw', `oci:${join(out, 'images')}:${REFS.a}`], {
        encoding: 'buffer',
      })
    ).stdout as unknown as Buffer;
    expect(sha(raw)).toBe(world.images.a.root.digest);
    expect(readFileSync(join(out, 'charts', 'demo-0.3.0.tgz'))).toEqual(world.chart.tgz);
    expect(readFileSync(join(out, 'files', world.binary.name))).toEqual(world.binary.bytes);
    // helm loads the chart archives the bundle packed and pulled.
    for (const chart of ['openim-service-0.1.0', 'demo-0.3.0', 'ocidemo-1.2.3']) {
      const shown = execFileSync(helmBinaries()[0]!.helm, ['show', 'chart', join(out, 'charts', `${chart}.tgz`)], {
        encoding: 'utf8',
      });
      expect(shown).toContain(`version: ${chart.split('-').pop()}`);
    }
  });

  it('records what it holds: digests kept, the amd64 image picked from an index, the source digest noted', async () => {
    const r = await runCli(['bundle', 'inspect', bundle, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    const byRef = new Map(report.images.map((i) => [i.ref, i]));
    expect(byRef.get(REFS.a)?.digest).toBe(world.images.a.root.digest);
    expect(byRef.get(REFS.b)?.digest).toBe(world.images.b.root.digest);
    expect(byRef.get(REFS.multi)?.digest).toBe(world.images.multi.manifests.amd64);
    expect(byRef.get(REFS.multi)?.platforms).toEqual(['linux/amd64']);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', bundle, 'manifest.json'], { encoding: 'utf8' })) as {
      version: number;
      images: { ref: string; sourceDigest: string }[];
      charts: unknown[];
      files: { sha256: string; pinned: boolean }[];
      openim: object;
    };
    expect(manifest.version).toBe(1);
    expect(manifest.images.find((i) => i.ref === REFS.multi)?.sourceDigest).toBe(world.images.multi.root.digest);
    expect(manifest.files[0]).toMatchObject({ sha256: world.binary.sha256, pinned: true });
    expect(report.charts.map((c) => c.name).sort()).toEqual(['demo', 'ocidemo', 'openim-service']);
    // The demo chart runs an image no list names: rendering the chart (helm template) found it.
    expect(byRef.get(RENDERED_REF)?.digest).toBe(world.rendered.root.digest);
    // The source registry was read with anonymous tokens, as Docker Hub is.
    expect(world.tokens.requests.some((q) => !q.user && q.scopes.some((s) => s.endsWith(':pull')))).toBe(true);
  });

  it('stores a layer shared by several images once', async () => {
    const report = JSON.parse((await runCli(['bundle', 'inspect', bundle, '--json'])).stdout) as InspectReport;
    const shared = report.shared.find((s) => s.digest === world.base.blob.digest);
    expect(shared?.usedBy.sort()).toEqual([REFS.a, REFS.b, REFS.multi, RENDERED_REF].sort());
    const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).split('\n');
    expect(listing.filter((l) => l === `images/blobs/sha256/${world.base.blob.digest.slice(7)}`)).toHaveLength(1);
    expect(report.totals.imageBytesUnshared - report.totals.imageBytes).toBeGreaterThanOrEqual(
      2 * world.base.blob.size,
    );
    const text = (await runCli(['bundle', 'inspect', bundle])).stdout;
    expect(text).toContain('shared blobs');
    expect(text).toContain(world.base.blob.digest.slice(0, 19));
  });
});

describe('bundle push', () => {
  it('round trip: every image at the target has the digest it has in the bundle (and at the source)', async () => {
    const env = { DOCKER_CONFIG: world.dockerConfig };
    const r = await runCli(['bundle', 'push', bundle, '--registry', `${world.target.host}/offline`], { env });
    expect(r.stderr).not.toMatch(/retrying/);
    expect(r.code).toBe(0);
    const creds = `${ADMIN.user}:${ADMIN.password}`;
    expect(await servedDigest(`${world.target.host}/offline/quay.io/openim-test/app-a:1.0`, creds)).toBe(
      world.images.a.root.digest,
    );
    expect(await servedDigest(`${world.target.host}/offline/openimtest/app-b:1.0`, creds)).toBe(
      world.images.b.root.digest,
    );
    expect(await servedDigest(`${world.target.host}/offline/ghcr.io/openim-test/multi:2.0`, creds)).toBe(
      world.images.multi.manifests.amd64,
    );
    // Shared blobs were uploaded once and mounted into the other repositories.
    expect(r.stderr).toMatch(/mounted/);
    // A second push finds everything there.
    const again = await runCli(['bundle', 'push', bundle, '--registry', `${world.target.host}/offline`], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/[1-9]\d* uploaded/);
  });

  it('uploads in chunks on request', async () => {
    const r = await runCli(
      [
        'bundle',
        'push',
        bundle,
        '--registry',
        `${world.target.host}/chunked`,
        '--chunk-size',
        '64K',
        '--concurrency',
        '1',
      ],
      { env: { DOCKER_CONFIG: world.dockerConfig } },
    );
    expect(r.code).toBe(0);
    expect(
      await servedDigest(
        `${world.target.host}/chunked/quay.io/openim-test/app-a:1.0`,
        `${ADMIN.user}:${ADMIN.password}`,
      ),
    ).toBe(world.images.a.root.digest);
  });

  it('without credentials for a private registry it fails and says how to log in', async () => {
    const r = await runCli(['bundle', 'push', bundle, '--registry', `${world.target.host}/anon`], {
      env: { DOCKER_CONFIG: tempDir('empty') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`docker login ${world.target.host}`);
  });
});

describe('tampering', () => {
  const kinds = (): [string, string][] => [
    ['manifest', 'manifest.json'],
    ['checksum list', 'checksums.sha256'],
    ['chart', 'charts/demo-0.3.0.tgz'],
    ['blob', `images/blobs/sha256/${world.base.blob.digest.slice(7)}`],
    ['binary', `files/${world.binary.name}`],
  ];

  it('a byte flipped in each kind of file is refused, naming the file, by verify, push and install', async () => {
    for (const [kind, member] of kinds()) {
      const bad = join(dir, `flipped-${kind.replace(/\s/g, '-')}.tar`);
      await flipByte(bundle, member, bad);
      const verify = await runCli(['bundle', 'verify', bad]);
      expect(verify.code, kind).toBe(1);
      expect(verify.stderr, kind).toContain(`  ${member}: `);
      const push = await runCli(['bundle', 'push', bad, '--registry', `${world.target.host}/tampered`], {
        env: { DOCKER_CONFIG: world.dockerConfig },
      });
      expect(push.code, kind).toBe(1);
      expect(push.stderr, kind).toContain(`  ${member}: `);
      const install = await runCli([
        'install',
        '--preset',
        'dev',
        '--bundle',
        bad,
        '--mirror',
        `${world.target.host}/offline`,
        '--dry-run',
      ]);
      expect(install.code, kind).toBe(1);
      expect(install.stderr, kind).toContain(`  ${member}: `);
      expect(install.stdout, kind).toBe('');
    }
  });

  it('signed bundles: verify --key passes; another key, a removed signature or a re-computed list is refused', async () => {
    const keys = tempDir('keys');
    expect((await runCli(['bundle', 'keygen', '-o', join(keys, 'ours')])).code).toBe(0);
    expect((await runCli(['bundle', 'keygen', '-o', join(keys, 'theirs')])).code).toBe(0);
    const signed = join(dir, 'signed.tar');
    const created = await runCli([
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      world.contentsFile,
      '-o',
      signed,
      '--sign-key',
      join(keys, 'ours.key'),
      ...world.mirrorFlags,
    ]);
    expect(created.code).toBe(0);
    const ok = await runCli(['bundle', 'verify', signed, '--key', join(keys, 'ours.pub')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('signature valid');
    // Signed but no key given: refused naming --key, unless accepted unchecked explicitly.
    const keyless = await runCli(['bundle', 'verify', signed]);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain(
      'checksums.sha256.sig: the bundle is signed, but no public key was given to check it: pass --key',
    );
    const unchecked = await runCli(['bundle', 'verify', signed, '--allow-unverified-signature']);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain('NOT checked');
    const other = await runCli(['bundle', 'verify', signed, '--key', join(keys, 'theirs.pub')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('  checksums.sha256.sig: ');
    const unsigned = await runCli(['bundle', 'verify', bundle, '--key', join(keys, 'ours.pub')]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('checksums.sha256.sig: missing');

    // An attacker who changes a file and rewrites checksums.sha256 consistently is stopped by the signature alone.
    const out = tempDir('forge');
    execFileSync('tar', ['-xf', signed, '-C', out]);
    const binPath = join(out, 'files', world.binary.name);
    writeFileSync(binPath, Buffer.concat([readFileSync(binPath), Buffer.from('evil')]));
    const { formatChecksums, parseChecksums } = await import('../../src/bundle/checksums.js');
    const sums = parseChecksums(readFileSync(join(out, 'checksums.sha256'))).sums;
    sums.set(`files/${world.binary.name}`, createHash('sha256').update(readFileSync(binPath)).digest('hex'));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      files: { sha256: string; size: number }[];
    };
    manifest.files[0]!.sha256 = sums.get(`files/${world.binary.name}`)!;
    manifest.files[0]!.size = readFileSync(binPath).length;
    writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    sums.set(
      'manifest.json',
      createHash('sha256')
        .update(readFileSync(join(out, 'manifest.json')))
        .digest('hex'),
    );
    writeFileSync(join(out, 'checksums.sha256'), formatChecksums(sums));
    const names = execFileSync('tar', ['-tf', signed], { encoding: 'utf8' }).trim().split('\n');
    const forged = join(dir, 'forged.tar');
    execFileSync('tar', ['--format=ustar', '-cf', forged, '-C', out, ...names]);
    const unkeyed = await runCli(['bundle', 'verify', forged, '--allow-unverified-signature']);
    expect(unkeyed.code).toBe(0); // consistent, as far as checksums can tell: why a signed bundle needs its key
    expect((await runCli(['bundle', 'verify', forged])).code).toBe(1);
    const keyed = await runCli(['bundle', 'verify', forged, '--key', join(keys, 'ours.pub')]);
    expect(keyed.code).toBe(1);
    expect(keyed.stderr).toContain('  checksums.sha256.sig: signature does not match');
    const install = await runCli([
      'install',
      '--preset',
      'dev',
      '--bundle',
      forged,
      '--bundle-key',
      join(keys, 'ours.pub'),
      '--mirror',
      `${world.target.host}/offline`,
      '--dry-run',
    ]);
    expect(install.code).toBe(1);
    expect(install.stderr).toContain('checksums.sha256.sig');
  });
});

describe('split bundles', () => {
  it('--split writes parts that verify, inspect and push as one bundle, and join with cat', async () => {
    const base = join(dir, 'split.tar');
    const r = await runCli([
      'bundle',
      'create',
      '--preset',
      'dev',
      '--contents-from',
      world.contentsFile,
      '-o',
      base,
      '--split',
      '128K',
      ...world.mirrorFlags,
    ]);
    expect(r.code).toBe(0);
    const parts = readdirSync(dir)
      .filter((f) => f.startsWith('split.tar.'))
      .sort();
    expect(parts.length).toBeGreaterThan(2);
    expect(parts[0]).toBe('split.tar.000');
    expect((await runCli(['bundle', 'verify', base])).code).toBe(0);
    expect((await runCli(['bundle', 'verify', join(dir, 'split.tar.000')])).code).toBe(0);
    expect(JSON.parse((await runCli(['bundle', 'inspect', base, '--json'])).stdout).parts).toHaveLength(parts.length);
    const joined = join(dir, 'joined.tar');
    writeFileSync(joined, Buffer.concat(parts.map((p) => readFileSync(join(dir, p)))));
    expect((await runCli(['bundle', 'verify', joined])).code).toBe(0);
    const push = await runCli(['bundle', 'push', base, '--registry', `${world.target.host}/split`], {
      env: { DOCKER_CONFIG: world.dockerConfig },
    });
    expect(push.code).toBe(0);
    expect(
      await servedDigest(`${world.target.host}/split/openimtest/app-b:1.0`, `${ADMIN.user}:${ADMIN.password}`),
    ).toBe(world.images.b.root.digest);
  });
});

describe('unsafe entries', () => {
  it('traversal, absolute, symlink, hard link and device entries are refused by verify, install and extraction', async () => {
    const { encodeHeader, END_OF_ARCHIVE, paddingFor } = await import('../../src/archive/tar/format.js');
    const { extractMembers } = await import('../../src/bundle/extract.js');
    const { UnsafeEntryError } = await import('../../src/archive/safe-path.js');
    const { verifyBundle } = await import('../../src/bundle/verify.js');
    // A real bundle with hostile entries appended before its end marker.
    const good = readFileSync(bundle).subarray(0, -1024);
    const body = Buffer.from('owned\n');
    const entry = (path: string, type: 'file' | 'symlink' | 'hardlink' = 'file', linkpath?: string) =>
      Buffer.concat([
        encodeHeader({ path, size: type === 'file' ? body.length : 0, type, ...(linkpath ? { linkpath } : {}) }),
        ...(type === 'file' ? [body, Buffer.alloc(paddingFor(body.length))] : []),
      ]);
    const device = encodeHeader({ path: 'files/dev', size: 0 });
    device.write('3', 156, 'ascii'); // character device
    // Recompute the header checksum after changing the type flag.
    device.write('        ', 148, 'ascii');
    let sum = 0;
    for (const b of device) sum += b;
    device.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    const cases: [string, Buffer][] = [
      ['../evil', entry('../evil')],
      ['charts/../../evil2', entry('charts/../../evil2')],
      ['/tmp/oid-absolute-evil', entry('/tmp/oid-absolute-evil')],
      ['files/link', entry('files/link', 'symlink', '/etc/passwd')],
      ['files/hard', entry('files/hard', 'hardlink', 'manifest.json')],
      ['files/dev', device],
    ];
    for (const [name, hostile] of cases) {
      const file = join(dir, `hostile-${cases.findIndex(([n]) => n === name)}.tar`);
      writeFileSync(file, Buffer.concat([good, hostile, END_OF_ARCHIVE]));
      const verify = await runCli(['bundle', 'verify', file]);
      expect(verify.code, name).toBe(1);
      expect(verify.stderr, name).toContain(`  ${name}: refused: `);
      const install = await runCli([
        'install',
        '--preset',
        'dev',
        '--bundle',
        file,
        '--mirror',
        `${world.target.host}/offline`,
        '--dry-run',
      ]);
      expect(install.code, name).toBe(1);
      expect(install.stderr, name).toContain(name);
      const dest = tempDir('extract');
      // Even given the digests of every other entry, extraction stops at the hostile one and writes nothing outside.
      const { sums } = await verifyBundle(file);
      await expect(extractMembers(file, join(dest, 'inside'), { prefixes: [''], sums }), name).rejects.toBeInstanceOf(
        UnsafeEntryError,
      );
      expect(readdirSync(dest), name).toEqual(['inside']);
    }
    expect(existsSync('/tmp/oid-absolute-evil')).toBe(false);
  });
});

describe('install --bundle staging (after the go-ahead)', () => {
  it('takes charts and files out into <workdir>/bundle and pushes images the mirror lacks, then finds them there', async () => {
    const { verifyBundle } = await import('../../src/bundle/verify.js');
    const { stageBundle } = await import('../../src/bundle/offline-install.js');
    const { resolveConfig } = await import('../../src/config/resolve.js');
    const verified = await verifyBundle(bundle);
    expect(verified.ok).toBe(true);
    const spec = resolveConfig({ preset: 'dev', env: {}, sets: [`images.mirror=${world.target.host}/staged`] }).spec;
    const workdir = tempDir('workdir');
    const lines: string[] = [];
    const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s), interactive: false, tty: false };
    const stage = () =>
      stageBundle(
        { path: bundle, manifest: verified.manifest!, sums: verified.sums, signature: verified.signature },
        spec,
        { workdir, io, env: { DOCKER_CONFIG: world.dockerConfig }, concurrency: 2 },
      );
    await stage();
    expect(readFileSync(join(workdir, 'bundle', 'charts', 'demo-0.3.0.tgz'))).toEqual(world.chart.tgz);
    expect(readFileSync(join(workdir, 'bundle', 'files', world.binary.name))).toEqual(world.binary.bytes);
    expect(lines.join('\n')).toMatch(/pushing 4 image\(s\) from the bundle/);
    expect(
      await servedDigest(
        `${world.target.host}/staged/quay.io/openim-test/app-a:1.0`,
        `${ADMIN.user}:${ADMIN.password}`,
      ),
    ).toBe(world.images.a.root.digest);
    lines.length = 0;
    await stage();
    expect(lines.join('\n')).toContain('all 4 images are in');
  });
});
