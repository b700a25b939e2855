// #19 High 2: `uninstall --purge` deletes only a namespace openim-deploy
// created itself, and never a system namespace.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../targets/build-plan.js';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { emptyState, type DeployState } from '../state/types.js';
import { kubernetesUninstallSteps } from '../targets/kubernetes/day2/operations.js';
import { kubernetesResources } from '../targets/kubernetes/day2/resources.js';
import { ensureNamespace } from '../targets/kubernetes/day2/state-secret.js';
import { specFor, UNPROBED } from '../../test/helpers/kubernetes-specs.js';

/** The state after an install: every step done, its resources recorded as the journal does. */
function installedState(namespace: string, extra: Partial<DeployState> = {}): DeployState {
  const plan = buildPlan(specFor('dev', [`kubernetes.namespace=${namespace}`]), UNPROBED);
  const state = { ...emptyState(), ...extra };
  plan.steps.forEach((step, order) => {
    state.steps[step.id] = {
      status: 'done',
      hash: 'h',
      at: 'now',
      attempt: 1,
      order,
      resources: kubernetesResources(step),
    };
  });
  return state;
}

const deletesNamespace = (namespace: string, state: DeployState) =>
  kubernetesUninstallSteps(specFor('dev', [`kubernetes.namespace=${namespace}`]), state, { purge: true })
    .flatMap((s) => s.actions)
    .some((a) => a.kind === 'exec' && a.argv.includes('delete') && a.argv.includes('namespace'));

describe('#19 High 2: uninstall --purge and the namespace', () => {
  it('keeps a namespace that existed before the install', () => {
    expect(deletesNamespace('shop', installedState('shop'))).toBe(false);
  });

  it('deletes the namespace it created', () => {
    expect(deletesNamespace('openim', installedState('openim', { createdNamespace: 'openim' }))).toBe(true);
  });

  it('never plans deleting default or a kube- namespace, even when recorded as created', () => {
    for (const ns of ['default', 'kube-system', 'kube-public'])
      expect(deletesNamespace(ns, installedState(ns, { createdNamespace: ns }))).toBe(false);
  });

  it('still deletes the owned PVCs on purge when the namespace stays', () => {
    const steps = kubernetesUninstallSteps(specFor('dev', ['kubernetes.namespace=shop']), installedState('shop'), {
      purge: true,
    });
    expect(steps.some((s) => s.id === 'uninstall.volumes')).toBe(true);
  });

  it('ensureNamespace says whether it created the namespace', async () => {
    const missing = new RecordingRunner((argv) =>
      argv.includes('get')
        ? { exitCode: 1, stdout: '', stderr: 'Error from server (NotFound): namespaces "openim" not found' }
        : { exitCode: 0, stdout: '', stderr: '' },
    );
    expect(await ensureNamespace(specFor('dev'), missing)).toBe(true);
    const present = new RecordingRunner(() => ({
      exitCode: 0,
      stdout: '{"kind":"Namespace","metadata":{"name":"openim"}}',
      stderr: '',
    }));
    expect(await ensureNamespace(specFor('dev'), present)).toBe(false);
  });
});
