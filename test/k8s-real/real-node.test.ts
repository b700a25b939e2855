// The real node of the test cluster (issue #17 item 1): a pod from an image built here (no
// registry) becomes Ready only through its readiness probe, is reached by its Service name
// through CoreDNS and kube-proxy from another pod, and stop() leaves nothing behind.

import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO_IMAGE, TestCluster } from '../cluster/cluster.js';
import { NODE_NAME, until } from '../cluster/real-node.js';

const READY_AFTER_S = 6;

let c: TestCluster;
const mb = (b: number) => `${Math.round(b / 1048576)} MiB`;

beforeAll(async () => {
  c = await TestCluster.start({ realNode: true, timeoutMs: 240_000 });
  const mem = { ...c.rss(), ...c.node!.memory() };
  console.log(
    `real-node cluster started in ${(c.startMs / 1000).toFixed(1)} s; memory: ${Object.entries(mem)
      .map(([k, v]) => `${k} ${mb(v)}`)
      .join(', ')}`,
  );
});

afterAll(async () => {
  await c?.stop();
});

function helloObjects() {
  const labels = { app: 'hello' };
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: 'default' },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'hello',
                  image: HELLO_IMAGE,
                  imagePullPolicy: 'Never',
                  args: ['serve', ':8080'],
                  env: [{ name: 'READY_AFTER', value: `${READY_AFTER_S}s` }],
                  ports: [{ name: 'http', containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
                  securityContext: {
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                  },
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'hello', namespace: 'default' },
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ],
  };
}

function clientPod(name: string, url: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'get', image: HELLO_IMAGE, imagePullPolicy: 'Never', args: ['get', url, '30'] }],
    },
  };
}

async function podPhase(name: string): Promise<string> {
  const r = await c.api('GET', `/api/v1/namespaces/default/pods/${name}`);
  return r.body?.status?.phase ?? '';
}

describe('real node', () => {
  it('registers a Ready node with containerd as its runtime', async () => {
    const r = await c.api('GET', `/api/v1/nodes/${NODE_NAME}`);
    expect(r.status).toBe(200);
    expect(r.body.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
    expect(r.body.status.nodeInfo.kubeletVersion).toBe('v1.34.4');
    expect(r.body.status.addresses).toContainEqual({ type: 'InternalIP', address: c.node!.nodeIp });
  });

  it('a pod from a locally built image becomes Ready through its readiness probe', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(helloObjects()) });
    let pod: any;
    await until('hello pod Ready', 120_000, async () => {
      c.node!.checkAlive();
      const r = await c.api('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dhello');
      pod = r.body.items?.[0];
      return !!pod?.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
    });
    // The probe gated readiness: the server answers /ready only READY_AFTER after it started.
    const started = Date.parse(pod.status.containerStatuses[0].state.running.startedAt);
    const ready = Date.parse(pod.status.conditions.find((x: any) => x.type === 'Ready').lastTransitionTime);
    expect(ready - started).toBeGreaterThanOrEqual((READY_AFTER_S - 1) * 1000);
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
    // Runs as the image's non-root user; logs come back through the API server and kubelet.
    const logs = await c.kubectl(['logs', pod.metadata.name]);
    expect(logs).toContain('uid 65532');
  });

  it('another pod reaches it by Service name through CoreDNS and kube-proxy', async () => {
    const hello = (await c.api('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dhello')).body.items[0]
      .metadata.name;
    const pods = { 'get-fqdn': 'http://hello.default.svc.cluster.local/', 'get-short': 'http://hello/' };
    for (const [name, url] of Object.entries(pods)) {
      const r = await c.api('POST', '/api/v1/namespaces/default/pods', clientPod(name, url));
      expect(r.status).toBe(201);
    }
    for (const name of Object.keys(pods)) {
      await until(`${name} finished`, 120_000, async () => ['Succeeded', 'Failed'].includes(await podPhase(name)));
      const logs = await c.kubectl(['logs', name]);
      expect(await podPhase(name), logs).toBe('Succeeded');
      expect(logs).toContain(`hello from ${hello}`);
    }
  });

  it('stop() leaves no process, cgroup, interface, mount or kernel setting behind', async () => {
    const node = c.node!;
    const sysctl = () => readFileSync('/proc/sys/vm/overcommit_memory', 'utf8');
    const pids = [...c.pids, ...node.pids];
    const dir = c.dir;
    await c.stop();
    expect(existsSync(dir)).toBe(false);
    for (const h of ['memory', 'pids', 'cpu', 'freezer'])
      expect(existsSync(`/sys/fs/cgroup/${h}/${node.cgroup}`)).toBe(false);
    expect(execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' })).not.toContain(node.hostIp);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(sysctl().trim()).toBe(node.savedTunable('vm/overcommit_memory'));
  });
});
