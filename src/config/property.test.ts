// Property: any input either resolves and plans, or fails with a ConfigError
// naming paths. Never another exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { unprobedFacts } from '../facts/types.js';
import { buildPlan } from '../targets/build-plan.js';
import { validateSpec } from './validate.js';

const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(''));
const choice = <T>(...values: T[]) => fc.constantFrom(...values);

// Mostly-valid shapes with random holes, so both branches get exercised.
const configArb = fc.record(
  {
    target: fc.oneof(choice('kubernetes', 'binary'), scalar),
    profile: fc.oneof(choice('dev', 'production'), scalar),
    openim: fc.record(
      {
        domain: fc.oneof(choice('im.example.com', '', 'Bad Domain', 'a.b'), scalar),
        components: fc.record(
          { chat: fc.boolean(), webFront: fc.boolean(), adminFront: fc.oneof(fc.boolean(), scalar) },
          { requiredKeys: [] },
        ),
        replicas: fc.dictionary(
          choice('openim-api', 'openim-push', 'openim-crontask', 'nope'),
          fc.integer({ min: -1, max: 12 }),
        ),
        superCode: fc.oneof(choice('666666', '123457'), scalar),
      },
      { requiredKeys: [] },
    ),
    kubernetes: fc.record(
      {
        namespace: fc.oneof(choice('openim', 'default', 'Bad_NS'), scalar),
        ingress: fc.record(
          {
            controller: fc.oneof(choice('nginx', 'traefik', 'istio', 'gateway-api', 'none'), scalar),
            tls: fc.record(
              { mode: choice('none', 'cert-manager', 'secret'), secretName: fc.string({ maxLength: 5 }) },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
        storage: fc.record(
          {
            backend: fc.oneof(choice('local-path', 'nfs', 'rook-ceph', 'existing'), scalar),
            storageClass: fc.string({ maxLength: 6 }),
            nfs: fc.record(
              { server: fc.string({ maxLength: 6 }), path: fc.string({ maxLength: 6 }) },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    infrastructure: fc.record(
      {
        mongodb: fc.record(
          {
            mode: fc.oneof(choice('bundled', 'external'), scalar),
            address: fc.array(choice('m:27017', 'bad'), { maxLength: 2 }),
            password: fc.oneof(fc.string({ maxLength: 8 }), scalar),
          },
          { requiredKeys: [] },
        ),
        kafka: fc.record(
          { mode: choice('bundled', 'external'), address: fc.array(choice('k:9092'), { maxLength: 1 }) },
          { requiredKeys: [] },
        ),
        objectStorage: fc.record(
          {
            provider: fc.oneof(choice('minio', 'rook-ceph', 's3', 'cos'), scalar),
            mode: choice('bundled', 'external'),
            externalAddress: choice('', 'https://im.example.com/im-minio-api', 'http://external_ip:10005'),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    images: fc.record(
      { registry: fc.oneof(choice('docker.io', 'ghcr.io', 'aliyun'), scalar), mirror: choice('', 'm.daocloud.io') },
      { requiredKeys: [] },
    ),
    unknownKey: scalar,
  },
  { requiredKeys: [] },
);

// Only legal values, so cross-field rules (not field types) decide validity.
const cleanArb = fc.record(
  {
    target: choice('kubernetes', 'binary'),
    profile: choice('dev', 'production'),
    openim: fc.record(
      {
        domain: choice('im.example.com', ''),
        components: fc.record({ chat: fc.boolean(), adminFront: fc.boolean() }, { requiredKeys: [] }),
        replicas: fc.dictionary(choice('openim-api', 'openim-push'), fc.integer({ min: 0, max: 8 })),
      },
      { requiredKeys: [] },
    ),
    kubernetes: fc.record(
      {
        ingress: fc.record(
          { controller: choice('nginx', 'traefik', 'istio', 'gateway-api', 'none') },
          { requiredKeys: [] },
        ),
        storage: fc.record(
          {
            backend: choice('local-path', 'nfs', 'existing'),
            storageClass: choice('', 'fast'),
            nfs: fc.record({ server: choice('', 'nfs1'), path: choice('', '/x') }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    infrastructure: fc.record(
      {
        redis: fc.record({
          mode: choice('bundled', 'external'),
          address: fc.array(choice('r:6379'), { maxLength: 1 }),
        }),
      },
      { requiredKeys: [] },
    ),
    monitoring: fc.record({ enabled: fc.boolean() }),
    images: fc.record({ mirror: choice('', 'm.daocloud.io') }),
  },
  { requiredKeys: [] },
);

describe('any config resolves and plans, or fails with a ConfigError naming paths', () => {
  it('holds for random configs', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(fc.oneof(cleanArb, configArb), (raw) => {
        try {
          const { spec } = validateSpec(raw);
          const plan = buildPlan(spec, unprobedFacts(spec.target));
          expect(plan.steps.length).toBeGreaterThan(0);
          valid++;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          expect(e.issues.length).toBeGreaterThan(0);
          for (const issue of e.issues) expect(issue.path).toMatch(/^[A-Za-z-]/);
          invalid++;
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
    // Both outcomes must actually occur, or the property proves little.
    expect(valid).toBeGreaterThan(0);
    expect(invalid).toBeGreaterThan(0);
  });
});
