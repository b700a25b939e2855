import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import { unprobedFacts } from '../../../facts/types.js';
import type { BinaryFacts } from '../../../facts/types.js';
import type { Step } from '../../../plan/types.js';
import { emptyState, type DeployState } from '../../../state/types.js';
import { binarySteps } from '../steps.js';
import { binaryBackupHint, binaryResources, binaryRollbackSteps, binaryUninstallSteps } from './operations.js';
import { BACKUP_FIRST_HINT } from '../../day2/backup-types.js';
import { binaryStatus, journalExit, parseShow } from './status.js';

const spec = resolveConfig({
  preset: 'single-host',
  sets: [
    'binary.artifacts.server.sha256=' + 'a'.repeat(64),
    'binary.artifacts.chat.sha256=' + 'b'.repeat(64),
    'binary.artifacts.server.file=/srv/s.tgz',
    'binary.artifacts.chat.file=/srv/c.tgz',
  ],
}).spec;
const argvs = (steps: Step[]) =>
  steps.flatMap((s) => s.actions.flatMap((a) => (a.kind === 'exec' ? [a.argv.join(' ')] : [])));

describe('binary status', () => {
  it('reads systemctl show blocks and judges each module by its instances', () => {
    const show = [
      'Id=openim-api@0.service\nLoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=0\nMainPID=10\nExecMainStartTimestamp=Thu 2026-01-01 10:00:00 UTC\nExecMainCode=0\nExecMainStatus=0\nResult=success',
      'Id=openim-push@0.service\nLoadState=loaded\nActiveState=activating\nSubState=auto-restart\nNRestarts=4\nMainPID=0\nExecMainStartTimestamp=\nExecMainCode=1\nExecMainStatus=2\nResult=exit-code',
    ].join('\n\n');
    const props = parseShow(`${show}\n`);
    expect(props).toHaveLength(2);
    const report = binaryStatus(
      spec,
      props,
      { server: 'v3.8.3' },
      { ...emptyState(), steps: { a: { status: 'done', hash: 'h', at: 'x', attempt: 1 } } },
    );
    const api = report.components.find((c) => c.name === 'openim-api')!;
    const push = report.components.find((c) => c.name === 'openim-push')!;
    expect(api).toMatchObject({
      version: 'v3.8.3',
      ready: 1,
      desired: 1,
      restarts: 0,
      healthy: true,
      endpoints: ['127.0.0.1:10002/http', '127.0.0.1:12002/metrics'],
    });
    expect(push).toMatchObject({ ready: 0, restarts: 4, healthy: false });
    expect(push.lastRestart).toBe('openim-push@0.service: exit-code: exited with status 2');
    expect(push.waiting).toBe('openim-push@0.service activating/auto-restart (exit-code)');
    expect(report.components.find((c) => c.name === 'openim-rpc-user')!.waiting).toBe(
      'openim-rpc-user@0.service not found',
    );
    expect(report.healthy).toBe(false);
  });

  it('takes the reason of the last restart from the journal once the unit runs again (systemctl show only knows the new process)', () => {
    const show =
      'Id=openim-rpc-user@0.service\nLoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=1\nMainPID=42\nExecMainStartTimestamp=Thu 2026-01-01 10:00:05 UTC\nExecMainCode=0\nExecMainStatus=0\nResult=success';
    expect(journalExit('openim-rpc-user@0.service: Main process exited, code=killed, status=9/KILL')).toBe(
      'killed by signal 9 (KILL)',
    );
    expect(journalExit('x.service: Main process exited, code=exited, status=2/INVALIDARGUMENT')).toBe(
      'exited with status 2 (INVALIDARGUMENT)',
    );
    expect(journalExit('Started x.service')).toBeUndefined();
    const props = parseShow(show);
    const withJournal = binaryStatus(spec, props, {}, emptyState(), new Date(), {
      'openim-rpc-user@0.service': 'killed by signal 9 (KILL)',
    });
    expect(withJournal.components.find((c) => c.name === 'openim-rpc-user')!.lastRestart).toBe(
      'openim-rpc-user@0.service: last exit: killed by signal 9 (KILL), running since Thu 2026-01-01 10:00:05 UTC',
    );
    // Never the new process's "status 0" as if it were why the unit restarted.
    expect(
      binaryStatus(spec, props, {}, emptyState()).components.find((c) => c.name === 'openim-rpc-user')!.lastRestart,
    ).toBe('openim-rpc-user@0.service: last exit not in the journal, running since Thu 2026-01-01 10:00:05 UTC');
  });
});

