// Day two on a host, as plan steps:
//   resources: what a step creates (unit files, config files, release
//              folders, the `current` links), read from its actions.
//   uninstall: stop and disable every unit we wrote, remove the unit files,
//              then the files and release folders the journal names. Data
//              folders stay unless --purge.
//   rollback:  point `current` back at the recorded versions and restart.
//   migration: the one-time `seq` tool when crossing into 3.8.

import type { DeploySpec } from '../../../config/schema.js';
import type { UninstallOptions } from '../../day2/types.js';
import type { Step } from '../../../plan/types.js';
import type { CreatedResource, DeployState, HistoryEntry } from '../../../state/types.js';
import { binaryLayout, type Product } from '../layout.js';
import { findModule } from '../../../catalog/modules.js';
import { TARGETS, unitNameOf } from '../units.js';
import { BACKUP_FIRST_HINT } from '../../day2/backup-types.js';

const SEQ_TOOL = 'seq';

const isAbsolute = (p: string) => p.startsWith('/');

/** The folders after `install -d` and its options (-m MODE, -o USER, -g GROUP). */
function installDirPaths(argv: readonly string[]): string[] {
  const paths: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    if (['-m', '-o', '-g'].includes(argv[i]!)) i++;
    else if (!argv[i]!.startsWith('-')) paths.push(argv[i]!);
  }
  return paths;
}

export function binaryResources(spec: DeploySpec, step: Step): CreatedResource[] {
  const { unitDir, dataDir } = binaryLayout(spec);
  const out: CreatedResource[] = [];
  for (const action of step.actions) {
    if (action.kind === 'write' && isAbsolute(action.path)) {
      const inUnitDir = action.path.startsWith(`${unitDir}/`) && !action.path.slice(unitDir.length + 1).includes('/');
      out.push(
        inUnitDir ? { type: 'unit', name: action.path.slice(unitDir.length + 1) } : { type: 'file', path: action.path },
      );
    }
    if (action.kind === 'extract' && isAbsolute(action.to)) out.push({ type: 'dir', path: action.to });
    // The data folders we make below dataDir (MongoDB's, OpenIM's working dirs): what --purge may delete.
    // dataDir itself is not recorded: it may have existed before; purge removes it only when empty.
    if (action.kind === 'exec' && action.argv[0] === 'install' && action.argv[1] === '-d') {
      for (const path of installDirPaths(action.argv))
        if (path.startsWith(`${dataDir}/`)) out.push({ type: 'dir', path });
    }
    // A file put in place with `install` (a copy such as the proxy's CA or certificate copies, an executable): ours.
    if (action.kind === 'exec' && action.argv[0] === 'install' && !action.argv.includes('-d')) {
      const to = action.argv[action.argv.length - 1]!;
      if (isAbsolute(to)) out.push({ type: 'file', path: to });
    }
    // Enabling creates links (<target>.wants/<instance>) that are ours to remove too.
    if (action.kind === 'exec' && action.argv[0] === 'systemctl' && action.argv[1] === 'enable') {
      for (const unit of action.argv.slice(2)) if (!unit.startsWith('-')) out.push({ type: 'unit', name: unit });
    }
    if (action.kind === 'exec' && action.argv[0] === 'mv' && action.argv.includes('-T')) {
      const to = action.argv[action.argv.length - 1]!;
      if (isAbsolute(to)) out.push({ type: 'file', path: to });
    }
  }
  return out;
}

function recordedOfType<T extends CreatedResource['type']>(
  state: DeployState,
  type: T,
): Extract<CreatedResource, { type: T }>[] {
  const seen = new Map<string, Extract<CreatedResource, { type: T }>>();
  const entries = Object.values(state.steps).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const e of entries)
    for (const r of e.resources ?? [])
      if (r.type === type) seen.set(JSON.stringify(r), r as Extract<CreatedResource, { type: T }>);
  return [...seen.values()];
}

