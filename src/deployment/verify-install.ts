// `verify` as a function: where to reach the install (port-forwards started
// when needed and always stopped), the checks, the report. Used by the
// `verify` command and by the last step of every install.

import type { DeploySpec } from '../config/schema.js';
import type { SecretValues } from '../secrets/secrets.js';
import { portForwardArgv } from '../targets/kubernetes/verify/forward.js';
import { kubernetesLayout } from '../targets/kubernetes/layout.js';
import { runVerify } from '../verify/checks.js';
import { startForward, type Forward } from '../process/port-forward.js';
import { buildReport } from '../verify/report.js';
import { verifyCredentials, verifyPlan } from '../targets/verify-plan.js';
import type { CheckResult, VerifyEndpoints, VerifyReport } from '../verify/types.js';

export interface VerifyInstallOptions {
  /** Addresses given on the command line win over the derived ones. */
  override?: Partial<Pick<VerifyEndpoints, 'api' | 'ws' | 'chat' | 'admin' | 'objectStorage'>>;
  /** A CA file to trust (verify --ca), instead of the one the plan names. */
  caFile?: string;
  signal?: AbortSignal;
  deliveryTimeoutMs?: number;
  requestTimeoutMs?: number;
  onCheck?: (result: CheckResult) => void;
}

export async function verifyInstall(
  spec: DeploySpec,
  secrets: Partial<SecretValues>,
  options: VerifyInstallOptions = {},
): Promise<VerifyReport> {
  const started = performance.now();
  const credentials = verifyCredentials(spec, secrets);
  const plan = verifyPlan(spec);
  const endpoints: VerifyEndpoints = { ...plan.endpoints };
  const forwards: Forward[] = [];
  try {
    for (const need of plan.forwards) {
      if (options.override?.[need.key]) continue;
      const f = await startForward(
        portForwardArgv(spec, kubernetesLayout(spec), need.service, need.port),
        options.signal,
      );
      forwards.push(f);
      endpoints[need.key] = `${need.key === 'ws' ? 'ws' : 'http'}://127.0.0.1:${f.localPort}`;
    }
    for (const key of ['api', 'ws', 'chat', 'admin', 'objectStorage'] as const) {
      const v = options.override?.[key];
      if (v) endpoints[key] = v;
    }
    if (options.override?.objectStorage) delete endpoints.objectStorageNotApplicable;
    if (options.caFile) endpoints.caFile = options.caFile;
    const checks = await runVerify({
      endpoints,
      credentials,
      chat: spec.openim.components.chat,
      openRegistration: spec.openim.allowRegister,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.deliveryTimeoutMs ? { deliveryTimeoutMs: options.deliveryTimeoutMs } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.onCheck ? { onCheck: options.onCheck } : {}),
    });
    return buildReport(spec.target, endpoints, checks, Math.round(performance.now() - started));
  } finally {
    for (const f of forwards) f.stop();
  }
}

export type { VerifyReport } from '../verify/types.js';
