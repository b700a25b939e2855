// Interop tests run a real tool (zip, python3, systemd-analyze, dpkg-query, a
// built cluster or rootfs) against the project's code. On a machine without
// the tool they are skipped, and vitest says so. Under CI (CI set, as .ci/run
// sets it) a missing tool fails the test file naming how to install it: a CI
// run must prove the interop, never pass by skipping it.

export interface InteropTool {
  /** What the tests need, e.g. `zip`. */
  name: string;
  /** Whether it is here: the caller checks (a version command, a file). */
  present: boolean;
  /** How to get it, e.g. `apt-get install -y zip`. */
  install: string;
}

/** CI as the usual services set it: any value but empty, `false` or `0`. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** Whether the interop tests may run: true when the tool is here, false (skip) without it, and under CI an error naming the install. */
export function interopTool(tool: InteropTool, env: NodeJS.ProcessEnv = process.env): boolean {
  if (tool.present) return true;
  if (isCi(env))
    throw new Error(
      `missing: ${tool.name}. Under CI its interop tests must run, not be skipped; install it: ${tool.install}`,
    );
  return false;
}
