// Every command's flags, declared once. The options object an action receives
// is typed from these declarations (commander's extra typings), so a command
// module takes `InstallFlags` and friends from here instead of an interface
// kept beside the options: a flag's type and default cannot drift from its
// declaration. src/cli.ts names, describes and wires the commands; this file
// holds no command code, so --help and --version stay fast (issue #10, P1).
// Whole numbers and seconds arrive as numbers, checked while parsing (./integer-flag.ts).

import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { addConfigOptions } from '../config/command-options.js';
import { numberOfSeconds, wholeNumber } from './integer-flag.js';

/** The options object commander hands the action of a command declared by `declare`. */
type FlagsOf<Declare extends (command: Command) => Command<unknown[], OptionValues, OptionValues>> = ReturnType<
  ReturnType<Declare>['opts']
>;

const collectValues = (value: string, previous: string[] = []) => [...previous, value];

/** Whole-number flags shared by several commands: checked while parsing, so actions get numbers. */
const STEP_CONCURRENCY = wholeNumber('--concurrency', 1, 64);
const BUNDLE_CONCURRENCY = wholeNumber('--concurrency', 1, 32);
const RETRIES = wholeNumber('--retries', 1, 20);

/** Commands that change things print JSON lines: one event per line, or with --dry-run one line per plan. */
const JSON_LINES_HELP = 'JSON lines on stdout: progress events, or with --dry-run the plan as one line';

/** `--helm PATH` on the commands that run helm: every helm call of the command (probes and steps) runs that binary. */
const HELM_HELP = 'helm binary to run (default: helm on PATH)';

/** A signed bundle is refused without its public key unless this is given (issue #19): one flag name on every command that verifies a bundle. */
const ALLOW_UNVERIFIED = [
  '--allow-unverified-signature',
  'accept a signed bundle without checking its signature (no public key at hand); without it a signed bundle needs the key',
] as const;

const WAIT_LOCK_HELP = 'wait for another run holding the deployment lock instead of refusing';
const ignorePreflight = () => new Option('--ignore-preflight <id...>', 'treat these preflight errors as warnings');

export const installOptions = (command: Command) =>
  addConfigOptions(
    command
      .option('--dry-run', 'print the plan and change nothing')
      .option('-y, --yes', 'apply without asking (required without a terminal)')
      .option('--json', JSON_LINES_HELP)
      .option('--concurrency <n>', 'steps run at once where the plan allows', STEP_CONCURRENCY, 4)
      .option('--workdir <dir>', 'where values files, charts and the local state live')
      .option('--force', 're-run every step even when the journal says it is done and unchanged')
      .option('--wait-lock', WAIT_LOCK_HELP)
      .option(
        '--bundle-key <pub>',
        'public key the offline bundle must be signed with (bundle keygen); required for a signed bundle',
      )
      .option(...ALLOW_UNVERIFIED)
      .option('--helm <path>', HELM_HELP)
      .addOption(ignorePreflight()),
  );
export type InstallFlags = FlagsOf<typeof installOptions>;

export const planOptions = (command: Command) =>
  addConfigOptions(
    command
      .option('--json', 'print the plan as JSON')
      .option('-o, --output <file>', 'write the plan JSON to a file')
      .option('--force', 'overwrite the -o file if it exists'),
  );
export type PlanFlags = FlagsOf<typeof planOptions>;

export const renderOptions = (command: Command) =>
  addConfigOptions(
    command
      .requiredOption('--out <dir>', 'output folder')
      .option('--helm <path>', 'helm binary used to render manifests', 'helm')
      .option(
        '--bundle-key <pub>',
        'public key the offline bundle (--bundle) must be signed with; required for a signed bundle',
      )
      .option(...ALLOW_UNVERIFIED)
      .option('--force', 'write into a folder that is not empty'),
  );
export type RenderFlags = FlagsOf<typeof renderOptions>;

