import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';
import { packageRoot as packageRootForTest } from '../../src/util/package-root.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'oid-cli-'));

/** The command names of a --help text: the first word of each entry under "Commands:" (wrapped lines are indented deeper). */
function commandsIn(help: string): string[] {
  const section = help.split('\nCommands:\n')[1];
  if (section === undefined) throw new Error(`no Commands: section in\n${help}`);
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
}

describe('openim-deploy CLI (built bin, CI=1, no stdin)', () => {
  it('--help lists exactly the commands, and config and bundle list their subcommands', () => {
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    expect(commandsIn(top.stdout)).toEqual([
      'install',
      'plan',
      'render',
      'doctor',
      'config',
      'bundle',
      'status',
      'verify',
      'upgrade',
      'rollback',
      'uninstall',
      'backup',
      'restore',
      'support-bundle',
      'logs',
      'help',
    ]);
    expect(commandsIn(cli(['config', '--help']).stdout)).toEqual(['init', 'validate', 'schema', 'show', 'help']);
    expect(commandsIn(cli(['bundle', '--help']).stdout)).toEqual([
      'create',
      'verify',
      'inspect',
      'push',
      'load',
      'keygen',
      'help',
    ]);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(cli(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it('config validate on a bad file exits 2 and lists each bad path', () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'target: cloud\nopenim:\n  domian: x\nkubernetes:\n  namespace: Bad_NS\n  storage:\n    backend: nfs\n',
    );
    const r = cli(['config', 'validate', '-c', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('target:');
    expect(r.stderr).toContain('openim.domian: unknown key (did you mean domain?)');
    expect(r.stderr).toContain('kubernetes.namespace:');
  });

  it('config validate accepts a good file', () => {
    const dir = tmp();
    const file = join(dir, 'good.yaml');
    writeFileSync(file, 'target: kubernetes\nprofile: dev\nopenim:\n  domain: im.example.com\n');
    const r = cli(['config', 'validate', '-c', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('install without --yes exits 2 naming --yes, before probing anything', () => {
    // No helm, kubectl or systemctl on PATH: a probe would fail on them first. (Start-up speed is measured by `npm run bench`, P1.)
    const r = cli(['install', '--preset', 'dev'], { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes: applying changes needs confirmation and there is no terminal');
    expect(r.stderr).not.toMatch(/helm|kubectl|systemctl|not found/);
    expect(r.stdout).toBe('');
  });

  it('install --dry-run prints the plan and touches nothing', () => {
    const home = tmp();
    const r = cli(['install', '--preset', 'dev', '--dry-run'], { env: { HOME: home } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('helm upgrade --install openim-api');
    expect(r.stdout).toContain('dry run: nothing was changed');
    expect(readdirSync(home)).toEqual([]);
  });

  it('plan --json is the versioned plan; -o writes it', () => {
    const dir = tmp();
    const r = cli(['plan', '--preset', 'dev', '--json', '-o', join(dir, 'plan.json')]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.version).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'))).toEqual(plan);
  });

  it('invalid flags and --set values exit 2 with all problems', () => {
    const r = cli(['plan', '--preset', 'dev', '--set', 'openim.domian=x', '--set', 'kubernetes.namespace=UPPER']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--set openim.domian: unknown key');
    expect(r.stderr).toContain('kubernetes.namespace:');
  });

  it('config show redacts secrets and names sources', () => {
    const r = cli(['config', 'show', '--preset', 'dev', '--set', 'openim.secret=TopSecretValue9'], {
      env: { OPENIM_DEPLOY_OPENIM__DOMAIN: 'env.example.com' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('TopSecretValue9');
    expect(r.stdout).toMatch(/openim\.secret\s+«redacted»\s+\(flag:--set\)/);
    expect(r.stdout).toMatch(/openim\.domain\s+env\.example\.com\s+\(env:OPENIM_DEPLOY_OPENIM__DOMAIN\)/);
    expect(r.stdout).toMatch(/kubernetes\.ingress\.controller\s+nginx\s+\(preset:dev\)/);
  });

  it('config init writes a commented config that validates', () => {
    const dir = tmp();
    const file = join(dir, 'openim-deploy.yaml');
    expect(cli(['config', 'init', '-o', file, '--preset', 'dev']).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Public host name');
    expect(parse(text).target).toBe('kubernetes');
    expect(cli(['config', 'validate', '-c', file]).code).toBe(0);
    expect(cli(['config', 'init', '-o', file]).code).toBe(2);
  });

  it('config schema prints the JSON Schema', () => {
    const r = cli(['config', 'schema']);
    expect(JSON.parse(r.stdout).properties.target.enum).toEqual(['kubernetes', 'binary']);
  });

  it('unknown commands and options exit 2', () => {
    expect(cli(['instal']).code).toBe(2);
    expect(cli(['install', '--nope']).code).toBe(2);
  });

  it('doctor exits 3 when the tools are missing, with a fix for each finding', () => {
    const r = cli(['doctor', '--preset', 'dev'], { env: { PATH: tmp() } });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('helm is not installed');
    expect(r.stdout).toContain('fix:');
  });

  it('render --helm takes a path relative to where the user runs it', () => {
    const dir = tmp();
    // A fake helm, named as one: prints one manifest for `helm template NAME ...`.
    writeFileSync(join(dir, 'fake-helm'), '#!/bin/sh\necho "# rendered $2 by fake-helm"\n', { mode: 0o755 });
    const r = cli(['render', '--preset', 'dev', '--out', 'out', '--helm', './fake-helm'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out', 'manifests', 'openim-api.yaml'), 'utf8')).toContain(
      'rendered openim-api by fake-helm',
    );
  });

  it('render writes plan.json and values without secret values', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'fake-helm'), '#!/bin/sh\necho "# rendered $2 by fake-helm"\n', { mode: 0o755 });
    const r = cli([
      'render',
      '--preset',
      'dev',
      '--set',
      'openim.secret=NeverRenderedValue1',
      '--out',
      join(dir, 'out'),
      '--helm',
      join(dir, 'fake-helm'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'out', 'plan.json'))).toBe(true);
    expect(readFileSync(join(dir, 'out', 'plan.json'), 'utf8')).not.toContain('NeverRenderedValue1');
  });

  // #19 Medium 7: render without helm used to exit 0 with "0 release manifests" and its errors on stdout.
  it('render without helm exits 1 with one clear message on stderr naming --helm, never "rendered"', () => {
    const dir = tmp();
    const r = cli(['render', '--preset', 'dev', '--out', join(dir, 'out')], { env: { PATH: tmp() } });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/rendered/);
    expect(r.stderr).toMatch(
      /helm was not found, so no release manifest was rendered: install helm 3 .* or pass --helm/,
    );
  });

  it("render with a failing helm exits 1 naming the releases and helm's error", () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad-helm'), '#!/bin/sh\necho "Error: chart is broken" >&2\nexit 1\n', { mode: 0o755 });
    const r = cli(['render', '--preset', 'dev', '--out', join(dir, 'out'), '--helm', join(dir, 'bad-helm')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/helm template failed for \d+ release\(s\)/);
    expect(r.stderr).toContain('openim-mongodb: Error: chart is broken');
  });

  it('plan piped into a reader that stops early (head) ends quietly, no EPIPE crash', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [join(packageRootForTest(), 'bin', 'openim-deploy.js'), 'plan', '--preset', 'dev', '--json'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: '1', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);
    expect(code).toBe(0);
  });
});
