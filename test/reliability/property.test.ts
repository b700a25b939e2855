// Property over CLI argument vectors, config files and OPENIM_DEPLOY_* env:
// 10 000 cases through the real commander program, with a Runner that finds
// no tools (so nothing is probed or changed). Whatever comes in, the CLI
// either succeeds or rejects it with a typed error: every ConfigError issue
// names a path or flag, every commander error names the option, argument or
// command. Never a TypeError/RangeError/ReferenceError, never an unhandled
// rejection.
//
// Everything that could write is pointed into a temp folder: --workdir, -o,
// --out, and the binary target's folders (appended --set, which beats env
// and files), so a random vector can never touch this host.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { ConfigError } from '../../src/errors.js';
import { leafPaths } from '../../src/config/json-schema.js';
import { envNameFor } from '../../src/config/resolve.js';
import type { Runner } from '../../src/process/runner.js';
import { runCli, tempDir } from './harness.js';

const noTools: Runner = { run: async (argv) => ({ exitCode: 127, stdout: '', stderr: `${argv[0]}: not found` }) };

const root = tempDir('property');
const safe = {
  workdir: join(root, 'work'),
  output: join(root, 'out.tar.gz'),
  render: join(root, 'render'),
  config: join(root, 'config.yaml'),
};
mkdirSync(safe.workdir, { recursive: true });
const SAFE_SETS = ['prefix', 'configDir', 'dataDir', 'stateDir', 'unitDir'].flatMap((k) => [
  '--set',
  `binary.${k}=${join(root, 'host', k)}`,
]);

const leaves = leafPaths();
const value = fc.oneof(
  fc.constantFrom(
    '',
    'true',
    'false',
    '0',
    '-1',
    '3',
    '64',
    '65',
    '1.5',
    'null',
    '[]',
    '{}',
    'a,b',
    'x:1',
    'host:27017',
    '/abs/path',
    'v3.8.4',
    'v3.8.3-patch.16',
    'v9.9.9',
    'dev',
    'production',
    'kubernetes',
    'binary',
    'openim',
    'Bad_NS',
    'im.example.com',
    'http://external_ip:10005',
    'openim-api',
    'mongodb',
    '10m',
  ),
  fc.string({ maxLength: 16 }),
  fc.integer({ min: -5, max: 100_000 }).map(String),
);
const word = fc.stringMatching(/^[a-zA-Z0-9._-]{1,14}$/);
const setKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...leaves) },
  { weight: 1, arbitrary: word },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'openim',
      'openim.',
      '.x',
      'a..b',
      'openim.replicas.openim-api',
      'openim.replicas.nope',
      'infrastructure.mongodb.address[0]',
    ),
  },
);

const configFlag = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constant('--preset'),
      fc.constantFrom('dev', 'production', 'offline', 'single-host', 'china-mirror', 'nope', ''),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constant('--set'),
      fc.tuple(setKey, value).map(([k, v]) => `${k}=${v}`),
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constant('--set'), value) },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom(
        '--target',
        '--profile',
        '--domain',
        '--namespace',
        '--ingress',
        '--storage',
        '--mirror',
        '--bundle',
      ),
      value,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(['-c', safe.config], ['-c', join(root, 'missing.yaml')], ['--workdir', safe.workdir]),
  },
);

/** Options each command has, with values; a few from other commands and plain garbage too. */
const list = (a: fc.Arbitrary<readonly string[]>): fc.Arbitrary<string[]> => a.map((x) => [...x]);
const own: Record<string, fc.Arbitrary<string[]>> = {
  install: list(
    fc.oneof(
      fc.constantFrom(['--yes'], ['--dry-run'], ['--json'], ['--force'], ['--wait-lock']),
      fc.tuple(fc.constant('--concurrency'), value),
    ),
  ),
  plan: list(fc.constantFrom(['--json'], ['-o', safe.output])),
  render: list(fc.constantFrom(['--out', safe.render])),
  doctor: list(fc.constantFrom(['--json'])),
  status: list(fc.oneof(fc.constantFrom(['--json']), fc.tuple(fc.constant('--interval'), value))),
  upgrade: list(
    fc.oneof(
      fc.constantFrom(['--yes'], ['--dry-run'], ['--json'], ['--skip-migration'], ['--wait-lock']),
      fc.tuple(fc.constantFrom('--to', '--chat-version', '--concurrency'), value),
    ),
  ),
  rollback: list(fc.constantFrom(['--yes'], ['--dry-run'], ['--json'], ['--wait-lock'])),
  uninstall: list(
    fc.constantFrom(
      ['--yes'],
      ['--dry-run'],
      ['--json'],
      ['--purge'],
      ['--keep-data'],
      ['--delete-data'],
      ['--wait-lock'],
    ),
  ),
  logs: list(
    fc.oneof(
      fc.tuple(fc.constant('--tail'), value),
      fc.constantFrom(['openim-api'], ['chat-api'], ['mongodb'], ['openim-apii'], ['nope']),
    ),
  ),
  'support-bundle': list(fc.constantFrom(['-o', safe.output], ['--output', safe.output])),
  config: list(fc.constantFrom(['--json'])),
};
const garbage = fc.oneof(
  fc.constantFrom(
    ['--frobnicate'],
    ['-x'],
    ['--set'],
    ['--to'],
    ['--preset'],
    ['-V'],
    ['--help'],
    ['--yes'],
    ['--purge'],
  ),
  word.map((w) => [w]),
);

