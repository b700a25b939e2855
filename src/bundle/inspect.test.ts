// `bundle inspect` on a bundle with entries the safe reader refuses (issue #19,
// Medium 10): they are listed with the reason, not left out of the report, and
// what inspect reads about the bundle never comes from them.
import { appendTarEntries } from '../../test/helpers/tar-append.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION } from '../catalog/openim-versions.js';
import { RegistryClient } from '../oci/registry-client.js';
import { tarEntry } from '../archive/tar/in-memory.js';
import { templatesDir } from '../util/package-root.js';
import { createBundle } from './create.js';
import { inspectBundle } from './inspect.js';

/** A real bundle (one local file) with hostile entries appended before its end marker. */
async function hostileBundle(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'oid-inspect-'));
  writeFileSync(join(dir, 'openim-server.tar.gz'), randomBytes(2048));
  const output = join(dir, 'bundle.tar');
  await createBundle({
    output,
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
          source: join(dir, 'openim-server.tar.gz'),
          sha256: '',
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
    concurrency: 1,
    client: new RegistryClient(),
    http: {},
  });
  return appendTarEntries(output, join(dir, 'hostile.tar'), [
    tarEntry({ path: '/etc/cron.d/evil', data: 'x' }),
    tarEntry({ path: 'files/../../escape', data: 'y' }),
    tarEntry({ type: 'symlink', path: 'files/passwd', linkpath: '/etc/passwd' }),
    tarEntry({ type: 'hardlink', path: 'files/shadow', linkpath: '../../etc/shadow' }),
    tarEntry({ type: 'fifo', path: 'files/pipe' }),
    // A second manifest.json, after the real one: inspect must not take it for the bundle's.
    tarEntry({ path: 'manifest.json', data: '{"forged":true}' }),
  ]);
}

describe('bundle inspect and refused entries', () => {
  it('lists every entry the safe reader refuses, with the reason', async () => {
    const report = await inspectBundle(await hostileBundle());
    expect(report.refused).toEqual([
      { path: '/etc/cron.d/evil', reason: 'absolute path' },
      { path: 'files/../../escape', reason: 'path escapes the target with ..' },
      { path: 'files/passwd', reason: 'symlink to "/etc/passwd" (bundles hold regular files only)' },
      { path: 'files/shadow', reason: 'hardlink to "../../etc/shadow" (bundles hold regular files only)' },
      { path: 'files/pipe', reason: 'fifo entries are refused' },
      { path: 'manifest.json', reason: 'appears twice in the bundle' },
    ]);
    // The report is about the bundle's own entries: the first manifest.json, the one file.
    expect(report.manifest?.createdBy).toBe('test');
    expect(report.files.map((f) => f.name)).toEqual(['openim-server.tar.gz']);
    // Counted all the same: oci-layout, the file, index.json, manifest.json, checksums.sha256, and the refused ones.
    expect(report.totals.entries).toBe(5 + report.refused.length);
  });
});
