// A real Kubernetes control plane on loopback for end-to-end tests (issue #9):
// etcd + kube-apiserver + kube-controller-manager + kube-scheduler built by
// scripts/cluster/build.sh, with nodes and pods simulated by kwok. No container runs:
// kwok marks pods Running/Ready with IPs from their node's podCIDR, and its volume
// stages act as the provisioner of the default StorageClass `standard`.
//
// Nothing here sends traffic off loopback: every component listens on 127.0.0.1, node
// addresses are 127.0.1.x (so an apiserver call to a "kubelet" stays local and is refused),
// and pod/service IPs are only data that no proxy routes to.
//
// With `realNode: true` (issue #17) a real node runs instead of the fake ones (real-node.ts):
// kubelet, kube-proxy and containerd in namespaces of their own, joined to this machine by a
// veth pair with two private addresses; the API server then listens on the host side of it
// (10.123.N.1) rather than 127.0.0.1, so that pods and the kubelet reach it. CoreDNS runs as
// a pod, from an image built here like every image the node runs (nothing is pulled).

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { corednsObjects } from './coredns.js';
import { writeOciArchive } from './oci-image.js';
import { NODE_NAME, PAUSE_IMAGE, RealNode, until } from './real-node.js';

const execFileP = promisify(execFile);
const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const CACHE = process.env.CLUSTER_CACHE ?? join(REPO, '.cache/cluster');

export interface TestClusterOptions {
  /** Where build.sh put the binaries. Default: .cache/cluster/bin (or $CLUSTER_CACHE/bin). */
  binDir?: string;
  /** kubectl to use. Default: $KUBECTL, else .tools/helm3/kubectl, else the built one. */
  kubectl?: string;
  /** Number of fake nodes (8 CPU, 32Gi, 110 pods each). Default 3. */
  nodes?: number;
  /** Give up starting after this long. Default 120 s (the 2-core CI machine may be busy). */
  timeoutMs?: number;
  /** Keep the temp dir (certs, logs, etcd data) after stop, for debugging. Default: $TEST_CLUSTER_KEEP. */
  keep?: boolean;
  /**
   * Run one real node (kubelet + containerd + kube-proxy + CoreDNS) instead of kwok's fake
   * ones; needs root and `bash scripts/cluster/build.sh node`. `nodes` then defaults to 0.
   */
  realNode?: boolean;
  /**
   * Leave admission webhooks out of the API server (MutatingAdmissionWebhook, ValidatingAdmissionWebhook).
   * The webhooks upstream charts register are served by their controllers' pods, which never run on kwok:
   * with them on, every object they cover would be refused for want of a server, not for what it says.
   */
  noAdmissionWebhooks?: boolean;
}

/** One write the API server accepted or refused, from its audit log (Metadata level). */
export interface AuditEvent {
  verb: string;
  userAgent: string;
  resource: string;
  namespace?: string;
  name?: string;
  code: number;
}

export interface ApiResponse {
  status: number;
  body: any; // parsed JSON when the server sent JSON, else the text
}

const SERVICE_CIDR = '10.96.0.0/16';
/** The test's own HTTP server image on the real node (test/cluster/hello). */
export const HELLO_IMAGE = 'openim-deploy.local/hello:test';
const NODE_LABEL = 'kwok.x-k8s.io/node';
const COMPONENTS = ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'] as const;
type Component = (typeof COMPONENTS)[number];

export class TestCluster {
  /** Path of an admin (system:masters) kubeconfig with embedded certs. */
  readonly kubeconfig: string;
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly kubectlPath: string;
  /** Milliseconds that start() took. */
  startMs = 0;
  /** The real node, when started with `realNode`. */
  node?: RealNode;
  /** The CoreDNS image on the real node. */
  corednsImage?: string;
  /** JSON lines of the API server's audit log: writes only (create, update, patch, delete). */
  readonly auditLogPath: string;

  private readonly procs = new Map<Component, ChildProcess>();
  private readonly agent: Agent;
  private stopped = false;
  private readonly onExit = () => this.killAllSync();

