// What an operator trips on at the command line (issue #19, the "Low" list):
// each test reproduces one finding against the built CLI.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { cli } from './run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'oid-edges-'));

describe('preflight lines name the id --ignore-preflight takes', () => {
  it('each error shows its id, the last line lists them, and passing them turns the errors into warnings', () => {
    const home = tmp();
    // No helm or kubectl on PATH: two preflight errors, before anything is changed.
    const r = cli(['install', '--preset', 'dev', '--yes'], { env: { PATH: '/nonexistent', HOME: home } });
    expect(r.code).toBe(3);
    const ids = [...r.stderr.matchAll(/^error .* \[([a-z0-9.-]+)\]$/gm)].map((m) => m[1]!);
    expect(ids).toEqual(['helm.missing', 'kubectl.missing']);
    expect(r.stderr).toContain(`--ignore-preflight ${ids.join(' ')}`);

    const accepted = cli(['install', '--preset', 'dev', '--yes', '--ignore-preflight', ...ids], {
      env: { PATH: '/nonexistent', HOME: home },
    });
    expect(accepted.code).not.toBe(3);
    expect(accepted.stderr).not.toContain('preflight failed');
    expect(accepted.stderr).toContain('warn  helm is not installed');
  });
});

describe('a config file that is not a sane YAML file exits 2 naming it', () => {
  const validate = (file: string) => cli(['config', 'validate', '-c', file]);

  it('a parse error', () => {
    const file = join(tmp(), 'broken.yaml');
    writeFileSync(file, 'openim: [\n');
    const r = validate(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} is not valid YAML`);
  });

  it('an alias bomb is refused without expanding it', () => {
    const file = join(tmp(), 'bomb.yaml');
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const prev = 'abcdefgh'[i]!;
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = validate(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/alias/i);
  });

  it('a file over the size cap is refused before it is parsed', () => {
    const file = join(tmp(), 'huge.yaml');
    writeFileSync(file, `# ${'x'.repeat(2 * 1024 * 1024)}\ntarget: kubernetes\n`);
    const r = validate(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} is ${2 * 1024 * 1024 + 22} bytes; a config file may have at most 1048576`);
  });

  it('-c on a FIFO exits 2 at once instead of waiting for a writer', () => {
    const fifo = join(tmp(), 'config.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // SIGKILL: a CLI blocked in open() never runs its SIGTERM handler.
    const r = spawnSync(
      process.execPath,
      [join(packageRoot(), 'bin', 'openim-deploy.js'), 'config', 'validate', '-c', fifo],
      {
        env: { PATH: process.env.PATH ?? '', HOME: tmp(), CI: '1', NO_COLOR: '1' },
        encoding: 'utf8',
        timeout: 10_000,
        killSignal: 'SIGKILL',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${fifo} is a named pipe, not a regular file`);
  });
});