export const doctorOptions = (command: Command) =>
  addConfigOptions(
    command
      .option('--json', 'print facts, findings and the live diagnosis as JSON')
      .option('--workdir <dir>', 'work dir of the install (where its local state lives)')
      .option('--helm <path>', HELM_HELP),
  );
export type DoctorFlags = FlagsOf<typeof doctorOptions>;

export const configInitOptions = (command: Command) =>
  command
    .option('-o, --output <file>', 'file to write (- for stdout)', 'openim-deploy.yaml')
    .option('--preset <name>', 'start from a preset')
    .option('--force', 'overwrite an existing file');
export type ConfigInitFlags = FlagsOf<typeof configInitOptions>;

export const configValidateOptions = (command: Command) => addConfigOptions(command);
export type ConfigValidateFlags = FlagsOf<typeof configValidateOptions>;

export const configSchemaOptions = (command: Command) =>
  command.option('-o, --output <file>', 'write to a file').option('--force', 'overwrite an existing file');
export type ConfigSchemaFlags = FlagsOf<typeof configSchemaOptions>;

export const configShowOptions = (command: Command) => addConfigOptions(command.option('--json', 'as JSON'));
export type ConfigShowFlags = FlagsOf<typeof configShowOptions>;

export const bundleCreateOptions = (command: Command) =>
  addConfigOptions(
    command
      .requiredOption('-o, --output <file>', 'bundle file to write (FILE.partial while writing; re-run to resume)')
      .option('--platform <list>', 'image platforms, comma-separated', 'linux/amd64')
      .option('--split <size>', 'write parts FILE.000, FILE.001 … of at most this size (e.g. 4G)')
      .option('--concurrency <n>', 'downloads at once', BUNDLE_CONCURRENCY, 4)
      .option('--retries <n>', 'attempts after a failed request', RETRIES, 4)
      .option('--sign-key <file>', 'ed25519 private key (bundle keygen) to sign the checksum list')
      .option(
        '--pull-mirror <registry=mirror>',
        'pull images of a registry from a mirror, e.g. docker.io=m.daocloud.io (repeatable)',
        collectValues,
      )
      .option(
        '--url-mirror <prefix=mirror>',
        'download chart repositories and files under a URL prefix from a mirror (repeatable)',
        collectValues,
      )
      .option(
        '--plain-http <host>',
        'speak plain HTTP to this registry (loopback always does; repeatable)',
        collectValues,
      )
      .option('--ca-file <pem>', 'also trust this CA for registries and downloads (repeatable)', collectValues)
      .option(
        '--tls-skip-verify <host>',
        'speak TLS to this registry without verifying its certificate (repeatable)',
        collectValues,
      )
      .option('--contents-from <file>', 'YAML with images/charts/files lists that replace the derived ones')
      .option('--helm <path>', 'helm binary that renders upstream charts to find the images they run', 'helm')
      .option('--json', 'print the result (manifest) as JSON'),
  );
export type BundleCreateFlags = FlagsOf<typeof bundleCreateOptions>;

export const bundleVerifyOptions = (command: Command) =>
  command
    .option('--key <pub>', 'public key (bundle keygen) the signature must verify against; required for a signed bundle')
    .option(...ALLOW_UNVERIFIED)
    .option('--json', 'print the result as JSON');
export type BundleVerifyFlags = FlagsOf<typeof bundleVerifyOptions>;

export const bundleInspectOptions = (command: Command) => command.option('--json', 'as JSON');
export type BundleInspectFlags = FlagsOf<typeof bundleInspectOptions>;

