import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/package-root.js';
import { configJsonSchema, leafPaths, secretPaths } from './json-schema.js';

describe('JSON Schema', () => {
  it('the committed schema/openim-deploy.schema.json matches the zod schema (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'openim-deploy.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('marks every credential field as secret', () => {
    expect(secretPaths()).toEqual(
      expect.arrayContaining([
        'openim.secret',
        'openim.chatAdminPassword',
        'openim.superCode',
        'infrastructure.mongodb.password',
        'infrastructure.mongodb.uri',
        'infrastructure.redis.password',
        'infrastructure.objectStorage.secretKey',
        'monitoring.grafanaAdminPassword',
      ]),
    );
  });

  it('has the user-facing keys issue #2 fixes', () => {
    expect(leafPaths()).toEqual(
      expect.arrayContaining([
        'target',
        'profile',
        'openim.serverVersion',
        'openim.chatVersion',
        'openim.domain',
        'openim.components.chat',
        'kubernetes.context',
        'kubernetes.namespace',
        'kubernetes.ingress.controller',
        'kubernetes.ingress.tls.mode',
        'kubernetes.storage.backend',
        'kubernetes.storage.storageClass',
        'kubernetes.storage.nfs.server',
        'binary.prefix',
        'infrastructure.mongodb.mode',
        'infrastructure.objectStorage.provider',
        'infrastructure.etcd.mode',
        'monitoring.enabled',
        'logging.enabled',
        'images.registry',
        'images.mirror',
        'offline.bundle',
      ]),
    );
  });
});

describe('README config reference', () => {
  it('matches the schema (run `npm run schema`)', async () => {
    const { replaceReference } = await import('./reference.js');
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    expect(replaceReference(readme)).toBe(readme);
  });
});
