// #19 High 5: system directories are refused as install paths, and
// `uninstall --purge` deletes only the folders the journal says it created.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { emptyState, type DeployState } from '../state/types.js';
import { binaryResources, binaryUninstallSteps } from '../targets/binary/day2/operations.js';
import { plan, singleHost } from '../../test/helpers/binary-specs.js';

const binary = (sets: string[]) => resolveConfig({ preset: 'single-host', sets });

describe('#19 High 5: install paths', () => {
  for (const key of ['binary.dataDir', 'binary.configDir', 'binary.prefix', 'binary.stateDir']) {
    for (const dir of [
      '/',
      '/etc',
      '/var/lib',
      '/data',
      '/usr',
      '/var/lib/',
      '//etc',
      '/opt/../etc',
      '/home',
      '/root',
      '/tmp',
    ]) {
      it(`refuses ${key}=${dir}`, () => {
        let error: unknown;
        try {
          binary([`${key}=${dir}`]);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues.map((i) => i.path)).toContain(key);
      });
    }
  }

  it('accepts a folder of its own below a system one', () => {
    expect(binary(['binary.dataDir=/data/openim', 'binary.prefix=/opt/openim2']).spec.binary.dataDir).toBe(
      '/data/openim',
    );
  });
});

describe('#19 High 5: purge deletes only what the journal created', () => {
  /** The state after an install: every step done, its resources recorded as the journal does. */
  function installed(spec = singleHost()): DeployState {
    const state = emptyState();
    plan(spec).steps.forEach((step, order) => {
      state.steps[step.id] = {
        status: 'done',
        hash: 'h',
        at: 'now',
        attempt: 1,
        order,
        resources: binaryResources(spec, step),
      };
    });
    return state;
  }
  const argvs = (state: DeployState, spec = singleHost()) =>
    binaryUninstallSteps(spec, state, { purge: true }).flatMap((s) =>
      s.actions.flatMap((a) => (a.kind === 'exec' ? [a.argv] : [])),
    );

  it('never rm -rf the data folder itself: its own sub-folders, then rmdir if empty', () => {
    const spec = singleHost('binary.dataDir=/srv/shared/openim');
    const all = argvs(installed(spec), spec);
    expect(all.some((a) => a[0] === 'rm' && a.includes('/srv/shared/openim'))).toBe(false);
    expect(all.some((a) => a[0] === 'rm' && a.includes('/srv/shared/openim/server'))).toBe(true);
    expect(all).toContainEqual(['rmdir', '--ignore-fail-on-non-empty', '--', '/srv/shared/openim']);
  });

  it('with nothing recorded, purge removes nothing', () => {
    expect(argvs(emptyState())).toEqual([]);
  });
});
