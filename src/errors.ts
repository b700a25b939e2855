// Typed errors thrown by deep code. Only src/main.ts maps them to exit codes.

export interface ConfigIssue {
  /** Dotted path into the config, or a flag name such as `--yes`. */
  path: string;
  message: string;
  /** How to fix it, where we know. */
  hint?: string;
}

export class ConfigError extends Error {
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

export class PreflightError extends Error {
  readonly findings: PreflightFinding[];
  constructor(findings: PreflightFinding[]) {
    const errors = findings.filter((f) => f.severity === 'error');
    super(`preflight failed: ${errors.map((f) => f.message).join('; ')}`);
    this.name = 'PreflightError';
    this.findings = findings;
  }
}

export class ExecError extends Error {
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
export class ApplyError extends Error {
  readonly failures: { stepId: string; error: Error }[];
  constructor(failures: { stepId: string; error: Error }[]) {
    super(failures.map((f) => `${f.stepId}: ${f.error.message}`).join('\n'));
    this.name = 'ApplyError';
    this.failures = failures;
  }
}

export class UserAbort extends Error {
  /** False for a command that changes nothing (status --watch): there is nothing to resume. */
  readonly resumable: boolean;
  constructor(message = 'interrupted', options: { resumable?: boolean } = {}) {
    super(message);
    this.name = 'UserAbort';
    this.resumable = options.resumable ?? true;
  }
}

/** Another run holds the deployment lock (a Lease on Kubernetes, a lock file on hosts). */
export class LockHeldError extends Error {
  readonly holder: string;
  readonly location: string;
  constructor(holder: string, location: string, detail = '') {
    super(`another openim-deploy run holds the lock ${location}: ${holder}${detail ? ` (${detail})` : ''}`);
    this.name = 'LockHeldError';
    this.holder = holder;
    this.location = location;
  }
}

/** No API server answered kubectl or helm: the message is preflight's finding and its fix, without client-go's log lines. */
export class ClusterUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterUnreachableError';
  }
}

/** `status` or `doctor` found the installation unhealthy; the report was already printed. */
export class UnhealthyError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`unhealthy: ${problems.join('; ')}`);
    this.name = 'UnhealthyError';
    this.problems = problems;
  }
}

export const EXIT = { ok: 0, failed: 1, invalidInput: 2, preflight: 3, unhealthy: 4, locked: 5, interrupted: 130 } as const;
