// The commander program. Command modules are imported only when their
// command runs, so --version and --help stay fast (issue #10, P1).

import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { addConfigOptions } from './commands/config-options.js';

export function buildProgram(ctx: CliContext, version: string): Command {
  const program = new Command('openim-deploy')
    .description('Install OpenIM (server + chat) on Kubernetes or Linux hosts, online or offline.')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride();

  addConfigOptions(
    program
      .command('install')
      .description('install or update OpenIM (re-running resumes and applies only what changed)')
      .option('--dry-run', 'print the plan and change nothing')
      .option('-y, --yes', 'apply without asking (required without a terminal)')
      .option('--json', 'machine-readable progress events (JSON lines)')
      .option('--concurrency <n>', 'steps run at once where the plan allows', '4')
      .option('--workdir <dir>', 'where values files, charts and the local state live')
      .option('--force', 're-run every step even when the journal says it is done and unchanged')
      .addOption(new Option('--ignore-preflight <id...>', 'treat these preflight errors as warnings')),
  ).action(async (flags) => (await import('./commands/install.js')).installCommand(ctx, flags));

  addConfigOptions(
    program
      .command('plan')
      .description('print the ordered steps install would run, without touching anything')
      .option('--json', 'print the plan as JSON')
      .option('-o, --output <file>', 'write the plan JSON to a file'),
  ).action(async (flags) => (await import('./commands/plan.js')).planCommand(ctx, flags));

  addConfigOptions(
    program
      .command('render')
      .description('write every file the plan would write (values, manifests, units, configs) into a folder')
      .requiredOption('--out <dir>', 'output folder')
      .option('--helm <path>', 'helm binary used to render manifests', 'helm'),
  ).action(async (flags) => (await import('./commands/render.js')).renderCommand(ctx, flags));

  addConfigOptions(
    program.command('doctor').description('run the preflight checks against the target and print findings with fixes').option('--json', 'print facts and findings as JSON'),
  ).action(async (flags) => (await import('./commands/doctor.js')).doctorCommand(ctx, flags));

  const config = program.command('config').description('create, check and explain configuration files');
  config
    .command('init')
    .description('write a complete, commented config file')
    .option('-o, --output <file>', 'file to write (- for stdout)', 'openim-deploy.yaml')
    .option('--preset <name>', 'start from a preset')
    .option('--force', 'overwrite an existing file')
    .action(async (flags) => (await import('./commands/config.js')).configInitCommand(ctx, flags));
  addConfigOptions(config.command('validate').description('check a config file; lists every problem with its path')).action(async (flags) =>
    (await import('./commands/config.js')).configValidateCommand(ctx, flags),
  );
  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editors)')
    .option('-o, --output <file>', 'write to a file')
    .action(async (flags) => (await import('./commands/config.js')).configSchemaCommand(ctx, flags));
  addConfigOptions(config.command('show').description('print the effective config (secrets redacted) and where each value came from').option('--json', 'as JSON')).action(
    async (flags) => (await import('./commands/config.js')).configShowCommand(ctx, flags),
  );

  return program;
}
