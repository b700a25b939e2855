// Host artifacts given as local paths are read where they are (no scratch
// copy) and hashed once as they are appended: a pinned one that does not
// match is taken back out, and the bundle records the digest of the bytes it holds.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../catalog/openim-versions.js';
import { RegistryClient } from '../oci/registry-client.js';
import { templatesDir } from '../util/package-root.js';
import { createBundle } from './create.js';
import { verifyBundle } from './verify.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'oid-create-local-'));
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const source = join(dir, 'openim-server.tar.gz');
  writeFileSync(source, bytes);
  return { dir, bytes, source };
}

function create(dir: string, file: { source: string; sha256?: string }) {
  return createBundle({
    output: join(dir, 'bundle.tar'),
    contents: {
      components: ['openim-server'],
      gaps: [],
      images: [],
      charts: [],
      files: [
        {
          id: 'openim-server',
          name: 'openim-server.tar.gz',
          arch: 'amd64',
          source: file.source,
          sha256: file.sha256 ?? '',
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
  });
}

describe('bundle create with local files', () => {
  it('an unpinned local file is copied once and its digest recorded', async () => {
    const { dir, bytes, source } = setup();
    const result = await create(dir, { source });
    expect(result.manifest.files[0]).toMatchObject({ sha256: sha256(bytes), pinned: false, size: bytes.length });
    expect((await verifyBundle(join(dir, 'bundle.tar'))).ok).toBe(true);
  });

  it('a pinned local file (path or file:// URL) is checked against its pin and bundled', async () => {
    const { dir, bytes, source } = setup();
    const result = await create(dir, { source: `file://${source}`, sha256: sha256(bytes) });
    expect(result.manifest.files[0]).toMatchObject({ sha256: sha256(bytes), pinned: true });
    expect((await verifyBundle(join(dir, 'bundle.tar'))).ok).toBe(true);
  });

  it('a local file that does not match its pin is refused; the re-run with the right pin completes', async () => {
    const { dir, bytes, source } = setup();
    await expect(create(dir, { source, sha256: 'a'.repeat(64) })).rejects.toThrow(
      /does not match the pinned or verified a{64}/,
    );
    expect(existsSync(join(dir, 'bundle.tar'))).toBe(false);
    // The partial bundle holds nothing of the refused file: the re-run resumes from it and adds it once.
    const result = await create(dir, { source, sha256: sha256(bytes) });
    expect(result.manifest.files[0]).toMatchObject({ sha256: sha256(bytes), pinned: true });
    expect((await verifyBundle(join(dir, 'bundle.tar'))).ok).toBe(true);
  });
});
