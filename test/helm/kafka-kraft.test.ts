// The openim-kafka chart as helm renders it with the production values, run
// on real Kafka: the jars of the pinned version (fetched once from Maven
// Central into the git-ignored .cache/), three KRaft nodes on loopback
// addresses, each started with its rendered command and environment, then the
// rendered topics Job. Checks the advertised listeners (open-im-server issues
// #2518, #3156) and the topics (#2694, #2726) on a live cluster. See kafka-kraft-scenario.sh.
// Needs root (unshare --mount), Java 17 and Maven.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { INFRASTRUCTURE } from '../../src/catalog/infrastructure.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import type { WriteAction } from '../../src/plan/types.js';
import { infrastructureEndpoints as infrastructureEndpointsWith } from '../../src/targets/kubernetes/infrastructure/endpoints.js';
import { infrastructureSteps as infrastructureStepsWith } from '../../src/targets/kubernetes/infrastructure/steps.js';
import { REGISTER_GROUP_SCRIPT } from '../../src/targets/binary/kafka-groups.js';
import { helmBinaries, repoRoot } from '../helpers/tools.js';
import { withLayout } from '../helpers/kubernetes-specs.js';

const infrastructureEndpoints = withLayout(infrastructureEndpointsWith);
const infrastructureSteps = withLayout(infrastructureStepsWith);

const KAFKA_VERSION = INFRASTRUCTURE.kafka.images.kafka.tag;
const libs = join(repoRoot, '.cache', `kafka-libs-${KAFKA_VERSION}`);
const runner = new ExecaRunner();
const work = mkdtempSync(join(tmpdir(), 'openim-kafka-scenario-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Obj = Record<string, any>;

/** Kafka's broker, tools and a log4j binding, as the image ships them, from Maven Central. */
async function fetchKafkaJars(): Promise<void> {
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) return;
  const project = join(work, 'maven');
  mkdirSync(project, { recursive: true });
  const dep = (g: string, a: string, v: string) =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  writeFileSync(
    join(project, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.openim-deploy</groupId><artifactId>kafka-libs</artifactId><version>1</version>
<dependencies>${dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}${dep('org.apache.kafka', 'kafka-tools', KAFKA_VERSION)}${dep('org.slf4j', 'slf4j-reload4j', '1.7.36')}</dependencies></project>`,
  );
  const r = await runner.run(['mvn', '-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`], {
    cwd: project,
    timeoutMs: 600_000,
  });
  if (r.exitCode !== 0) throw new Error(`mvn failed:\n${r.stdout}\n${r.stderr}`);
}

function envLines(container: Obj, podName?: string): string[] {
  return (container.env as Obj[])
    .filter((e) => typeof e.value === 'string')
    .map((e) => `${e.name}=${podName ? String(e.value).replaceAll('$(POD_NAME)', podName) : e.value}`);
}

describe('openim-kafka on real Kafka jars', () => {
  it("three KRaft nodes form a quorum, advertise their DNS names, and the topics Job creates 4 x 8 partitions and registers OpenIM's consumer groups at the earliest offsets", async () => {
    await fetchKafkaJars();
    const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
    const step = infrastructureSteps(spec, { target: 'kubernetes', probed: false }).find(
      (s) => s.release?.name === 'openim-kafka',
    )!;
    const valuesFile = join(work, 'values.yaml');
    writeFileSync(valuesFile, step.actions.find((a): a is WriteAction => a.kind === 'write')!.content);
    const { helm } = helmBinaries()[0]!;
    const rendered = await runner.run([
      helm,
      'template',
      'openim-kafka',
      join(repoRoot, 'templates/charts/openim-kafka'),
      '--namespace',
      step.release!.namespace,
      '--values',
      valuesFile,
    ]);
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    const objects = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
    const sts = objects.find((o) => o.kind === 'StatefulSet')!;
    const job = objects.find((o) => o.kind === 'Job')!;
    const scripts = objects.find((o) => o.kind === 'ConfigMap')!;
    const headless = objects.find((o) => o.kind === 'Service' && o.spec.clusterIP === 'None')!;

    const dir = join(work, 'scenario');
    mkdirSync(dir, { recursive: true });
    const container = sts.spec.template.spec.containers[0] as Obj;
    expect(container.command.slice(0, 2)).toEqual(['bash', '-c']);
    writeFileSync(join(dir, 'node.command'), container.command[2]);
    for (let i = 0; i < sts.spec.replicas; i++) {
      const pod = `${sts.metadata.name}-${i}`;
      // POD_NAME comes from the downward API in the pod.
      writeFileSync(join(dir, `node${i}.env`), [`POD_NAME=${pod}`, ...envLines(container, pod)].join('\n') + '\n');
    }
    writeFileSync(join(dir, 'topics.env'), envLines(job.spec.template.spec.containers[0]).join('\n') + '\n');
    writeFileSync(join(dir, 'create-topics.sh'), scripts.data['create-topics.sh']);
    writeFileSync(join(dir, 'register-group.sh'), REGISTER_GROUP_SCRIPT);
    writeFileSync(
      join(dir, 'scenario.env'),
      `STATEFULSET=${sts.metadata.name}\nHEADLESS_DOMAIN=${headless.metadata.name}.${step.release!.namespace}.svc\n`,
    );

    const result = await runner.run(
      [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'bash',
        join(repoRoot, 'test/helm/kafka-kraft-scenario.sh'),
        dir,
        libs,
      ],
      { timeoutMs: 600_000 },
    );
    const out = result.stdout;
    const nodeLogs = () =>
      readdirSync(dir)
        .filter((f) => /^node\d+$/.test(f))
        .map(
          (f) =>
            `--- ${f}\n${
              existsSync(join(dir, f, 'stdout'))
                ? readFileSync(join(dir, f, 'stdout'), 'utf8')
                    .split('\n')
                    .slice(-15)
                    .join('\n')
                : ''
            }`,
        )
        .join('\n');
    expect(result.exitCode, `${out}\n${result.stderr}\n${result.exitCode === 0 ? '' : nodeLogs()}`).toBe(0);
    expect(out).toContain('SCENARIO OK');
    for (const topic of ['toRedis', 'toMongo', 'toPush', 'toOfflinePush']) {
      expect(out).toMatch(new RegExp(`Topic: ${topic} PartitionCount: 8 ReplicationFactor: 3`));
    }
    // OpenIM's consumer groups: registered at the earliest offsets by the first run, so a message produced
    // before a consumer first joined still reaches it; left alone by the second run (no replay).
    const [firstRun, secondRun] = out.split('== topics job again (idempotent)');
    for (const [group, topic] of [
      ['redis', 'toRedis'],
      ['mongo', 'toMongo'],
      ['push', 'toPush'],
      ['offlinePush', 'toOfflinePush'],
    ]) {
      expect(firstRun).toContain(`group ${group}: registered at the earliest offsets of ${topic}`);
      expect(secondRun).toContain(`group ${group}: exists, offsets left alone`);
    }
    expect(out).toMatch(/== consumed by group redis \(auto\.offset\.reset=latest\): first-message-\d+\n/);
    expect(out).toContain('committed toRedis offsets: 1\n');
    expect(out).toContain(
      "== binary target's registration, twice: group binary-target-check: registered at the earliest offsets of toMongo / group binary-target-check: exists, offsets left alone\n",
    );
    // What clients are told after bootstrap: the per-pod names OpenIM is configured with.
    const advertised = [...out.matchAll(/^(\S+:9092) \(id: (\d+)/gm)].map((m) => m[1]);
    expect(advertised.sort()).toEqual([...infrastructureEndpoints(spec).kafka.address].sort());
  });
});
