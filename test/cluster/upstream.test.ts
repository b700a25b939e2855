// Issue 18 item 4: the production preset's upstream releases, applied for real.
// For each ingress controller (nginx, traefik, istio, Gateway API) with rook-ceph
// (storage and object storage), monitoring and logging on: the product's own plan
// (buildPlan, charts through kubernetes.helmRepoMirrors from ../shared/charts on
// loopback) is carried out in plan order, by real helm and kubectl against a real
// kube-apiserver + etcd (kwok nodes): the ingress controller's charts and CRDs, rook's
// operator and CephCluster, kube-prometheus-stack (its CRDs from the chart's crds/),
// loki, alloy, the ServiceMonitors/PrometheusRules, the OpenIM bucket claim and the
// OpenIM routes (Ingress, Middleware, Gateway/HTTPRoute, VirtualService...). Every
// command must succeed and the API server's audit log must show no write refused.
// cert-manager (which the product expects on the cluster, preflight checks its CRDs)
// is installed first from its catalog pin with crds.enabled, as a user would.
//
// What this proves: every object those charts and the plan produce, in the plan's
// order (CRDs before the objects that need them), is accepted by the API server
// (schema, CRD validation, namespaces, RBAC objects). What it does not prove:
// - that anything runs: kwok fakes pods, no controller or operator reconciles;
// - admission webhooks: the API server runs without them (TestCluster
//   noAdmissionWebhooks), as their servers are the controllers' pods;
// - `--wait`: dropped from helm's argv, and the plan's `kubectl wait` for the
//   CephCluster and the bucket claim are skipped (no operator ever sets their status);
// - the OpenIM releases themselves: test/cluster/install.test.ts installs those;
// - the Gateway API CRDs' download: the plan applies upstream's release URL; here
//   the same file from ../shared/charts (gateway-api-v1.3.0-standard-install.yaml).
// Then the other storage backends of the preset (nfs, local-path) with traefik: the provisioner's
// chart or manifest and its StorageClass, with the same monitoring and logging releases.
// A last test installs the Gateway API flavour on a cluster where traefik's chart
// already brought Gateway API CRDs v1.4.0: the plan, made from the real cluster's
// facts, keeps them (applying v1.3.0 over them is refused for conflicts, shown).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CLUSTER_ADDONS, STORAGE_PROVISIONERS } from '../../src/catalog/infrastructure.js';
import { INGRESS_CONTROLLERS } from '../../src/catalog/ingress.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { Runner } from '../../src/process/runner.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { clusterFacts } from '../../src/targets/kubernetes/facts.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import type { Step } from '../../src/plan/types.js';
import { helmBinaries, type HelmBinaries } from '../helpers/tools.js';
import { sharedChartRepo, sharedChartsDir, type ChartRepo } from '../helpers/shared-charts.js';
import { TestCluster } from './cluster.js';
import { isInstallerWrite } from './observe.js';
import { INGRESS_SETS } from '../helpers/ingress-sets.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';

// helm 4: helm v3.18.0 (the helm 3 of test/helpers/tools.ts) renders a value of 0 as set (helm/helm#30923, fixed
// in v3.18.1), so ingress-nginx and kube-prometheus-stack are refused by the API server; preflight says so.
const tools: HelmBinaries = helmBinaries().find((t) => t.label === 'helm4')!;
const CONTROLLERS = INGRESS_SETS;
const BASE = [
  'openim.domain=im.example.com',
  'kubernetes.ingress.install=true',
  'monitoring.enabled=true',
  'logging.enabled=true',
  'kubernetes.storage.backend=rook-ceph',
  'infrastructure.objectStorage.provider=rook-ceph',
];
/** The plan's steps this test carries out: everything but OpenIM's own config and releases. */
const UPSTREAM_STEP =
  /^k8s\.(namespace|ingress-controller\..+|storage(\..+)?|objectstorage\..+|monitoring\..+|logging\..+|ingress)$/;

