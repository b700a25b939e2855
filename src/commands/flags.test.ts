// From argv to the options object each command's action receives, through the
// real program (src/cli.ts with ./flags.ts): one row with nothing optional given
// (the defaults) and one with the flags given, for every command. Compared
// strictly, so a flag whose type or default changes fails here.
import { describe, expect, it } from 'vitest';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { buildProgram } from '../cli.js';
import type { CliContext } from '../context.js';
import { ConfigError } from '../errors.js';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { NonInteractivePrompter } from '../wizard/prompter.js';

/** The real program; its runner refuses every command, since parsing flags runs none. */
function program() {
  const ctx: CliContext = {
    io: { out: () => undefined, err: () => undefined, interactive: false, tty: false },
    env: {},
    cwd: '/nonexistent',
    runner: new RecordingRunner(() => {
      throw new Error('nothing may run while parsing flags');
    }),
    prompter: new NonInteractivePrompter(),
    signal: new AbortController().signal,
  };
  return buildProgram(ctx, '0.0.0-test');
}

/** The command path and options commander hands the action of `argv`; the action itself never runs. */
async function parsed(argv: string[]): Promise<{ command: string; options: Record<string, unknown> }> {
  let seen: { command: string; options: Record<string, unknown> } | undefined;
  const stop = new Error('stop before the action');
  const parsing = program()
    .hook('preAction', (_program, command) => {
      seen = { command: commandPath(command), options: command.opts() };
      throw stop;
    })
    .parseAsync(argv, { from: 'user' });
  await expect(parsing).rejects.toBe(stop);
  return seen!;
}

const commandPath = (command: CommandUnknownOpts): string =>
  command.parent?.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();

/** Every command with an action (not the groups `config` and `bundle`, nor `help`). */
function leafCommands(command: CommandUnknownOpts = program()): string[] {
  return command.commands.flatMap((c) => (c.commands.length ? leafCommands(c) : [commandPath(c)]));
}

const CONFIG_GIVEN = [
  '--preset',
  'dev',
  '-c',
  'c.yaml',
  '--set',
  'a=1',
  '--set',
  'b=2',
  '--target',
  'binary',
  '--profile',
  'production',
  '--domain',
  'im.example.com',
  '--namespace',
  'im',
  '--ingress',
  'nginx',
  '--storage',
  'nfs',
  '--mirror',
  'm.example',
  '--bundle',
  'b.tar',
];
const CONFIG_OPTIONS = {
  preset: 'dev',
  config: 'c.yaml',
  set: ['a=1', 'b=2'],
  target: 'binary',
  profile: 'production',
  domain: 'im.example.com',
  namespace: 'im',
  ingress: 'nginx',
  storage: 'nfs',
  mirror: 'm.example',
  bundle: 'b.tar',
};

