// What the installer learned about the target, read-only. Planning and
// preflight are pure functions of (spec, facts).

export interface ToolInfo {
  path: string;
  version: string;
  major: number;
}

export interface StorageClassFact {
  name: string;
  provisioner: string;
  isDefault: boolean;
  /** Its app.kubernetes.io/managed-by label: a class openim-deploy created itself is not someone else's. */
  managedBy?: string;
}

interface NodeFact {
  name: string;
  ready: boolean;
  cpuMillis: number;
  memoryBytes: number;
}

export interface ClusterFacts {
  reachable: boolean;
  error?: string;
  context?: string;
  serverVersion?: string;
  storageClasses: StorageClassFact[];
  ingressClasses: string[];
  crds: string[];
  /**
   * Gateway API CRDs already in the cluster, from the annotations upstream stamps on each of them
   * (`gateway.networking.k8s.io/bundle-version`, `.../channel`), read on the gateways CRD. Other charts bring
   * them too (traefik-38.0.0 crds/gateway-standard-install.yaml: v1.4.0 standard).
   */
  gatewayApi?: { bundleVersion: string; channel: string };
  namespaceExists: boolean;
  nodes: NodeFact[];
  /** Every node is simulated (kwok): the API works but no container ever runs, so smoke tests cannot apply. */
  simulated?: boolean;
}

export interface KubernetesFacts {
  target: 'kubernetes';
  /** False when the plan was made without looking (dry-run, render, offline planning). */
  probed: boolean;
  helm?: ToolInfo;
  kubectl?: ToolInfo;
  cluster?: ClusterFacts;
}

export interface HostFacts {
  arch: string;
  isRoot: boolean;
  systemdPid1: boolean;
  systemdVersion?: number;
  portsInUse: number[];
  diskFreeBytes?: number;
  memoryBytes?: number;
  java?: ToolInfo;
  /** Names of HTTP proxy variables set in the environment (gRPC to etcd must not use them). */
  proxyEnv: string[];
  /** The local Go toolchain (`go env GOVERSION`), for binary.source build. */
  go?: { version: string; gotoolchain: string; goproxy: string };
  /** The distribution's package manager, for bundled Redis and etcd (binary target). */
  packageManager?: 'apt' | 'dnf';
  /** Of the distribution packages the binary target may install, those already installed (apt-get/dnf is skipped for them: offline hosts). */
  installedPackages?: string[];
}

/** binary.proxy.tls.mode provided: the files as the host has them. */
export interface ProvidedTlsFacts {
  cert: { path: string; exists: boolean; notAfter?: string; names?: string; invalid?: string };
  /** mode: octal permission bits (stat %a). */
  key: { path: string; exists: boolean; mode?: string };
}

export interface BinaryFacts {
  target: 'binary';
  probed: boolean;
  host?: HostFacts;
  providedTls?: ProvidedTlsFacts;
}

export type Facts = KubernetesFacts | BinaryFacts;

/** Facts for planning without probing: tools assumed at the versions we test first. */
export function unprobedFacts(target: 'kubernetes' | 'binary'): Facts {
  return target === 'kubernetes' ? { target, probed: false } : { target, probed: false };
}
