import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/resolve.js';
import { binaryChecks, binaryHostNeeds } from './checks.js';
import { allExternal, probedHost, singleHost, unprobed } from '../../../test/helpers/binary-specs.js';

const ids = (findings: { id: string; severity: string }[], severity = 'error') =>
  findings.filter((f) => f.severity === severity).map((f) => f.id);

describe('binary preflight', () => {
  it('with binary.source archive, requires a source and a pinned SHA-256 for each OpenIM tarball, even without probing', () => {
    // No archive given: server and chat are built from source, nothing to pin.
    const built = ids(binaryChecks(resolveConfig({ preset: 'single-host' }).spec, unprobed));
    expect(built.filter((id) => /^artifact\.(server|chat)\./.test(id))).toEqual([]);
    const spec = resolveConfig({ preset: 'single-host', sets: ['binary.source=archive'] }).spec;
    const errors = ids(binaryChecks(spec, unprobed));
    expect(errors).toEqual(
      expect.arrayContaining([
        'artifact.server.source',
        'artifact.server.sha256',
        'artifact.chat.source',
        'artifact.chat.sha256',
      ]),
    );
    // Bundled infrastructure archives have vendor URLs but no verified pins here.
    expect(errors).toEqual(expect.arrayContaining(['artifact.kafka.sha256', 'artifact.mongodb.sha256']));
    expect(errors).not.toContain('artifact.kafka.source');
    const pinned = resolveConfig({
      preset: 'single-host',
      sets: [`binary.artifacts.kafka.sha256=${'c'.repeat(64)}`],
    }).spec;
    expect(ids(binaryChecks(pinned, unprobed))).not.toContain('artifact.kafka.sha256');
    // single-host runs the bundled Grafana: its archive needs a pin too.
    expect(ids(binaryChecks(allExternal(), unprobed))).toEqual(['artifact.grafana.sha256']);
    expect(ids(binaryChecks(allExternal(`binary.artifacts.grafana.sha256=${'d'.repeat(64)}`), unprobed))).toEqual([]);
    expect(ids(binaryChecks(allExternal('monitoring.grafanaUrl=https://grafana.example/'), unprobed))).toEqual([]);
    // From an offline bundle, the bundle's verified checksum list is the pin.
    expect(
      ids(
        binaryChecks(
          resolveConfig({ preset: 'single-host', sets: ['offline.bundle=/srv/openim.bundle'] }).spec,
          unprobed,
        ),
      ),
    ).toEqual([]);
  });

  it('binary.source build: a missing go is an error with the fix, an older one explains GOTOOLCHAIN', () => {
    const build = (...sets: string[]) =>
      allExternal('binary.source=build', 'monitoring.grafanaUrl=https://grafana.example/', ...sets);
    const noGo = binaryChecks(build(), probedHost({}));
    expect(noGo.find((f) => f.id === 'build.go')).toMatchObject({
      severity: 'error',
      fix: expect.stringMatching(/install Go 1\.22.*go\.dev\/dl.*binary\.source archive/),
    });
    const old = { go: { version: 'go1.21.5', gotoolchain: 'auto', goproxy: 'https://proxy.golang.org,direct' } };
    expect(binaryChecks(build(), probedHost(old)).find((f) => f.id === 'build.go.version')).toMatchObject({
      severity: 'warn',
      message: expect.stringMatching(
        /go1\.21\.5 is older than go 1\.22.*GOTOOLCHAIN=auto go downloads that toolchain through the module proxy \(https:\/\/proxy\.golang\.org,direct\)/,
      ),
    });
    expect(
      binaryChecks(build('binary.build.gotoolchain=local'), probedHost(old)).find((f) => f.id === 'build.go.version'),
    ).toMatchObject({ severity: 'error', fix: expect.stringMatching(/gotoolchain auto/) });
    const current = { go: { version: 'go1.26.8', gotoolchain: 'auto', goproxy: '' } };
    expect(binaryChecks(build(), probedHost(current)).filter((f) => f.id.startsWith('build.'))).toEqual([]);
    // Tarballs given: no Go needed.
    expect(
      binaryChecks(allExternal('monitoring.grafanaUrl=https://grafana.example/'), probedHost({})).filter((f) =>
        f.id.startsWith('build.'),
      ),
    ).toEqual([]);
  });

  it('names the alternatives for a monitoring archive without a pin', () => {
    const findings = binaryChecks(allExternal('logging.enabled=true'), unprobed);
    expect(ids(findings)).toEqual(['artifact.loki.sha256', 'artifact.alloy.sha256', 'artifact.grafana.sha256']);
    expect(findings.find((f) => f.id === 'artifact.loki.sha256')!.fix).toMatch(
      /binary\.artifacts\.loki\.sha256.*logging\.lokiUrl/,
    );
    expect(findings.find((f) => f.id === 'artifact.grafana.sha256')!.fix).toMatch(/monitoring\.grafanaUrl/);
  });

  it('refuses instance counts whose ports collide on one host', () => {
    const findings = binaryChecks(allExternal('openim.replicas.openim-msggateway=2'), unprobed);
    expect(findings.find((f) => f.id === 'port.collision.10002')).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/openim-api.*openim-msggateway|openim-msggateway.*openim-api/),
    });
  });

  it("refuses OpenIM instances that would take a bundled component's port", () => {
    // Four API instances take 10002..10005; bundled MinIO listens on 10005.
    const findings = binaryChecks(singleHost('openim.replicas.openim-api=4'), unprobed);
    expect(findings.find((f) => f.id === 'port.collision.10005')).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('objectStorage'),
    });
  });

  it('checks the host: root, systemd, Java for Kafka, a package manager for Redis/etcd', () => {
    expect(
      ids(
        binaryChecks(
          allExternal('monitoring.grafanaUrl=https://grafana.example/'),
          probedHost({ isRoot: false, systemdPid1: false }),
        ),
      ),
    ).toEqual(['host.root', 'host.systemd']);
    const noJava = probedHost();
    delete noJava.host!.java;
    expect(ids(binaryChecks(singleHost(), noJava))).toContain('host.java');
    expect(ids(binaryChecks(allExternal(), noJava))).not.toContain('host.java');
    expect(ids(binaryChecks(allExternal('infrastructure.kafka.createTopics=true'), noJava))).toContain('host.java');
    expect(ids(binaryChecks(singleHost(), probedHost({ packageManager: undefined })))).toContain(
      'host.package-manager',
    );
    // Prometheus and node_exporter are packages too, even with external infrastructure.
    expect(ids(binaryChecks(allExternal(), probedHost({ packageManager: undefined })))).toContain(
      'monitoring.packages',
    );
    expect(
      ids(binaryChecks(allExternal('monitoring.enabled=false'), probedHost({ packageManager: undefined }))),
    ).not.toContain('monitoring.packages');
  });

  it('warns about proxies, busy ports and the fronts it does not install', () => {
    const warns = ids(
      binaryChecks(allExternal(), probedHost({ proxyEnv: ['https_proxy'], portsInUse: [10002, 9100] })),
      'warn',
    );
    expect(warns).toEqual(expect.arrayContaining(['host.proxy', 'port.10002', 'port.9100', 'binary.fronts']));
  });
});

