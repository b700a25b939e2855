// A real Kubernetes node for the loopback test cluster (issue #17): containerd + runc + the
// CNI plugins from Debian, kubelet and kube-proxy built from the same k8s.io/kubernetes as
// the API server, in namespaces of their own so that nothing touches the host's network,
// mounts or cgroups, and nothing is left behind:
//
// - a network namespace holds the node: a pod bridge (cni0, 10.244.0.0/24), kube-proxy's
//   iptables rules, the node's ports (kubelet 10250); one veth pair joins it to the host with
//   two private addresses (10.123.N.1 host side, where the API server listens; 10.123.N.2 the
//   node's InternalIP). The namespace and the veth vanish with the node's last process.
// - a private mount namespace holds every mount the node makes (overlay roots, secret
//   tmpfs, pod network namespaces): fresh /run, and /var/lib, /var/log bound to the temp dir.
// - a cgroup `openim-node-<id>` in every v1 hierarchy holds the daemons (runtime/) and the
//   pods (kubelet's --cgroup-root): stop() kills every process in it, then removes it.
// - the kernel settings kubelet changes on start (vm.overcommit_memory, kernel.panic,
//   kernel.panic_on_oops: pkg/kubelet/cm/container_manager_linux.go@v1.34.4:450) are put back.
//
// Needs root, cgroup v1 or v2 with the cgroupfs driver, overlayfs, and the Debian packages
// containerd, runc, containernetworking-plugins, iptables, iproute2, util-linux.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '../../src/util/sleep.js';

const execFileP = promisify(execFile);

const POD_CIDR = '10.244.0.0/24';
export const CLUSTER_DNS = '10.96.0.10';
export const NODE_NAME = 'real-node';
/** The pause image containerd starts every pod sandbox from (built by build.sh from pause.c). */
export const PAUSE_IMAGE = 'openim-deploy.local/pause:v1.34.4';
const CNI_BIN = '/usr/lib/cni'; // Debian's containernetworking-plugins
const CGROUP_FS = '/sys/fs/cgroup';
/** Host settings kubelet rewrites (KernelTunableModify), restored on stop. */
const KERNEL_TUNABLES = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
];
const DAEMONS = ['kube-proxy', 'kubelet', 'containerd'] as const;
type Daemon = (typeof DAEMONS)[number];

/** The files kubelet and kube-proxy need from the control plane. */
export interface NodeCredentials {
  server: string;
  caFile: string;
  kubeletKubeconfig: string;
  kubeProxyKubeconfig: string;
}

export class RealNode {
  readonly id: string;
  /** Host side of the veth: where the API server listens. */
  readonly hostIp: string;
  /** Node side: the node's InternalIP, kubelet's address. */
  readonly nodeIp: string;
  readonly containerdSocket: string;
  readonly cgroup: string;
  private readonly hostIf: string;
  private holder?: ChildProcess;
  private readonly procs = new Map<Daemon, ChildProcess>();
  private tunables: Record<string, string> = {};
  private stopped = false;

  private constructor(
    readonly dir: string,
    private readonly binDir: string,
    octet: number,
  ) {
    this.id = dir
      .slice(-6)
      .replace(/[^a-zA-Z0-9]/g, 'x')
      .toLowerCase();
    this.hostIp = `10.123.${octet}.1`;
    this.nodeIp = `10.123.${octet}.2`;
    this.hostIf = `oimk-${this.id}`;
    this.containerdSocket = join(dir, 'containerd', 'containerd.sock');
    this.cgroup = `openim-node-${this.id}`;
  }

  /** Creates the namespaces, the veth pair and the cgroup; no daemon runs yet. */
  static async create(dir: string, binDir: string): Promise<RealNode> {
    for (const tool of ['unshare', 'nsenter', 'ip', 'iptables', 'containerd', 'runc', 'ctr']) {
      await execFileP('sh', ['-c', `command -v ${tool}`]).catch(() => {
        throw new Error(
          `${tool} is missing: apt-get install containerd runc containernetworking-plugins iptables iproute2 util-linux`,
        );
      });
    }
    for (const p of ['bridge', 'host-local', 'portmap', 'loopback']) {
      if (!existsSync(join(CNI_BIN, p)))
        throw new Error(`${CNI_BIN}/${p} is missing: apt-get install containernetworking-plugins`);
    }
    for (const b of [...DAEMONS.filter((d) => d !== 'containerd'), 'coredns', 'pause', 'hello']) {
      if (!existsSync(join(binDir, b)))
        throw new Error(`${join(binDir, b)} is missing: run bash scripts/cluster/build.sh node`);
    }
    if (process.getuid?.() !== 0) throw new Error('a real node needs root (namespaces, cgroups, mounts)');
    const node = new RealNode(dir, binDir, await freeOctet());
    try {
      await node.setup();
    } catch (e) {
      await node.stop();
      throw e;
    }
    return node;
  }

