// A Plan is data: versioned, serialisable, printed by `plan`, applied by the
// executor, written out by `render`. Nothing in it is a shell string, and it
// never holds a secret value (only «secret:id» placeholders).

import type { VerifyEndpoints } from '../verify/types.js';

export const PLAN_VERSION = 1;

export type Phase =
  | 'preflight'
  | 'prepare'
  | 'storage'
  | 'infrastructure'
  | 'config'
  | 'server'
  | 'chat'
  | 'front'
  | 'ingress'
  | 'monitoring'
  | 'verify'
  | 'summary';

export interface ExecAction {
  kind: 'exec';
  argv: string[];
  /** Whether the command changes the target (counted by benchmarks; skipped by dry runs). */
  mutates: boolean;
  /** Text piped to stdin; may hold secret placeholders. */
  input?: string;
  timeoutSeconds?: number;
  /** Exit codes that count as success besides 0 (e.g. "already exists"). */
  okExitCodes?: number[];
}

export interface WriteAction {
  kind: 'write';
  /** Absolute, or relative to the work dir. */
  path: string;
  mode: number;
  /** May hold «secret:id» placeholders, replaced only when written to the target. */
  content: string;
  /** Path below `render --out DIR`. */
  render?: string;
}

interface CopyAction {
  kind: 'copy';
  /** Folder or file below the package's templates/ folder. */
  from: string;
  /** Absolute, or relative to the work dir. */
  to: string;
  render?: string;
}

/**
 * Bring an artifact to a local file, verified against its pinned SHA-256
 * (src/artifacts/fetch.ts). Exactly one source. Nothing appears at `to`
 * unless the checksum matches.
 */
export interface FetchAction {
  kind: 'fetch';
  url?: string;
  /** Absolute, or relative to the work dir. */
  file?: string;
  sha256: string;
  /**
   * Only with `file` and an empty sha256: the file was already verified
   * against a signed checksum list (a staged offline bundle file).
   */
  verifiedBy?: 'offline-bundle';
  /** Absolute, or relative to the work dir. */
  to: string;
}

/**
 * Unpack a tar/tar.gz or zip safely (src/archive/extract.ts): absolute paths, `..`
 * and escaping links refuse the whole archive; `to` is replaced only when
 * everything was read.
 */
interface ExtractAction {
  kind: 'extract';
  archive: string;
  to: string;
  strip?: number;
  /** Only these archive folders (after strip), re-rooted below `to`. */
  select?: { from: string; to: string }[];
}

/**
 * Build OpenIM server or chat from its Go module with the local Go toolchain
 * (binary.source build, src/build/go-build.ts): cached by version under
 * `cacheDir`, packed as `mage export` would, copied to `to`; the tarball's
 * SHA-256 goes into the journal.
 */
export interface GoBuildAction {
  kind: 'go-build';
  product: 'server' | 'chat';
  module: string;
  version: string;
  /** Minimum Go (the module's go.mod); older local toolchains fetch it when GOTOOLCHAIN allows. */
  goVersion: string;
  arch: string;
  services: string[];
  tools: string[];
  /** GOPROXY, GOFLAGS, GONOSUMDB, GOSUMDB, GOPRIVATE, GOTOOLCHAIN set in the config (the user's environment applies otherwise). */
  env: Record<string, string>;
  /** Absolute cache folder. */
  cacheDir: string;
  /** Name of the tarball, as `mage export` names it. */
  fileName: string;
  /** Absolute, or relative to the work dir. */
  to: string;
}

export type Probe =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'http'; url: string; expectStatus: number }
  | { kind: 'exec'; argv: string[] }
  /**
   * The OpenIM API answers get_admin_token with errCode 0 (API and auth RPC serve). With
   * `portForward` (a `kubectl port-forward … :PORT` argv) the API is reached through it, and
   * `apiUrl` is ignored.
   */
  | { kind: 'openim-admin-token'; apiUrl: string; secret: string; adminUserID: string; portForward?: string[] }
  /**
   * The checks of `openim-deploy verify` (src/verify): ok when every applicable one passed.
   * `secret` and `superCode` are placeholders; the chat admin password is chat's default unless a stored secret says otherwise.
   */
  | {
      kind: 'openim-verify';
      endpoints: VerifyEndpoints;
      chat: boolean;
      openRegistration: boolean;
      secret: string;
      superCode: string;
      adminUserID: string;
      deliveryTimeoutSeconds: number;
    };

export interface WaitAction {
  kind: 'wait';
  probe: Probe;
  timeoutSeconds: number;
  intervalSeconds: number;
}

interface NoteAction {
  kind: 'note';
  /** A message shown when the step runs (summary, not-applicable reasons); may name secret locations, never values. */
  text: string;
}

/**
 * Make the chat admin console log in with the install's password (src/chat-admin/password.ts):
 * try it, else log in with chat's seeded password and change it. Idempotent.
 */
export interface ChatAdminPasswordAction {
  kind: 'chat-admin-password';
  /** admin-api as the installer reaches it: a URL, or a Service through `kubectl port-forward` (argv printing the local port). */
  adminApi: { url: string } | { portForward: string[] };
  account: string;
  /** Placeholder of the password (never a value). */
  password: string;
  /** The password chat seeds the account with (upstream's public default, not a secret). */
  seeded: string;
  timeoutSeconds: number;
  intervalSeconds: number;
}

export type Action =
  | ExecAction
  | WriteAction
  | CopyAction
  | WaitAction
  | NoteAction
  | FetchAction
  | ExtractAction
  | ChatAdminPasswordAction
  | GoBuildAction;

/** A Helm release a step installs; render and status read it. */
export interface ReleaseRef {
  name: string;
  namespace: string;
  /** Chart path (relative to the work dir) or repo/OCI reference. */
  chart: string;
  version?: string;
  repo?: string;
  valuesFile: string;
  /** True for charts shipped under templates/charts (always renderable offline). */
  local: boolean;
  /** helm runs with --skip-schema-validation (the catalog says why: ChartRef.skipSchemaValidation). */
  skipSchemaValidation?: boolean;
}

export interface Step {
  /** Stable dotted id, e.g. `k8s.release.openim-api`, `binary.unit.openim-rpc-user@0`. */
  id: string;
  title: string;
  phase: Phase;
  needs: string[];
  actions: Action[];
  /** Extra attempts after a failure (transient errors: API server, image pulls). */
  retries?: number;
  component?: string;
  release?: ReleaseRef;
  /**
   * Why the step has nothing it could do here (a smoke test on a simulated cluster, or before the
   * cluster was probed). Such a step has no actions, is never journalled, and is reported as
   * "not applicable" on every run: never as done, never as unchanged.
   */
  notApplicable?: string;
}

export interface Plan {
  version: typeof PLAN_VERSION;
  target: 'kubernetes' | 'binary';
  profile: 'dev' | 'production';
  openim: { serverVersion: string; chatVersion: string };
  /** Kubernetes namespace or binary prefix: what this plan installs into. */
  scope: string;
  steps: Step[];
}
