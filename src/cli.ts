// The commander program. Command modules are imported only when their
// command runs, so --version and --help stay fast (issue #10, P1). Each
// command's flags are declared in ./commands/flags.ts, which types them.

import { Command } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import * as flags from './commands/flags.js';
import { withHelm } from './process/tool-paths.js';

/** `--helm PATH` on the commands that run helm: every helm call of the command (probes and steps) runs that binary. */
const withHelmPath = (ctx: CliContext, options: { helm?: string }): CliContext =>
  options.helm ? { ...ctx, runner: withHelm(ctx.runner, options.helm, ctx.cwd) } : ctx;

export function buildProgram(ctx: CliContext, version: string): Command {
  const program = new Command('openim-deploy')
    .description('Install OpenIM (server + chat) on Kubernetes or Linux hosts, online or offline.')
    .version(version, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride();

  flags
    .installOptions(
      program
        .command('install')
        .description('install or update OpenIM (re-running resumes and applies only what changed)'),
    )
    .action(async (options) =>
      (await import('./commands/install.js')).installCommand(withHelmPath(ctx, options), options),
    );

  flags
    .planOptions(
      program.command('plan').description('print the ordered steps install would run, without touching anything'),
    )
    .action(async (options) => (await import('./commands/plan.js')).planCommand(ctx, options));

  flags
    .renderOptions(
      program
        .command('render')
        .description('write every file the plan would write (values, manifests, units, configs) into a folder'),
    )
    .action(async (options) => (await import('./commands/render.js')).renderCommand(ctx, options));

  flags
    .doctorOptions(
      program
        .command('doctor')
        .description("run the preflight checks, and on a live install diagnose OpenIM's known problems, with fixes"),
    )
    .action(async (options) =>
      (await import('./commands/doctor.js')).doctorCommand(withHelmPath(ctx, options), options),
    );

  const config = program.command('config').description('create, check and explain configuration files');
  flags
    .configInitOptions(config.command('init').description('write a complete, commented config file'))
    .action(async (options) => (await import('./commands/config.js')).configInitCommand(ctx, options));
  flags
    .configValidateOptions(
      config.command('validate').description('check a config file; lists every problem with its path'),
    )
    .action(async (options) => (await import('./commands/config.js')).configValidateCommand(ctx, options));
  flags
    .configSchemaOptions(config.command('schema').description('print the JSON Schema of the config file (for editors)'))
    .action(async (options) => (await import('./commands/config.js')).configSchemaCommand(ctx, options));
  flags
    .configShowOptions(
      config
        .command('show')
        .description('print the effective config (secrets redacted) and where each value came from'),
    )
    .action(async (options) => (await import('./commands/config.js')).configShowCommand(ctx, options));

  const bundle = program
    .command('bundle')
    .description('offline bundles: everything an install needs, for machines with no network');
  flags
    .bundleCreateOptions(
      bundle
        .command('create')
        .description('collect the images, charts and files install needs for this config into one verified file'),
    )
    .action(async (options) => (await import('./commands/bundle.js')).bundleCreateCommand(ctx, options));
  flags
    .bundleVerifyOptions(
      bundle
        .command('verify')
        .description(
          'check every checksum (and the signature with --key); names each bad file, exits 1 when any is bad',
        ),
    )
    .argument('<file>', 'bundle file (or its first part)')
    .action(async (file, options) => (await import('./commands/bundle.js')).bundleVerifyCommand(ctx, file, options));
  flags
    .bundleInspectOptions(bundle.command('inspect').description('list the contents, sizes and the blobs images share'))
    .argument('<file>', 'bundle file (or its first part)')
    .action(async (file, options) => (await import('./commands/bundle.js')).bundleInspectCommand(ctx, file, options));
  flags
    .bundlePushOptions(
      bundle.command('push').description('push every image of a bundle to a private registry, keeping digests'),
    )
    .argument('<file>', 'bundle file (or its first part)')
    .action(async (file, options) => (await import('./commands/bundle.js')).bundlePushCommand(ctx, file, options));
  flags
    .bundleLoadOptions(
      bundle
        .command('load')
        .description(
          "import every image of a bundle into this node's containerd (no registry needed); run it on each node",
        ),
    )
    .argument('<file>', 'bundle file (or its first part)')
    .action(async (file, options) => (await import('./commands/bundle.js')).bundleLoadCommand(ctx, file, options));
  flags
    .bundleKeygenOptions(
      bundle.command('keygen').description('write an ed25519 key pair for signing bundles (FILE.key, FILE.pub)'),
    )
    .action(async (options) => (await import('./commands/bundle.js')).bundleKeygenCommand(ctx, options));

  // Day two (issue #7): each command is loaded only when it runs.
  flags
    .statusOptions(
      program
        .command('status')
        .description('per component: version, ready/desired, restarts and why, endpoints; exit 4 when unhealthy'),
    )
    .action(async (options) => (await import('./commands/status.js')).statusCommand(ctx, options));
  flags
    .verifyOptions(
      program
        .command('verify')
        .description(
          'real checks against the installed system (tokens, users, WebSocket push, message storage, file upload/download, chat and admin login), each timed; exit 4 when one fails',
        ),
    )
    .action(async (options) => (await import('./commands/verify.js')).verifyCommand(ctx, options));
  flags
    .upgradeOptions(
      program
        .command('upgrade')
        .description(
          'upgrade to a newer catalog version: stepping stones, the seq migration into 3.8, a backup prompt first',
        ),
    )
    .action(async (options) =>
      (await import('./commands/upgrade.js')).upgradeCommand(withHelmPath(ctx, options), options),
    );
  flags
    .rollbackOptions(
      program
        .command('rollback')
        .description('go back to the version recorded before the current one (helm rollback / switch current back)'),
    )
    .action(async (options) =>
      (await import('./commands/rollback.js')).rollbackCommand(withHelmPath(ctx, options), options),
    );
  flags
    .uninstallOptions(
      program
        .command('uninstall')
        .description(
          'remove what openim-deploy created, in reverse order; data and credentials are kept unless --purge',
        ),
    )
    .action(async (options) =>
      (await import('./commands/uninstall.js')).uninstallCommand(withHelmPath(ctx, options), options),
    );
  flags
    .backupOptions(
      program
        .command('backup')
        .description(
          'one archive of the data (MongoDB dump, uploaded files), config, secrets and journal; manifest with checksums, encrypted with --key-file',
        ),
    )
    .action(async (options) => (await import('./commands/backup.js')).backupCommand(ctx, options));
  flags
    .restoreOptions(
      program
        .command('restore')
        .description(
          'put a backup back into an install of the same versions: database, uploaded files, application secrets; then start and check health',
        ),
    )
    .argument('<archive>', 'archive file, or s3://bucket/key')
    .action(async (archive, options) => (await import('./commands/restore.js')).restoreCommand(ctx, archive, options));
  flags
    .supportBundleOptions(
      program
        .command('support-bundle')
        .description('write status, events, recent logs, redacted config, plan, versions and journal into one tar.gz'),
    )
    .action(async (options) => (await import('./commands/support-bundle.js')).supportBundleCommand(ctx, options));
  flags
    .logsOptions(
      program
        .command('logs')
        .description('recent logs of a module: kubectl logs across its pods, or journalctl for its units'),
    )
    .argument('<module>', 'e.g. openim-api, chat-api, mongodb')
    .action(async (module, options) => (await import('./commands/logs.js')).logsCommand(ctx, module, options));

  return program;
}
