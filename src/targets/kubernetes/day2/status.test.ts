import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../config/resolve.js';
import { emptyState, type DeployState } from '../../../state/types.js';
import { kubernetesStatus } from './status.js';

const spec = resolveConfig({
  preset: 'dev',
  sets: [
    'kubernetes.namespace=im',
    'openim.components.chat=false',
    'openim.components.webFront=false',
    'openim.components.adminFront=false',
  ],
}).spec;
const state: DeployState = {
  ...emptyState(),
  steps: {
    'k8s.release.openim-api': {
      status: 'done',
      hash: 'h',
      at: 'x',
      attempt: 1,
      resources: [{ type: 'helm-release', name: 'openim-api', namespace: 'im' }],
    },
  },
};

const deployment = (name: string, replicas: number, ready: number, version = 'v3.8.3-patch.16') => ({
  kind: 'Deployment',
  metadata: {
    name,
    labels: {
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/version': version,
    },
  },
  spec: {
    replicas,
    selector: { matchLabels: { 'app.kubernetes.io/instance': name } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/instance': name } },
      spec: { containers: [{ image: `openim/${name}:${version}` }] },
    },
  },
  status: { readyReplicas: ready },
});
const pod = (name: string, release: string, containers: object[]) => ({
  metadata: { name, labels: { 'app.kubernetes.io/instance': release } },
  status: { phase: 'Running', containerStatuses: containers },
});

describe('kubernetesStatus', () => {
  const snapshot = {
    workloads: [deployment('openim-api', 2, 2), deployment('openim-push', 1, 0)],
    pods: [
      pod('openim-api-a', 'openim-api', [{ name: 'api', restartCount: 0, state: { running: {} } }]),
      pod('openim-api-b', 'openim-api', [
        {
          name: 'api',
          restartCount: 2,
          state: { running: {} },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T10:00:00Z' } },
        },
      ]),
      pod('openim-push-a', 'openim-push', [
        {
          name: 'push',
          restartCount: 7,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2026-01-01T11:00:00Z' } },
        },
      ]),
    ],
    services: [
      {
        metadata: { name: 'openim-api' },
        spec: {
          selector: { 'app.kubernetes.io/instance': 'openim-api' },
          ports: [
            { port: 10002, name: 'http' },
            { port: 12002, name: 'metrics' },
          ],
        },
      },
    ],
  };
  const report = kubernetesStatus(spec, snapshot, state, new Date('2026-01-01T12:00:00Z'));
  const api = report.components.find((c) => c.name === 'openim-api')!;
  const push = report.components.find((c) => c.name === 'openim-push')!;

  it('per component: version, ready/desired, restarts with the last reason, endpoints', () => {
    expect(api).toMatchObject({
      version: 'v3.8.3-patch.16',
      desired: 2,
      ready: 2,
      restarts: 2,
      healthy: true,
      endpoints: ['openim-api:10002/http', 'openim-api:12002/metrics'],
    });
    expect(api.lastRestart).toBe('OOMKilled (exit 137) at 2026-01-01T10:00:00Z in openim-api-b/api');
    expect(push).toMatchObject({ ready: 0, desired: 1, restarts: 7, healthy: false });
    expect(push.waiting).toContain('CrashLoopBackOff');
    expect(push.lastRestart).toContain('Error (exit 1)');
  });

  it('modules the plan installs but the cluster lacks are unhealthy; the verdict lists every problem', () => {
    const missing = report.components.find((c) => c.name === 'openim-msggateway')!;
    expect(missing).toMatchObject({ ready: 0, healthy: false, waiting: 'not found in the cluster' });
    expect(report.healthy).toBe(false);
    expect(report.problems.join('\n')).toContain('openim-push: 0/1 ready, CrashLoopBackOff');
    expect(report.urls.map((u) => u.name)).toEqual(['api', 'websocket', 'files']);
  });
});
