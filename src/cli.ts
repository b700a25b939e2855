// The commander program. Command modules are imported only when their
// command runs, so --version and --help stay fast (issue #10, P1).

import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { addConfigOptions } from './commands/config-options.js';
import { wholeNumber } from './commands/integer-flag.js';
import { withHelm } from './exec/tool-paths.js';

const collectValues = (value: string, previous: string[] = []) => [...previous, value];

/** Whole-number flags shared by several commands: checked while parsing, so actions get numbers. */
const STEP_CONCURRENCY = wholeNumber('--concurrency', 1, 64);
const BUNDLE_CONCURRENCY = wholeNumber('--concurrency', 1, 32);
const RETRIES = wholeNumber('--retries', 1, 20);

/** Commands that change things print JSON lines: one event per line, or with --dry-run one line per plan. */
const JSON_LINES_HELP = 'JSON lines on stdout: progress events, or with --dry-run the plan as one line';

/** `--helm PATH` on the commands that run helm: every helm call of the command (probes and steps) runs that binary. */
const HELM_HELP = 'helm binary to run (default: helm on PATH)';
const withHelmPath = (ctx: CliContext, flags: { helm?: string }): CliContext => (flags.helm ? { ...ctx, runner: withHelm(ctx.runner, flags.helm, ctx.cwd) } : ctx);

