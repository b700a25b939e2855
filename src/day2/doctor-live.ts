// The live half of `doctor`: read the state, let the target gather its
// evidence, probe the public addresses from here, diagnose.

import type { CliContext } from '../context.js';
import type { DeploySpec } from '../config/schema.js';
import { diagnose, type Diagnosis } from './doctor.js';
import { objectStorageProbeUrl, probeHttp, probeWebSocket, webSocketVariants, type NetResult } from './net-probes.js';
import { readDeployment } from '../deployment/lock-and-state.js';

export interface LiveDiagnosis {
  installed: boolean;
  location: string;
  diagnosis: Diagnosis[];
}

export async function diagnoseLive(
  ctx: Pick<CliContext, 'runner'>,
  spec: DeploySpec,
  workdir: string,
): Promise<LiveDiagnosis> {
  let opened: Awaited<ReturnType<typeof readDeployment>>;
  try {
    opened = await readDeployment(ctx, spec, workdir);
  } catch (e) {
    return {
      installed: false,
      location: 'the state',
      diagnosis: [
        {
          id: 'state.read',
          severity: 'warn',
          what: `cannot read the state: ${(e as Error).message}`,
          why: 'the live checks need the recorded install',
          fix: 'check access to the target, then re-run doctor',
        },
      ],
    };
  }
  const { day2, store, state } = opened;
  if (!Object.values(state.steps).some((e) => e.status === 'done'))
    return { installed: false, location: store.location, diagnosis: [] };
  let evidence;
  try {
    evidence = await day2.evidence(spec, ctx.runner, state);
  } catch (e) {
    return {
      installed: true,
      location: store.location,
      diagnosis: [
        {
          id: 'live.read',
          severity: 'error',
          what: `cannot read the live install: ${(e as Error).message}`,
          why: 'every live check needs it',
          fix: 'check access to the target (kubectl/systemctl), then re-run doctor',
        },
      ],
    };
  }
  const objectStorage = evidence.objectStorageUrl
    ? await probeHttp(objectStorageProbeUrl(evidence.objectStorageUrl, evidence.objectStorageProvider))
    : undefined;
  const webSocket: NetResult[] = evidence.webSocketUrl
    ? await Promise.all(webSocketVariants(evidence.webSocketUrl).map((u) => probeWebSocket(u)))
    : [];
  return {
    installed: true,
    location: store.location,
    diagnosis: diagnose(spec, evidence, { ...(objectStorage ? { objectStorage } : {}), webSocket }),
  };
}