describe('binary day two plans', () => {
  it("the backup hint before an upgrade names the product's own backup first, the hand-made mongodump after it", () => {
    const hint = binaryBackupHint(resolveConfig({ preset: 'single-host' }).spec).split('\n');
    expect(hint[0]).toBe(BACKUP_FIRST_HINT);
    expect(hint[1]).toMatch(/^Or back up MongoDB by hand/);
    expect(hint.join('\n')).toMatch(/mongodump --uri 'mongodb:\/\/root:<mongodb\.rootPassword>@127\.0\.0\.1/);
  });

  const facts: BinaryFacts = {
    ...(unprobedFacts('binary') as BinaryFacts),
    probed: true,
    host: { arch: 'amd64', isRoot: true, systemdPid1: true, portsInUse: [], proxyEnv: [] },
  };
  const plan = binarySteps(spec, facts);
  const state: DeployState = {
    ...emptyState(),
    steps: Object.fromEntries(
      plan.map((s, order) => [
        s.id,
        { status: 'done' as const, hash: 'h', at: 'x', attempt: 1, order, resources: binaryResources(spec, s) },
      ]),
    ),
  };
  const all = Object.values(state.steps).flatMap((e) => e.resources ?? []);

  it('the journal knows the unit files, config files, release folders and current links the plan creates', () => {
    expect(all).toContainEqual({ type: 'unit', name: 'openim-api@.service' });
    expect(all).toContainEqual({ type: 'file', path: '/etc/openim/server/share.yml' });
    expect(all).toContainEqual({ type: 'file', path: '/opt/openim/current' });
    expect(all.some((r) => r.type === 'dir' && r.path === '/opt/openim/v3.8.3')).toBe(true);
  });

  it('uninstall stops units chat first, removes what was written, keeps the data folder', () => {
    const steps = binaryUninstallSteps(spec, state, { purge: false });
    const commands = argvs(steps);
    const disable = commands.find((c) => c.startsWith('systemctl disable --now'))!;
    expect(disable.indexOf('openim-chat')).toBeLessThan(disable.indexOf('openim-server'));
    // The instances the plan enabled are disabled by name, and the .wants links of our targets go.
    expect(disable).toContain('openim-api@0.service');
    expect(commands.join('\n')).toContain('/etc/systemd/system/openim.target.wants');
    expect(commands.some((c) => c.startsWith('systemctl stop') && c.includes('openim-api@*.service'))).toBe(true);
    expect(commands.join('\n')).toContain('/etc/systemd/system/openim-api@.service');
    expect(commands.join('\n')).not.toMatch(/\/var\/lib\/openim( |$|\/)/);
    expect(commands.some((c) => c.startsWith('rm -rf') && c.includes('/opt/openim/v3.8.3'))).toBe(true);
  });

  it('--purge deletes the data folders it created, then the data folder only if empty; an empty journal deletes nothing', () => {
    const steps = binaryUninstallSteps(spec, state, { purge: true });
    expect(argvs(steps).find((a) => a.startsWith('rm -rf') && a.includes('/var/lib/openim/server'))).toBeDefined();
    expect(argvs(steps)).not.toContain('rm -rf -- /var/lib/openim');
    expect(argvs(steps).at(-1)).toBe('rmdir --ignore-fail-on-non-empty -- /var/lib/openim');
    expect(binaryUninstallSteps(spec, emptyState(), { purge: true })).toEqual([]);
  });

  it('rollback switches current back atomically and restarts', () => {
    const commands = argvs(
      binaryRollbackSteps(spec, state, { at: 'x', action: 'install', serverVersion: 'v3.8.3', chatVersion: 'v1.8.4' }),
    );
    expect(commands).toContain('ln -sfn v3.8.3 /opt/openim/current.new');
    expect(commands).toContain('mv -T -f /opt/openim/current.new /opt/openim/current');
    expect(commands).toContain('test -d /opt/openim/chat/v1.8.4');
    expect(commands.at(-1)).toBe('systemctl restart openim-server.target openim-chat.target');
  });
});