const TABLE: [argv: string[], options: Record<string, unknown>][] = [
  [['install'], { concurrency: 4 }],
  [
    [
      'install',
      '--dry-run',
      '-y',
      '--json',
      '--concurrency',
      '8',
      '--workdir',
      'w',
      '--force',
      '--wait-lock',
      '--bundle-key',
      'k.pub',
      '--allow-unverified-signature',
      '--helm',
      '/h',
      '--ignore-preflight',
      'a',
      'b',
      ...CONFIG_GIVEN,
    ],
    {
      concurrency: 8,
      dryRun: true,
      yes: true,
      json: true,
      workdir: 'w',
      force: true,
      waitLock: true,
      bundleKey: 'k.pub',
      allowUnverifiedSignature: true,
      helm: '/h',
      ignorePreflight: ['a', 'b'],
      ...CONFIG_OPTIONS,
    },
  ],
  [['plan'], {}],
  [
    ['plan', '--json', '-o', 'p.json', '--force', ...CONFIG_GIVEN],
    { json: true, output: 'p.json', force: true, ...CONFIG_OPTIONS },
  ],
  [['render', '--out', 'o'], { out: 'o', helm: 'helm' }],
  [
    ['render', '--out', 'o', '--helm', 'h', '--bundle-key', 'k', '--allow-unverified-signature', '--force'],
    { out: 'o', helm: 'h', bundleKey: 'k', allowUnverifiedSignature: true, force: true },
  ],
  [['doctor'], {}],
  [['doctor', '--json', '--workdir', 'w', '--helm', 'h'], { json: true, workdir: 'w', helm: 'h' }],
  [['config', 'init'], { output: 'openim-deploy.yaml' }],
  [['config', 'init', '-o', '-', '--preset', 'dev', '--force'], { output: '-', preset: 'dev', force: true }],
  [['config', 'validate'], {}],
  [['config', 'validate', ...CONFIG_GIVEN], CONFIG_OPTIONS],
  [['config', 'schema'], {}],
  [['config', 'schema', '-o', 's.json', '--force'], { output: 's.json', force: true }],
  [['config', 'show'], {}],
  [['config', 'show', '--json'], { json: true }],
  [
    ['bundle', 'create', '-o', 'b.tar'],
    { output: 'b.tar', platform: 'linux/amd64', concurrency: 4, retries: 4, helm: 'helm' },
  ],
  [
    [
      'bundle',
      'create',
      '-o',
      'b.tar',
      '--platform',
      'linux/arm64',
      '--split',
      '4G',
      '--concurrency',
      '2',
      '--retries',
      '3',
      '--sign-key',
      's.key',
      '--pull-mirror',
      'docker.io=m',
      '--pull-mirror',
      'quay.io=q',
      '--url-mirror',
      'u=v',
      '--plain-http',
      'h',
      '--ca-file',
      'ca.pem',
      '--tls-skip-verify',
      't',
      '--contents-from',
      'c.yaml',
      '--helm',
      'h',
      '--json',
    ],
    {
      output: 'b.tar',
      platform: 'linux/arm64',
      split: '4G',
      concurrency: 2,
      retries: 3,
      signKey: 's.key',
      pullMirror: ['docker.io=m', 'quay.io=q'],
      urlMirror: ['u=v'],
      plainHttp: ['h'],
      caFile: ['ca.pem'],
      tlsSkipVerify: ['t'],
      contentsFrom: 'c.yaml',
      helm: 'h',
      json: true,
    },
  ],
  [['bundle', 'verify', 'b.tar'], {}],
  [
    ['bundle', 'verify', 'b.tar', '--key', 'k.pub', '--allow-unverified-signature', '--json'],
    { key: 'k.pub', allowUnverifiedSignature: true, json: true },
  ],
  [['bundle', 'inspect', 'b.tar'], {}],
  [['bundle', 'inspect', 'b.tar', '--json'], { json: true }],
  [
    ['bundle', 'push', 'b.tar', '--registry', 'r:5000'],
    { registry: 'r:5000', concurrency: 4, retries: 4, verify: true },
  ],
  [
    [
      'bundle',
      'push',
      'b.tar',
      '--registry',
      'r:5000',
      '--concurrency',
      '8',
      '--retries',
      '2',
      '--chunk-size',
      '8M',
      '--plain-http',
      '--ca-file',
      'a.pem',
      '--ca-file',
      'b.pem',
      '--tls-skip-verify',
      '--no-verify',
      '--key',
      'k',
      '--allow-unverified-signature',
      '--json',
    ],
    {
      registry: 'r:5000',
      concurrency: 8,
      retries: 2,
      chunkSize: '8M',
      plainHttp: true,
      caFile: ['a.pem', 'b.pem'],
      tlsSkipVerify: true,
      verify: false,
      key: 'k',
      allowUnverifiedSignature: true,
      json: true,
    },
  ],
  [
    ['bundle', 'load', 'b.tar'],
    { address: '/run/containerd/containerd.sock', namespace: 'k8s.io', ctr: 'ctr', verify: true },
  ],
  [
    [
      'bundle',
      'load',
      'b.tar',
      '--address',
      '/s',
      '--namespace',
      'x',
      '--ctr',
      '/c',
      '--no-verify',
      '--key',
      'k',
      '--allow-unverified-signature',
      '--json',
    ],
    { address: '/s', namespace: 'x', ctr: '/c', verify: false, key: 'k', allowUnverifiedSignature: true, json: true },
  ],
  [['bundle', 'keygen'], { output: 'openim-bundle' }],
  [['bundle', 'keygen', '-o', 'k', '--force'], { output: 'k', force: true }],
  [['status'], { interval: 5 }],
  [
    ['status', '--json', '-w', '--interval', '2.5', '--workdir', 'w', ...CONFIG_GIVEN],
    { json: true, watch: true, interval: 2.5, workdir: 'w', ...CONFIG_OPTIONS },
  ],
  [['verify'], { deliveryTimeout: 90 }],
  [
    [
      'verify',
      '--json',
      '--api-url',
      'http://a',
      '--ws-url',
      'ws://w',
      '--chat-url',
      'http://c',
      '--admin-url',
      'http://ad',
      '--object-url',
      'http://o',
      '--ca',
      'ca.pem',
      '--delivery-timeout',
      '30',
    ],
    {
      json: true,
      apiUrl: 'http://a',
      wsUrl: 'ws://w',
      chatUrl: 'http://c',
      adminUrl: 'http://ad',
      objectUrl: 'http://o',
      ca: 'ca.pem',
      deliveryTimeout: 30,
    },
  ],
  // Neither --backup nor --no-backup: undefined, so a terminal asks.
  [['upgrade', '--to', 'v3.8.3'], { to: 'v3.8.3', concurrency: 4 }],
  [['upgrade', '--to', 'v3.8.3', '--no-backup'], { to: 'v3.8.3', concurrency: 4, backup: false }],
  [
    [
      'upgrade',
      '--to',
      'v3.8.3',
      '--chat-version',
      'v1.8.4',
      '-y',
      '--dry-run',
      '--json',
      '--concurrency',
      '2',
      '--wait-lock',
      '--skip-migration',
      '--backup',
      '--backup-to',
      's3://b/p',
      '--key-file',
      'k',
      '--helm',
      'h',
      '--ignore-preflight',
      'x',
    ],
    {
      to: 'v3.8.3',
      chatVersion: 'v1.8.4',
      yes: true,
      dryRun: true,
      json: true,
      concurrency: 2,
      waitLock: true,
      skipMigration: true,
      backup: true,
      backupTo: 's3://b/p',
      keyFile: 'k',
      helm: 'h',
      ignorePreflight: ['x'],
    },
  ],
  [['rollback'], {}],
  [
    ['rollback', '-y', '--dry-run', '--json', '--wait-lock', '--helm', 'h'],
    { yes: true, dryRun: true, json: true, waitLock: true, helm: 'h' },
  ],
  [['uninstall'], {}],
  [
    ['uninstall', '--keep-data', '--purge', '--delete-data', '-y', '--dry-run', '--json', '--wait-lock', '--helm', 'h'],
    { keepData: true, purge: true, deleteData: true, yes: true, dryRun: true, json: true, waitLock: true, helm: 'h' },
  ],
  [['backup'], {}],
  [
    ['backup', '--to', '/b', '--key-file', 'k', '--json', '--wait-lock'],
    { to: '/b', keyFile: 'k', json: true, waitLock: true },
  ],
  [['restore', 'a.tar'], {}],
  [
    [
      'restore',
      'a.tar',
      '--key-file',
      'k',
      '--allow-version-mismatch',
      '--skip-indexes',
      '-y',
      '--json',
      '--wait-lock',
      '--ignore-preflight',
      'p',
    ],
    {
      keyFile: 'k',
      allowVersionMismatch: true,
      skipIndexes: true,
      yes: true,
      json: true,
      waitLock: true,
      ignorePreflight: ['p'],
    },
  ],
  [['support-bundle', '-o', 's.tar.gz'], { output: 's.tar.gz' }],
  [
    ['support-bundle', '-o', 's.tar.gz', '--force', '--workdir', 'w'],
    { output: 's.tar.gz', force: true, workdir: 'w' },
  ],
  [['logs', 'openim-api'], { tail: 200 }],
  [['logs', 'openim-api', '-f', '--tail', '10'], { follow: true, tail: 10 }],
];

