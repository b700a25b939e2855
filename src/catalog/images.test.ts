import { describe, expect, it } from 'vitest';
import { formatImage, parseImage, resolveImage } from './images.js';

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
});
