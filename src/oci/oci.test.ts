import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerConfigCredentials } from './credentials.js';
import { platformMatches, parsePlatform } from './platform.js';
import { apiHost, isLoopbackHost } from './registry-client.js';
import { parseChallenges } from './www-authenticate.js';
import { pullLocation } from './resolve.js';

const made: string[] = [];
const scratch = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('WWW-Authenticate', () => {
  it('parses Docker Hub, ghcr and Basic challenges', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/redis:pull',
        },
      },
    ]);
    expect(
      parseChallenges(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:openimsdk/openim-server:pull"',
      )[0]!.params.service,
    ).toBe('ghcr.io');
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(parseChallenges('Basic realm="a", Bearer realm="b",service=s')).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'b', service: 's' } },
    ]);
    expect(parseChallenges('Bearer realm="x",scope="repository:a/b:pull,push"')[0]!.params.scope).toBe(
      'repository:a/b:pull,push',
    );
  });
});

describe('docker config credentials', () => {
  it('reads auth, username/password and the Docker Hub index key', () => {
    const dir = scratch(mkdtempSync(join(tmpdir(), 'oid-cred-')));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pw').toString('base64') },
          'registry.internal:5000': { username: 'u', password: 'p' },
          'https://ghcr.io': { auth: Buffer.from('gh:token').toString('base64') },
        },
      }),
    );
    const store = new DockerConfigCredentials([file, join(dir, 'missing.json')]);
    expect(store.get('docker.io')).toEqual({ username: 'hubuser', password: 'hub:pw' });
    expect(store.get('registry.internal:5000')).toEqual({ username: 'u', password: 'p' });
    expect(store.get('ghcr.io')).toEqual({ username: 'gh', password: 'token' });
    expect(store.get('quay.io')).toBeUndefined();
  });
});

describe('platforms and hosts', () => {
  it('matches arm64 with or without v8', () => {
    expect(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatform('linux/arm64'))).toBe(
      true,
    );
    expect(platformMatches({ os: 'linux', architecture: 'arm64' }, parsePlatform('linux/arm64/v8'))).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'arm', variant: 'v6' }, parsePlatform('linux/arm/v7'))).toBe(
      false,
    );
    expect(() => parsePlatform('amd64')).toThrow(/os\/arch/);
  });
  it('Docker Hub answers on registry-1; loopback is plain HTTP', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('registry.internal:5000')).toBe(false);
  });
  it('pull mirrors keep the upstream path below the mirror', () => {
    const ref = { registry: 'docker.io', repository: 'library/redis', tag: '7' };
    expect(pullLocation(ref, { 'docker.io': 'm.daocloud.io/docker.io' })).toEqual({
      registry: 'm.daocloud.io',
      repository: 'docker.io/library/redis',
    });
    expect(pullLocation(ref, {})).toEqual({ registry: 'docker.io', repository: 'library/redis' });
  });
});
