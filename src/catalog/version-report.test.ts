import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAT_RELEASES, DEFAULT_CHAT_VERSION, DEFAULT_SERVER_VERSION, SERVER_RELEASES } from './openim-versions.js';
import { versionReport, versionRows } from './version-report.js';

const readmeTable = (): string[][] => {
  const text = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- versions:start -->\n([\s\S]*?)<!-- versions:end -->/.exec(text);
  if (!block) throw new Error('README.md has no versions table (<!-- versions:start --> … <!-- versions:end -->)');
  return block[1]!
    .trim()
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, '')),
    );
};

describe('version report', () => {
  it("the README's version table matches the catalog row for row", () => {
    expect(readmeTable()).toEqual(
      versionRows().map((r) => [r.product, r.version, r.kubernetesDiscovery, r.config, r.verification]),
    );
  });

  it('the default versions are the newest verified end to end, and every entry says how it is verified', () => {
    for (const r of [...SERVER_RELEASES, ...CHAT_RELEASES])
      expect(['conformance', 'real-run', 'unverified']).toContain(r.verification);
    expect(SERVER_RELEASES.find((r) => r.version === DEFAULT_SERVER_VERSION)?.verification).toBe('real-run');
    expect(CHAT_RELEASES.find((r) => r.version === DEFAULT_CHAT_VERSION)?.verification).toBe('real-run');
  });

  it('plan --target kubernetes names discovery, config mechanism and verification for every catalog version, the reason for the chosen ones', () => {
    const lines = versionReport('kubernetes', { server: 'v3.8.3-patch.16', chat: 'v1.8.4' });
    for (const r of versionRows()) {
      const line = lines.find((l) => l.includes(`${r.product} ${r.version}:`));
      expect(line, r.version).toContain(`discovery: ${r.kubernetesDiscovery}`);
      expect(line, r.version).toContain(`config: ${r.config}`);
      expect(line, r.version).toContain(`verification: ${r.verification}`);
    }
    expect(lines.filter((l) => l.trim().startsWith('why:'))).toHaveLength(2);
    expect(lines.join('\n')).toContain('v3.8.3-patch.16:32');
    const binary = versionReport('binary', { server: 'v3.8.3' });
    expect(binary.filter((l) => l.includes('verification:'))).toHaveLength(1);
  });
});