const exec = (argv: string[], okExitCodes?: number[]) => ({
  kind: 'exec' as const,
  argv,
  mutates: true,
  ...(okExitCodes ? { okExitCodes } : {}),
});

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir.replace(/\/+$/, '')}/`);
}

export function binaryUninstallSteps(spec: DeploySpec, state: DeployState, options: UninstallOptions): Step[] {
  // Nothing recorded, nothing removed: not even --purge deletes data the journal does not know.
  if (Object.keys(state.steps).length === 0) return [];
  const layout = binaryLayout(spec);
  const units = [...new Set(recordedOfType(state, 'unit').map((u) => u.name))];
  const steps: Step[] = [];
  if (units.length) {
    const templates = units.filter((u) => u.endsWith('@.service'));
    // Instances we enabled, and every other unit: disabled and stopped, chat before server before infrastructure.
    const concrete = units.filter((u) => !u.endsWith('@.service')).sort((a, b) => rank(a) - rank(b));
    steps.push({
      id: 'uninstall.units.stop',
      title: `Stop and disable ${units.length} unit(s)`,
      phase: 'prepare',
      needs: [],
      actions: [
        // 1/5: a unit that is not there or not loaded; stopping what is not running is fine.
        ...(concrete.length ? [exec(['systemctl', 'disable', '--now', ...concrete], [1, 5])] : []),
        // Instances started from a template under another config (a glob systemctl expands over loaded units, not a shell).
        ...(templates.length
          ? [exec(['systemctl', 'stop', ...templates.map((t) => t.replace('@.service', '@*.service'))], [1, 5])]
          : []),
      ],
    });
    const files = units.map((u) => `${layout.unitDir}/${u}`);
    const wants = units
      .filter((u) => u.endsWith('.target') || u.endsWith('.service'))
      .map((u) => `${layout.unitDir}/${u}.wants`);
    steps.push({
      id: 'uninstall.units.remove',
      title: `Remove unit files from ${layout.unitDir}`,
      phase: 'prepare',
      needs: ['uninstall.units.stop'],
      actions: [
        exec(['rm', '-rf', '--', ...files, ...wants]),
        exec(['systemctl', 'daemon-reload']),
        exec(['systemctl', 'reset-failed'], [1]),
      ],
    });
  }
  const keep = (p: string) => !options.purge && inside(p, layout.dataDir);
  const files = recordedOfType(state, 'file')
    .map((f) => f.path)
    .filter((p) => !keep(p));
  const dirs = recordedOfType(state, 'dir')
    .map((d) => d.path)
    .filter((p) => !keep(p));
  if (files.length || dirs.length) {
    steps.push({
      id: 'uninstall.files',
      title: `Remove ${files.length} file(s) and ${dirs.length} folder(s) openim-deploy created`,
      phase: 'prepare',
      needs: steps.length ? ['uninstall.units.remove'] : [],
      actions: [
        ...(files.length ? [exec(['rm', '-f', '--', ...files])] : []),
        ...(dirs.length ? [exec(['rm', '-rf', '--', ...dirs])] : []),
      ],
    });
  }
  if (options.purge && dirs.some((d) => inside(d, layout.dataDir))) {
    steps.push({
      id: 'uninstall.data',
      title: `Remove ${layout.dataDir} if nothing else is left in it`,
      phase: 'storage',
      needs: steps.map((s) => s.id).slice(-1),
      // The data folders we created went with uninstall.files; whatever else is here is not ours.
      actions: [exec(['rmdir', '--ignore-fail-on-non-empty', '--', layout.dataDir])],
    });
  }
  return steps;
}

/** Chat before server before infrastructure before targets. */
function rank(unit: string): number {
  if (unit.startsWith('openim.target')) return 9;
  if (/^(chat|admin)-/.test(unit) || unit.includes('chat')) return 0;
  if (/mongodb|redis|kafka|minio|etcd/.test(unit)) return 2;
  return 1;
}

function switchActions(current: string, version: string) {
  return [
    exec(['test', '-d', `${current.replace(/\/current$/, '')}/${version}`]),
    exec(['ln', '-sfn', version, `${current}.new`]),
    exec(['mv', '-T', '-f', `${current}.new`, current]),
  ];
}

export function binaryRollbackSteps(spec: DeploySpec, _state: DeployState, to: HistoryEntry): Step[] {
  const layout = binaryLayout(spec);
  const products: Product[] = spec.openim.components.chat ? ['server', 'chat'] : ['server'];
  const steps: Step[] = products.map((p) => ({
    id: `rollback.switch.${p}`,
    title: `${layout.current[p]} → ${p === 'server' ? to.serverVersion : to.chatVersion}`,
    phase: p,
    needs: [],
    actions: switchActions(layout.current[p], p === 'server' ? to.serverVersion : to.chatVersion),
  }));
  steps.push({
    id: 'rollback.restart',
    title: 'Restart OpenIM',
    phase: 'server',
    needs: steps.map((s) => s.id),
    actions: [exec(['systemctl', 'restart', TARGETS.server, ...(spec.openim.components.chat ? [TARGETS.chat] : [])])],
  });
  return steps;
}

export function binaryMigrationSteps(spec: DeploySpec, from: string): Step[] {
  const layout = binaryLayout(spec);
  return [
    {
      id: 'upgrade.migrate.seq',
      title: `One-time seq migration (${from} → ${spec.openim.serverVersion})`,
      phase: 'server',
      needs: [],
      actions: [exec([`${layout.release.server}/tools/${SEQ_TOOL}`, '-c', layout.config.server])],
    },
  ];
}

export function binaryBackupHint(spec: DeploySpec): string {
  const layout = binaryLayout(spec);
  if (spec.infrastructure.mongodb.mode === 'external')
    return `${BACKUP_FIRST_HINT} Or back up your external MongoDB (mongodump, or your provider's snapshot) before upgrading.`;
  return [
    BACKUP_FIRST_HINT,
    `Or back up MongoDB by hand: stop nothing, run mongodump against 127.0.0.1 with the root user, e.g.`,
    `  mongodump --uri 'mongodb://root:<mongodb.rootPassword>@127.0.0.1/?authSource=admin' --archive=/var/backups/openim-$(date +%F).archive.gz --gzip`,
    `(the password is in the state file ${spec.binary.stateDir}/state.json, mode 0600), or snapshot ${layout.dataDir}.`,
  ].join('\n');
}

export function binaryLogsArgv(spec: DeploySpec, module: string, options: { follow: boolean; tail: number }): string[] {
  const mod = findModule(module);
  // OpenIM modules run as template instances; anything else is an infrastructure unit (mongodb → openim-mongodb.service).
  const unit = mod
    ? `${unitNameOf(mod)}@*`
    : module.endsWith('.service')
      ? module
      : `openim-${module.replace(/^openim-/, '')}.service`;
  return [
    'journalctl',
    '--no-pager',
    '-o',
    'short-iso',
    '-u',
    unit,
    '-n',
    String(options.tail),
    ...(options.follow ? ['-f'] : []),
  ];
}
