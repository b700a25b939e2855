// The reverse proxy the binary target runs in front of OpenIM (binary.proxy):
// Caddy, built from its Go module or fetched as its release archive, pinned here.
//
// Why Caddy: it obtains and renews certificates itself (ACME HTTP-01 and its own
// internal CA), takes its whole config as one JSON document (built here as an
// object, never as text), and ships as one static Go binary like the rest of the
// host install. nginx from the distribution would need certbot and a renewal
// timer beside it, and a config written as text.

/** The architectures the binary target installs for (host-artifacts.ts HostArch). */
type HostArch = 'amd64' | 'arm64';

export const CADDY = {
  /** github.com/caddyserver/caddy/v2 tag (served by the Go module proxy; scripts/openim/build.sh CADDY_VERSION). */
  version: '2.11.9',
  module: 'github.com/caddyserver/caddy/v2',
  /** The main package: the standard modules, no plugins (what the release archives hold). */
  mainPackage: 'github.com/caddyserver/caddy/v2/cmd/caddy',
  /**
   * Release archive (.goreleaser.yml of caddy v2.11.9: `caddy_{version}_linux_{arch}.tar.gz`,
   * the executable `caddy` at the top). No checksum was verified here, so no pin: the user (or
   * the offline bundle) gives binary.artifacts.caddy.sha256, or a local file.
   */
  url: 'https://github.com/caddyserver/caddy/releases/download/v{version}/caddy_{version}_linux_{arch}.tar.gz',
  sha256: {} as Partial<Record<HostArch, string>>,
  license: 'Apache-2.0',
  /**
   * The ports clients reach (modules/caddyhttp/app.go@v2.11.9 DefaultHTTPPort 80, DefaultHTTPSPort 443;
   * the same in the config so nothing depends on Caddy's defaults).
   */
  ports: { https: 443, http: 80 },
  /**
   * The admin API stays off (admin.go@v2.11.9 AdminConfig `disabled`): the config is a file the
   * installer writes, and a changed file restarts the unit; nothing needs a live endpoint.
   */
  adminDisabled: true,
  /**
   * Where Caddy's internal CA keeps its root, below the file_system storage root
   * (modules/caddypki/ca.go@v2.11.9 storageKeyRootCert: `pki/authorities/<id>/root.crt`;
   * the default CA id is `local`, caddypki.DefaultCAID).
   */
  internalRoot: 'pki/authorities/local/root.crt',
  /**
   * The header Caddy sets, on the chat-api and admin-api routes, to the one address it saw
   * (`{http.request.remote.host}`, modules/caddyhttp/replacer.go@v2.11.9), replacing any value
   * the client sent. Chat's share.yml proxyHeader names it: chat reads the client address from it
   * for login records and IP rules, and answers 500 when it is missing or holds a list
   * (internal/api/util/api.go@v1.8.4:22-34), so one address, never X-Forwarded-For.
   */
  clientIpHeader: { name: 'X-Real-IP', value: '{http.request.remote.host}' },
  /** Let's Encrypt's ACME directories (production and staging; letsencrypt.org/docs/staging-environment). */
  acme: {
    production: 'https://acme-v02.api.letsencrypt.org/directory',
    staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  },
} as const;
