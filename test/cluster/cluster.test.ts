// End-to-end check of the loopback control plane: workloads reconcile the way they would
// on a real cluster (Deployment -> ReplicaSet -> scheduled pods made Ready by kwok ->
// Endpoints), PVCs bind (also a StatefulSet's), and stop() leaves nothing running.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestCluster } from './cluster.js';
import { eventually } from './observe.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start();
  const rss = cluster.rss();
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const total = Object.values(rss).reduce((a, b) => a + b, 0);
  console.log(
    `cluster up in ${cluster.startMs} ms at ${cluster.server}; RSS ${mb(total)} MB`,
    Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, mb(v)])),
  );
});

afterAll(async () => {
  await cluster?.stop();
});

const NS = 'e2e';
const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example.invalid/web:1.0  # never pulled: kwok fakes the container
        ports: [{containerPort: 8080}]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${NS}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${NS}}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: example.invalid/db:1.0}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 2Gi}}
`;

const getJson = async (...args: string[]) =>
  JSON.parse(await cluster.kubectl(['-n', NS, 'get', ...args, '-o', 'json']));

it('applies a namespace, a Deployment, a Service and a PVC with kubectl', async () => {
  const out = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
  expect(out).toContain('deployment.apps/web created');
});

it('makes the Deployment Ready with 2 pods scheduled onto kwok nodes', async () => {
  await cluster.kubectl(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
  const dep = await getJson('deployment', 'web');
  expect(dep.status.readyReplicas).toBe(2);
  const pods = (await getJson('pods', '-l', 'app=web')).items;
  expect(pods).toHaveLength(2);
  for (const p of pods) {
    expect(p.status.phase).toBe('Running');
    expect(p.spec.nodeName).toMatch(/^kwok-node-\d$/);
    expect(p.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
  }
});

it('fills the Service Endpoints with the pod IPs', async () => {
  const podIPs = (await getJson('pods', '-l', 'app=web')).items.map((p: any) => p.status.podIP).sort();
  const ips = await eventually('endpoints web', async () => {
    const ep = await getJson('endpoints', 'web');
    const got = (ep.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
    return got.length === 2 && got;
  });
  expect(ips).toEqual(podIPs);
});

it('binds a PVC of the default StorageClass', async () => {
  const pvc = await eventually('pvc data Bound', async () => {
    const p = await getJson('pvc', 'data');
    return p.status?.phase === 'Bound' && p;
  });
  expect(pvc.spec.storageClassName).toBe('standard');
  const pv = JSON.parse(await cluster.kubectl(['get', 'pv', pvc.spec.volumeName, '-o', 'json']));
  expect(pv.spec.claimRef.name).toBe('data');
  expect(pv.status.phase).toBe('Bound');
});

it('runs a StatefulSet whose claim template binds', async () => {
  await cluster.kubectl(['-n', NS, 'rollout', 'status', 'statefulset/db', '--timeout=90s'], { timeoutMs: 100_000 });
  expect((await getJson('statefulset', 'db')).status.readyReplicas).toBe(1);
  await eventually('pvc data-db-0 Bound', async () => (await getJson('pvc', 'data-db-0')).status?.phase === 'Bound');
});

it('stops every process it started', async () => {
  const pids = cluster.pids;
  const dir = cluster.dir;
  expect(pids).toHaveLength(5);
  await cluster.stop();
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
  // Nothing else either: no process whose command line mentions the cluster's temp dir.
  const strays = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });
  expect(strays).toEqual([]);
  if (!process.env.TEST_CLUSTER_KEEP) expect(existsSync(dir)).toBe(false);
});