const BAD: [argv: string[], message: string][] = [
  [['status', '--interval', '0'], '--interval: must be a number of seconds from 1 to 3600'],
  [['status', '--interval', '3601'], '--interval: must be a number of seconds from 1 to 3600'],
  [['status', '--interval', 'soon'], '--interval: must be a number of seconds from 1 to 3600'],
  [['verify', '--delivery-timeout', '0.5'], '--delivery-timeout: must be a number of seconds from 1 to 3600'],
  [['verify', '--delivery-timeout', ''], '--delivery-timeout: must be a number of seconds from 1 to 3600'],
];

describe('argv → options, every command', () => {
  it.each(TABLE)('%j', async (argv, options) => {
    const { command, options: got } = await parsed(argv);
    expect(argv.join(' ').startsWith(command)).toBe(true);
    expect(got).toStrictEqual(options);
  });

  it('the table has both rows for every command of the program', () => {
    const rows = new Map<string, number>();
    for (const [argv] of TABLE) {
      const command = leafCommands().find((c) => argv.join(' ').startsWith(`${c} `) || argv.join(' ') === c);
      if (command) rows.set(command, (rows.get(command) ?? 0) + 1);
    }
    expect(leafCommands().filter((c) => (rows.get(c) ?? 0) < 2)).toEqual([]);
    expect(leafCommands()).toHaveLength(23); // the enumeration itself works: 4 + config 4 + bundle 6 + day two 9
  });

  it.each(BAD)('%j is refused while parsing: %s', async (argv, message) => {
    const error = await program()
      .hook('preAction', () => {
        throw new Error('the action must not be reached');
      })
      .parseAsync(argv, { from: 'user' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
  });
});