let cluster: TestCluster;
let repo: ChartRepo;
const home = mkdtempSync(join(tmpdir(), 'openim-upstream-'));
const env = {
  PATH: `${dirname(tools.helm)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  HOME: home,
  HELM_CONFIG_HOME: join(home, 'helm', 'config'),
  HELM_CACHE_HOME: join(home, 'helm', 'cache'),
  HELM_DATA_HOME: join(home, 'helm', 'data'),
  KUBECONFIG: '',
};

/** Asynchronous: the chart repository is served by this very process, so it must not be blocked. */
async function run(argv: string[], cwd: string): Promise<string> {
  const [cmd, ...args] = argv;
  const bin = cmd === 'helm' ? tools.helm : cmd === 'kubectl' ? tools.kubectl : cmd!;
  try {
    return (
      await promisify(execFile)(bin, args, { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 2 ** 20 })
    ).stdout;
  } catch (error) {
    const e = error as { code?: number; signal?: string; stdout?: string; stderr?: string };
    throw new Error(
      `${argv.join(' ')} exited ${e.code ?? e.signal}\n${(e.stdout ?? '').slice(-2000)}\n${(e.stderr ?? '').slice(-4000)}`,
    );
  }
}

/**
 * What the executor does with a step's write and exec actions, minus waiting (see the header), with its
 * retries: a step is tried 1 + step.retries times (src/execute/executor.ts). helm 4's status watcher can
 * miss a hook Job that Kubernetes deletes the moment it completes (ingress-nginx's admission Jobs have
 * ttlSecondsAfterFinished: 0; helm/helm#32224 and its kin), and a release step's one retry covers that.
 */
async function carryOut(step: Step, workdir: string, gatewayApiFile: string): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await carryOutOnce(step, workdir, gatewayApiFile);
    } catch (error) {
      if (attempt >= (step.retries ?? 0)) throw error;
      console.log(
        `[upstream] ${step.id} attempt ${attempt + 1} failed, retried as the executor does: ${String(error).split('\n').slice(0, 3).join(' | ')}`,
      );
    }
  }
}

async function carryOutOnce(step: Step, workdir: string, gatewayApiFile: string): Promise<string[]> {
  const skipped: string[] = [];
  for (const action of step.actions) {
    if (action.kind === 'write') {
      const path = join(workdir, action.path);
      mkdirSync(dirname(path), { recursive: true });
      // The executor fills credential placeholders from generated secrets; any value does for the API server.
      writeFileSync(path, action.content.replace(/«secret:[^»]+»/g, 'test-only-credential'));
    } else if (action.kind === 'exec') {
      const argv = [...action.argv];
      if (argv[0] === 'kubectl' && argv.includes('wait')) {
        skipped.push(argv.join(' '));
        continue;
      }
      const wait = argv.indexOf('--wait');
      if (argv[0] === 'helm' && wait >= 0) argv.splice(wait, argv[wait + 1] === '--timeout' ? 3 : 1);
      const manifests: string[] = INGRESS_CONTROLLERS['gateway-api'].manifests.map((m) => m.url);
      await run(
        argv.map((a) => (manifests.includes(a) ? gatewayApiFile : a)),
        workdir,
      );
    } else if (action.kind !== 'note') skipped.push(`${action.kind} action of ${step.id}`); // a note only prints
  }
  return skipped;
}

beforeAll(async () => {
  repo = await sharedChartRepo();
});

afterAll(async () => {
  await cluster?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** A fresh cluster per controller (traefik's chart brings Gateway API CRDs of its own), with cert-manager as the user installs it first. */
async function freshCluster(): Promise<void> {
  await cluster?.stop();
  cluster = await TestCluster.start({ kubectl: tools.kubectl, noAdmissionWebhooks: true });
  env.KUBECONFIG = cluster.kubeconfig;
  const cm = CLUSTER_ADDONS['cert-manager'];
  await run(
    [
      tools.helm,
      'upgrade',
      '--install',
      'cert-manager',
      cm.chart.name,
      '--repo',
      repo.mirrors[cm.chart.repo]!,
      '--version',
      cm.chart.version,
      '--namespace',
      cm.namespace,
      '--create-namespace',
      '--set',
      'crds.enabled=true',
    ],
    home,
  );
}

/**
 * The production preset with `sets`: its upstream steps carried out in plan order on a fresh cluster; checks
 * that every step came after what it needs, that nothing but waits was skipped, that no write was refused,
 * and that every object of the OpenIM routes is stored. Returns the releases the plan installs.
 */
async function applyProductionUpstream(name: string, sets: string[]): Promise<string[]> {
  const resolved = resolveConfig({
    preset: 'production',
    sets: [...sets, `kubernetes.namespace=openim-${name}`],
    env: {},
  }).spec;
  const spec = { ...resolved, kubernetes: { ...resolved.kubernetes, helmRepoMirrors: repo.mirrors } };
  const plan = buildPlan(spec, unprobedFacts('kubernetes'));
  const steps = plan.steps.filter((s) => UPSTREAM_STEP.test(s.id));
  const workdir = join(home, name);
  mkdirSync(workdir, { recursive: true });
  await freshCluster();
  const mark = cluster.auditMark();

  const done = new Set<string>();
  const skipped: string[] = [];
  for (const step of steps) {
    // Plan order already puts what a step needs first (CRDs before their objects): checked, not assumed.
    const pending = step.needs.filter((n) => UPSTREAM_STEP.test(n) && !done.has(n));
    expect(pending, `${step.id} comes before what it needs`).toEqual([]);
    skipped.push(
      ...(await carryOut(step, workdir, join(sharedChartsDir(), 'gateway-api-v1.3.0-standard-install.yaml'))),
    );
    done.add(step.id);
  }
  expect(done).toContain('k8s.ingress');
  expect(
    skipped.every((s) => / wait /.test(s)),
    skipped.join('\n'),
  ).toBe(true);

  // No write of helm or kubectl was refused (a refused object fails its command too; this names it).
  const refused = cluster
    .auditEvents(mark)
    .filter((e) => isInstallerWrite(e) && e.code >= 400 && !(e.verb === 'delete' && e.code === 404));
  expect(refused.map((e) => `${e.verb} ${e.resource} ${e.namespace ?? ''}/${e.name ?? ''}: ${e.code}`)).toEqual([]);
  const created = cluster
    .auditEvents(mark)
    .filter((e) => isInstallerWrite(e) && (e.verb === 'create' || e.verb === 'patch') && e.code < 300);
  console.log(
    `[upstream] ${name}: ${steps.length} plan steps, ${created.length} objects created or patched, skipped: ${skipped.length}`,
  );

  // Every object of the OpenIM routes (Ingress, Middleware/IngressRoute, Gateway/VirtualService, Gateway/HTTPRoute,
  // ReferenceGrant) is stored, read back by kubectl from the file the plan wrote.
  const routes = join(workdir, 'manifests', 'openim-ingress.yaml');
  const docs = parseAllDocuments(readFileSync(routes, 'utf8'))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string } } | null)
    .filter((d) => d !== null);
  const stored = (await run(['kubectl', 'get', '-f', routes, '-o', 'name'], workdir)).trim().split('\n');
  expect(stored).toHaveLength(docs.length);
  expect(docs.length).toBeGreaterThan(0);
  console.log(`[upstream] ${name} routes: ${stored.join(' ')}`);
  return plan.steps.filter((s) => UPSTREAM_STEP.test(s.id) && s.release).map((s) => s.release!.name);
}

describe(`${tools.label}: production upstream releases and routes accepted by a real API server`, () => {
  it.each(Object.keys(CONTROLLERS))(
    '%s + rook-ceph + monitoring + logging',
    async (controller) => {
      const releases = await applyProductionUpstream(controller, [
        ...BASE,
        ...CONTROLLERS[controller as keyof typeof CONTROLLERS],
      ]);
      // Every controller chart, rook, the monitoring stack and the logging charts came from the mirror.
      for (const name of [
        ...INGRESS_CONTROLLERS[controller as keyof typeof INGRESS_CONTROLLERS].charts.map((c) => c.release),
        'rook-ceph',
        'rook-ceph-cluster',
        'kube-prometheus-stack',
        'loki',
        'alloy',
      ])
        expect(releases).toContain(name);
      // The objects that need the CRDs are there: the CephCluster, Prometheus.
      expect(
        (await cluster.api('GET', '/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters')).body.items.length,
      ).toBeGreaterThan(0);
      expect(
        (await cluster.api('GET', '/apis/monitoring.coreos.com/v1/namespaces/monitoring/prometheuses')).body.items
          .length,
      ).toBeGreaterThan(0);
    },
    900_000,
  );

  // The other storage backends the production preset offers (MinIO for objects), with traefik.
  it.each(['nfs', 'local-path'] as const)(
    'traefik + %s storage + monitoring + logging',
    async (backend) => {
      const sets = [
        'openim.domain=im.example.com',
        'kubernetes.ingress.install=true',
        'monitoring.enabled=true',
        'logging.enabled=true',
        `kubernetes.storage.backend=${backend}`,
        NFS_SERVER_SET,
        ...CONTROLLERS.traefik,
      ];
      const releases = await applyProductionUpstream(`traefik-${backend}`, sets);
      for (const name of [
        'traefik',
        'kube-prometheus-stack',
        'loki',
        'alloy',
        ...STORAGE_PROVISIONERS[backend].charts.map((c) => c.release),
      ])
        expect(releases).toContain(name);
      // The provisioner's StorageClass, the one the OpenIM claims name, is stored.
      const sc = await cluster.api(
        'GET',
        `/apis/storage.k8s.io/v1/storageclasses/${STORAGE_PROVISIONERS[backend].storageClass}`,
      );
      expect(sc.status).toBe(200);
      expect(sc.body.provisioner).toBe(STORAGE_PROVISIONERS[backend].provisioner);
    },
    900_000,
  );

  it("Gateway API on a cluster where traefik's chart brought Gateway API CRDs v1.4.0: the plan made from the cluster's facts keeps them", async () => {
    await freshCluster();
    const workdir = join(home, 'gateway-api-over-traefik');
    mkdirSync(workdir, { recursive: true });
    const gatewayApiFile = join(sharedChartsDir(), 'gateway-api-v1.3.0-standard-install.yaml');
    const planFor = async (controller: 'traefik' | 'gateway-api', probe: boolean) => {
      const resolved = resolveConfig({
        preset: 'production',
        sets: [
          'openim.domain=im.example.com',
          NFS_SERVER_SET,
          'kubernetes.ingress.install=true',
          ...INGRESS_SETS[controller],
          `kubernetes.kubeconfig=${cluster.kubeconfig}`,
        ],
        env: {},
      }).spec;
      const spec = { ...resolved, kubernetes: { ...resolved.kubernetes, helmRepoMirrors: repo.mirrors } };
      // The facts the product gathers, through this file's runner (its helm/kubectl and environment).
      const runner: Runner = {
        run: async (argv) => {
          try {
            return { exitCode: 0, stdout: await run([...argv], workdir), stderr: '' };
          } catch (error) {
            return { exitCode: 1, stdout: '', stderr: String(error) };
          }
        },
      };
      const facts = probe
        ? { target: 'kubernetes' as const, probed: true, cluster: await clusterFacts(spec, runner) }
        : unprobedFacts('kubernetes');
      return buildPlan(spec, facts).steps.filter((st) => /^k8s\.ingress-controller\./.test(st.id));
    };
    for (const step of await planFor('traefik', false)) await carryOut(step, workdir, gatewayApiFile);

    const steps = await planFor('gateway-api', true);
    const crdStep = steps.find((st) => st.id === 'k8s.ingress-controller.gateway-api-crds')!;
    expect(crdStep.actions).toEqual([
      {
        kind: 'note',
        text: expect.stringMatching(/^Gateway API CRDs v1\.4\.0 \(standard channel\) already in the cluster: kept/),
      },
    ]);
    for (const step of steps) await carryOut(step, workdir, gatewayApiFile);
    const served = await cluster.api(
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gateways.gateway.networking.k8s.io',
    );
    expect(served.body.metadata.annotations['gateway.networking.k8s.io/bundle-version']).toBe('v1.4.0');

    // Why: what the plan did before it looked (plain server-side apply of v1.3.0) is refused over traefik's fields.
    const blind = (await planFor('gateway-api', false)).find(
      (st) => st.id === 'k8s.ingress-controller.gateway-api-crds',
    )!;
    await expect(carryOut(blind, workdir, gatewayApiFile)).rejects.toThrow(/conflict/i);
  }, 600_000);
});
