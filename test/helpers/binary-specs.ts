// Specs for this folder's tests, made the way users make them: a preset plus --set.

import { resolveConfig } from '../../src/config/resolve.js';
import type { DeploySpec } from '../../src/config/schema.js';
import type { BinaryFacts } from '../../src/facts/types.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import type { Plan, Step } from '../../src/plan/types.js';

export const FAKE_SHA = 'a'.repeat(64);

/** single-host with the OpenIM tarballs pinned and served from a mirror. */
export function singleHost(...sets: string[]): DeploySpec {
  return resolveConfig({
    preset: 'single-host',
    sets: [
      'binary.mirror=http://mirror.example/openim',
      `binary.artifacts.server.sha256=${FAKE_SHA}`,
      `binary.artifacts.chat.sha256=${FAKE_SHA}`,
      ...sets,
    ],
  }).spec;
}

/** single-host with every infrastructure component external (what the systemd e2e suite runs). */
export function allExternal(...sets: string[]): DeploySpec {
  return singleHost(
    'infrastructure.mongodb.mode=external',
    'infrastructure.mongodb.address[0]=127.0.0.1:27017',
    'infrastructure.mongodb.password=mongo-pw',
    'infrastructure.redis.mode=external',
    'infrastructure.redis.address[0]=127.0.0.1:6379',
    'infrastructure.kafka.mode=external',
    'infrastructure.kafka.address[0]=127.0.0.1:9092',
    'infrastructure.kafka.createTopics=false',
    'infrastructure.objectStorage.mode=external',
    'infrastructure.objectStorage.endpoint=127.0.0.1:9000',
    'infrastructure.objectStorage.accessKey=access',
    'infrastructure.objectStorage.secretKey=secret-key',
    'infrastructure.etcd.mode=external',
    'infrastructure.etcd.address[0]=127.0.0.1:2379',
    ...sets,
  );
}

export const unprobed: BinaryFacts = { target: 'binary', probed: false };

export function probedHost(overrides: Partial<NonNullable<BinaryFacts['host']>> = {}): BinaryFacts {
  return {
    target: 'binary',
    probed: true,
    host: {
      arch: 'amd64',
      isRoot: true,
      systemdPid1: true,
      portsInUse: [],
      proxyEnv: [],
      packageManager: 'apt',
      java: { path: 'java', version: '17.0.9', major: 17 },
      ...overrides,
    },
  };
}

/** The whole plan (not only the binary target's steps) for a spec, unprobed unless facts are given. */
export const plan = (spec = singleHost(), facts: BinaryFacts = unprobed): Plan => buildPlan(spec, facts);

export const byId = (p: Plan): Map<string, Step> => new Map(p.steps.map((s) => [s.id, s]));

/** Every step `id` needs, directly or through other steps. */
export function ancestors(p: Plan, id: string): Set<string> {
  const steps = byId(p);
  const seen = new Set<string>();
  const visit = (s: Step) => {
    for (const n of s.needs) {
      if (seen.has(n)) continue;
      seen.add(n);
      visit(steps.get(n)!);
    }
  };
  visit(steps.get(id)!);
  return seen;
}
