// Typed errors thrown by deep code. Only src/main.ts maps them to exit codes.

export const EXIT = {
  ok: 0,
  failed: 1,
  invalidInput: 2,
  preflight: 3,
  unhealthy: 4,
  locked: 5,
  interrupted: 130,
} as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/**
 * Stable error codes: scripts and `--json` readers match on these, never on message text,
 * so a code once given never changes meaning (README, "Exit codes").
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'PREFLIGHT_FAILED',
  'COMMAND_FAILED',
  'APPLY_FAILED',
  'INTERRUPTED',
  'LOCKED',
  'CLUSTER_UNREACHABLE',
  'UNHEALTHY',
  'INTERNAL',
  'BUNDLE_INVALID',
  'ARCHIVE_INVALID',
  'ARCHIVE_UNSAFE',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'HTTP_FAILED',
  'CERTIFICATE_INVALID',
  'BUILD_FAILED',
  'BACKUP_INVALID',
  'BACKUP_KEY',
  'CHAT_ADMIN_UNREACHABLE',
  'CHAT_ADMIN_PASSWORD',
  'VERIFY_CALL_FAILED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Every error openim-deploy means to throw: a stable `code`, a `hint` (what to do, where we
 * know) and the status the CLI exits with. `exitStatus`, not `exitCode`: ExecError's
 * `exitCode` is the failed child process's.
 */
export abstract class DeployError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly exitStatus: ExitStatus;
  /** What to do about it, where we know; main prints it under the message and puts it in `--json` output. */
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/**
 * A broken promise inside openim-deploy itself (a plan that fails its own checks, a file
 * written twice): nothing the user did or can fix, so the hint asks for a bug report. The
 * detail names steps and paths only, never a secret.
 */
export class InternalError extends DeployError {
  readonly code = 'INTERNAL';
  readonly exitStatus = EXIT.failed;
  constructor(detail: string) {
    super(`internal: ${detail}`, {
      hint: 'this is a bug in openim-deploy, not in your input or your machine: please report it with the command you ran and this message (it holds no secrets)',
    });
    this.name = 'InternalError';
  }
}

export interface ConfigIssue {
  /** Dotted path into the config, or a flag name such as `--yes`. */
  path: string;
  message: string;
  /** How to fix it, where we know. */
  hint?: string;
}

export class ConfigError extends DeployError {
  readonly code = 'CONFIG_INVALID';
  readonly exitStatus = EXIT.invalidInput;
  readonly issues: ConfigIssue[];
  /**
   * The config as far as it parsed (refused values left out), when it did: commands run the
   * target's config-only checks on it too, so every problem is reported in one go (#19 Medium 13).
   */
  readonly parsed?: unknown;
  constructor(issues: ConfigIssue[], summary = 'invalid configuration', parsed?: unknown) {
    super(`${summary}:\n${issues.map((i) => `  ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
    if (parsed !== undefined) this.parsed = parsed;
  }
}

export interface PreflightFinding {
  id: string;
  severity: 'error' | 'warn';
  message: string;
  fix?: string;
}

export class PreflightError extends DeployError {
  readonly code = 'PREFLIGHT_FAILED';
  readonly exitStatus = EXIT.preflight;
  readonly findings: PreflightFinding[];
  constructor(findings: PreflightFinding[]) {
    const errors = findings.filter((f) => f.severity === 'error');
    const ids = errors.map((f) => f.id);
    super(`preflight failed: ${errors.map((f) => f.message).join('; ')}`, {
      hint: `fix the errors above (or accept those you have judged: --ignore-preflight ${ids.length ? ids.join(' ') : '<id>'})`,
    });
    this.name = 'PreflightError';
    this.findings = findings;
  }
}

export class ExecError extends DeployError {
  readonly code = 'COMMAND_FAILED';
  readonly exitStatus = EXIT.failed;
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stderr: string;
  readonly stepId?: string;
  constructor(argv: readonly string[], exitCode: number, stderr: string, stepId?: string) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super(`${stepId ? `step ${stepId}: ` : ''}\`${argv.join(' ')}\` exited ${exitCode}${tail ? `:\n${tail}` : ''}`);
    this.name = 'ExecError';
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
    if (stepId !== undefined) this.stepId = stepId;
  }
}

/** One or more plan steps failed; each failure is kept. */
export class ApplyError extends DeployError {
  readonly code = 'APPLY_FAILED';
  readonly exitStatus = EXIT.failed;
  readonly failures: { stepId: string; error: Error }[];
  constructor(failures: { stepId: string; error: Error }[]) {
    super(failures.map((f) => `${f.stepId}: ${f.error.message}`).join('\n'), {
      hint: 're-run the same command to continue from here',
    });
    this.name = 'ApplyError';
    this.failures = failures;
  }
}

export class UserAbort extends DeployError {
  readonly code = 'INTERRUPTED';
  readonly exitStatus = EXIT.interrupted;
  /** False for a command that changes nothing (status --watch): there is nothing to resume. */
  readonly resumable: boolean;
  constructor(message = 'interrupted', options: { resumable?: boolean } = {}) {
    super(message, (options.resumable ?? true) ? { hint: 're-run the same command to continue' } : {});
    this.name = 'UserAbort';
    this.resumable = options.resumable ?? true;
  }
}

/** Another run holds the deployment lock (a Lease on Kubernetes, a lock file on hosts). */
export class LockHeldError extends DeployError {
  readonly code = 'LOCKED';
  readonly exitStatus = EXIT.locked;
  readonly holder: string;
  readonly location: string;
  constructor(holder: string, location: string, detail = '') {
    super(`another openim-deploy run holds the lock ${location}: ${holder}${detail ? ` (${detail})` : ''}`, {
      hint: 'wait for it to finish (or pass --wait-lock to wait); a lock left by a crashed run is taken over once it is stale',
    });
    this.name = 'LockHeldError';
    this.holder = holder;
    this.location = location;
  }
}

/** No API server answered kubectl or helm: the message is preflight's finding and its fix, without client-go's log lines. */
export class ClusterUnreachableError extends DeployError {
  readonly code = 'CLUSTER_UNREACHABLE';
  readonly exitStatus = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'ClusterUnreachableError';
  }
}

/** `status` or `doctor` found the installation unhealthy; the report was already printed. */
export class UnhealthyError extends DeployError {
  readonly code = 'UNHEALTHY';
  readonly exitStatus = EXIT.unhealthy;
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`unhealthy: ${problems.join('; ')}`);
    this.name = 'UnhealthyError';
    this.problems = problems;
  }
}

/** A command cancelled by Ctrl-C outside the executor (facts, lock wait): an interrupt too. */
export const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** The stable code of any failure: a DeployError's own; an interrupt; FAILED for an error no class names. */
export function errorCodeFor(error: unknown): ErrorCode | 'FAILED' {
  if (error instanceof DeployError) return error.code;
  if (isAbort(error)) return 'INTERRUPTED';
  return 'FAILED';
}

/** A failure as `--json` readers get it (main prints it as stderr's last line); `exitStatus` is what the CLI exits with. */
export function errorRecord(
  error: unknown,
  exitStatus: number,
): { error: { code: ErrorCode | 'FAILED'; message: string; hint?: string; exitStatus: number } } {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof DeployError ? error.hint : undefined;
  return { error: { code: errorCodeFor(error), message, ...(hint !== undefined ? { hint } : {}), exitStatus } };
}
