import { describe, expect, it } from 'vitest';
import { SERVER_MODULES } from '../../catalog/modules.js';
import { binaryLayout } from './layout.js';
import { parseUnit } from './systemd-ini.js';
import { singleHost } from '../../../test/helpers/binary-specs.js';
import { CHECK_UNITS, openimModules, openimUnitFiles, PROXY_VARIABLES, TARGETS } from './units.js';

function units(spec = singleHost(), infraUnits: string[] = []) {
  return Object.fromEntries(
    openimUnitFiles({ spec, layout: binaryLayout(spec), infraUnits }).map((u) => [u.name, parseUnit(u.text)]),
  );
}

describe('OpenIM units', () => {
  it('has a template per module, two check units and four targets', () => {
    const names = Object.keys(units()).sort();
    expect(names).toEqual(
      [
        'openim.target',
        'openim-infra.target',
        'openim-server.target',
        'openim-chat.target',
        CHECK_UNITS.server,
        CHECK_UNITS.chat,
        ...SERVER_MODULES.map((m) => `${m.name}@.service`),
        'openim-chat-rpc@.service',
        'openim-admin-rpc@.service',
        'openim-chat-api@.service',
        'openim-admin-api@.service',
      ].sort(),
    );
    expect(
      Object.keys(units(singleHost('openim.components.chat=false', 'openim.components.adminFront=false'))),
    ).not.toContain('openim-chat-api@.service');
  });

  it('runs each instance with -i %i -c <config dir> from the current release, as the service user', () => {
    const api = units()['openim-api@.service']!;
    expect(api.Service!.ExecStart).toEqual(['/opt/openim/current/bin/openim-api -i %i -c /etc/openim/server']);
    expect(api.Service!.User).toEqual(['openim']);
    expect(units()['openim-chat-api@.service']!.Service!.ExecStart).toEqual([
      '/opt/openim/chat/current/bin/chat-api -i %i -c /etc/openim/chat',
    ]);
  });

  it('restarts forever, raises the file limit, has a working directory, and clears proxies', () => {
    for (const [name, unit] of Object.entries(units())) {
      if (!name.endsWith('@.service')) continue;
      expect(unit.Service!.Restart, name).toEqual(['always']);
      expect(unit.Service!.RestartSec, name).toEqual(['3s']);
      expect(unit.Service!.LimitNOFILE, name).toEqual(['100000']);
      expect(unit.Service!.WorkingDirectory, name).toHaveLength(1);
      expect(unit.Unit!.StartLimitIntervalSec, name).toEqual(['0']);
      expect(unit.Service!.UnsetEnvironment![0]!.split(' '), name).toEqual(PROXY_VARIABLES);
    }
  });

  it('hardens every service unit', () => {
    const required: Record<string, string> = {
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      CapabilityBoundingSet: '',
      RestrictNamespaces: 'yes',
      MemoryDenyWriteExecute: 'yes',
    };
    for (const [name, unit] of Object.entries(units())) {
      if (!name.endsWith('.service')) continue;
      for (const [key, value] of Object.entries(required))
        expect(unit.Service![key], `${name} ${key}`).toEqual([value]);
      expect(unit.Service!.SystemCallFilter, name).toContain('@system-service');
      expect(unit.Service!.ReadWritePaths![0], name).toMatch(/^\/var\/lib\/openim\/(server|chat)$/);
    }
  });

  it('groups server under openim-server.target and chat under openim-chat.target, chat after server', () => {
    const u = units();
    expect(u['openim-rpc-user@.service']!.Unit!.PartOf).toEqual([TARGETS.server]);
    expect(u['openim-rpc-user@.service']!.Install!.WantedBy).toEqual([TARGETS.server]);
    expect(u['openim-chat-api@.service']!.Install!.WantedBy).toEqual([TARGETS.chat]);
    expect(u[TARGETS.chat]!.Unit!.After).toEqual([TARGETS.server]);
    expect(u[TARGETS.server]!.Unit!.After).toEqual([TARGETS.infra]);
    expect(u[TARGETS.all]!.Install!.WantedBy).toEqual(['multi-user.target']);
    // The chat check waits for the server (its check-component calls the server API).
    expect(u[CHECK_UNITS.chat]!.Unit!.After).toContain(TARGETS.server);
  });

  it('orders the server check after bundled infrastructure units', () => {
    const u = units(singleHost(), ['openim-redis.service']);
    expect(u[CHECK_UNITS.server]!.Unit!.After).toContain('openim-redis.service');
    expect(u[CHECK_UNITS.server]!.Service!.Type).toEqual(['oneshot']);
    expect(u[CHECK_UNITS.server]!.Service!.ExecStart).toEqual([
      '/opt/openim/current/tools/check-component -c /etc/openim/server',
    ]);
  });

  it('takes instance counts from the profile and openim.replicas', () => {
    const count = (spec: ReturnType<typeof singleHost>, name: string) =>
      openimModules(spec).find((m) => m.module.name === name)!.instances;
    expect(count(singleHost(), 'openim-push')).toEqual(['openim-push@0.service']);
    expect(count(singleHost('openim.replicas.openim-push=8'), 'openim-push')).toHaveLength(8);
    expect(count(singleHost('openim.replicas.openim-push=8'), 'openim-push').at(-1)).toBe('openim-push@7.service');
    expect(count(singleHost('openim.replicas.openim-msgtransfer=0'), 'openim-msgtransfer')).toEqual([]);
    expect(count(singleHost('profile=production', 'openim.domain=im.example.com'), 'openim-msgtransfer')).toHaveLength(
      4,
    );
  });

  it('follows binary.prefix, configDir, dataDir and user', () => {
    const spec = singleHost(
      'binary.prefix=/srv/im',
      'binary.configDir=/srv/etc',
      'binary.dataDir=/srv/data',
      'binary.user=im',
    );
    const api = units(spec)['openim-api@.service']!;
    expect(api.Service!.ExecStart).toEqual(['/srv/im/current/bin/openim-api -i %i -c /srv/etc/server']);
    expect(api.Service!.WorkingDirectory).toEqual(['/srv/data/server']);
    expect(api.Service!.User).toEqual(['im']);
  });
});