const COMMANDS: [string[], number][] = [
  [['install'], 6],
  [['status'], 4],
  [['doctor'], 3],
  [['upgrade'], 4],
  [['rollback'], 3],
  [['uninstall'], 4],
  [['logs'], 3],
  [['config', 'validate'], 5],
  [['config', 'show'], 3],
  [['support-bundle'], 2],
  [['bogus'], 1],
  [[], 1],
  // Plan-building vectors cost tens of ms each: rarer.
  [['plan'], 2],
  [['render'], 1],
];

const vector = fc.oneof(...COMMANDS.map(([cmd, weight]) => ({ weight, arbitrary: fc.constant(cmd) }))).chain((cmd) => {
  const mine = own[cmd[0] ?? ''] ?? garbage;
  const flags = fc.array(
    fc.oneof({ weight: 5, arbitrary: configFlag }, { weight: 4, arbitrary: mine }, { weight: 1, arbitrary: garbage }),
    { maxLength: 4 },
  );
  // Half the vectors start from a valid base, so later flags decide more often than the defaults do.
  const base = fc.constantFrom<string[]>(
    [],
    ['--preset', 'dev'],
    ['--preset', 'single-host'],
    ['--preset', 'dev', '-c', safe.config],
  );
  return fc.tuple(
    fc.constant(cmd),
    fc.tuple(base, flags).map(([b, f]) => [b, ...f]),
  );
});

const configFile = fc.option(
  fc.oneof(
    fc
      .dictionary(fc.constantFrom(...leaves), fc.oneof(value, fc.integer(), fc.boolean(), fc.constant(null)), {
        maxKeys: 5,
      })
      .map((flat) => {
        const nested: Record<string, unknown> = {};
        for (const [path, v] of Object.entries(flat)) {
          const parts = path.split('.');
          let node = nested;
          parts.slice(0, -1).forEach((p) => (node = (node[p] ??= {}) as Record<string, unknown>));
          node[parts[parts.length - 1]!] = v;
        }
        return stringify(nested);
      }),
    fc.constantFrom('', 'target: [', '- a\n- b\n', 'just text', 'target: binary\ntarget: kubernetes\n'),
  ),
  { nil: undefined, freq: 3 },
);

const env = fc.option(
  fc.dictionary(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...leaves.map(envNameFor)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('OPENIM_DEPLOY_NOPE', 'OPENIM_DEPLOY_PRESET', 'OPENIM_DEPLOY_KUBERNETES_NAMESPACE'),
      },
    ),
    value,
    { minKeys: 1, maxKeys: 2 },
  ),
  { nil: {}, freq: 3 },
);

const BUG_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

describe('CLI argument vectors, config files and env (fast-check)', () => {
  it('10 000 cases: no uncaught exception, every rejection names a path or flag', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const bugs = new Map<string, string>();
    const counts = { ok: 0, config: 0, commander: 0, other: 0 };
    const started = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(vector, configFile, env, async ([cmd, flags], file, vars) => {
          if (file !== undefined) writeFileSync(safe.config, file);
          const argv = [...cmd, ...flags.flat(), ...SAFE_SETS];
          const r = await runCli(argv, { runner: noTools, cwd: root, env: vars, signal: AbortSignal.timeout(10_000) });
          const e = r.error;
          if (e === undefined) {
            counts.ok++;
            return;
          }
          if (BUG_ERRORS.some((Bug) => e instanceof Bug)) {
            // Collected, not thrown: one run lists every distinct crash site (first line of the stack).
            const site = ((e as Error).stack ?? '').split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ');
            if (!bugs.has(site)) bugs.set(site, `${argv.join(' ')} ${JSON.stringify(vars)}`);
            return;
          }
          expect(e, argv.join(' ')).toBeInstanceOf(Error);
          expect((e as Error).message.trim(), argv.join(' ')).not.toBe('');
          if (e instanceof ConfigError) {
            counts.config++;
            for (const issue of e.issues) {
              expect(issue.path.trim(), `${argv.join(' ')}: ${issue.message}`).not.toBe('');
              expect(issue.path, `${argv.join(' ')}: ${issue.message}`).toMatch(
                /^(--?[a-zA-Z]|<[a-z]+>|OPENIM_DEPLOY_|[a-zA-Z][\w-]*(\.|\[|$))/,
              );
              expect(issue.message.trim()).not.toBe('');
            }
          } else if (e instanceof CommanderError) {
            counts.commander++;
            // commander names what it refuses: 'option', 'argument', 'command' in quotes, or a flag.
            if (e.exitCode !== 0) expect(e.message, argv.join(' ')).toMatch(/'[^']+'|--[a-z]/);
          } else counts.other++;
        }),
        { numRuns: 10_000, seed: 20_261_127, endOnFailure: true },
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    console.log(`10 000 cases in ${((performance.now() - started) / 1000).toFixed(1)} s:`, counts);
    expect(unhandled).toEqual([]);
    // A TypeError & co. is a crash, whatever the input: each site with one input that reaches it.
    expect(Object.fromEntries(bugs)).toEqual({});
    // Both branches must be exercised, or the property is vacuous.
    expect(counts.ok).toBeGreaterThan(150);
    expect(counts.config).toBeGreaterThan(2000);
    expect(counts.commander).toBeGreaterThan(1000);
    expect(counts.other).toBeGreaterThan(100);
  });
});
