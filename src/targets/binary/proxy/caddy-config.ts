// Caddy's config (one JSON document, built here as an object) for the proxy:
// server `openim` on 443 with the routes of routes.ts for openim.domain,
// server `redirect` on 80 answering 308 to https (it also answers ACME
// HTTP-01 challenges: Caddy's HTTP handler takes those first), certificates
// per binary.proxy.tls.mode, storage in <dataDir>/proxy, admin API off.
// Field names are Caddy v2.11.9's JSON config (caddyconfig, modules/caddyhttp,
// modules/caddytls, modules/caddypki).

import type { DeploySpec } from '../../../config/schema.js';
import { CADDY } from '../../../catalog/proxy.js';
import type { ProxyPaths } from './paths.js';
import { proxyRoutes, type ProxyRoute } from './routes.js';

type Json = Record<string, unknown>;

function handlers(route: ProxyRoute): Json[] {
  const proxy: Json = {
    handler: 'reverse_proxy',
    upstreams: route.upstreams.map((dial) => ({ dial })),
    // Caddy keeps the client's Host header (MinIO checks presigned signatures against it) and adds
    // X-Forwarded-For/-Proto/-Host itself. It buffers no request body and sets no size limit unless
    // told to (request_buffers, request_body): large uploads stream through as they are.
  };
  if (Object.keys(route.setHeaders).length > 0) {
    proxy.headers = {
      request: { set: Object.fromEntries(Object.entries(route.setHeaders).map(([k, v]) => [k, [v]])) },
    };
  }
  if (route.websocket) {
    // Upgraded connections are copied both ways with no stream timeout (stream_timeout unset) and are
    // not cut by the server's idle timeout; answers are flushed at once.
    proxy.flush_interval = -1;
  }
  return [...(route.stripPrefix ? [{ handler: 'rewrite', strip_path_prefix: route.path }] : []), proxy];
}

function routeObjects(spec: DeploySpec): Json[] {
  const host = spec.openim.domain;
  return proxyRoutes(spec).map((r) => ({
    '@id': `openim-${r.id}`,
    match: [{ ...(host ? { host: [host] } : {}), path: [r.path, `${r.path}/*`] }],
    handle: handlers(r),
    terminal: true,
  }));
}

function acmeIssuer(spec: DeploySpec): Json {
  const acme = spec.binary.proxy.tls.acme;
  return {
    module: 'acme',
    ca: acme.directory || (acme.staging ? CADDY.acme.staging : CADDY.acme.production),
    ...(acme.email ? { email: acme.email } : {}),
    ...(acme.caRoot ? { trusted_roots_pem_files: [acme.caRoot] } : {}),
    // HTTP-01 on port 80 (the redirect server answers it); no TLS-ALPN.
    challenges: { 'tls-alpn': { disabled: true } },
  };
}

function tlsApp(spec: DeploySpec, paths: ProxyPaths): Json | undefined {
  const tls = spec.binary.proxy.tls;
  const domain = spec.openim.domain;
  switch (tls.mode) {
    case 'none':
      return undefined;
    case 'provided':
      return { certificates: { load_files: [{ certificate: paths.providedCert, key: paths.providedKey }] } };
    case 'self-signed':
      return {
        certificates: { automate: [domain] },
        automation: { policies: [{ subjects: [domain], issuers: [{ module: 'internal', ca: 'local' }] }] },
      };
    case 'acme':
      return {
        certificates: { automate: [domain] },
        automation: { policies: [{ subjects: [domain], issuers: [acmeIssuer(spec)] }] },
      };
  }
}

export function caddyConfig(spec: DeploySpec, paths: ProxyPaths): Json {
  const mode = spec.binary.proxy.tls.mode;
  const domain = spec.openim.domain;
  const { https, http } = CADDY.ports;
  const servers: Json =
    mode === 'none'
      ? {
          openim: {
            listen: [`:${http}`],
            protocols: ['h1', 'h2c'],
            routes: routeObjects(spec),
            automatic_https: { disable: true },
          },
        }
      : {
          openim: {
            listen: [`:${https}`],
            // HTTP/1.1 and HTTP/2 over TCP; no HTTP/3 (UDP) listener.
            protocols: ['h1', 'h2'],
            routes: routeObjects(spec),
            // The redirect server below does it; a provided certificate is never replaced.
            automatic_https: {
              disable_redirects: true,
              ...(mode === 'provided' ? { skip_certificates: [domain] } : {}),
            },
            // A client that sends no server name (an IP address as the domain) gets the domain's certificate.
            tls_connection_policies: [{ default_sni: domain }],
          },
          redirect: {
            listen: [`:${http}`],
            protocols: ['h1'],
            routes: [
              {
                handle: [
                  {
                    handler: 'static_response',
                    status_code: 308,
                    headers: { Location: [`https://{http.request.host}{http.request.uri}`] },
                  },
                ],
              },
            ],
          },
        };
  const apps: Json = { http: { http_port: http, https_port: https, servers } };
  const tls = tlsApp(spec, paths);
  if (tls) apps.tls = tls;
  // The internal CA (self-signed) stays in Caddy's storage; it never touches the system trust store.
  if (mode === 'self-signed') apps.pki = { certificate_authorities: { local: { install_trust: false } } };
  return {
    admin: { disabled: CADDY.adminDisabled, config: { persist: false } },
    storage: { module: 'file_system', root: paths.storage },
    apps,
  };
}
