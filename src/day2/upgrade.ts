// Which versions an upgrade goes through: pure, from the catalog. A hop is
// a complete install of one version (plan, journal, verify) before the next;
// the `seq` migration runs in the hop that crosses into its line.

import { CHAT_RELEASES, SERVER_RELEASES, type ChatRelease, type ServerRelease } from '../catalog/openim-versions.js';
import { STEPPING_STONES } from '../catalog/upgrade-paths.js';
import { compareVersions, versionKey } from '../util/versions.js';

export interface Hop {
  serverVersion: string;
  chatVersion: string;
  /** Run the one-time `seq` migration in this hop. */
  seqMigration: boolean;
}

export type UpgradePath = { ok: true; hops: Hop[] } | { ok: false; reason: string; hint?: string };

export interface UpgradeCatalog {
  servers: readonly ServerRelease[];
  chats: readonly ChatRelease[];
  stones: readonly string[];
}

const CATALOG: UpgradeCatalog = { servers: SERVER_RELEASES, chats: CHAT_RELEASES, stones: STEPPING_STONES };

/** The newest chat release for a server line. */
function chatFor(serverVersion: string, catalog: UpgradeCatalog = CATALOG): string | undefined {
  const line = catalog.servers.find((r) => r.version === serverVersion)?.line;
  return [...catalog.chats]
    .filter((c) => c.serverLine === line)
    .sort((a, b) => compareVersions(b.version, a.version))[0]?.version;
}

const lineOf = (version: string) => versionKey(version).slice(0, 2).join('.');

export function upgradePath(
  from: string,
  to: string,
  options: { chatVersion?: string } = {},
  catalog: UpgradeCatalog = CATALOG,
): UpgradePath {
  const target = catalog.servers.find((r) => r.version === to);
  const known = catalog.servers.map((r) => r.version).join(', ');
  if (!target) return { ok: false, reason: `${to} is not in the catalog`, hint: `one of: ${known}` };
  const order = compareVersions(to, from);
  if (order === 0) return { ok: false, reason: `${from} is already installed`, hint: 're-run install to repair it' };
  if (order < 0)
    return {
      ok: false,
      reason: `${to} is older than the installed ${from}`,
      hint: 'use `openim-deploy rollback` to go back to the previous recorded version',
    };
  const stones = catalog.stones
    .filter((s) => compareVersions(s, from) > 0 && compareVersions(s, to) < 0)
    .sort(compareVersions);
  const versions = [...stones, to];
  const hops: Hop[] = [];
  let previous = from;
  for (const version of versions) {
    const release = catalog.servers.find((r) => r.version === version);
    if (!release) return { ok: false, reason: `stepping stone ${version} is not in the catalog` };
    const isLast = version === to;
    const chat = isLast && options.chatVersion ? options.chatVersion : chatFor(version, catalog);
    if (!chat) return { ok: false, reason: `no chat release for server line ${release.line}` };
    const chatRelease = catalog.chats.find((c) => c.version === chat);
    if (!chatRelease)
      return {
        ok: false,
        reason: `chat ${chat} is not in the catalog`,
        hint: `one of: ${catalog.chats.map((c) => c.version).join(', ')}`,
      };
    if (chatRelease.serverLine !== release.line)
      return {
        ok: false,
        reason: `chat ${chat} belongs to server line ${chatRelease.serverLine}, not ${release.line}`,
      };
    const below = release.seqMigrationBelow;
    const seqMigration = compareVersions(lineOf(previous), below) < 0 && compareVersions(lineOf(version), below) >= 0;
    hops.push({ serverVersion: version, chatVersion: chat, seqMigration });
    previous = version;
  }
  return { ok: true, hops };
}