export const bundlePushOptions = (command: Command) =>
  command
    .requiredOption('--registry <host:port[/prefix]>', 'target registry; install with --set images.mirror=<the same>')
    .option('--concurrency <n>', 'images and blob uploads at once', BUNDLE_CONCURRENCY, 4)
    .option('--retries <n>', 'attempts after a failed request', RETRIES, 4)
    .option('--chunk-size <size>', 'upload blobs in chunks of this size (default: one request per blob)')
    .option('--plain-http', 'the registry speaks plain HTTP (loopback always does)')
    .option('--ca-file <pem>', "also trust this CA (the private registry's; repeatable)", collectValues)
    .option('--tls-skip-verify', 'speak TLS to the registry without verifying its certificate')
    .option('--no-verify', 'skip verifying the bundle first')
    .option('--key <pub>', 'public key the signature must verify against; required for a signed bundle')
    .option(...ALLOW_UNVERIFIED)
    .option('--json', 'print the pushed images as JSON');
export type BundlePushFlags = FlagsOf<typeof bundlePushOptions>;

export const bundleLoadOptions = (command: Command) =>
  command
    .option('--address <socket>', "containerd's socket", '/run/containerd/containerd.sock')
    .option('--namespace <ns>', 'containerd namespace (k8s.io is the one kubelet uses)', 'k8s.io')
    .option('--ctr <path>', 'the ctr binary (package containerd)', 'ctr')
    .option('--no-verify', 'skip verifying the bundle first')
    .option('--key <pub>', 'public key the signature must verify against; required for a signed bundle')
    .option(...ALLOW_UNVERIFIED)
    .option('--json', 'print the loaded images as JSON');
export type BundleLoadFlags = FlagsOf<typeof bundleLoadOptions>;

export const bundleKeygenOptions = (command: Command) =>
  command
    .option('-o, --output <base>', 'file name without extension', 'openim-bundle')
    .option('--force', 'overwrite existing key files');
export type BundleKeygenFlags = FlagsOf<typeof bundleKeygenOptions>;

/** Day two (issue #7): a command's own flags, then --workdir and the config flags, so the same deployment is found as install's. */
const day2 = <Opts extends OptionValues>(command: Command<[], Opts>) =>
  addConfigOptions(command.option('--workdir <dir>', 'work dir of the install (where its local state lives)'));
/** What every day-two command takes to find its deployment (./day2-common.ts). */
export type Day2Flags = ReturnType<ReturnType<typeof day2<Record<never, never>>>['opts']>;

export const statusOptions = (command: Command) =>
  day2(
    command
      .option('--json', 'the report as JSON')
      .option('-w, --watch', 'refresh until Ctrl-C')
      .option('--interval <seconds>', 'refresh period with --watch', numberOfSeconds('--interval', 1, 3600), 5),
  );
export type StatusFlags = FlagsOf<typeof statusOptions>;

export const verifyOptions = (command: Command) =>
  day2(
    command
      .option('--json', 'the report as JSON (per check: status, ms, detail, errCode/errMsg, kind)')
      .option('--api-url <url>', 'OpenIM API base URL instead of the one derived from the config')
      .option('--ws-url <url>', 'msggateway WebSocket URL instead of the derived one')
      .option('--chat-url <url>', 'chat-api base URL instead of the derived one')
      .option('--admin-url <url>', 'admin-api base URL instead of the derived one')
      .option('--object-url <url>', 'object storage external address presigned URLs must point at')
      .option(
        '--ca <file>',
        "PEM CA to trust besides the system's for https/wss addresses (default: the proxy's internal CA with binary.proxy.tls.mode self-signed)",
      )
      .option(
        '--delivery-timeout <seconds>',
        'how long the push frame and the stored message may take',
        numberOfSeconds('--delivery-timeout', 1, 3600),
        90,
      ),
  );
export type VerifyFlags = FlagsOf<typeof verifyOptions>;

