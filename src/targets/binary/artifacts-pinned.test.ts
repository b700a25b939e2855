// No artifact is ever silently unpinned: for every host archive and every
// arch, the plan either carries a 64-hex SHA-256 (catalog or config) or
// reports a sha256 problem that preflight turns into an error. (No vendor
// checksum for these versions could be read here, so today every default
// demands a pin from the user; a maintainer who verifies one adds it to the
// catalog, and this test keeps holding.)

import { describe, expect, it } from 'vitest';
import { HOST_ARCHIVES, type HostArch } from '../../catalog/host-artifacts.js';
import { MONITORING } from '../../catalog/infrastructure.js';
import { plannedArtifact, type ArtifactId } from './artifacts.js';
import { binaryLayout } from './layout.js';
import { singleHost } from '../../../test/helpers/binary-specs.js';

const ids = [...Object.keys(HOST_ARCHIVES), ...Object.keys(MONITORING.hostArchives)] as ArtifactId[];

describe('host artifact pins', () => {
  it.each(ids.flatMap((id) => (['amd64', 'arm64'] as HostArch[]).map((arch) => [id, arch] as const)))(
    '%s (%s): pinned or refused with a sha256 problem',
    (id, arch) => {
      const spec = singleHost('binary.mirror=');
      const a = plannedArtifact(spec, id, arch, binaryLayout(spec));
      if (a.fetch.sha256) expect(a.fetch.sha256).toMatch(/^[a-f0-9]{64}$/);
      else expect(a.problems.map((p) => p.field)).toContain('sha256');
      expect(a.fetch.url ?? a.fetch.file).toBeTruthy();
    },
  );

  it('a binary.artifacts.<name> override (url + sha256) replaces the vendor default', () => {
    const sha = 'e'.repeat(64);
    const spec = singleHost(
      'binary.mirror=',
      'binary.artifacts.kafka.url=https://mirror.internal/kafka.tgz',
      `binary.artifacts.kafka.sha256=${sha}`,
    );
    const a = plannedArtifact(spec, 'kafka', 'amd64', binaryLayout(spec));
    expect(a.fetch).toMatchObject({ url: 'https://mirror.internal/kafka.tgz', sha256: sha });
    expect(a.problems).toEqual([]);
  });
});