/** A signed bundle is refused without its public key unless this is given (issue #19): one flag name on every command that verifies a bundle. */
const ALLOW_UNVERIFIED = ['--allow-unverified-signature', 'accept a signed bundle without checking its signature (no public key at hand); without it a signed bundle needs the key'] as const;

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
      .option('--json', JSON_LINES_HELP)
      .option('--concurrency <n>', 'steps run at once where the plan allows', STEP_CONCURRENCY, 4)
      .option('--workdir <dir>', 'where values files, charts and the local state live')
      .option('--force', 're-run every step even when the journal says it is done and unchanged')
      .option('--wait-lock', 'wait for another run holding the deployment lock instead of refusing')
      .option('--bundle-key <pub>', 'public key the offline bundle must be signed with (bundle keygen); required for a signed bundle')
      .option(...ALLOW_UNVERIFIED)
      .option('--helm <path>', HELM_HELP)
      .addOption(new Option('--ignore-preflight <id...>', 'treat these preflight errors as warnings')),
  ).action(async (flags) => (await import('./commands/install.js')).installCommand(withHelmPath(ctx, flags), flags));

  addConfigOptions(
    program
      .command('plan')
      .description('print the ordered steps install would run, without touching anything')
      .option('--json', 'print the plan as JSON')
      .option('-o, --output <file>', 'write the plan JSON to a file')
      .option('--force', 'overwrite the -o file if it exists'),
  ).action(async (flags) => (await import('./commands/plan.js')).planCommand(ctx, flags));

  addConfigOptions(
    program
      .command('render')
      .description('write every file the plan would write (values, manifests, units, configs) into a folder')
      .requiredOption('--out <dir>', 'output folder')
      .option('--helm <path>', 'helm binary used to render manifests', 'helm')
      .option('--bundle-key <pub>', 'public key the offline bundle (--bundle) must be signed with; required for a signed bundle')
      .option(...ALLOW_UNVERIFIED)
      .option('--force', 'write into a folder that is not empty'),
  ).action(async (flags) => (await import('./commands/render.js')).renderCommand(ctx, flags));

  addConfigOptions(
    program
      .command('doctor')
      .description('run the preflight checks, and on a live install diagnose OpenIM\'s known problems, with fixes')
      .option('--json', 'print facts, findings and the live diagnosis as JSON')
      .option('--workdir <dir>', 'work dir of the install (where its local state lives)')
      .option('--helm <path>', HELM_HELP),
  ).action(async (flags) => (await import('./commands/doctor.js')).doctorCommand(withHelmPath(ctx, flags), flags));

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
    .option('--force', 'overwrite an existing file')
    .action(async (flags) => (await import('./commands/config.js')).configSchemaCommand(ctx, flags));
  addConfigOptions(config.command('show').description('print the effective config (secrets redacted) and where each value came from').option('--json', 'as JSON')).action(
    async (flags) => (await import('./commands/config.js')).configShowCommand(ctx, flags),
  );

  const bundle = program.command('bundle').description('offline bundles: everything an install needs, for machines with no network');
  addConfigOptions(
    bundle
      .command('create')
      .description('collect the images, charts and files install needs for this config into one verified file')
      .requiredOption('-o, --output <file>', 'bundle file to write (FILE.partial while writing; re-run to resume)')
      .option('--platform <list>', 'image platforms, comma-separated', 'linux/amd64')
      .option('--split <size>', 'write parts FILE.000, FILE.001 … of at most this size (e.g. 4G)')
      .option('--concurrency <n>', 'downloads at once', BUNDLE_CONCURRENCY, 4)
      .option('--retries <n>', 'attempts after a failed request', RETRIES, 4)
      .option('--sign-key <file>', 'ed25519 private key (bundle keygen) to sign the checksum list')
      .option('--pull-mirror <registry=mirror>', 'pull images of a registry from a mirror, e.g. docker.io=m.daocloud.io (repeatable)', collectValues)
      .option('--url-mirror <prefix=mirror>', 'download chart repositories and files under a URL prefix from a mirror (repeatable)', collectValues)
      .option('--plain-http <host>', 'speak plain HTTP to this registry (loopback always does; repeatable)', collectValues)
      .option('--ca-file <pem>', 'also trust this CA for registries and downloads (repeatable)', collectValues)
      .option('--tls-skip-verify <host>', 'speak TLS to this registry without verifying its certificate (repeatable)', collectValues)
      .option('--contents-from <file>', 'YAML with images/charts/files lists that replace the derived ones')
      .option('--helm <path>', 'helm binary that renders upstream charts to find the images they run', 'helm')
      .option('--json', 'print the result (manifest) as JSON'),
  ).action(async (flags) => (await import('./commands/bundle.js')).bundleCreateCommand(ctx, flags));
  bundle
    .command('verify')
    .description('check every checksum (and the signature with --key); names each bad file, exits 1 when any is bad')
    .argument('<file>', 'bundle file (or its first part)')
    .option('--key <pub>', 'public key (bundle keygen) the signature must verify against; required for a signed bundle')
    .option(...ALLOW_UNVERIFIED)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags) => (await import('./commands/bundle.js')).bundleVerifyCommand(ctx, file, flags));
  bundle
    .command('inspect')
    .description('list the contents, sizes and the blobs images share')
    .argument('<file>', 'bundle file (or its first part)')
    .option('--json', 'as JSON')
    .action(async (file: string, flags) => (await import('./commands/bundle.js')).bundleInspectCommand(ctx, file, flags));
  bundle
    .command('push')
    .description('push every image of a bundle to a private registry, keeping digests')
    .argument('<file>', 'bundle file (or its first part)')
    .requiredOption('--registry <host:port[/prefix]>', 'target registry; install with --set images.mirror=<the same>')
    .option('--concurrency <n>', 'images and blob uploads at once', BUNDLE_CONCURRENCY, 4)
    .option('--retries <n>', 'attempts after a failed request', RETRIES, 4)
    .option('--chunk-size <size>', 'upload blobs in chunks of this size (default: one request per blob)')
    .option('--plain-http', 'the registry speaks plain HTTP (loopback always does)')
    .option('--ca-file <pem>', 'also trust this CA (the private registry\'s; repeatable)', collectValues)
    .option('--tls-skip-verify', 'speak TLS to the registry without verifying its certificate')
    .option('--no-verify', 'skip verifying the bundle first')
    .option('--key <pub>', 'public key the signature must verify against; required for a signed bundle')
    .option(...ALLOW_UNVERIFIED)
    .option('--json', 'print the pushed images as JSON')
    .action(async (file: string, flags) => (await import('./commands/bundle.js')).bundlePushCommand(ctx, file, flags));
  bundle
    .command('load')
    .description("import every image of a bundle into this node's containerd (no registry needed); run it on each node")
    .argument('<file>', 'bundle file (or its first part)')
    .option('--address <socket>', "containerd's socket", '/run/containerd/containerd.sock')
    .option('--namespace <ns>', 'containerd namespace (k8s.io is the one kubelet uses)', 'k8s.io')
    .option('--ctr <path>', 'the ctr binary (package containerd)', 'ctr')
    .option('--no-verify', 'skip verifying the bundle first')
    .option('--key <pub>', 'public key the signature must verify against; required for a signed bundle')
    .option(...ALLOW_UNVERIFIED)
    .option('--json', 'print the loaded images as JSON')
    .action(async (file: string, flags) => (await import('./commands/bundle.js')).bundleLoadCommand(ctx, file, flags));
  bundle
    .command('keygen')
    .description('write an ed25519 key pair for signing bundles (FILE.key, FILE.pub)')
    .option('-o, --output <base>', 'file name without extension', 'openim-bundle')
    .option('--force', 'overwrite existing key files')
    .action(async (flags) => (await import('./commands/bundle.js')).bundleKeygenCommand(ctx, flags));

  // Day two (issue #7): each command is loaded only when it runs.
  const day2 = (command: Command) => addConfigOptions(command.option('--workdir <dir>', 'work dir of the install (where its local state lives)'));
  day2(
    program
      .command('status')
      .description('per component: version, ready/desired, restarts and why, endpoints; exit 4 when unhealthy')
      .option('--json', 'the report as JSON')
      .option('-w, --watch', 'refresh until Ctrl-C')
      .option('--interval <seconds>', 'refresh period with --watch', '5'),
  ).action(async (flags) => (await import('./commands/status.js')).statusCommand(ctx, flags));
  day2(
    program
      .command('verify')
      .description('real checks against the installed system (tokens, users, WebSocket push, message storage, file upload/download, chat and admin login), each timed; exit 4 when one fails')
      .option('--json', 'the report as JSON (per check: status, ms, detail, errCode/errMsg, kind)')
      .option('--api-url <url>', 'OpenIM API base URL instead of the one derived from the config')
      .option('--ws-url <url>', 'msggateway WebSocket URL instead of the derived one')
      .option('--chat-url <url>', 'chat-api base URL instead of the derived one')
      .option('--admin-url <url>', 'admin-api base URL instead of the derived one')
      .option('--object-url <url>', 'object storage external address presigned URLs must point at')
      .option('--ca <file>', 'PEM CA to trust besides the system\'s for https/wss addresses (default: the proxy\'s internal CA with binary.proxy.tls.mode self-signed)')
      .option('--delivery-timeout <seconds>', 'how long the push frame and the stored message may take', '90'),
  ).action(async (flags) => (await import('./commands/verify.js')).verifyCommand(ctx, flags));
  day2(
    program
      .command('upgrade')
      .description('upgrade to a newer catalog version: stepping stones, the seq migration into 3.8, a backup prompt first')
      .requiredOption('--to <version>', 'openim-server version to reach')
      .option('--chat-version <version>', 'openim-chat version (default: the newest for that server line)')
      .option('-y, --yes', 'do not ask (you have a backup)')
      .option('--dry-run', 'print the plan of each hop and change nothing')
      .option('--json', JSON_LINES_HELP)
      .option('--concurrency <n>', 'steps run at once where the plan allows', STEP_CONCURRENCY, 4)
      .option('--wait-lock', 'wait for another run holding the deployment lock instead of refusing')
      .option('--skip-migration', 'the seq migration was already run by hand')
      .option('--backup', 'run `backup` first (recorded in the state); asked when neither this nor --no-backup is given on a terminal')
      .option('--no-backup', 'do not back up first')
      .option('--backup-to <dir|s3://bucket/prefix>', 'where the backup goes (default /var/backups/openim-deploy on a host, <workdir>/backups for Kubernetes)')
      .option('--key-file <file>', 'encrypt the backup with the passphrase in this file')
      .option('--helm <path>', HELM_HELP)
      .addOption(new Option('--ignore-preflight <id...>', 'treat these preflight errors as warnings')),
  ).action(async (flags) => (await import('./commands/upgrade.js')).upgradeCommand(withHelmPath(ctx, flags), flags));
  day2(
    program
      .command('rollback')
      .description('go back to the version recorded before the current one (helm rollback / switch current back)')
      .option('-y, --yes', 'do not ask')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--json', JSON_LINES_HELP)
      .option('--wait-lock', 'wait for another run holding the deployment lock instead of refusing')
      .option('--helm <path>', HELM_HELP),
  ).action(async (flags) => (await import('./commands/rollback.js')).rollbackCommand(withHelmPath(ctx, flags), flags));
  day2(
    program
      .command('uninstall')
      .description('remove what openim-deploy created, in reverse order; data and credentials are kept unless --purge')
      .option('--keep-data', 'keep volumes, data folders and credentials (the default)')
      .option('--purge', 'also delete volumes/data folders and the stored state (asks, or --yes)')
      .option('--delete-data', 'same as --purge')
      .option('-y, --yes', 'do not ask')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--json', JSON_LINES_HELP)
      .option('--wait-lock', 'wait for another run holding the deployment lock instead of refusing')
      .option('--helm <path>', HELM_HELP),
  ).action(async (flags) => (await import('./commands/uninstall.js')).uninstallCommand(withHelmPath(ctx, flags), flags));
  day2(
    program
      .command('backup')
      .description('one archive of the data (MongoDB dump, uploaded files), config, secrets and journal; manifest with checksums, encrypted with --key-file')
      .option('--to <dir|s3://bucket/prefix>', 'folder (default /var/backups/openim-deploy on a host, <workdir>/backups for Kubernetes), or S3-compatible storage (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)')
      .option('--key-file <file>', 'encrypt with the passphrase in this file (AES-256-GCM, scrypt); restore needs the same file')
      .option('--json', 'print the backup record as JSON')
      .option('--wait-lock', 'wait for another run holding the deployment lock instead of refusing'),
  ).action(async (flags) => (await import('./commands/backup.js')).backupCommand(ctx, flags));
  day2(
    program
      .command('restore')
      .description('put a backup back into an install of the same versions: database, uploaded files, application secrets; then start and check health')
      .argument('<archive>', 'archive file, or s3://bucket/key')
      .option('--key-file <file>', 'passphrase file the archive was encrypted with')
      .option('--allow-version-mismatch', 'restore a backup of other OpenIM versions than those installed')
      .option('--skip-indexes', 'restore documents only (mongorestore --noIndexRestore); OpenIM and chat create their indexes at start. For MongoDB-compatible servers that refuse mongorestore\'s index options')
      .option('-y, --yes', 'do not ask')
      .option('--json', 'print the result as JSON')
      .option('--wait-lock', 'wait for another run holding the deployment lock instead of refusing')
      .addOption(new Option('--ignore-preflight <id...>', 'treat these preflight errors as warnings')),
  ).action(async (archive: string, flags) => (await import('./commands/restore.js')).restoreCommand(ctx, archive, flags));
  day2(
    program
      .command('support-bundle')
      .description('write status, events, recent logs, redacted config, plan, versions and journal into one tar.gz')
      .requiredOption('-o, --output <file>', 'archive to write (.tar.gz)')
      .option('--force', 'overwrite an existing archive'),
  ).action(async (flags) => (await import('./commands/support-bundle.js')).supportBundleCommand(ctx, flags));
  day2(
    program
      .command('logs')
      .description('recent logs of a module: kubectl logs across its pods, or journalctl for its units')
      .argument('<module>', 'e.g. openim-api, chat-api, mongodb')
      .option('-f, --follow', 'stream until Ctrl-C')
      .option('--tail <n>', 'lines per pod/unit', wholeNumber('--tail', 1, 100_000), 200),
  ).action(async (module: string, flags) => (await import('./commands/logs.js')).logsCommand(ctx, module, flags));

  return program;
}