export const upgradeOptions = (command: Command) =>
  day2(
    command
      .requiredOption('--to <version>', 'openim-server version to reach')
      .option('--chat-version <version>', 'openim-chat version (default: the newest for that server line)')
      .option('-y, --yes', 'do not ask (you have a backup)')
      .option('--dry-run', 'print the plan of each hop and change nothing')
      .option('--json', JSON_LINES_HELP)
      .option('--concurrency <n>', 'steps run at once where the plan allows', STEP_CONCURRENCY, 4)
      .option('--wait-lock', WAIT_LOCK_HELP)
      .option('--skip-migration', 'the seq migration was already run by hand')
      // Neither --backup nor --no-backup: `backup` is undefined, so a terminal asks; without one, no backup (the hint is printed).
      .option(
        '--backup',
        'run `backup` first (recorded in the state); asked when neither this nor --no-backup is given on a terminal',
      )
      .option('--no-backup', 'do not back up first')
      .option(
        '--backup-to <dir|s3://bucket/prefix>',
        'where the backup goes (default /var/backups/openim-deploy on a host, <workdir>/backups for Kubernetes)',
      )
      .option('--key-file <file>', 'encrypt the backup with the passphrase in this file')
      .option('--helm <path>', HELM_HELP)
      .addOption(ignorePreflight()),
  );
export type UpgradeFlags = FlagsOf<typeof upgradeOptions>;

export const rollbackOptions = (command: Command) =>
  day2(
    command
      .option('-y, --yes', 'do not ask')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--json', JSON_LINES_HELP)
      .option('--wait-lock', WAIT_LOCK_HELP)
      .option('--helm <path>', HELM_HELP),
  );
export type RollbackFlags = FlagsOf<typeof rollbackOptions>;

export const uninstallOptions = (command: Command) =>
  day2(
    command
      .option('--keep-data', 'keep volumes, data folders and credentials (the default)')
      .option('--purge', 'also delete volumes/data folders and the stored state (asks, or --yes)')
      .option('--delete-data', 'same as --purge')
      .option('-y, --yes', 'do not ask')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--json', JSON_LINES_HELP)
      .option('--wait-lock', WAIT_LOCK_HELP)
      .option('--helm <path>', HELM_HELP),
  );
export type UninstallFlags = FlagsOf<typeof uninstallOptions>;

export const backupOptions = (command: Command) =>
  day2(
    command
      .option(
        '--to <dir|s3://bucket/prefix>',
        'folder (default /var/backups/openim-deploy on a host, <workdir>/backups for Kubernetes), or S3-compatible storage (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
      )
      .option(
        '--key-file <file>',
        'encrypt with the passphrase in this file (AES-256-GCM, scrypt); restore needs the same file',
      )
      .option('--json', 'print the backup record as JSON')
      .option('--wait-lock', WAIT_LOCK_HELP),
  );
export type BackupFlags = FlagsOf<typeof backupOptions>;

export const restoreOptions = (command: Command) =>
  day2(
    command
      .option('--key-file <file>', 'passphrase file the archive was encrypted with')
      .option('--allow-version-mismatch', 'restore a backup of other OpenIM versions than those installed')
      .option(
        '--skip-indexes',
        "restore documents only (mongorestore --noIndexRestore); OpenIM and chat create their indexes at start. For MongoDB-compatible servers that refuse mongorestore's index options",
      )
      .option('-y, --yes', 'do not ask')
      .option('--json', 'print the result as JSON')
      .option('--wait-lock', WAIT_LOCK_HELP)
      .addOption(ignorePreflight()),
  );
export type RestoreFlags = FlagsOf<typeof restoreOptions>;

export const supportBundleOptions = (command: Command) =>
  day2(
    command
      .requiredOption('-o, --output <file>', 'archive to write (.tar.gz)')
      .option('--force', 'overwrite an existing archive'),
  );
export type SupportBundleFlags = FlagsOf<typeof supportBundleOptions>;

export const logsOptions = (command: Command) =>
  day2(
    command
      .option('-f, --follow', 'stream until Ctrl-C')
      .option('--tail <n>', 'lines per pod/unit', wholeNumber('--tail', 1, 100_000), 200),
  );
export type LogsFlags = FlagsOf<typeof logsOptions>;
