import { describe, expect, it } from 'vitest';
import { formatImage, mirrorPathElement, mirrorPathUpstream, parseImage, resolveImage } from './images.js';
import { mirrorTarget } from '../bundle/push.js';

describe('images', () => {
  it('parses short Docker Hub names', () => {
    expect(parseImage('redis:7.0.15')).toEqual({ registry: 'docker.io', repository: 'library/redis', tag: '7.0.15' });
    expect(parseImage('openim/openim-api:v3.8.3')).toEqual({ registry: 'docker.io', repository: 'openim/openim-api', tag: 'v3.8.3' });
  });

  it('parses registries with ports and digests', () => {
    expect(parseImage('localhost:5000/a/b:1@sha256:abc')).toEqual({ registry: 'localhost:5000', repository: 'a/b', tag: '1', digest: 'sha256:abc' });
    expect(parseImage('quay.io/coreos/etcd')).toEqual({ registry: 'quay.io', repository: 'coreos/etcd', tag: 'latest' });
  });

  it('rewrites every image below a mirror, keeping non-Docker Hub registries as a path element', () => {
    const src = { registry: 'docker.io', mirror: 'm.daocloud.io/' };
    expect(formatImage(resolveImage(parseImage('mongo:7.0.14'), src))).toBe('m.daocloud.io/library/mongo:7.0.14');
    expect(formatImage(resolveImage(parseImage('quay.io/coreos/etcd:v3.5.13'), src))).toBe('m.daocloud.io/quay.io/coreos/etcd:v3.5.13');
    expect(formatImage(resolveImage(parseImage('redis:7'), { registry: 'docker.io', mirror: 'reg.local:5000/mirror' }))).toBe('reg.local:5000/mirror/library/redis:7');
  });

  it('leaves images alone without a mirror', () => {
    const ref = parseImage('ghcr.io/openimsdk/openim-api:v3.8.3');
    expect(resolveImage(ref, { registry: 'docker.io', mirror: '' })).toBe(ref);
  });

  it('rewrites an upstream registry with a port to a valid path element (no `:` in the repository)', () => {
    const src = { registry: 'docker.io', mirror: 'registry.internal:5000' };
    const ref = resolveImage(parseImage('localhost:5000/a/b:1'), src);
    expect(ref).toEqual({ registry: 'registry.internal:5000', repository: 'localhost_5000/a/b', tag: '1' });
    expect(formatImage(ref)).toBe('registry.internal:5000/localhost_5000/a/b:1');
    // The reference parses back to the same parts: the port of the mirror is the only `:` before the tag.
    expect(parseImage(formatImage(ref))).toEqual(ref);
    expect(formatImage(resolveImage(parseImage('reg.example.com:8443/team/app:2@sha256:abc'), { registry: 'docker.io', mirror: 'm.local/pfx/' }))).toBe(
      'm.local/pfx/reg.example.com_8443/team/app:2@sha256:abc',
    );
  });

  it('gives every rewritten repository only characters the distribution spec allows', () => {
    const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
    for (const text of ['localhost:5000/a/b:1', '127.0.0.1:5000/x:1', 'quay.io/ceph/ceph:v19', 'redis:7', 'ghcr.io/openimsdk/openim-api:v3']) {
      const { repository } = resolveImage(parseImage(text), { registry: 'docker.io', mirror: 'mirror.local:5000/offline' });
      for (const part of repository.split('/')) expect(part, `${text} → ${repository}`).toMatch(component);
    }
  });

  it('undoes the path rewrite (the bundle reads upstream names back from mirrored plans)', () => {
    for (const text of ['localhost:5000/a/b:1', 'quay.io/ceph/ceph:v19', 'docker.io/library/redis:7', 'openim/openim-api:v3', 'registry.k8s.io/sig-storage/x:v4']) {
      const ref = parseImage(text);
      const mirrored = resolveImage(ref, { registry: 'docker.io', mirror: 'm.example' });
      expect(mirrorPathUpstream(mirrored.repository)).toEqual({ registry: ref.registry, repository: ref.repository });
    }
    expect(mirrorPathElement('quay.io')).toBe('quay.io');
    expect(mirrorPathUpstream('mongo')).toEqual({ registry: 'docker.io', repository: 'library/mongo' });
  });

  it('bundle push lands each image where install pulls it', () => {
    for (const [text, mirror] of [
      ['localhost:5000/a/b:1', 'registry.internal:5000'],
      ['quay.io/ceph/ceph:v19.2.3', 'registry.internal:5000/offline'],
      ['docker.io/library/redis:7', 'registry.internal:5000'],
    ] as const) {
      const pulled = resolveImage(parseImage(text), { registry: 'docker.io', mirror });
      expect(mirrorTarget(text, mirror)).toEqual({ registry: pulled.registry, repository: pulled.repository, tag: pulled.tag });
      expect(mirrorTarget(text, mirror).repository).not.toContain(':');
    }
  });
});
