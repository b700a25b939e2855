// Ingress controllers the installer can set up itself (`kubernetes.ingress.install`),
// pinned here like every other third-party component. `render` renders them
// from their repository (or its kubernetes.helmRepoMirrors entry) like install.

import type { ImageRef } from './images.js';
import type { ChartRef } from './infrastructure.js';

export interface IngressControllerPin {
  /** Helm releases, installed in order (Istio needs base before istiod before the gateway). */
  charts: { release: string; chart: ChartRef }[];
  /** Manifests applied with kubectl instead of a chart (Gateway API CRDs). */
  manifests: { name: string; url: string; version: string; license: string }[];
  /** IngressClass / GatewayClass the installed controller serves. */
  className: string;
  /** Namespace the controller runs in. */
  namespace: string;
  /** Images the controller runs that no rendered manifest names (bundled all the same). */
  images?: Record<string, ImageRef>;
}

const repo = (name: string, url: string, version: string, license: string): ChartRef => ({
  source: 'repo',
  name,
  repo: url,
  version,
  license,
});

export const INGRESS_CONTROLLERS = {
  nginx: {
    charts: [
      {
        release: 'ingress-nginx',
        chart: repo('ingress-nginx', 'https://kubernetes.github.io/ingress-nginx', '4.14.3', 'Apache-2.0'),
      },
    ],
    manifests: [],
    className: 'nginx',
    namespace: 'ingress-nginx',
  },
  traefik: {
    charts: [
      { release: 'traefik', chart: repo('traefik', 'https://traefik.github.io/charts', '38.0.0', 'Apache-2.0') },
    ],
    manifests: [],
    className: 'traefik',
    namespace: 'traefik',
  },
  istio: {
    charts: [
      {
        release: 'istio-base',
        chart: repo('base', 'https://istio-release.storage.googleapis.com/charts', '1.26.2', 'Apache-2.0'),
      },
      {
        release: 'istiod',
        chart: repo('istiod', 'https://istio-release.storage.googleapis.com/charts', '1.26.2', 'Apache-2.0'),
      },
      {
        release: 'istio-ingressgateway',
        chart: {
          ...repo('gateway', 'https://istio-release.storage.googleapis.com/charts', '1.26.2', 'Apache-2.0'),
          // gateway-1.26.2 values.schema.json: top-level `additionalProperties: false` beside a `$ref` to the real
          // properties, so a validator that follows JSON Schema 2019+ (helm 4's) rejects every value given, even
          // `global.hub` which templates/_helpers.tpl reads (found by rendering it with helm 4 and a mirror).
          skipSchemaValidation:
            'istio gateway 1.26.2: its values.schema.json rejects every value under helm 4 (additionalProperties beside $ref)',
        },
      },
    ],
    manifests: [],
    className: 'istio',
    namespace: 'istio-system',
    images: {
      // The gateway's Deployment says `image: auto` (gateway-1.26.2 templates/deployment.yaml); istiod's injector
      // fills in <global.hub>/<global.proxy.image>:<global.tag> at admission (istiod-1.26.2 values.yaml: hub
      // docker.io/istio, proxy.image proxyv2, tag 1.26.2 as release-builder stamps it), so only the catalog names it.
      proxy: { registry: 'docker.io', repository: 'istio/proxyv2', tag: '1.26.2' },
    },
  },
  'gateway-api': {
    charts: [],
    manifests: [
      {
        name: 'gateway-api-crds',
        url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml',
        version: 'v1.3.0',
        license: 'Apache-2.0',
      },
    ],
    className: '',
    namespace: '',
  },
} as const satisfies Record<'nginx' | 'traefik' | 'istio' | 'gateway-api', IngressControllerPin>;

/**
 * The header each controller sets to the one client address it saw, for chat
 * `share.yml proxyHeader` (chat answers 500 when the named header is missing or
 * holds a list: internal/api/util/api.go@v1.8.4:22-34, so X-Forwarded-For, a
 * list behind a second proxy, is never used). ingress-nginx sets `X-Real-IP`
 * (rootfs/etc/nginx/template/nginx.tmpl: `proxy_set_header X-Real-IP
 * $remote_addr`); Traefik sets `X-Real-Ip` (pkg/middlewares/forwardedheaders).
 * Istio's Envoy and Gateway API implementations differ: none, so chat uses the
 * peer address (the proxy's) rather than failing.
 */
export const INGRESS_CLIENT_IP_HEADER: Record<keyof typeof INGRESS_CONTROLLERS | 'none', string> = {
  nginx: 'X-Real-IP',
  traefik: 'X-Real-Ip',
  istio: '',
  'gateway-api': '',
  none: '',
};