  private constructor(
    readonly dir: string,
    private readonly binDir: string,
    kubectl: string,
    apiPort: number,
    pki: Pki,
    host: string,
    private readonly keep: boolean,
  ) {
    this.kubeconfig = join(dir, 'admin.kubeconfig');
    this.auditLogPath = join(dir, 'logs', 'audit.jsonl');
    this.server = `https://${host}:${apiPort}`;
    this.kubectlPath = kubectl;
    this.agent = new Agent({ ca: pki.ca, cert: pki.adminCert, key: pki.adminKey, keepAlive: true });
    // A crashed test runner must not leave a control plane behind.
    process.on('exit', this.onExit);
  }

  static async start(opts: TestClusterOptions = {}): Promise<TestCluster> {
    const t0 = Date.now();
    const binDir = opts.binDir ?? join(CACHE, 'bin');
    // build.sh writes the kwok stages next to bin/.
    const stages = join(binDir, '..', 'kwok-stages.yaml');
    for (const f of [...COMPONENTS.map((b) => join(binDir, b)), stages]) {
      if (!existsSync(f)) throw new Error(`${f} is missing: run npm run cluster:build`);
    }
    const kubectl =
      opts.kubectl ?? process.env.KUBECTL ?? firstExisting(join(REPO, '.tools/helm3/kubectl'), join(binDir, 'kubectl'));
    const dir = await mkdtemp(join(tmpdir(), 'openim-cluster-'));
    await mkdir(join(dir, 'logs'));
    const [etcdPort, peerPort, apiPort] = (await freePorts(3)) as [number, number, number];
    let node: RealNode | undefined;
    let pki: Pki;
    try {
      // The node's namespaces come first: the API server listens on their veth's host side.
      if (opts.realNode) node = await RealNode.create(join(dir, 'node'), binDir);
      pki = await makePki(join(dir, 'pki'), node?.hostIp);
    } catch (e) {
      await node?.stop();
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    const host = node?.hostIp ?? '127.0.0.1';
    const c = new TestCluster(dir, binDir, kubectl, apiPort, pki, host, opts.keep ?? !!process.env.TEST_CLUSTER_KEEP);
    if (node) c.node = node;
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    try {
      await writeFile(c.kubeconfig, kubeconfigYaml(c.server, { ca: pki.ca, cert: pki.adminCert, key: pki.adminKey }));
      const etcdUrl = `http://127.0.0.1:${etcdPort}`;
      c.run('etcd', [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
        '--unsafe-no-fsync', // test data: durability is worth nothing, fsync latency is
        '--log-level=warn',
      ]);
      // Started first and waited for: an etcd that cannot start (port taken) says so plainly.
      await c.waitFor('etcd /health', deadline, async () => (await fetch(`${etcdUrl}/health`)).ok);
      const nodeArgs = node
        ? [
            // Pods reach the `kubernetes` Service's endpoint: the veth's host side.
            '--authorization-mode=Node,RBAC',
            '--enable-admission-plugins=NodeRestriction',
            `--kubelet-client-certificate=${pki.files.kubeletClientCert}`,
            `--kubelet-client-key=${pki.files.kubeletClientKey}`,
          ]
        : [
            // Endpoints may not hold loopback IPs, so the `kubernetes` Service gets none.
            '--endpoint-reconciler-type=none',
            '--authorization-mode=RBAC', // Node authorizer is for kubelets, and there are none
          ];
      c.run('kube-apiserver', [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${host}`,
        `--secure-port=${apiPort}`,
        `--advertise-address=${host}`,
        ...nodeArgs,
        ...(opts.noAdmissionWebhooks
          ? ['--disable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook']
          : []),
        `--tls-cert-file=${pki.files.apiserverCert}`,
        `--tls-private-key-file=${pki.files.apiserverKey}`,
        `--client-ca-file=${pki.files.caCert}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.files.saPub}`,
        `--service-account-signing-key-file=${pki.files.saKey}`,
        '--allow-privileged=true',
        // Any call to a "kubelet" (logs, exec) goes to the node's 127.0.1.x address.
        '--kubelet-preferred-address-types=InternalIP',
        '--profiling=false',
        // Every write is logged (who, what, which object): the bench counts mutations from it.
        `--audit-policy-file=${await writeAuditPolicy(dir)}`,
        `--audit-log-path=${c.auditLogPath}`,
        '--audit-log-format=json',
        '--audit-log-mode=blocking',
        '--audit-log-maxsize=100000', // MB: never rotated under a test, so line offsets stay valid
      ]);
      await c.waitFor('kube-apiserver /readyz', deadline, async () => (await c.api('GET', '/readyz')).status === 200);

      const common = [
        `--kubeconfig=${c.kubeconfig}`,
        `--authentication-kubeconfig=${c.kubeconfig}`,
        `--authorization-kubeconfig=${c.kubeconfig}`,
        '--secure-port=0', // no healthz port to collide between parallel clusters; leases tell readiness
        '--profiling=false',
      ];
      c.run('kube-controller-manager', [
        ...common,
        '--controllers=*', // all default controllers: deployments, statefulsets, endpoints, PV binder, GC...
        `--service-account-private-key-file=${pki.files.saKey}`,
        `--root-ca-file=${pki.files.caCert}`, // published as the kube-root-ca.crt ConfigMap
        `--cluster-signing-cert-file=${pki.files.caCert}`,
        `--cluster-signing-key-file=${pki.files.caKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--kube-api-qps=100',
        '--kube-api-burst=200',
      ]);
      c.run('kube-scheduler', common);
      if (!node)
        c.run('kwok', [
          `--kubeconfig=${c.kubeconfig}`,
          `--config=${stages}`,
          '--manage-all-nodes=false',
          `--manage-nodes-with-annotation-selector=${NODE_LABEL}=fake`,
          '--node-lease-duration-seconds=40',
        ]);

      await c.create(storageClass());
      const version = readIfExists(join(binDir, '.kube-apiserver.version')) || 'v1.34.4';
      const nodes = Array.from({ length: opts.nodes ?? (node ? 0 : 3) }, (_, i) => fakeNode(i, version));
      for (const n of nodes) await c.create(n);

      await c.waitFor('fake nodes Ready (kwok)', deadline, async () => {
        const r = await c.api('GET', `/api/v1/nodes?labelSelector=${encodeURIComponent(`${NODE_LABEL}=fake`)}`);
        const ready = (r.body?.items ?? []).filter((n: any) =>
          n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'),
        );
        return ready.length === nodes.length;
      });
      // Pods are refused until the namespace's default ServiceAccount exists (controller-manager).
      await c.waitFor(
        'default ServiceAccount (kube-controller-manager)',
        deadline,
        async () => (await c.api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      );
      await c.waitFor(
        'kube-scheduler leader lease',
        deadline,
        async () =>
          (await c.api('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).status ===
          200,
      );
      if (node) await c.startNode(node, pki, deadline);
      c.startMs = Date.now() - t0;
      return c;
    } catch (err) {
      const logs = (await c.logTails()) + (node ? `\n${node.logTails()}` : '');
      await c.stop();
      throw new Error(`TestCluster.start failed: ${(err as Error).message}\n${logs}`);
    }
  }

  /**
   * Imports the node's images (pause, CoreDNS, the test's hello server), starts containerd,
   * kubelet and kube-proxy, waits for the Node to be Ready, then runs CoreDNS and waits for it.
   */
  private async startNode(node: RealNode, pki: Pki, deadline: number): Promise<void> {
    const bin = (b: string) => join(this.binDir, b);
    const corednsVersion = readIfExists(join(this.binDir, '.coredns.version')) || 'unknown';
    this.corednsImage = `openim-deploy.local/coredns:${corednsVersion}`;
    const archive = join(node.dir, 'images.tar');
    await writeOciArchive(archive, [
      { ref: PAUSE_IMAGE, files: [{ path: 'pause', from: bin('pause') }], entrypoint: ['/pause'] },
      { ref: this.corednsImage, files: [{ path: 'coredns', from: bin('coredns') }], entrypoint: ['/coredns'] },
      {
        ref: HELLO_IMAGE,
        files: [{ path: 'usr/local/bin/hello', from: bin('hello') }],
        entrypoint: ['/usr/local/bin/hello'],
      },
    ]);
    const kc = (cert: string, key: string) => kubeconfigYaml(this.server, { ca: pki.ca, cert, key });
    const kubeletKubeconfig = join(node.dir, 'kubelet.kubeconfig');
    const kubeProxyKubeconfig = join(node.dir, 'kube-proxy.kubeconfig');
    await writeFile(kubeletKubeconfig, kc(pki.kubeletCert, pki.kubeletKey));
    await writeFile(kubeProxyKubeconfig, kc(pki.kubeProxyCert, pki.kubeProxyKey));
    await node.start({ server: this.server, caFile: pki.files.caCert, kubeletKubeconfig, kubeProxyKubeconfig }, [
      archive,
    ]);
    const left = () => Math.max(1_000, deadline - Date.now());
    await until(`node ${NODE_NAME} Ready (kubelet)`, left(), async () => {
      node.checkAlive();
      const r = await this.api('GET', `/api/v1/nodes/${NODE_NAME}`);
      return r.status === 200 && r.body.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
    });
    await this.kubectl(['apply', '-f', '-'], { input: JSON.stringify(corednsObjects(this.corednsImage)) });
    await until('CoreDNS Ready', left(), async () => {
      node.checkAlive();
      const r = await this.api('GET', '/apis/apps/v1/namespaces/kube-system/deployments/coredns');
      return (r.body?.status?.readyReplicas ?? 0) >= 1;
    });
  }

  /** Runs kubectl against this cluster; resolves stdout, rejects with stderr on a non-zero exit. */
  kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    return new Promise((res, rej) => {
      const p = spawn(this.kubectlPath, [`--kubeconfig=${this.kubeconfig}`, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: opts.timeoutMs ?? 60_000,
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('error', rej);
      p.stdin.on('error', () => {}); // EPIPE if kubectl exits early: the exit code tells
      p.on('close', (code, signal) =>
        code === 0 ? res(out) : rej(new Error(`kubectl ${args.join(' ')}: ${signal ?? `exit ${code}`}\n${err}`)),
      );
      p.stdin.end(opts.input ?? '');
    });
  }

  /** One call to the REST API as cluster admin (no kubectl process, for cheap polling). */
  api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    const url = new URL(path, this.server);
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((res, rej) => {
      const req = request(
        url,
        { method, agent: this.agent, headers: data ? { 'content-type': contentType } : {}, timeout: 10_000 },
        (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (d) => (text += d));
          r.on('end', () => {
            let parsed: unknown = text;
            if (r.headers['content-type']?.includes('json')) parsed = JSON.parse(text);
            res({ status: r.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', rej);
      req.end(data);
    });
  }

  /** Creates one object with a POST (not apply: apply drops a Node's status, which kwok needs). */
  async create(obj: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  }): Promise<void> {
    const r = await this.api('POST', collectionPath(obj), obj);
    if (r.status >= 300)
      throw new Error(`create ${obj.kind}/${obj.metadata.name}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** How many writes the audit log holds so far: a mark for auditEvents(mark). */
  auditMark(): number {
    const text = readIfExists(this.auditLogPath);
    return text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean).length;
  }

  /**
   * Writes the API server has seen so far, oldest first. `from` is a count returned by an earlier
   * call's length, so a caller can take only what happened since.
   */
  auditEvents(from = 0): AuditEvent[] {
    const text = readIfExists(this.auditLogPath);
    // A line still being written has no newline yet: left for the next call.
    const lines = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean);
    return lines.slice(from).map((line) => {
      const e = JSON.parse(line);
      const ref = e.objectRef ?? {};
      return {
        verb: e.verb,
        userAgent: e.userAgent ?? '',
        resource: ref.apiGroup ? `${ref.resource}.${ref.apiGroup}` : (ref.resource ?? e.requestURI),
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        ...(ref.name ? { name: ref.name } : {}),
        code: e.responseStatus?.code ?? 0,
      };
    });
  }

  /** Resident memory (bytes) of each running component, from /proc. */
  rss(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, p] of this.procs) {
      const m = /VmRSS:\s+(\d+) kB/.exec(readIfExists(`/proc/${p.pid}/status`));
      if (m?.[1]) out[name] = Number(m[1]) * 1024;
    }
    return out;
  }

  /** Pids of the components (each the leader of its own process group). */
  get pids(): number[] {
    return [...this.procs.values()].map((p) => p.pid!).filter(Boolean);
  }

  /** Stops every component (SIGTERM to its process group, SIGKILL after 10 s) and removes the temp dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.agent.destroy();
    // The node first: its kubelet would only complain about a missing API server.
    await this.node?.stop();
    await Promise.all(['kwok', 'kube-scheduler', 'kube-controller-manager'].map((n) => this.kill(n as Component)));
    await this.kill('kube-apiserver');
    await this.kill('etcd');
    process.off('exit', this.onExit);
    if (!this.keep) await rm(this.dir, { recursive: true, force: true });
  }

  private run(name: Component, args: string[]): void {
    const log = openSync(join(this.dir, 'logs', `${name}.log`), 'a');
    // detached: own process group, so stop() also reaches anything a component forks.
    const env = { ...process.env };
    delete env.KUBECONFIG;
    const p = spawn(join(this.binDir, name), args, { cwd: this.dir, detached: true, stdio: ['ignore', log, log], env });
    closeSync(log);
    p.on('error', () => {}); // reported through the exit code and the log instead
    this.procs.set(name, p);
  }

  private async kill(name: Component): Promise<void> {
    const p = this.procs.get(name);
    if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((res) => p.once('exit', () => res()));
    signalGroup(p.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(p.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    signalGroup(p.pid, 'SIGKILL'); // leftovers of the group, if any
  }

  private killAllSync(): void {
    this.node?.killSync();
    for (const p of this.procs.values()) if (p.pid) signalGroup(p.pid, 'SIGKILL');
  }

  private async waitFor(what: string, deadline: number, check: () => Promise<boolean>): Promise<void> {
    let last = '';
    while (Date.now() < deadline) {
      for (const [name, p] of this.procs) {
        if (p.exitCode !== null || p.signalCode !== null)
          throw new Error(`${name} exited (${p.exitCode ?? p.signalCode}) while waiting for ${what}`);
      }
      try {
        if (await check()) return;
      } catch (e) {
        last = (e as Error).message; // e.g. connection refused while the apiserver boots
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
  }

  private async logTails(): Promise<string> {
    const parts: string[] = [];
    for (const name of this.procs.keys()) {
      const text = await readFile(join(this.dir, 'logs', `${name}.log`), 'utf8').catch(() => '');
      parts.push(`--- ${name} (last lines)\n${text.split('\n').slice(-15).join('\n')}`);
    }
    return parts.join('\n');
  }
}

// ---------------------------------------------------------------- objects

function fakeNode(i: number, kubeletVersion: string) {
  const name = `kwok-node-${i}`;
  const resources = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [NODE_LABEL]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        [NODE_LABEL]: 'fake',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/worker': '',
        'topology.kubernetes.io/zone': `zone-${i % 3}`,
      },
    },
    // kwok hands out pod IPs from podCIDR: distinct ranges keep IPs unique across nodes.
    spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`] },
    // A Node's status is kept on create, which is how kwok learns capacity and address.
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [
        { type: 'InternalIP', address: `127.0.1.${i + 1}` },
        { type: 'Hostname', address: name },
      ],
      // Kept by kwok; a real-looking kubelet version pleases tools that read it.
      nodeInfo: {
        kubeletVersion,
        kubeProxyVersion: kubeletVersion,
        containerRuntimeVersion: 'containerd://kwok',
        osImage: 'kwok fake node',
      },
    },
  };
}

/** Default class; kwok's pvc-provision stage (class 'standard') creates and binds a hostPath PV. */
function storageClass() {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kwok.x-k8s.io/volume',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  };
}

function collectionPath(obj: { apiVersion: string; kind: string; metadata: { namespace?: string } }): string {
  const plural: Record<string, string> = { Node: 'nodes', StorageClass: 'storageclasses', Namespace: 'namespaces' };
  const p = plural[obj.kind];
  if (!p) throw new Error(`create: add the plural of ${obj.kind}`);
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  return `${base}${obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : ''}/${p}`;
}

// ---------------------------------------------------------------- PKI (openssl CLI)

interface Pki {
  ca: string;
  adminCert: string;
  adminKey: string;
  /** Client certificates of the real node (empty without one). */
  kubeletCert: string;
  kubeletKey: string;
  kubeProxyCert: string;
  kubeProxyKey: string;
  files: {
    caCert: string;
    caKey: string;
    apiserverCert: string;
    apiserverKey: string;
    saKey: string;
    saPub: string;
    kubeletClientCert: string;
    kubeletClientKey: string;
  };
}

const OPENSSL_CNF = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,IP:10.96.0.1,\${ENV::EXTRA_SAN}DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

/**
 * CA, apiserver serving cert, admin client cert (O=system:masters) and SA signing key; EC P-256
 * keeps it fast. With a real node's address: its IP in the serving cert, and the client certs
 * of the kubelet (system:node:NAME, for the Node authorizer), kube-proxy (system:kube-proxy,
 * bound to system:node-proxier by default) and the API server's own calls to the kubelet.
 */
async function makePki(dir: string, nodeHostIp?: string): Promise<Pki> {
  await mkdir(dir);
  const f = (n: string) => join(dir, n);
  await writeFile(f('openssl.cnf'), OPENSSL_CNF);
  const env = { ...process.env, EXTRA_SAN: nodeHostIp ? `IP:${nodeHostIp},` : '' };
  const ssl = (args: string[]) => execFileP('openssl', args, { cwd: dir, env });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const common = ['-config', f('openssl.cnf'), '-days', '3650'];
  await ssl([
    'req',
    '-x509',
    ...newKey,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-subj',
    '/CN=openim-test-ca',
    ...common,
    '-extensions',
    'ca',
  ]);
  const signed = ['-CA', f('ca.crt'), '-CAkey', f('ca.key')];
  await Promise.all([
    ssl([
      'req',
      '-x509',
      ...newKey,
      ...signed,
      '-keyout',
      f('apiserver.key'),
      '-out',
      f('apiserver.crt'),
      '-subj',
      '/CN=kube-apiserver',
      ...common,
      '-extensions',
      'server',
    ]),
    ssl([
      'req',
      '-x509',
      ...newKey,
      ...signed,
      '-keyout',
      f('admin.key'),
      '-out',
      f('admin.crt'),
      '-subj',
      '/O=system:masters/CN=admin',
      ...common,
      '-extensions',
      'client',
    ]),
    ssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('sa.key')]).then(() =>
      ssl(['pkey', '-in', f('sa.key'), '-pubout', '-out', f('sa.pub')]),
    ),
    ...(nodeHostIp
      ? [
          ['kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`],
          ['kube-proxy', '/CN=system:kube-proxy'],
          ['apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client'],
        ].map(([n, subj]) =>
          ssl([
            'req',
            '-x509',
            ...newKey,
            ...signed,
            '-keyout',
            f(`${n}.key`),
            '-out',
            f(`${n}.crt`),
            '-subj',
            subj!,
            ...common,
            '-extensions',
            'client',
          ]),
        )
      : []),
  ]);
  const read = (n: string) => readIfExists(f(n));
  return {
    ca: read('ca.crt'),
    adminCert: read('admin.crt'),
    adminKey: read('admin.key'),
    kubeletCert: read('kubelet.crt'),
    kubeletKey: read('kubelet.key'),
    kubeProxyCert: read('kube-proxy.crt'),
    kubeProxyKey: read('kube-proxy.key'),
    files: {
      caCert: f('ca.crt'),
      caKey: f('ca.key'),
      apiserverCert: f('apiserver.crt'),
      apiserverKey: f('apiserver.key'),
      saKey: f('sa.key'),
      saPub: f('sa.pub'),
      kubeletClientCert: f('apiserver-kubelet-client.crt'),
      kubeletClientKey: f('apiserver-kubelet-client.key'),
    },
  };
}

function kubeconfigYaml(server: string, creds: { ca: string; cert: string; key: string }): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(creds.ca)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(creds.cert)}
    client-key-data: ${b64(creds.key)}
contexts:
- name: test
  context: {cluster: test, user: admin, namespace: default}
current-context: test
`;
}

// ---------------------------------------------------------------- helpers

/** Free loopback ports, all held open together so that none is handed out twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((res, rej) => {
          const s = createServer();
          s.on('error', rej);
          s.listen(0, '127.0.0.1', () => res(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone
  }
}

/** Logs writes at Metadata level once they complete; reads and watches are not logged. */
async function writeAuditPolicy(dir: string): Promise<string> {
  const path = join(dir, 'audit-policy.json');
  const policy = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived', 'ResponseStarted'],
    rules: [
      { level: 'Metadata', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
      { level: 'None' },
    ],
  };
  await writeFile(path, JSON.stringify(policy));
  return path;
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function firstExisting(...paths: string[]): string {
  return paths.find((p) => existsSync(p)) ?? paths[paths.length - 1]!;
}