  private async setup(): Promise<void> {
    for (const d of ['var-lib', 'var-log', 'containerd', 'kubelet', 'cni/net.d', 'cni/ipam', 'logs'])
      await mkdir(join(this.dir, d), { recursive: true });
    for (const t of KERNEL_TUNABLES) this.tunables[t] = readFileSync(`/proc/sys/${t}`, 'utf8').trim();
    await this.makeCgroup();
    // The holder keeps the namespaces alive; the daemons join it with nsenter. A private
    // /run keeps containerd's shim sockets and the pods' /run/netns files out of the host.
    const holderScript = [
      'set -e',
      'mount -t tmpfs -o mode=755 openim-node-run /run',
      `mount --bind ${sq(join(this.dir, 'var-lib'))} /var/lib`,
      `mount --bind ${sq(join(this.dir, 'var-log'))} /var/log`,
      'ip link set lo up',
      'echo ready',
      'exec sleep infinity',
    ].join('\n');
    this.holder = this.spawnInCgroup(
      'holder',
      ['unshare', '--mount', '--net', '--propagation', 'private', '--', 'sh', '-c', holderScript],
      'pipe',
    );
    await new Promise<void>((res, rej) => {
      let out = '';
      this.holder!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready')) res();
      });
      this.holder!.on('exit', (code) =>
        rej(new Error(`namespace holder exited (${code}): ${readIfExists(join(this.dir, 'logs', 'holder.log'))}`)),
      );
    });
    const pid = String(this.holder.pid);
    await execFileP('ip', ['link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pid]);
    await execFileP('ip', ['addr', 'add', `${this.hostIp}/30`, 'dev', this.hostIf]);
    await execFileP('ip', ['link', 'set', this.hostIf, 'up']);
    // The control plane reaches pods as in any cluster (the API server's Service proxy, which the
    // product's readiness step uses): the pod network is routed through the node. Without this
    // route the host sends pod traffic to its default gateway. It vanishes with the veth.
    await execFileP('ip', ['route', 'add', POD_CIDR, 'via', this.nodeIp, 'dev', this.hostIf]).catch((e: Error) => {
      throw new Error(
        `cannot route the pod network ${POD_CIDR} to the node (is another real test node running?): ${e.message}`,
      );
    });
    await this.inNode('sh', [
      '-c',
      [
        `ip addr add ${this.nodeIp}/30 dev eth0`,
        'ip link set eth0 up',
        `ip route add default via ${this.hostIp}`,
        // Per network namespace: routing between pods and out of the veth, and bridged
        // pod-to-pod traffic seen by iptables (kube-proxy's DNAT for a Service on the same bridge).
        'echo 1 > /proc/sys/net/ipv4/ip_forward',
        'echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables',
      ].join(' && '),
    ]);
  }

  /** Starts containerd, loads `images` (OCI archives), then kubelet and kube-proxy. */
  async start(creds: NodeCredentials, images: readonly string[]): Promise<void> {
    await this.writeConfigs(creds);
    this.runDaemon('containerd', ['containerd', '--config', join(this.dir, 'containerd', 'config.toml')]);
    await until('containerd answers', 30_000, async () => {
      this.checkAlive();
      await this.ctr(['version']);
      return true;
    });
    for (const archive of images) await this.importImages(archive);
    this.runDaemon('kubelet', [
      join(this.binDir, 'kubelet'),
      `--config=${join(this.dir, 'kubelet', 'config.json')}`,
      `--kubeconfig=${creds.kubeletKubeconfig}`,
      `--root-dir=${join(this.dir, 'kubelet', 'root')}`,
      `--cert-dir=${join(this.dir, 'kubelet', 'pki')}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${this.nodeIp}`,
      '--v=1',
    ]);
    this.runDaemon('kube-proxy', [
      join(this.binDir, 'kube-proxy'),
      `--config=${join(this.dir, 'kube-proxy.json')}`,
      '--v=1',
    ]);
  }

  /** `ctr -n k8s.io images import` of one OCI archive into the node's containerd. */
  async importImages(archive: string): Promise<string> {
    return this.ctr(['images', 'import', '--no-unpack=false', archive]);
  }

  /** Runs ctr against this node's containerd (namespace k8s.io, the CRI's). */
  async ctr(args: string[]): Promise<string> {
    const { stdout } = await execFileP('ctr', ['--address', this.containerdSocket, '-n', 'k8s.io', ...args], {
      maxBuffer: 16 << 20,
      timeout: 300_000,
    });
    return stdout;
  }

  /** The value a kernel setting had before the node started (restored by stop()). */
  savedTunable(name: string): string | undefined {
    return this.tunables[name];
  }

  /** Pids of the daemons and of the namespace holder. */
  get pids(): number[] {
    return [this.holder, ...this.procs.values()].map((p) => p?.pid).filter((p): p is number => !!p);
  }

  /** Throws when a daemon has exited. */
  checkAlive(): void {
    for (const [name, p] of this.procs) {
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(
          `${name} exited (${p.exitCode ?? p.signalCode}):\n${tail(join(this.dir, 'logs', `${name}.log`))}`,
        );
      }
    }
  }

  /** Resident memory of the node daemons, and the memory charged to the pods' cgroups, bytes. */
  memory(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, p] of this.procs) {
      const m = /VmRSS:\s+(\d+) kB/.exec(readIfExists(`/proc/${p.pid}/status`));
      if (m?.[1]) out[name] = Number(m[1]) * 1024;
    }
    const pods = readIfExists(join(CGROUP_FS, 'memory', this.cgroup, 'kubepods', 'memory.usage_in_bytes')).trim();
    if (pods) out.pods = Number(pods);
    const all = readIfExists(join(CGROUP_FS, 'memory', this.cgroup, 'memory.usage_in_bytes')).trim();
    if (all) out['node cgroup (daemons + pods + page cache)'] = Number(all);
    return out;
  }

  logTails(): string {
    return [...this.procs.keys()]
      .map((n) => `--- ${n} (last lines)\n${tail(join(this.dir, 'logs', `${n}.log`))}`)
      .join('\n');
  }

  /**
   * Kills every process of the node (daemons, shims, containers: all in its cgroup), which
   * ends its namespaces and their mounts, removes the cgroup and restores kernel settings.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // SIGTERM first so the daemons exit cleanly (all at once); containers get SIGKILL below.
    await Promise.all(
      DAEMONS.map(async (name) => {
        const p = this.procs.get(name);
        if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise<void>((r) => p.once('exit', () => r()));
        try {
          process.kill(p.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        await Promise.race([exited, sleep(5_000)]);
      }),
    );
    await this.killCgroup();
    if (this.holder?.pid && this.holder.exitCode === null && this.holder.signalCode === null) {
      try {
        process.kill(this.holder.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await this.removeCgroup();
    for (const [t, v] of Object.entries(this.tunables)) {
      try {
        writeFileSync(`/proc/sys/${t}`, v);
      } catch {
        // read-only in this environment: nothing was changed either
      }
    }
    // The veth goes with the namespace; a leftover (holder never started) is removed here.
    await execFileP('ip', ['link', 'del', this.hostIf]).catch(() => {});
  }

  /**
   * For a test runner that exits without stop(): SIGKILL to every process of the node, and the
   * cgroup removed as far as the dying processes allow. Synchronous ('exit' handlers must be).
   */
  killSync(): void {
    if (this.stopped) return;
    const freezer = join(CGROUP_FS, 'freezer', this.cgroup, 'freezer.state');
    try {
      if (existsSync(freezer)) writeFileSync(freezer, 'FROZEN');
      for (const pid of this.pidsIn(existsSync(join(CGROUP_FS, 'pids')) ? 'pids' : 'memory')) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      if (existsSync(freezer)) writeFileSync(freezer, 'THAWED');
    } catch {
      // best effort: the process is exiting
    }
  }

  // ------------------------------------------------------------------ internals

  private hierarchies(): string[] {
    // Every mounted v1 hierarchy (kubelet checks cpu, cpuacct, cpuset, memory, pids, systemd).
    return readdirSync(CGROUP_FS).filter((h) => h !== 'unified' && existsSync(join(CGROUP_FS, h, 'cgroup.procs')));
  }

  private async makeCgroup(): Promise<void> {
    for (const h of this.hierarchies()) {
      for (const sub of [this.cgroup, join(this.cgroup, 'runtime')]) {
        const d = join(CGROUP_FS, h, sub);
        await mkdir(d, { recursive: true });
        if (h === 'cpuset') {
          // A new cpuset cgroup starts empty and takes no task until given CPUs and memory nodes.
          for (const f of ['cpuset.cpus', 'cpuset.mems'])
            await writeFile(join(d, f), readFileSync(join(CGROUP_FS, h, f), 'utf8'));
        }
      }
    }
  }

  /** Every pid in the node's cgroup tree, in one hierarchy. */
  private pidsIn(h: string): number[] {
    const pids: number[] = [];
    const walk = (d: string) => {
      for (const line of readIfExists(join(d, 'cgroup.procs')).split('\n')) if (line) pids.push(Number(line));
      let entries: string[];
      try {
        entries = readdirSync(d).filter((e) => statSync(join(d, e)).isDirectory());
      } catch {
        return;
      }
      for (const e of entries) walk(join(d, e));
    };
    walk(join(CGROUP_FS, h, this.cgroup));
    return pids;
  }

  private async killCgroup(): Promise<void> {
    const h = existsSync(join(CGROUP_FS, 'pids')) ? 'pids' : 'memory';
    const freezer = join(CGROUP_FS, 'freezer', this.cgroup, 'freezer.state');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pids = this.pidsIn(h);
      if (pids.length === 0) return;
      if (Date.now() > deadline) throw new Error(`processes left in cgroup ${this.cgroup}: ${pids.join(' ')}`);
      // Frozen, nothing forks between the listing and the kill.
      if (existsSync(freezer)) writeFileSync(freezer, 'FROZEN');
      for (const pid of this.pidsIn(h)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      if (existsSync(freezer)) writeFileSync(freezer, 'THAWED');
      await sleep(200);
    }
  }

  private async removeCgroup(): Promise<void> {
    for (const h of this.hierarchies()) {
      const root = join(CGROUP_FS, h, this.cgroup);
      if (!existsSync(root)) continue;
      const dirs: string[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d)) if (statSync(join(d, e)).isDirectory()) walk(join(d, e));
        dirs.push(d); // children before parents
      };
      walk(root);
      for (const d of dirs) {
        // A cgroup whose last task just died can refuse rmdir for a moment.
        for (let i = 0; ; i++) {
          try {
            await rmdir(d);
            break;
          } catch (e) {
            if (i >= 50) throw new Error(`cannot remove cgroup ${d}: ${(e as Error).message}`);
            await sleep(100);
          }
        }
      }
    }
  }

  /** Spawns a command in the node's runtime cgroup (set before exec, so all children inherit it). */
  private spawnInCgroup(name: string, argv: string[], stdout: 'pipe' | 'log' = 'log'): ChildProcess {
    const procs = this.hierarchies().map((h) => join(CGROUP_FS, h, this.cgroup, 'runtime', 'cgroup.procs'));
    const script = 'for f in $CGROUP_PROCS; do echo $$ > "$f"; done; exec "$@"';
    const log = openSync(join(this.dir, 'logs', `${name}.log`), 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, CGROUP_PROCS: procs.join(' ') };
    delete env.KUBECONFIG;
    const p = spawn('sh', ['-c', script, name, ...argv], {
      cwd: this.dir,
      stdio: ['ignore', stdout === 'pipe' ? 'pipe' : log, log],
      env,
    });
    closeSync(log);
    p.on('error', () => {}); // reported through the exit code and the log
    return p;
  }

  private runDaemon(name: Daemon, argv: string[]): void {
    this.procs.set(
      name,
      this.spawnInCgroup(name, ['nsenter', `--target=${this.holder!.pid}`, '--mount', '--net', '--', ...argv]),
    );
  }

  private async inNode(cmd: string, args: string[]): Promise<string> {
    const { stdout } = await execFileP('nsenter', [
      `--target=${this.holder!.pid}`,
      '--mount',
      '--net',
      '--',
      cmd,
      ...args,
    ]);
    return stdout;
  }

  private async writeConfigs(creds: NodeCredentials): Promise<void> {
    const d = this.dir;
    // containerd v1.6 config (version 2): everything under the temp dir, CRI on our socket.
    const toml = `version = 2
root = ${tq(join(d, 'containerd', 'root'))}
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = ${tq(this.containerdSocket)}
[ttrpc]
  address = ${tq(`${this.containerdSocket}.ttrpc`)}
[plugins."io.containerd.internal.v1.opt"]
  path = ${tq(join(d, 'containerd', 'opt'))}
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${tq(PAUSE_IMAGE)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # Pods' oom_score_adj no lower than containerd's own (0): lowering it needs CAP_SYS_RESOURCE,
  # which a sandboxed CI root may lack (runc then fails "failed to update /proc/self/oom_score_adj").
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${tq(CNI_BIN)}
    conf_dir = ${tq(join(d, 'cni', 'net.d'))}
    max_conf_num = 1
`;
    await writeFile(join(d, 'containerd', 'config.toml'), toml);
    const cni = {
      cniVersion: '1.0.0',
      name: 'openim-test',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: true, // pod traffic leaving the node (to the API server) takes the node's address
          hairpinMode: true, // a pod reaching itself through its Service
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: POD_CIDR }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(d, 'cni', 'ipam'),
          },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    };
    await writeFile(join(d, 'cni', 'net.d', '10-openim-test.conflist'), JSON.stringify(cni, null, 2));
    // No upstream DNS: names outside the cluster do not resolve (no network beyond loopback).
    await writeFile(join(d, 'kubelet', 'resolv.conf'), `nameserver ${CLUSTER_DNS}\n`);
    const kubelet = {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: this.nodeIp,
      port: 10250,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: creds.caFile },
      },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'cgroupfs',
      cgroupRoot: `/${this.cgroup}`,
      cgroupsPerQOS: true,
      failCgroupV1: false, // this machine has cgroup v1 (kubelet 1.34 still runs there)
      clusterDNS: [CLUSTER_DNS],
      clusterDomain: 'cluster.local',
      containerRuntimeEndpoint: `unix://${this.containerdSocket}`,
      failSwapOn: false,
      resolvConf: join(d, 'kubelet', 'resolv.conf'),
      podLogsDir: join(d, 'var-log', 'pods'),
      // The machine is shared: only evict on real exhaustion.
      evictionHard: {
        'memory.available': '100Mi',
        'nodefs.available': '1%',
        'imagefs.available': '1%',
        'nodefs.inodesFree': '1%',
      },
      // Images here were imported, not pulled: a GC could not get them back.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      registerNode: true,
      maxPods: 110,
      nodeStatusReportFrequency: '10s',
      oomScoreAdj: 0, // see restrict_oom_score_adj above
    };
    await writeFile(join(d, 'kubelet', 'config.json'), JSON.stringify(kubelet, null, 2));
    const proxy = {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      clientConnection: { kubeconfig: creds.kubeProxyKubeconfig },
      hostnameOverride: NODE_NAME,
      bindAddress: this.nodeIp,
      mode: 'iptables',
      clusterCIDR: POD_CIDR,
      metricsBindAddress: '127.0.0.1:10249',
      healthzBindAddress: '127.0.0.1:10256',
      // 0 = leave the kernel's conntrack settings alone (they are global, not per namespace).
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      oomScoreAdj: 0,
      nodePortAddresses: ['primary'],
    };
    await writeFile(join(d, 'kube-proxy.json'), JSON.stringify(proxy, null, 2));
  }
}

/** A /30 in 10.123.0.0/16 that no interface of this machine uses yet. */
async function freeOctet(): Promise<number> {
  const { stdout } = await execFileP('ip', ['-o', '-4', 'addr', 'show']);
  for (let tries = 0; tries < 100; tries++) {
    const n = Math.floor(Math.random() * 250) + 1;
    if (!stdout.includes(`10.123.${n}.`)) return n;
  }
  throw new Error('no free 10.123.N.0/30 for the node veth');
}

export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = (e as Error).message;
      if (/exited \(/.test(last)) throw e;
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const tq = (s: string) => JSON.stringify(s); // a TOML basic string is a JSON string for these paths

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(path: string, n = 20): string {
  return readIfExists(path).split('\n').slice(-n).join('\n');
}
