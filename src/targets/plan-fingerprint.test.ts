// Guard for refactors of the planners (issue #20: step builders, KubernetesLayout):
// a fingerprint of every step of whole plans, for a spread of specs of both
// targets. Each step's full JSON (actions, file contents, needs) is hashed, so a
// refactor that changes one byte of the plan changes the snapshot, and the
// snapshot names the step that moved.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/types.js';
import { allExternal, plan as binaryPlan, probedHost, singleHost } from '../../test/helpers/binary-specs.js';
import { buildPlan } from './build-plan.js';
import { PROBED_CLUSTER_FIXTURE, specFor, UNPROBED } from '../../test/helpers/kubernetes-specs.js';

function fingerprint(plan: Plan): string[] {
  const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
  const { steps, ...rest } = plan;
  return [`plan ${hash(rest)}`, ...steps.map((s) => `${s.id} ${hash(s)}`)];
}

const plans: Record<string, () => Plan> = {
  'binary single-host': () => binaryPlan(),
  'binary single-host probed': () => binaryPlan(singleHost(), probedHost()),
  'binary single-host logging, no monitoring': () =>
    binaryPlan(singleHost('monitoring.enabled=false', 'logging.enabled=true')),
  'binary all external': () => binaryPlan(allExternal()),
  'binary arm64 dnf, redis installed': () =>
    binaryPlan(
      singleHost('binary.arch=arm64'),
      probedHost({ arch: 'arm64', packageManager: 'dnf', installedPackages: ['redis'] }),
    ),
  'binary external kafka with topics, SASL over TLS': () =>
    binaryPlan(
      allExternal(
        'infrastructure.kafka.createTopics=true',
        'infrastructure.kafka.username=openim',
        'infrastructure.kafka.password=kafka-pw',
        'infrastructure.kafka.tls=true',
      ),
    ),
  'binary behind the proxy, production profile': () =>
    binaryPlan(
      singleHost(
        'binary.proxy.enabled=true',
        `binary.artifacts.caddy.sha256=${'b'.repeat(64)}`,
        'openim.domain=im.example.com',
        'profile=production',
      ),
    ),
  'binary monitoring external (files only), logging to a remote Loki': () =>
    binaryPlan(
      singleHost(
        'monitoring.prometheusUrl=http://prom.example:9090',
        'monitoring.grafanaUrl=https://grafana.example/',
        'logging.enabled=true',
        'logging.lokiUrl=http://logs.example:3100',
      ),
    ),
  'binary built from source, no chat, mongo tools': () =>
    binaryPlan(
      singleHost(
        'binary.source=build',
        'openim.components.chat=false',
        'openim.components.adminFront=false',
        'binary.artifacts.mongotools.url=http://mirror.example/mongotools.tgz',
        `binary.artifacts.mongotools.sha256=${'c'.repeat(64)}`,
      ),
    ),
  'kubernetes dev': () => buildPlan(specFor('dev'), UNPROBED),
  'kubernetes dev probed': () => buildPlan(specFor('dev'), PROBED_CLUSTER_FIXTURE),
  'kubernetes production': () => buildPlan(specFor('production'), UNPROBED),
  'kubernetes production probed': () => buildPlan(specFor('production'), PROBED_CLUSTER_FIXTURE),
};

describe('plan fingerprints (refactor guard)', () => {
  for (const [name, make] of Object.entries(plans)) {
    it(`${name}: every step is byte-identical to the recorded plan`, () => {
      const first = make();
      // The plan is data: building it twice gives the same bytes, so a change here is a real change.
      expect(fingerprint(make())).toEqual(fingerprint(first));
      expect(fingerprint(first)).toMatchSnapshot();
    });
  }
});
