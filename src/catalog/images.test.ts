import { describe, expect, it } from 'vitest';
import {
  formatImage,
  mirrorPathElement,
  mirrorPathUpstream,
  parseImage,
  resolveImage,
  resolveImagePrefix,
  specImageSource,
  type ImageSource,
} from './images.js';
import { mirrorTarget } from '../bundle/push.js';

describe('images', () => {
  it('parses short Docker Hub names', () => {
    expect(parseImage('redis:7.0.15')).toEqual({ registry: 'docker.io', repository: 'library/redis', tag: '7.0.15' });
    expect(parseImage('openim/openim-api:v3.8.3')).toEqual({
      registry: 'docker.io',
      repository: 'openim/openim-api',
      tag: 'v3.8.3',
    });
  });

  it('parses registries with ports and digests', () => {
    expect(parseImage('localhost:5000/a/b:1@sha256:abc')).toEqual({
      registry: 'localhost:5000',
      repository: 'a/b',
      tag: '1',
      digest: 'sha256:abc',
    });
    expect(parseImage('quay.io/coreos/etcd')).toEqual({
      registry: 'quay.io',
      repository: 'coreos/etcd',
      tag: 'latest',
    });
  });

  it('rewrites every image below a mirror, keeping non-Docker Hub registries as a path element', () => {
    const src = { registry: 'docker.io', mirror: 'm.daocloud.io/', rewrite: [] };
    expect(formatImage(resolveImage(parseImage('mongo:7.0.14'), src))).toBe('m.daocloud.io/library/mongo:7.0.14');
    expect(formatImage(resolveImage(parseImage('quay.io/coreos/etcd:v3.5.13'), src))).toBe(
      'm.daocloud.io/quay.io/coreos/etcd:v3.5.13',
    );
    expect(
      formatImage(
        resolveImage(parseImage('redis:7'), { registry: 'docker.io', mirror: 'reg.local:5000/mirror', rewrite: [] }),
      ),
    ).toBe('reg.local:5000/mirror/library/redis:7');
  });

  it('leaves images alone without a mirror', () => {
    const ref = parseImage('ghcr.io/openimsdk/openim-api:v3.8.3');
    expect(resolveImage(ref, { registry: 'docker.io', mirror: '', rewrite: [] })).toBe(ref);
  });

  it('rewrites an upstream registry with a port to a valid path element (no `:` in the repository)', () => {
    const src = { registry: 'docker.io', mirror: 'registry.internal:5000', rewrite: [] };
    const ref = resolveImage(parseImage('localhost:5000/a/b:1'), src);
    expect(ref).toEqual({ registry: 'registry.internal:5000', repository: 'localhost_5000/a/b', tag: '1' });
    expect(formatImage(ref)).toBe('registry.internal:5000/localhost_5000/a/b:1');
    // The reference parses back to the same parts: the port of the mirror is the only `:` before the tag.
    expect(parseImage(formatImage(ref))).toEqual(ref);
    expect(
      formatImage(
        resolveImage(parseImage('reg.example.com:8443/team/app:2@sha256:abc'), {
          registry: 'docker.io',
          mirror: 'm.local/pfx/',
          rewrite: [],
        }),
      ),
    ).toBe('m.local/pfx/reg.example.com_8443/team/app:2@sha256:abc');
  });

  it('gives every rewritten repository only characters the distribution spec allows', () => {
    const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
    for (const text of [
      'localhost:5000/a/b:1',
      '127.0.0.1:5000/x:1',
      'quay.io/ceph/ceph:v19',
      'redis:7',
      'ghcr.io/openimsdk/openim-api:v3',
    ]) {
      const { repository } = resolveImage(parseImage(text), {
        registry: 'docker.io',
        mirror: 'mirror.local:5000/offline',
        rewrite: [],
      });
      for (const part of repository.split('/')) expect(part, `${text} → ${repository}`).toMatch(component);
    }
  });

  it('undoes the path rewrite (the bundle reads upstream names back from mirrored plans)', () => {
    for (const text of [
      'localhost:5000/a/b:1',
      'quay.io/ceph/ceph:v19',
      'docker.io/library/redis:7',
      'openim/openim-api:v3',
      'registry.k8s.io/sig-storage/x:v4',
    ]) {
      const ref = parseImage(text);
      const mirrored = resolveImage(ref, { registry: 'docker.io', mirror: 'm.example', rewrite: [] });
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
      const pulled = resolveImage(parseImage(text), { registry: 'docker.io', mirror, rewrite: [] });
      expect(mirrorTarget(text, mirror)).toEqual({
        registry: pulled.registry,
        repository: pulled.repository,
        tag: pulled.tag,
      });
      expect(mirrorTarget(text, mirror).repository).not.toContain(':');
    }
  });

  describe('rewrite rules', () => {
    const aliyun = 'registry.cn-hangzhou.aliyuncs.com/openimsdk';
    const source = (mirror: string, rewrite: ImageSource['rewrite']): ImageSource => ({
      registry: 'docker.io',
      mirror,
      rewrite,
    });
    const pulled = (text: string, src: ImageSource) => formatImage(resolveImage(parseImage(text), src));

    it('moves a matching prefix to the rule target, keeping the rest of the path, and leaves the rest to the mirror', () => {
      const src = source('m.daocloud.io', [{ from: 'docker.io/openim', to: aliyun }]);
      expect(pulled('openim/openim-api:v3.8.3-patch.16', src)).toBe(`${aliyun}/openim-api:v3.8.3-patch.16`);
      // Not matched: the mirror layout as before.
      expect(pulled('mongo:7.0.14', src)).toBe('m.daocloud.io/library/mongo:7.0.14');
      expect(pulled('quay.io/openim/x:1', src)).toBe('m.daocloud.io/quay.io/openim/x:1');
      // A prefix matches whole path elements only: docker.io/openimsdk is not below docker.io/openim.
      expect(pulled('openimsdk/openim-api:v1', src)).toBe('m.daocloud.io/openimsdk/openim-api:v1');
    });

    it('does not send a rule-moved image through the mirror, and without a mirror leaves unmatched images alone', () => {
      const ref = parseImage('redis:7.0.15');
      expect(resolveImage(ref, source('', [{ from: 'docker.io/openim', to: aliyun }]))).toBe(ref);
      expect(pulled('openim/openim-chat:v1.8.4', source('', [{ from: 'docker.io/openim', to: aliyun }]))).toBe(
        `${aliyun}/openim-chat:v1.8.4`,
      );
    });

    it('lets the longest matching from win, whatever the order of the rules', () => {
      const rules = [
        { from: 'quay.io', to: 'mirror.a/quay' },
        { from: 'quay.io/prometheus/alertmanager', to: 'mirror.c/am' },
        { from: 'quay.io/prometheus', to: 'mirror.b:5000/prom' },
      ];
      for (const rewrite of [rules, [...rules].reverse()]) {
        const src = source('m.daocloud.io', rewrite);
        expect(pulled('quay.io/prometheus/alertmanager:v0.27.0', src)).toBe('mirror.c/am:v0.27.0');
        expect(pulled('quay.io/prometheus/prometheus:v3@sha256:abc', src)).toBe(
          'mirror.b:5000/prom/prometheus:v3@sha256:abc',
        );
        expect(pulled('quay.io/ceph/ceph:v19', src)).toBe('mirror.a/quay/ceph/ceph:v19');
      }
    });

    it('matches a whole registry, a registry with a port, and ignores trailing slashes', () => {
      const src = source('', [
        { from: 'localhost:5000/', to: 'registry.internal:5000/local/' },
        { from: 'registry.k8s.io', to: 'k8s.m.daocloud.io' },
      ]);
      expect(pulled('localhost:5000/a/b:1', src)).toBe('registry.internal:5000/local/a/b:1');
      expect(pulled('registry.k8s.io/sig-storage/csi-provisioner:v5', src)).toBe(
        'k8s.m.daocloud.io/sig-storage/csi-provisioner:v5',
      );
    });

    it('gives charts the registry a whole upstream prefix moves to', () => {
      const src = source('m.daocloud.io', [
        { from: 'docker.io/istio', to: 'mirror.local/istio-hub' },
        { from: 'quay.io', to: 'q.mirror' },
      ]);
      expect(resolveImagePrefix('docker.io/istio', src)).toBe('mirror.local/istio-hub');
      expect(resolveImagePrefix('quay.io', src)).toBe('q.mirror');
      // No rule: the mirror layout, as resolveImage builds it for each image below the prefix.
      expect(resolveImagePrefix('registry.k8s.io', src)).toBe('m.daocloud.io/registry.k8s.io');
      expect(resolveImagePrefix('docker.io', src)).toBe('m.daocloud.io');
      expect(resolveImagePrefix('registry.k8s.io', source('', []))).toBeUndefined();
      // Agrees with resolveImage for the images below it.
      for (const [prefix, text] of [
        ['registry.k8s.io', 'registry.k8s.io/ingress-nginx/controller:v1'],
        ['docker.io/istio', 'docker.io/istio/pilot:1.24'],
        ['docker.io', 'docker.io/grafana/alloy:v1'],
      ] as const) {
        const ref = resolveImage(parseImage(text), src);
        expect(formatImage(ref)).toBe(`${resolveImagePrefix(prefix, src)}/${text.slice(prefix.length + 1)}`);
      }
    });

    it('drops the rules for an offline install (the bundle pushed every image to images.mirror)', () => {
      const images = {
        registry: 'docker.io',
        mirror: 'registry.internal:5000',
        rewrite: [{ from: 'docker.io/openim', to: aliyun }],
      };
      expect(specImageSource({ images, offline: { bundle: '' } }).rewrite).toEqual(images.rewrite);
      const offline = specImageSource({ images, offline: { bundle: '/tmp/b.tar' } });
      expect(offline.rewrite).toEqual([]);
      // Where install pulls it is where bundle push put it.
      expect(resolveImage(parseImage('openim/openim-api:v3'), offline)).toEqual({
        registry: 'registry.internal:5000',
        repository: 'openim/openim-api',
        tag: 'v3',
      });
      expect(mirrorTarget('openim/openim-api:v3', 'registry.internal:5000')).toEqual({
        registry: 'registry.internal:5000',
        repository: 'openim/openim-api',
        tag: 'v3',
      });
    });
  });
});
