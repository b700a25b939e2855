// #19 Medium 13: `single-host` says, before anything runs, everything it needs. On main
// `install --preset single-host --dry-run` printed a plan with "sha256 NOT PINNED" and
// exited 0; `install` then stopped on the pins, and a config problem (an external MongoDB
// without its address) hid them for one more round. Now a dry run and `plan` list every
// config-only refusal with its --set fix and every host requirement; a refused config lists
// the config's problems and the unpinned archives in one go.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const home = () => mkdtempSync(join(tmpdir(), 'oid-needs-'));
/** The archives single-host downloads with no SHA-256 the catalog pins (README "Single host"). */
const UNPINNED = ['mongodb', 'mongosh', 'kafka', 'minio', 'grafana'];
const PINS = UNPINNED.map((id) => `--set=binary.artifacts.${id}.sha256=${'a'.repeat(64)}`);
/** What the host must give for the preset as it is: checked by install's preflight, listed by a dry run. */
const HOST_NEEDS = [
  'host.root',
  'host.systemd',
  'host.arch',
  'build.go',
  'host.java',
  'host.package-manager',
  'monitoring.packages',
];

describe('single-host says what it needs before anything runs (#19 Medium 13)', () => {
  it('install --dry-run without pins: the plan, then every unpinned archive with its --set fix and every host need; exit 3, nothing written', () => {
    const h = home();
    const r = cli(['install', '--preset', 'single-host', '--dry-run'], { env: { HOME: h } });
    expect(r.stdout).toMatch(/dry run: nothing was changed\./);
    for (const id of UNPINNED) {
      expect(r.stderr).toContain(`[artifact.${id}.sha256]`);
      expect(r.stderr).toContain(`--set binary.artifacts.${id}.sha256=HEX`);
    }
    for (const id of HOST_NEEDS) expect(r.stderr).toContain(`[${id}]`);
    expect(r.stderr).toMatch(/Go 1\.22\.\d+ or newer on PATH/);
    expect(r.stderr).toMatch(/--ignore-preflight artifact\.mongodb\.sha256/);
    expect(r.code).toBe(3);
    expect(readdirSync(h)).toEqual([]);
  });

  it('with the pins given the dry run passes and still lists what the host must give', () => {
    const r = cli(['install', '--preset', 'single-host', ...PINS, '--dry-run'], { env: { HOME: home() } });
    expect(r.stderr).not.toMatch(/artifact\.\w+\.sha256/);
    for (const id of HOST_NEEDS) expect(r.stderr).toContain(`[${id}]`);
    expect(r.code).toBe(0);
  });

  it('plan (a document) exits 0 but says the same on stderr', () => {
    const r = cli(['plan', '--preset', 'single-host'], { env: { HOME: home() } });
    expect(r.code).toBe(0);
    for (const id of UNPINNED) expect(r.stderr).toContain(`[artifact.${id}.sha256]`);
    for (const id of HOST_NEEDS) expect(r.stderr).toContain(`[${id}]`);
  });

  it('a refused config lists its own problems and the unpinned archives at once, each with a fix (install, dry run, config validate)', () => {
    const sets = ['--set', 'infrastructure.mongodb.mode=external', '--set', 'infrastructure.kafka.mode=external'];
    for (const args of [
      ['install', '--yes', '--workdir', 'wd'],
      ['install', '--dry-run'],
      ['config', 'validate'],
    ]) {
      const h = home();
      const r = cli([...args, '--preset', 'single-host', ...sets], { env: { HOME: h }, cwd: h });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/infrastructure\.mongodb\.address: .*--set infrastructure\.mongodb\.address\[0\]=/);
      expect(r.stderr).toMatch(/infrastructure\.kafka\.address: .*--set infrastructure\.kafka\.address\[0\]=/);
      expect(r.stderr).toMatch(/infrastructure\.mongodb\.password: .*--set infrastructure\.mongodb\.password=/);
      // External MongoDB needs no archive; Kafka's still gives kafka-topics.sh, MinIO and Grafana run here: the same list.
      for (const id of ['kafka', 'minio', 'grafana']) expect(r.stderr).toContain(`artifact.${id}.sha256: `);
      expect(r.stderr).not.toContain('artifact.mongodb.sha256');
      expect(readdirSync(h)).toEqual([]);
    }
  });

  it('--ignore-preflight accepts the judged pins in the dry run as in install', () => {
    const r = cli(
      [
        'install',
        '--preset',
        'single-host',
        '--dry-run',
        '--ignore-preflight',
        ...UNPINNED.map((id) => `artifact.${id}.sha256`),
      ],
      { env: { HOME: home() } },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warn +no pinned SHA-256 for mongodb/);
  });
});

describe('the README says what the dry run says', () => {
  it('its Single host section names exactly the archives without a pin and every host need', async () => {
    const { readFileSync } = await import('node:fs');
    const { packageRoot } = await import('../../src/util/package-root.js');
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Single host (`--preset single-host`)'),
      readme.indexOf('### OpenIM binaries on a host'),
    );
    const listed = /the catalog pins none of ([^(]+)\(/
      .exec(section)![1]!
      .match(/`(\w+)`/g)!
      .map((s) => s.slice(1, -1));
    expect(listed).toEqual(UNPINNED);
    const r = cli(['install', '--preset', 'single-host', '--dry-run'], { env: { HOME: home() } });
    expect([...r.stderr.matchAll(/\[artifact\.(\w+)\.sha256\]/g)].map((m) => m[1])).toEqual(UNPINNED);
    for (const words of [
      'root',
      'systemd as PID 1',
      'amd64 or arm64',
      'Go 1.22.7 or newer',
      'Java 11 or newer',
      '`apt-get` or `dnf`',
    ])
      expect(section).toContain(words);
    expect(r.stderr).toContain('Go 1.22.7 or newer');
  });
});
