// The charts' own defaults (values.yaml, Chart.yaml) only exist so that
// `helm lint` runs without openim-deploy; they must still say what the
// catalog says, or a bare `helm template` would quietly drift from it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatImage, parseImage } from '../../../catalog/images.js';
import { INFRASTRUCTURE } from '../../../catalog/infrastructure.js';
import { KAFKA_CONSUMER_GROUPS, KAFKA_PARTITIONS, KAFKA_TOPICS } from '../../../catalog/modules.js';
import { packageRoot } from '../../../util/package-root.js';

const chartsDir = join(packageRoot(), 'templates', 'charts');
const read = (chart: string, file: string) =>
  parse(readFileSync(join(chartsDir, chart, file), 'utf8')) as Record<string, any>;
const image = (block: { repository: string; tag: string }) =>
  formatImage(parseImage(`${block.repository}:${block.tag}`));

describe('infrastructure chart defaults match the catalog', () => {
  it.each([
    ['openim-mongodb', INFRASTRUCTURE.mongodb],
    ['openim-redis', INFRASTRUCTURE.redis],
    ['openim-kafka', INFRASTRUCTURE.kafka],
    ['openim-minio', INFRASTRUCTURE.minio],
  ] as const)('%s', (chart, entry) => {
    const meta = read(chart, 'Chart.yaml');
    expect(meta.name).toBe(entry.chart.name);
    expect(meta.version).toBe(entry.chart.version);
    const values = read(chart, 'values.yaml');
    const main = Object.values(entry.images)[0]!;
    expect(image(values.image)).toBe(formatImage(main));
    expect(meta.appVersion).toBe(main.tag);
    expect(values.securityContext).toEqual({
      runAsUser: entry.user.uid,
      runAsGroup: entry.user.gid,
      fsGroup: entry.user.gid,
    });
  });

  it('ports', () => {
    expect(read('openim-mongodb', 'values.yaml').port).toBe(INFRASTRUCTURE.mongodb.ports.mongo);
    expect(read('openim-redis', 'values.yaml')).toMatchObject({
      port: INFRASTRUCTURE.redis.ports.redis,
      busPort: INFRASTRUCTURE.redis.ports.clusterBus,
    });
    expect(read('openim-kafka', 'values.yaml').ports).toEqual({
      client: INFRASTRUCTURE.kafka.ports.client,
      controller: INFRASTRUCTURE.kafka.ports.controller,
    });
    expect(read('openim-minio', 'values.yaml').ports).toEqual({
      api: INFRASTRUCTURE.minio.ports.api,
      console: INFRASTRUCTURE.minio.ports.console,
    });
    expect(image(read('openim-minio', 'values.yaml').mcImage)).toBe(formatImage(INFRASTRUCTURE.minio.images.mc));
  });

  it('topics', () => {
    expect(read('openim-kafka', 'values.yaml').topics.items).toEqual(
      KAFKA_TOPICS.map((name) => ({ name, partitions: KAFKA_PARTITIONS, group: KAFKA_CONSUMER_GROUPS[name] })),
    );
  });
});
