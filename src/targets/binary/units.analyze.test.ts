// Static checks with the real systemd-analyze: every unit the plan writes
// verifies cleanly in a scratch root that holds the paths it references,
// and `systemd-analyze security --offline` rates each OpenIM unit 4.0 or
// better. Skipped (and said so) only where systemd-analyze is missing, and
// under CI not even there (test/helpers/interop-tool.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteAction } from '../../plan/types.js';
import { parseUnit } from './systemd-ini.js';
import { binarySteps } from './steps.js';
import { interopTool } from '../../../test/helpers/interop-tool.js';
import { probedHost, singleHost } from '../../../test/helpers/binary-specs.js';

const systemUnits = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) =>
  existsSync(join(d, 'sysinit.target')),
);
const analyze = interopTool({
  name: "systemd-analyze and systemd's own units",
  present: spawnSync('systemd-analyze', ['--version']).status === 0 && systemUnits !== undefined,
  install: 'apt-get install -y systemd',
});

let root: string;
const units: Record<string, string> = {};

beforeAll(() => {
  if (!analyze || !systemUnits) return;
  root = mkdtempSync(join(tmpdir(), 'unit-root-'));
  // Default spec: every infrastructure component bundled, chat on, monitoring and logging on, so every kind of unit is here.
  const spec = singleHost('openim.replicas.openim-push=2', 'logging.enabled=true');
  const writes = binarySteps(spec, probedHost())
    .flatMap((s) => s.actions)
    .filter((a): a is WriteAction => a.kind === 'write' && a.path.startsWith('/etc/systemd/system/'));
  cpSync(systemUnits, join(root, 'usr/lib/systemd/system'), { recursive: true });
  for (const w of writes) {
    const path = join(root, w.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, w.content);
    units[w.path.slice('/etc/systemd/system/'.length)] = w.content;
  }
  // The release layout the units point at, `current` link included.
  mkdirSync(join(root, 'opt/openim/v3.8.3-patch.16'), { recursive: true });
  symlinkSync('v3.8.3-patch.16', join(root, 'opt/openim/current'));
  mkdirSync(join(root, 'opt/openim/chat/v1.8.4-patch.5'), { recursive: true });
  symlinkSync('v1.8.4-patch.5', join(root, 'opt/openim/chat/current'));
  for (const text of Object.values(units)) {
    for (const exec of parseUnit(text).Service?.ExecStart ?? []) {
      const binary = join(root, exec.split(' ')[0]!);
      mkdirSync(dirname(binary), { recursive: true });
      writeFileSync(binary, '#!/bin/sh\n');
      chmodSync(binary, 0o755);
    }
  }
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A template is checked through an instance of it. */
const instanceOf = (name: string) => name.replace('@.service', '@0.service');

describe.skipIf(!analyze)('systemd-analyze on the rendered units', () => {
  it('finds every kind of unit', () => {
    expect(Object.keys(units)).toEqual(
      expect.arrayContaining([
        'openim.target',
        'openim-api@.service',
        'openim-server-check.service',
        'openim-mongodb.service',
        'openim-etcd.service',
        'openim-monitoring.target',
        'openim-node-exporter.service',
        'openim-prometheus.service',
        'openim-grafana.service',
        'openim-loki.service',
        'openim-alloy.service',
      ]),
    );
  });

  it('verify: no errors or warnings for any unit', () => {
    const names = Object.keys(units).map(instanceOf);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...names], { encoding: 'utf8' });
    // verify exits 0 on "ignoring" warnings: any output is a finding.
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('verify catches a broken unit (the check itself works)', () => {
    const path = join(root, 'etc/systemd/system/broken-probe.service');
    writeFileSync(path, '[Service]\nExecStart=/opt/openim/current/bin/missing\nRestart=sometimes\n');
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'broken-probe.service'], {
      encoding: 'utf8',
    });
    rmSync(path);
    expect(r.stderr).toMatch(/restart specifier|not executable/);
  });

  it('security: every OpenIM unit is rated 4.0 or better', () => {
    const scores: Record<string, number> = {};
    for (const name of Object.keys(units).filter((n) => n.endsWith('.service'))) {
      const out = execFileSync(
        'systemd-analyze',
        ['security', '--offline=true', `--root=${root}`, '--no-pager', instanceOf(name)],
        { encoding: 'utf8' },
      );
      const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(out);
      expect(m, name).not.toBeNull();
      scores[name] = Number(m![1]);
    }
    console.log('[systemd-analyze security]', JSON.stringify(scores));
    const openim = Object.entries(scores).filter(
      ([n]) => !/^openim-(mongodb|redis|kafka|minio|etcd)\.service$/.test(n),
    );
    expect(openim.length).toBeGreaterThan(10);
    for (const [name, score] of openim) expect(score, name).toBeLessThanOrEqual(4.0);
    // Infrastructure units allow JIT memory and more syscalls, monitoring units more of /proc or the journal: all are held to the same bar.
    for (const [name, score] of Object.entries(scores)) expect(score, name).toBeLessThanOrEqual(4.0);
  });
});
