// Guard for refactors of the Kubernetes planners (issue #20: KubernetesLayout):
// a fingerprint of everything the day-two commands plan or run, for the default
// namespace and a custom one. Install and upgrade plans, verify's endpoints,
// uninstall and rollback plans, the support bundle, logs, and every command the
// live calls (state, lock, status, doctor evidence, backup, restore) send to a
// recording runner (a fake: it answers `-o json` with an empty list, anything else with nothing). Each
// part's JSON is hashed, so a refactor that changes one byte changes the snapshot.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import type { DeploySpec } from '../../../config/schema.js';
import { emptyState, type DeployState, type HistoryEntry } from '../../../state/types.js';
import { buildPlan } from '../../build-plan.js';
import { verifyPlan } from '../../verify-plan.js';
import { requiredSets } from '../../../../test/helpers/config-presets.js';
import { PROBED_CLUSTER_FIXTURE, UNPROBED } from '../../../../test/helpers/kubernetes-specs.js';
import { ok, RecordingRunner } from '../../../../test/helpers/recording-runner.js';
import { kubernetesDataBackup } from './backup.js';
import { kubernetesDay2 } from './index.js';
import { kubeLeaseBackend } from './lease.js';
import { kubeStateRemote } from './state-secret.js';

const dir = mkdtempSync(join(tmpdir(), 'k8s-day2-fingerprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const specs: Record<string, () => DeploySpec> = {
  'dev, default namespace': () => resolveConfig({ preset: 'dev', sets: requiredSets('dev') }).spec,
  'production, namespace im-prod, monitoring and logging': () =>
    resolveConfig({
      preset: 'production',
      sets: [
        'openim.domain=im.example.com',
        ...requiredSets('production'),
        'kubernetes.namespace=im-prod',
        'monitoring.enabled=true',
        'logging.enabled=true',
      ],
    }).spec,
  'dev, namespace chat-ns, no ingress': () =>
    resolveConfig({
      preset: 'dev',
      sets: [...requiredSets('dev'), 'kubernetes.namespace=chat-ns', 'kubernetes.ingress.controller=none'],
    }).spec,
};

const hash = (value: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex')
    .slice(0, 16);

/** The state an install of this spec leaves: every step done, with the resources it recorded. */
function installedState(spec: DeploySpec): DeployState {
  const plan = buildPlan(spec, PROBED_CLUSTER_FIXTURE);
  const entries = plan.steps.map((step, order) => [
    step.id,
    {
      status: 'done' as const,
      hash: 'h',
      at: 'x',
      attempt: 1,
      order,
      resources: kubernetesDay2.resources(spec, step),
    },
  ]);
  const history: HistoryEntry[] = [
    { at: 'a', action: 'install', serverVersion: 'v3.8.3', chatVersion: 'v1.8.4', revisions: { 'openim-api': 1 } },
    {
      at: 'b',
      action: 'upgrade',
      serverVersion: 'v3.8.4',
      chatVersion: 'v1.8.4-patch.5',
      revisions: { 'openim-api': 2 },
    },
  ];
  return {
    ...emptyState(),
    createdNamespace: spec.kubernetes.namespace,
    secrets: { 'mongodb.password': 'm', 'redis.password': 'r', 'openim.secret': 's' },
    steps: Object.fromEntries(entries),
    installed: { serverVersion: 'v3.8.4', chatVersion: 'v1.8.4-patch.5', at: 'b' },
    history,
  };
}

/** An empty cluster: JSON where JSON is asked for (helm lists are arrays, kubectl's objects), otherwise nothing. */
function emptyAnswer(argv: readonly string[]) {
  if (!argv.includes('json')) return ok();
  return ok(argv[0] === 'helm' ? '[]' : '{"items":[]}');
}

/** Every command a live call sends, with its input, and how it ended. */
async function recorded(call: (runner: RecordingRunner) => Promise<unknown>): Promise<unknown> {
  const runner = new RecordingRunner(emptyAnswer);
  const outcome = await call(runner).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );
  const calls = runner.calls.map((c) => ({
    argv: c.argv,
    input: c.options.input,
    inputFile: c.options.inputFile ? 'set' : undefined,
  }));
  return { calls, outcome };
}

async function day2Parts(spec: DeploySpec): Promise<Record<string, unknown>> {
  const d = kubernetesDay2;
  const state = installedState(spec);
  const io = { log: () => undefined, signal: new AbortController().signal };
  // No port-forward here (MinIO's objects): the commands before it are what this records.
  const data = kubernetesDataBackup(() => Promise.reject(new Error('no port-forward in this test')));
  const dump = join(dir, 'dump.archive.gz');
  writeFileSync(dump, 'x');
  const staging = mkdtempSync(join(dir, 'collect-'));
  const next = { ...spec, openim: { ...spec.openim, serverVersion: 'v3.8.4', chatVersion: 'v1.8.4-patch.5' } };
  return {
    install: buildPlan(spec, PROBED_CLUSTER_FIXTURE),
    'install unprobed': buildPlan(spec, UNPROBED),
    'upgrade (install plan of the next version)': buildPlan(next, UNPROBED),
    migration: d.migrationSteps(spec, 'v3.7.5'),
    verify: verifyPlan(spec),
    uninstall: d.uninstallSteps(spec, state, { purge: false }),
    'uninstall --purge': d.uninstallSteps(spec, state, { purge: true }),
    rollback: d.rollbackSteps(spec, state, state.history![0]!),
    'backup hint': d.backupHint(spec),
    logs: d.logsArgv(spec, 'openim-api', { follow: true, tail: 100 }),
    'support bundle': d.supportCommands(spec, state),
    'backup problems': [data.problems(spec, 'backup'), data.problems(spec, 'restore')],
    prepare: await recorded((r) => d.prepare(spec, r)),
    'state read': await recorded((r) => kubeStateRemote(spec, r).read()),
    'state write': await recorded((r) => kubeStateRemote(spec, r).write('{"version":1}')),
    'state remove': await recorded((r) => kubeStateRemote(spec, r).remove()),
    'lease get': await recorded((r) => kubeLeaseBackend(spec, r).get()),
    'lease create': await recorded((r) =>
      kubeLeaseBackend(spec, r).create({
        holder: 'h',
        acquireTime: 'a',
        renewTime: 'b',
        durationSeconds: 30,
        transitions: 0,
      }),
    ),
    // The report's time is the clock's, not the plan's.
    status: await recorded(async (r) => ({ ...(await d.status(spec, r, state)), at: 'now' })),
    evidence: await recorded((r) => d.evidence(spec, r, state)),
    revisions: await recorded((r) => d.revisions(spec, r)),
    'backup collect': await recorded((r) => data.collect(spec, r, state, staging, io)),
    'restore data': await recorded((r) =>
      data.restoreData(spec, r, state, new Map([['mongodb/openim_v3.archive.gz', dump]]), { skipIndexes: false }, io),
    ),
    'start OpenIM': await recorded((r) => data.startOpenIM(spec, r, io)),
    'after secrets restored': await recorded((r) => data.afterSecretsRestored!(spec, r, io)),
  };
}

describe('Kubernetes day-two fingerprints (refactor guard)', () => {
  for (const [name, make] of Object.entries(specs)) {
    it(`${name}: every day-two plan and command is byte-identical to the recorded one`, async () => {
      const parts = await day2Parts(make());
      // Building them twice gives the same bytes, so a change here is a real change.
      const again = await day2Parts(make());
      const lines = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k} ${hash(v)}`);
      expect(lines(again)).toEqual(lines(parts));
      expect(lines(parts)).toMatchSnapshot();
    });
  }
});
