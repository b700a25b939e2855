// Found by src/safety/hostile-config.property.test.ts (#19 hostile-input suite; Medium 8 asked
// for it): names that a consumer reads by its own rules were accepted as any string. A bucket
// "a b", a TLS Secret or StorageClass "Bad_Name" (the API server refuses such a name, so the
// install failed late), a MongoDB database "a/b" or user "a@b" (OpenIM puts both into its
// mongodb:// URI unescaped, openimsdk/tools db/mongoutil/common.go) all passed validation.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { NFS_SERVER_SET } from '../../test/helpers/config-presets.js';
import { issuesOf } from '../../test/helpers/config-helpers.js';

const production = ['openim.domain=im.example.com', NFS_SERVER_SET];
const refused = (key: string, value: string, extra: string[] = []) =>
  issuesOf(() => resolveConfig({ preset: 'production', sets: [...production, ...extra, `${key}=${value}`] })).filter(
    (i) => i.path === key,
  );
const accepted = (key: string, value: string, extra: string[] = []) =>
  resolveConfig({ preset: 'production', sets: [...production, ...extra, `${key}=${value}`] }).spec;

describe('names are checked by the rules of what reads them', () => {
  it('infrastructure.objectStorage.bucket is an S3 bucket name', () => {
    for (const bad of ['a b', 'Openim', 'ab', 'a..b', '-ab', 'ab-', '10.0.0.5', 'a\nb', "a'b", 'x'.repeat(64)]) {
      expect(refused('infrastructure.objectStorage.bucket', bad), bad).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/S3 bucket name/) }),
      ]);
    }
    for (const ok of ['openim', 'my-bucket.v1', 'a1b'])
      expect(accepted('infrastructure.objectStorage.bucket', ok).infrastructure.objectStorage.bucket).toBe(ok);
  });

  it('kubernetes.ingress.tls.secretName and kubernetes.storage.storageClass are Kubernetes object names', () => {
    for (const bad of ['Bad_Name', 'a b', 'tls\n---', '-x', 'x.', 'a'.repeat(254)]) {
      expect(refused('kubernetes.ingress.tls.secretName', bad, ['kubernetes.ingress.tls.mode=secret']), bad).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/DNS-1123 subdomain/) }),
      ]);
      expect(refused('kubernetes.storage.storageClass', bad, ['kubernetes.storage.backend=existing']), bad).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/DNS-1123 subdomain/) }),
      ]);
    }
    expect(
      accepted('kubernetes.ingress.tls.secretName', 'openim-tls.v2', ['kubernetes.ingress.tls.mode=secret']).kubernetes
        .ingress.tls.secretName,
    ).toBe('openim-tls.v2');
    expect(
      accepted('kubernetes.storage.storageClass', 'fast-ssd', ['kubernetes.storage.backend=existing']).kubernetes
        .storage.storageClass,
    ).toBe('fast-ssd');
  });

  it('infrastructure.mongodb.database is a MongoDB database name, and the user name holds no URI delimiter', () => {
    for (const bad of ['a/b', 'a.b', 'a b', 'a$b', 'a?b', 'a@b', 'x'.repeat(64)]) {
      expect(refused('infrastructure.mongodb.database', bad), bad).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/MongoDB database name/) }),
      ]);
    }
    expect(accepted('infrastructure.mongodb.database', 'openim_v3').infrastructure.mongodb.database).toBe('openim_v3');
    for (const bad of ['a@b', 'a:b', 'a/b', 'a%b']) {
      expect(refused('infrastructure.mongodb.username', bad), bad).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/into a mongodb:\/\/ URI unescaped/),
          hint: expect.stringMatching(/infrastructure\.mongodb\.uri/),
        }),
      ]);
    }
    // With a full uri the parts are not used: no rule on them.
    expect(
      accepted('infrastructure.mongodb.username', 'a@b', [
        'infrastructure.mongodb.mode=external',
        'infrastructure.mongodb.uri=mongodb://u:p@db:27017/openim',
      ]).infrastructure.mongodb.username,
    ).toBe('a@b');
  });

  it('infrastructure.objectStorage.endpoint is host:port or an http(s) URL (a hostile one threw a TypeError in the planner)', () => {
    const s3 = [
      'infrastructure.objectStorage.provider=s3',
      'infrastructure.objectStorage.mode=external',
      'infrastructure.objectStorage.accessKey=AKIAEXAMPLE',
      'infrastructure.objectStorage.secretKey=secretsecret',
    ];
    for (const bad of [
      '\nrequirepass x',
      'https://a b.example',
      'https://s3.example.com/path',
      'user@host:9000',
      'host',
      'http://%zz',
    ]) {
      expect(refused('infrastructure.objectStorage.endpoint', bad, s3), bad).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/host:port or an http\(s\) URL/) }),
      ]);
    }
    for (const ok of ['https://s3.example.com', 'https://s3.example.com:8443/', 'minio.internal:9000', '10.0.0.5:9000'])
      expect(accepted('infrastructure.objectStorage.endpoint', ok, s3).infrastructure.objectStorage.endpoint).toBe(ok);
  });

  it('install paths are held normalised: a trailing / or a .. never reaches the plan spelt another way', () => {
    const spec = resolveConfig({
      preset: 'single-host',
      sets: ['binary.stateDir=/srv/openim-state/', 'binary.dataDir=/srv/x/../openim-data'],
    }).spec;
    expect([spec.binary.stateDir, spec.binary.dataDir]).toEqual(['/srv/openim-state', '/srv/openim-data']);
    expect(
      issuesOf(() => resolveConfig({ preset: 'single-host', sets: ['binary.dataDir=/srv/../etc/'] })).map(
        (i) => i.path,
      ),
    ).toEqual(['binary.dataDir']);
  });
});