describe('host needs said before probing (#19 Medium 13)', () => {
  // A host that gives nothing: every host check fails. What a dry run lists must be exactly what
  // preflight then enforces, with the same ids and fixes, for the preset and its variants.
  const bare = probedHost({
    isRoot: false,
    systemdPid1: false,
    arch: 'riscv64',
    packageManager: undefined,
    java: undefined,
    go: undefined,
  } as never);
  const cases: [string, string[]][] = [
    ['single-host', []],
    [
      'archive, external infrastructure, no monitoring',
      [
        'binary.source=archive',
        'infrastructure.mongodb.mode=external',
        'infrastructure.mongodb.address[0]=db:27017',
        'infrastructure.mongodb.password=p',
        'infrastructure.redis.mode=external',
        'infrastructure.redis.address[0]=r:6379',
        'infrastructure.etcd.mode=external',
        'infrastructure.etcd.address[0]=e:2379',
        'infrastructure.kafka.mode=external',
        'infrastructure.kafka.address[0]=k:9092',
        'infrastructure.kafka.createTopics=false',
        'monitoring.enabled=false',
      ],
    ],
  ];
  for (const [name, sets] of cases) {
    it(`${name}: binaryHostNeeds lists exactly the host checks a bare host fails, with their fixes`, () => {
      const spec = resolveConfig({ preset: 'single-host', sets }).spec;
      const hostIds = (f: { id: string }) =>
        /^(host\.|build\.go$|monitoring\.packages$)/.test(f.id) && f.id !== 'host.arch-mismatch';
      const enforced = binaryChecks(spec, bare).filter((f) => f.severity === 'error' && hostIds(f));
      const listed = binaryHostNeeds(spec);
      expect(listed.map((n) => n.id).sort()).toEqual(enforced.map((f) => f.id).sort());
      for (const n of listed) expect(n.fix).toBe(enforced.find((f) => f.id === n.id)!.fix);
    });
  }
});
