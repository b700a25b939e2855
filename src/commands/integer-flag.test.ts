// From argv to the options an action receives, through the real commander
// program: whole-number flags arrive as numbers, their defaults too, and a bad
// value is a ConfigError naming the flag before any action runs.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../cli.js';
import type { CliContext } from '../context.js';
import { ConfigError } from '../errors.js';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { NonInteractivePrompter } from '../wizard/prompter.js';
import { wholeNumber } from './integer-flag.js';

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

/** The options commander hands the action of `argv`'s command; the action itself never runs. */
async function optionsFor(argv: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> | undefined;
  const stop = new Error('stop before the action');
  const parsing = program()
    .hook('preAction', (_program, command) => {
      seen = command.opts();
      throw stop;
    })
    .parseAsync(argv, { from: 'user' });
  await expect(parsing).rejects.toBe(stop);
  return seen!;
}

const CASES: [argv: string[], expected: Record<string, number>][] = [
  [['install'], { concurrency: 4 }],
  [['install', '--concurrency', '1'], { concurrency: 1 }],
  [['install', '--concurrency=64'], { concurrency: 64 }],
  [['upgrade', '--to', 'v3.8.3'], { concurrency: 4 }],
  [['upgrade', '--to', 'v3.8.3', '--concurrency', '12'], { concurrency: 12 }],
  [['bundle', 'create', '-o', 'b.tar'], { concurrency: 4, retries: 4 }],
  [['bundle', 'create', '-o', 'b.tar', '--concurrency', '32', '--retries', '1'], { concurrency: 32, retries: 1 }],
  [['bundle', 'push', 'b.tar', '--registry', 'r:5000'], { concurrency: 4, retries: 4 }],
  [
    ['bundle', 'push', 'b.tar', '--registry', 'r:5000', '--concurrency', '2', '--retries', '20'],
    { concurrency: 2, retries: 20 },
  ],
  [['logs', 'openim-api'], { tail: 200 }],
  [['logs', 'openim-api', '--tail', '100000'], { tail: 100_000 }],
];

const BAD: [argv: string[], message: string][] = [
  [['install', '--concurrency', '0'], '--concurrency: must be a whole number from 1 to 64'],
  [['install', '--concurrency', '65'], '--concurrency: must be a whole number from 1 to 64'],
  [['install', '--concurrency', 'four'], '--concurrency: must be a whole number from 1 to 64'],
  [['install', '--concurrency', '2.5'], '--concurrency: must be a whole number from 1 to 64'],
  [['upgrade', '--to', 'v3.8.3', '--concurrency', ''], '--concurrency: must be a whole number from 1 to 64'],
  [['bundle', 'create', '-o', 'b.tar', '--concurrency', '33'], '--concurrency: must be a whole number from 1 to 32'],
  [
    ['bundle', 'push', 'b.tar', '--registry', 'r:5000', '--retries', '0'],
    '--retries: must be a whole number from 1 to 20',
  ],
  [
    ['bundle', 'push', 'b.tar', '--registry', 'r:5000', '--retries', '21'],
    '--retries: must be a whole number from 1 to 20',
  ],
  [['logs', 'openim-api', '--tail', '100001'], '--tail: must be a whole number from 1 to 100000'],
  [['logs', 'openim-api', '--tail', '-5'], '--tail: must be a whole number from 1 to 100000'],
];

describe('whole-number flags', () => {
  it.each(CASES)('%j gives %j', async (argv, expected) => {
    expect(await optionsFor(argv)).toMatchObject(expected);
  });

  it.each(BAD)('%j is refused: %s', async (argv, message) => {
    const parsing = program()
      .hook('preAction', () => {
        throw new Error('the action must not be reached');
      })
      .parseAsync(argv, { from: 'user' });
    const error = await parsing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
  });

  it('accepts the bounds and nothing outside them', () => {
    const parse = wholeNumber('--n', 2, 5);
    expect([2, 5].map((n) => parse(String(n)))).toEqual([2, 5]);
    for (const text of ['1', '6', 'NaN', 'Infinity', '3.1'])
      expect(() => parse(text)).toThrow('--n: must be a whole number from 2 to 5');
  });
});
