import { describe, expect, it } from 'vitest';
import { CHAT_RELEASES, SERVER_RELEASES, type ServerRelease } from '../catalog/openim-versions.js';
import { compareVersions, versionKey } from '../util/versions.js';
import { upgradePath, type UpgradeCatalog } from './upgrade.js';

const server = (version: string, line: string): ServerRelease => ({ ...SERVER_RELEASES[0]!, version, line });
/** A catalog with older lines, to exercise stepping stones and the seq migration the real catalog does not need yet. */
const synthetic: UpgradeCatalog = {
  servers: [
    server('v3.6.2', '3.6'),
    server('v3.7.5', '3.7'),
    server('v3.8.3-patch.16', '3.8'),
    server('v3.8.4', '3.8'),
  ],
  chats: [
    { ...CHAT_RELEASES[0]!, version: 'v1.6.0', line: '1.6', serverLine: '3.6' },
    { ...CHAT_RELEASES[0]!, version: 'v1.7.3', line: '1.7', serverLine: '3.7' },
    ...CHAT_RELEASES,
  ],
  stones: ['v3.7.5'],
};

describe('versions', () => {
  it('orders OpenIM tags, -patch.N after its base release', () => {
    expect(versionKey('v3.8.3-patch.16')).toEqual([3, 8, 3, 16]);
    const sorted = ['v3.8.4', 'v3.8.3-patch.16', 'v3.8.3', 'v3.7.5', 'v3.8.3-patch.2'].sort(compareVersions);
    expect(sorted).toEqual(['v3.7.5', 'v3.8.3', 'v3.8.3-patch.2', 'v3.8.3-patch.16', 'v3.8.4']);
  });
});

describe('upgradePath', () => {
  it('the real catalog: 3.8.3-patch.16 → 3.8.4 is one hop without migration, with the matching chat', () => {
    const path = upgradePath('v3.8.3-patch.16', 'v3.8.4');
    expect(path).toEqual({
      ok: true,
      hops: [{ serverVersion: 'v3.8.4', chatVersion: 'v1.8.4-patch.5', seqMigration: false }],
    });
  });

  it('stops at every stepping stone, and runs seq in the hop that crosses into 3.8', () => {
    const path = upgradePath('v3.6.2', 'v3.8.4', {}, synthetic);
    expect(path).toEqual({
      ok: true,
      hops: [
        { serverVersion: 'v3.7.5', chatVersion: 'v1.7.3', seqMigration: false },
        { serverVersion: 'v3.8.4', chatVersion: 'v1.8.4-patch.5', seqMigration: true },
      ],
    });
    expect(upgradePath('v3.7.5', 'v3.8.3-patch.16', {}, synthetic)).toMatchObject({
      ok: true,
      hops: [{ seqMigration: true }],
    });
    expect(upgradePath('v3.8.3-patch.16', 'v3.8.4', {}, synthetic)).toMatchObject({
      ok: true,
      hops: [{ seqMigration: false }],
    });
  });

  it('refuses downgrades, no-ops, unknown versions and a chat from another line, with a hint', () => {
    expect(upgradePath('v3.8.4', 'v3.8.3-patch.16')).toMatchObject({
      ok: false,
      hint: expect.stringContaining('rollback'),
    });
    expect(upgradePath('v3.8.4', 'v3.8.4')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('already installed'),
    });
    expect(upgradePath('v3.8.3-patch.16', 'v9.0.0')).toMatchObject({
      ok: false,
      hint: expect.stringContaining('v3.8.4'),
    });
    expect(upgradePath('v3.6.2', 'v3.8.4', { chatVersion: 'v1.7.3' }, synthetic)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('server line 3.7'),
    });
  });
});
