// How `install` uses the wizard: only on a terminal and without --yes;
// dry-run and non-interactive behaviour stay as they were.

import { afterAll, describe, expect, it } from 'vitest';
import type { InstallFlags } from '../commands/flags.js';
import { installCommand } from '../commands/install.js';
import type { CliContext } from '../context.js';
import { ConfigError } from '../errors.js';
import { NonInteractivePrompter, type Prompter } from './prompter.js';
import { ScriptedPrompter } from './scripted-prompter.js';
import { fakeMachine, KUBERNETES_DEFAULTS, removeTempDirs, tempDir } from '../../test/helpers/wizard-helpers.js';

afterAll(removeTempDirs);

function context(prompter: Prompter, interactive: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const runner = fakeMachine({ init: 'process_api' });
  const ctx: CliContext = {
    io: { out: (s) => out.push(s), err: (s) => err.push(s), interactive, tty: interactive },
    env: {},
    cwd: tempDir(),
    runner,
    prompter,
    signal: new AbortController().signal,
  };
  return { ctx, out, err, runner };
}

/** `flags` as commander hands them over: --concurrency has its default. */
async function install(prompter: Prompter, interactive: boolean, given: Omit<InstallFlags, 'concurrency'>) {
  const flags: InstallFlags = { concurrency: 4, ...given };
  const c = context(prompter, interactive);
  await installCommand(c.ctx, flags);
  return { out: c.out.join(''), err: c.err.join('\n'), runner: c.runner };
}

describe('install and the wizard', () => {
  it('on a terminal without --yes, --dry-run runs the wizard, then prints the plan', async () => {
    const prompter = new ScriptedPrompter(KUBERNETES_DEFAULTS);
    const { out, err } = await install(prompter, true, { dryRun: true });
    prompter.done();
    expect(err).toMatch(/Summary/);
    expect(out).toMatch(/^Plan v1: .* → kubernetes \(dev\) in /);
    expect(out).toMatch(/dry run: nothing was changed\.\n$/);
  });

  it('answering no at the end prints no plan and changes nothing', async () => {
    const prompter = new ScriptedPrompter(
      KUBERNETES_DEFAULTS.map((s) => (s.key === '--yes' ? { ...s, answer: false } : s)),
    );
    const { out, err } = await install(prompter, true, { dryRun: true });
    expect(out).toBe('');
    expect(err).toMatch(/nothing was changed/);
  });

  it('with --yes on a terminal there is no wizard (and a dry run touches nothing)', async () => {
    const prompter = new ScriptedPrompter([]);
    const { out, runner } = await install(prompter, true, { dryRun: true, yes: true, preset: 'dev' });
    prompter.done();
    expect(out).toMatch(/^Plan v1/);
    expect(runner.calls).toHaveLength(0);
  });

  it('without a terminal a dry run never prompts and never probes', async () => {
    const prompter = new ScriptedPrompter([]);
    const { out, runner } = await install(prompter, false, { dryRun: true, preset: 'dev' });
    prompter.done();
    expect(out).toMatch(/^Plan v1/);
    expect(runner.calls).toHaveLength(0);
  });

  it('without a terminal, install without --yes fails naming --yes, before any probe', async () => {
    const c = context(new NonInteractivePrompter(), false);
    const error = await installCommand(c.ctx, { preset: 'dev', concurrency: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]?.path).toBe('--yes');
    expect(c.runner.calls).toHaveLength(0);
  });
});
