// How the binary target builds OpenIM from source (binary.source build):
// upstream publishes no binaries for 3.8 (github.com/openimsdk/open-im-server
// releases) and its own offline
// path is `mage export`. The product does the same `go build` of the `cmd/...`
// and `tools/...` main packages, in a scratch module that requires the
// release's Go module at the catalog version, and packs the result in the
// layout `mage export` writes (bin/platforms, bin/tools, config/).

export interface GoBuild {
  /** Go module path. */
  module: string;
  /** Main packages of the services (below the module), built into _output/bin/platforms/linux/<arch>/. */
  services: string[];
  /** Main packages of the tools, built into _output/bin/tools/linux/<arch>/. */
  tools: string[];
  /** Go version from the module's go.mod, by release version (minimum the build needs). */
  goVersion: Record<string, string>;
}

export const OPENIM_GO_BUILDS = {
  server: {
    module: 'github.com/openimsdk/open-im-server/v3',
    // open-im-server start-config.yml@v3.8.3 serviceBinaries; cmd/openim-rpc/<name> for the RPC services.
    services: [
      'cmd/openim-api',
      'cmd/openim-crontask',
      'cmd/openim-msggateway',
      'cmd/openim-msgtransfer',
      'cmd/openim-push',
      'cmd/openim-rpc/openim-rpc-auth',
      'cmd/openim-rpc/openim-rpc-conversation',
      'cmd/openim-rpc/openim-rpc-friend',
      'cmd/openim-rpc/openim-rpc-group',
      'cmd/openim-rpc/openim-rpc-msg',
      'cmd/openim-rpc/openim-rpc-third',
      'cmd/openim-rpc/openim-rpc-user',
    ],
    // start-config.yml@v3.8.3 toolBinaries.
    tools: ['tools/check-component', 'tools/check-free-memory', 'tools/seq'],
    // go.mod@v3.8.3:3 `go 1.22.7`; the patch line and 3.8.4 keep 1.22 (catalog openim-versions.ts goVersion).
    goVersion: { 'v3.8.3': '1.22.7', 'v3.8.3-patch.16': '1.22', 'v3.8.4': '1.22' },
  },
  chat: {
    module: 'github.com/openimsdk/chat',
    // chat start-config.yml@v1.8.4 serviceBinaries (cmd/api/*, cmd/rpc/*).
    services: ['cmd/api/chat-api', 'cmd/api/admin-api', 'cmd/rpc/chat-rpc', 'cmd/rpc/admin-rpc'],
    // start-config.yml@v1.8.4 toolBinaries.
    tools: ['tools/check-component', 'tools/attribute-to-credential'],
    // go.mod@v1.8.4:3 `go 1.22.0` (toolchain go1.23.2 at :5).
    goVersion: { 'v1.8.4': '1.22.0', 'v1.8.4-patch.5': '1.22.0' },
  },
} as const satisfies Record<'server' | 'chat', GoBuild>;

/** Minimum Go for a release; the catalog's line version when the exact one is not listed. */
export function goVersionFor(product: 'server' | 'chat', version: string): string {
  const known = (OPENIM_GO_BUILDS[product].goVersion as Record<string, string>)[version];
  return known ?? (product === 'server' ? '1.22' : '1.22.0');
}

/** The last path element: the binary's name. */
export function binaryName(pkg: string): string {
  return pkg.split('/').pop()!;
}
