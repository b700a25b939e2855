import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { diagnose, formatDiagnosis, type Diagnosis, type NetEvidence } from './doctor.js';
import { parseMongoPing, parseTopicDescribe } from '../targets/day2/live-helpers.js';
import type { LiveEvidence } from '../targets/day2/types.js';
import { NFS_SERVER_SET } from '../../test/helpers/config-presets.js';

const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
const healthy: LiveEvidence = {
  kafkaTopics: {
    ok: true,
    topics: ['toRedis', 'toMongo', 'toPush', 'toOfflinePush'].map((name) => ({ name, partitions: 8 })),
  },
  mongoAuth: { ok: true, detail: 'ok', authSource: 'openim_v3', user: 'openIM' },
  proxyEnv: [],
  sharedSecret: { serverSet: true, chatSet: true, equal: true, source: 'env' },
  chatApi: { url: 'http://openim-api:10002', reachable: true, detail: 'Service has 2 ready addresses' },
  versions: [{ component: 'openim-api', expected: 'v3.8.3-patch.16', actual: 'v3.8.3-patch.16' }],
  objectStorageUrl: 'https://im.example.com/im-minio-api',
  objectStorageProvider: 'minio',
  webSocketUrl: 'wss://im.example.com/msg_gateway',
  skipped: [],
};
const net: NetEvidence = {
  objectStorage: { url: 'x', status: 200 },
  webSocket: [
    { url: 'a', status: 101 },
    { url: 'b', status: 400 },
  ],
};
const errors = (d: Diagnosis[]) => d.filter((x) => x.severity === 'error');

describe("doctor diagnosis (OpenIM's known pain points)", () => {
  it('a healthy install has no errors and says what it checked', () => {
    const d = diagnose(spec, healthy, net);
    expect(errors(d)).toEqual([]);
    expect(d.filter((x) => x.severity === 'ok').map((x) => x.id)).toEqual([
      'objectstorage.reachable',
      'kafka.topics',
      'mongodb.auth',
      'proxy.env',
      'chat.secret',
      'chat.api-url',
      'versions',
      'websocket.route',
    ]);
  });

  const cases: [string, Partial<LiveEvidence>, NetEvidence | undefined, string, RegExp][] = [
    [
      'placeholder external address',
      { objectStorageUrl: 'http://external_ip:10005' },
      undefined,
      'objectstorage.external-address',
      /placeholder/,
    ],
    [
      'cluster-internal external address',
      { objectStorageUrl: 'http://openim-minio.im.svc:9000' },
      undefined,
      'objectstorage.external-address',
      /cluster-internal/,
    ],
    [
      'external address not MinIO',
      {},
      { ...net, objectStorage: { url: 'x', status: 404 } },
      'objectstorage.reachable',
      /404/,
    ],
    [
      'external address unreachable',
      {},
      { ...net, objectStorage: { url: 'x', error: 'ECONNREFUSED' } },
      'objectstorage.reachable',
      /ECONNREFUSED/,
    ],
    [
      'missing Kafka topics',
      { kafkaTopics: { ok: true, topics: [{ name: 'toRedis', partitions: 8 }] } },
      undefined,
      'kafka.topics',
      /toMongo, toPush, toOfflinePush/,
    ],
    [
      'Kafka unreachable',
      { kafkaTopics: { ok: false, error: 'Timed out waiting for a node assignment' } },
      undefined,
      'kafka.topics',
      /Timed out/,
    ],
    [
      'Mongo auth fails',
      { mongoAuth: { ok: false, detail: 'Authentication failed.', authSource: 'openim_v3', user: 'root' } },
      undefined,
      'mongodb.auth',
      /authSource openim_v3/,
    ],
    [
      'proxy env',
      { proxyEnv: [{ where: 'Deployment openim-api', vars: ['HTTP_PROXY'] }] },
      undefined,
      'proxy.env',
      /HTTP_PROXY/,
    ],
    [
      'secrets differ',
      { sharedSecret: { serverSet: true, chatSet: true, equal: false, source: 'env' } },
      undefined,
      'chat.secret',
      /differ/,
    ],
    [
      'chat apiURL dead',
      { chatApi: { url: 'http://openim-api:10002', reachable: false, detail: 'no ready pods' } },
      undefined,
      'chat.api-url',
      /no ready pods/,
    ],
    [
      'version skew',
      { versions: [{ component: 'openim-admin-front', expected: 'release-v1.8.4', actual: 'release-v1.6.0' }] },
      undefined,
      'versions',
      /release-v1.6.0/,
    ],
    [
      'WebSocket route missing',
      {},
      {
        ...net,
        webSocket: [
          { url: 'a', status: 404 },
          { url: 'b', status: 404 },
        ],
      },
      'websocket.route',
      /404/,
    ],
  ];
  for (const [name, change, probes, id, what] of cases) {
    it(`${name}: an error with what, why and how to fix`, () => {
      const found = errors(diagnose(spec, { ...healthy, ...change }, probes ?? net));
      expect(found).toHaveLength(1);
      expect(found[0]!.id).toBe(id);
      expect(found[0]!.what).toMatch(what);
      expect(found[0]!.why.length).toBeGreaterThan(20);
      expect(found[0]!.fix.length).toBeGreaterThan(10);
      expect(formatDiagnosis(found[0]!)).toMatch(/✗ .*\n {4}why: .*\n {4}fix: /);
    });
  }

  it('one spelling of the WebSocket path routed: a warning naming the other', () => {
    const d = diagnose(spec, healthy, {
      ...net,
      webSocket: [
        { url: 'wss://x/msg_gateway', status: 101 },
        { url: 'wss://x/msg_gateway/', status: 404 },
      ],
    });
    expect(d.find((x) => x.id === 'websocket.route')).toMatchObject({
      severity: 'warn',
      what: expect.stringContaining('msg_gateway/'),
    });
  });

  it('reads kafka-topics.sh --describe and the mongosh ping line', () => {
    const describe =
      'Topic: toRedis\tTopicId: abc\tPartitionCount: 8\tReplicationFactor: 1\tConfigs: \n\tTopic: toRedis\tPartition: 0\tLeader: 1\nTopic: toPush\tTopicId: d\tPartitionCount: 4\tReplicationFactor: 1\n';
    expect(parseTopicDescribe(describe)).toEqual([
      { name: 'toRedis', partitions: 8 },
      { name: 'toPush', partitions: 4 },
    ]);
    expect(parseMongoPing('noise\nOPENIM-DEPLOY-PING {"ok":1}\n')).toMatchObject({ ok: true });
    expect(parseMongoPing('OPENIM-DEPLOY-PING {"ok":0,"error":"Authentication failed."}')).toEqual({
      ok: false,
      detail: 'Authentication failed.',
    });
  });
});
