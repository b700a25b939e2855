// #19 High 3 / #15.4: no install may end with chat's seeded chatAdmin/chatAdmin login.
// On main before this change the plans had no step that touched the admin password.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminStandIn, type AdminStandIn } from '../../test/helpers/chat-admin-stand-in.js';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { executePlan, type ExecEvent } from '../execute/executor.js';
import { buildPlan } from '../targets/build-plan.js';
import { formatPlan } from '../plan/print.js';
import type { ChatAdminPasswordAction, Plan } from '../plan/types.js';
import { Redactor } from '../secrets/redact.js';
import { resolveSecrets } from '../secrets/secrets.js';
import { plan as binaryPlan, singleHost } from '../../test/helpers/binary-specs.js';
import { PROBED_CLUSTER_FIXTURE, specFor } from '../../test/helpers/kubernetes-specs.js';
import { md5Hex } from './credentials.js';

const action = (p: Plan, id: string) =>
  p.steps.find((s) => s.id === id)?.actions.find((a): a is ChatAdminPasswordAction => a.kind === 'chat-admin-password');

let api: AdminStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('chat admin password in the plans', () => {
  it('kubernetes: set through a port-forward of admin-api after the chat releases and before the ingress publishes the console', () => {
    const p = buildPlan(specFor('production'), PROBED_CLUSTER_FIXTURE);
    const a = action(p, 'k8s.chat.admin-password');
    expect(a).toMatchObject({ account: 'chatAdmin', password: '«secret:chat.adminPassword»', seeded: 'chatAdmin' });
    expect(a!.adminApi).toEqual({
      portForward: ['kubectl', '-n', 'openim', 'port-forward', '--address', '127.0.0.1', 'svc/admin-api', ':10009'],
    });
    const step = p.steps.find((s) => s.id === 'k8s.chat.admin-password')!;
    expect(step.needs).toEqual(
      expect.arrayContaining(['k8s.release.admin-api', 'k8s.release.admin-rpc', 'k8s.release.chat-rpc']),
    );
    expect(p.steps.find((s) => s.id === 'k8s.ingress')!.needs).toContain('k8s.chat.admin-password');
    expect(formatPlan(p)).toContain('set the chat admin password of chatAdmin to «secret:chat.adminPassword»');
  });

  it('kubernetes: not applicable on a simulated cluster, and absent without chat', () => {
    const sim = buildPlan(specFor('dev'), {
      ...PROBED_CLUSTER_FIXTURE,
      cluster: { ...PROBED_CLUSTER_FIXTURE.cluster!, simulated: true },
    });
    expect(sim.steps.find((s) => s.id === 'k8s.chat.admin-password')?.notApplicable).toMatch(/simulated/);
    const noChat = buildPlan(
      specFor('dev', [
        'openim.components.chat=false',
        'openim.components.adminFront=false',
        'openim.components.webFront=false',
      ]),
      PROBED_CLUSTER_FIXTURE,
    );
    expect(noChat.steps.some((s) => s.id === 'k8s.chat.admin-password')).toBe(false);
  });

  it('binary: set on the host after chat answers, before the summary', () => {
    const p = binaryPlan(singleHost());
    expect(action(p, 'binary.chat.admin-password')?.adminApi).toEqual({ url: 'http://127.0.0.1:10009' });
    expect(p.steps.find((s) => s.id === 'binary.summary')!.needs).toContain('binary.chat.admin-password');
  });

  it('no summary tells anyone to log in with the seeded password', () => {
    for (const p of [buildPlan(specFor('production'), PROBED_CLUSTER_FIXTURE), binaryPlan(singleHost())]) {
      const notes = p.steps
        .flatMap((s) => s.actions)
        .filter((a) => a.kind === 'note')
        .map((a) => (a as { text: string }).text)
        .join('\n');
      expect(notes).not.toMatch(/password chatAdmin/);
      expect(notes).toMatch(/chat\.adminPassword/);
    }
  });

  it('the password is generated once when not given, and reused', () => {
    const spec = specFor('production');
    const first = resolveSecrets(spec, {});
    expect(first.generated).toContain('chat.adminPassword');
    expect(first.values['chat.adminPassword']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(resolveSecrets(spec, first.values).values['chat.adminPassword']).toBe(first.values['chat.adminPassword']);
  });

  it('the executor runs the kubernetes step through the port-forward, stops it, and never prints the password', async () => {
    api = await startAdminStandIn();
    const p = buildPlan(specFor('dev'), PROBED_CLUSTER_FIXTURE);
    const only: Plan = {
      ...p,
      steps: p.steps.filter((s) => s.id === 'k8s.chat.admin-password').map((s) => ({ ...s, needs: [] })),
    };
    const password = 'Gen3rated-admin-password';
    const forwards: string[][] = [];
    let stopped = 0;
    const events: ExecEvent[] = [];
    const report = await executePlan(only, {
      runner: new RecordingRunner(),
      workdir: mkdtempSync(join(tmpdir(), 'oid-chat-admin-')),
      templatesDir: '/nonexistent',
      concurrency: 1,
      secrets: { 'chat.adminPassword': password },
      redactor: new Redactor([password, md5Hex(password)]),
      output: 'silent',
      forward: async (argv) => {
        forwards.push([...argv]);
        return { localPort: api!.port, stop: () => stopped++ };
      },
      onEvent: (e) => events.push(e),
    });
    expect(report.outcomes.map((o) => o.status)).toEqual(['done']);
    expect(api.stored.get('chatAdmin')).toBe(md5Hex(password));
    expect(forwards).toEqual([
      ['kubectl', '-n', 'openim', 'port-forward', '--address', '127.0.0.1', 'svc/admin-api', ':10009'],
    ]);
    expect(stopped).toBe(1);
    expect(JSON.stringify(events)).not.toContain(password);
    expect(JSON.stringify(events)).not.toContain(md5Hex(password));
  });
});
