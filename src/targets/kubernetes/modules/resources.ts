// Requests and limits per profile. Dev fits a laptop cluster; production sizes
// follow the relative load of each module (gateway and api see every client,
// msgtransfer every message). Memory limits only: CPU limits throttle Go's GC.

import type { OpenIMModule } from '../../../catalog/modules.js';

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

const r = (cpu: string, memory: string, limit: string): Resources => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

const HEAVY = new Set(['openim-api', 'openim-msggateway', 'openim-msgtransfer', 'openim-push', 'openim-rpc-msg']);

export function moduleResources(mod: OpenIMModule, profile: 'dev' | 'production'): Resources {
  if (mod.product === 'front') return profile === 'dev' ? r('10m', '16Mi', '128Mi') : r('50m', '32Mi', '256Mi');
  if (profile === 'dev') return r('20m', '64Mi', '512Mi');
  if (HEAVY.has(mod.name)) return r('250m', '256Mi', '2Gi');
  return r('100m', '128Mi', '1Gi');
}
