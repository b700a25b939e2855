import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { graphProblems } from '../plan/graph.js';
import type { Plan, Step } from '../plan/types.js';
import { identityOf } from '../state/identity.js';
import { emptyState, type DeployState } from '../state/types.js';
import { installGuard, withStepsBeforeOpenIM } from './apply.js';

const spec = (sets: string[] = []) => resolveConfig({ preset: 'dev', sets: ['kubernetes.namespace=im', ...sets] }).spec;
const installed = (server: string, chat: string, extra: Partial<DeployState> = {}): DeployState => ({
  ...emptyState(),
  identity: identityOf(spec()),
  installed: { serverVersion: server, chatVersion: chat, at: 'x' },
  ...extra,
});

describe('installGuard', () => {
  const s = spec();
  it('lets the installed versions and a fresh state through', () => {
    expect(installGuard(emptyState(), s, 'install')).toEqual([]);
    expect(installGuard(installed(s.openim.serverVersion, s.openim.chatVersion), s, 'install')).toEqual([]);
  });
  it('sends a newer version to upgrade and an older one to rollback, naming the path', () => {
    const older = installGuard(installed('v3.8.4', s.openim.chatVersion), s, 'install');
    expect(older).toEqual([
      expect.objectContaining({ path: 'openim.serverVersion', hint: expect.stringContaining('rollback') }),
    ]);
    const newer = installGuard(
      installed(s.openim.serverVersion, s.openim.chatVersion),
      spec(['openim.serverVersion=v3.8.4']),
      'install',
    );
    expect(newer[0]).toMatchObject({
      path: 'openim.serverVersion',
      hint: expect.stringContaining('upgrade --to v3.8.4'),
    });
    // upgrade itself may change versions.
    expect(
      installGuard(
        installed(s.openim.serverVersion, s.openim.chatVersion),
        spec(['openim.serverVersion=v3.8.4']),
        'upgrade',
      ),
    ).toEqual([]);
  });
  it('refuses install while an upgrade to another version is unfinished', () => {
    const state = installed(s.openim.serverVersion, s.openim.chatVersion, {
      upgrading: { serverVersion: 'v3.8.4', chatVersion: s.openim.chatVersion, at: 'x' },
    });
    expect(installGuard(state, s, 'install')[0]).toMatchObject({
      path: 'openim.serverVersion',
      hint: expect.stringContaining('upgrade --to v3.8.4'),
    });
    expect(installGuard(state, spec(['openim.serverVersion=v3.8.4']), 'install')).toEqual([]);
  });
  it('refuses immutable changes first', () => {
    expect(
      installGuard(
        installed(s.openim.serverVersion, s.openim.chatVersion),
        spec(['kubernetes.namespace=elsewhere']),
        'install',
      ).map((i) => i.path),
    ).toEqual(['kubernetes.namespace']);
  });
});

describe('withStepsBeforeOpenIM', () => {
  const step = (id: string, phase: Step['phase'], needs: string[] = []): Step => ({
    id,
    title: id,
    phase,
    needs,
    actions: [],
  });
  const plan: Plan = {
    version: 1,
    target: 'kubernetes',
    profile: 'dev',
    openim: { serverVersion: 'a', chatVersion: 'b' },
    scope: 'x',
    steps: [
      step('ns', 'prepare'),
      step('db', 'infrastructure', ['ns']),
      step('api', 'server', ['db']),
      step('chat', 'chat', ['api']),
      step('summary', 'summary', ['chat']),
    ],
  };
  it('runs after the infrastructure and before every OpenIM step', () => {
    const out = withStepsBeforeOpenIM(plan, [step('migrate', 'server')]);
    expect(graphProblems(out.steps)).toEqual([]);
    const ids = out.steps.map((s) => s.id);
    expect(ids.indexOf('migrate')).toBeGreaterThan(ids.indexOf('db'));
    expect(ids.indexOf('migrate')).toBeLessThan(ids.indexOf('api'));
    expect(out.steps.find((s) => s.id === 'migrate')!.needs).toEqual(['ns', 'db']);
    expect(out.steps.find((s) => s.id === 'chat')!.needs).toContain('migrate');
  });
  it('leaves a plan alone when there is nothing to add', () => {
    expect(withStepsBeforeOpenIM(plan, [])).toBe(plan);
  });
});