describe('config validate reads OPENIM_DEPLOY_PRESET and OPENIM_DEPLOY_CONFIG like every other command', () => {
  it('OPENIM_DEPLOY_PRESET', () => {
    const r = cli(['config', 'validate'], { env: { OPENIM_DEPLOY_PRESET: 'dev' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('preset dev: valid');
  });

  it('OPENIM_DEPLOY_CONFIG', () => {
    const file = join(tmp(), 'c.yaml');
    writeFileSync(file, 'profile: dev\n');
    const r = cli(['config', 'validate'], { env: { OPENIM_DEPLOY_CONFIG: file } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: valid`);
    // And it is the file that is checked: a bad one fails.
    writeFileSync(file, 'profile: staging\n');
    expect(cli(['config', 'validate'], { env: { OPENIM_DEPLOY_CONFIG: file } }).code).toBe(2);
  });

  it('with nothing named it still says what to pass', () => {
    const r = cli(['config', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OPENIM_DEPLOY_CONFIG');
  });
});

describe('output files are never replaced silently: refused, or --force (as config init does)', () => {
  const existing = () => {
    const file = join(tmp(), 'existing');
    writeFileSync(file, 'keep me\n');
    return file;
  };
  const cases: [name: string, args: (file: string) => string[]][] = [
    ['plan -o', (file) => ['plan', '--preset', 'dev', '-o', file]],
    ['config schema -o', (file) => ['config', 'schema', '-o', file]],
    ['config init -o', (file) => ['config', 'init', '-o', file]],
    ['support-bundle -o', (file) => ['support-bundle', '--preset', 'single-host', '--workdir', tmp(), '-o', file]],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const file = existing();
      const refused = cli(args(file), { env: { HOME: tmp() } });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${file} already exists`);
      expect(refused.stderr).toContain('--force');
      expect(readFileSync(file, 'utf8')).toBe('keep me\n');
      const forced = cli([...args(file), '--force'], { env: { HOME: tmp() } });
      expect(forced.code, forced.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).not.toBe('keep me\n');
    });
  }

  it('render --out into a folder that is not empty', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'plan.json'), 'keep me\n');
    writeFileSync(join(dir, 'fake-helm'), '#!/bin/sh\necho "# rendered $2"\n', { mode: 0o755 });
    const refused = cli(['render', '--preset', 'dev', '--out', dir, '--helm', join(dir, 'fake-helm')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${dir} is not empty`);
    expect(readFileSync(join(dir, 'plan.json'), 'utf8')).toBe('keep me\n');
    const forced = cli(['render', '--preset', 'dev', '--out', dir, '--helm', join(dir, 'fake-helm'), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'plan.json'), 'utf8')).toContain('"steps"');
  });
});

describe('status --watch ends on Ctrl-C as an interrupt', () => {
  it("exits 130 (not the last report's 4 or 0)", async () => {
    const dir = tmp();
    // A stand-in kubectl (named as one; the real one is used by test:cluster): no state Secret, empty lists.
    writeFileSync(
      join(dir, 'kubectl'),
      '#!/bin/sh\ncase "$*" in\n  *"get secret"*|*"get namespace"*) echo \'Error from server (NotFound): not found\' >&2; exit 1;;\n  *) echo \'{"items":[]}\';;\nesac\n',
      { mode: 0o755 },
    );
    const child = spawn(
      process.execPath,
      [join(packageRoot(), 'bin', 'openim-deploy.js'), 'status', '--preset', 'dev', '--watch', '--interval', '30'],
      {
        env: { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, CI: '1', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The first report is printed, then the watch waits: Ctrl-C now.
    for (let i = 0; i < 100 && !stdout; i++) await new Promise((r) => setTimeout(r, 100));
    expect(stdout, stderr).not.toBe('');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted: status --watch stopped');
  });
});

describe('install --helm, like render --helm', () => {
  it('every helm call of the command runs the given binary (a path relative to where the user stands)', () => {
    const dir = tmp();
    // A stand-in helm (named as one) that answers the version probe and notes each call.
    writeFileSync(join(dir, 'my-helm'), `#!/bin/sh\necho "$*" >> ${join(dir, 'calls')}\necho v3.19.0+gabc\n`, {
      mode: 0o755,
    });
    const without = cli(['install', '--preset', 'dev', '--yes'], {
      env: { PATH: '/nonexistent', HOME: dir },
      cwd: dir,
    });
    expect(without.stderr).toContain('helm is not installed or not on PATH');
    expect(without.stderr).toContain('or pass --helm /path/to/helm');
    const r = cli(['install', '--preset', 'dev', '--yes', '--helm', './my-helm'], {
      env: { PATH: '/nonexistent', HOME: dir },
      cwd: dir,
    });
    // kubectl is still missing (exit 3), but helm was found where --helm said.
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('helm is not installed');
    expect(r.stderr).toContain('[kubectl.missing]');
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toContain('version');
  });

  it('is offered by every command that runs helm', () => {
    for (const command of ['install', 'doctor', 'upgrade', 'rollback', 'uninstall', 'render'])
      expect(cli([command, '--help']).stdout, command).toContain('--helm <path>');
  });
});

describe('install --dry-run --json is what --help says', () => {
  it('JSON lines on stdout: the plan as one line', () => {
    const help = cli(['install', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--json JSON lines on stdout: progress events, or with --dry-run the plan as one line');
    const r = cli(['install', '--preset', 'dev', '--dry-run', '--json'], { env: { HOME: tmp() } });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const plan = JSON.parse(lines[0]!) as { version: number; steps: unknown[] };
    expect(plan.version).toBe(1);
    expect(plan.steps.length).toBeGreaterThan(10);
  });
});
