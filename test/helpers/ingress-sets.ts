// The `--set` lines that choose each ingress controller, shared by the suites that go through
// all of them (render matrix, bundle images, upstream charts on a real API server). Gateway API
// needs the class of the Gateway the routes attach to as well.

import type { INGRESS_CONTROLLERS } from '../../src/catalog/ingress.js';

export const INGRESS_SETS: Record<keyof typeof INGRESS_CONTROLLERS, string[]> = {
  nginx: ['kubernetes.ingress.controller=nginx'],
  traefik: ['kubernetes.ingress.controller=traefik'],
  istio: ['kubernetes.ingress.controller=istio'],
  'gateway-api': ['kubernetes.ingress.controller=gateway-api', 'kubernetes.ingress.className=openim-gateway'],
};
