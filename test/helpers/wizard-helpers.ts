// Shared by the wizard's unit tests: a fake machine answering the light
// probes (a RecordingRunner, named as the fake it is) and a wizard runner.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configInput, type ConfigFlags } from '../../src/config/command-options.js';
import { envNameFor, resolveConfig, type ConfigInput } from '../../src/config/resolve.js';
import type { DeploySpec } from '../../src/config/schema.js';
import { ok, RecordingRunner } from './recording-runner.js';
import type { RunResult } from '../../src/process/runner.js';
import { ScriptedPrompter, type ScriptStep } from '../../src/wizard/scripted-prompter.js';
import { runWizard, type WizardOptions, type WizardResult } from '../../src/wizard/wizard.js';

export interface Machine {
  /** kubectl current-context, or undefined for none. */
  context?: string;
  /** StorageClasses the cluster answers with; undefined = API unreachable. */
  storageClasses?: { name: string; provisioner: string; isDefault?: boolean }[];
  /** /proc/1/comm */
  init?: string;
  /** Other commands (full facts for a real install). */
  other?: (argv: readonly string[]) => RunResult | undefined;
}

/** Enter at every prompt of a kubernetes dry run on a machine with no cluster and no systemd. */
export const KUBERNETES_DEFAULTS: ScriptStep[] = [
  { key: 'target', default: 'kubernetes', choices: ['kubernetes', 'binary'] },
  { key: 'profile', default: 'dev' },
  { key: 'openim.domain', default: 'openim.localhost' },
  // Any DNS label: no catalog version is tied to a namespace (discovery runs through etcd in the cluster).
  { key: 'kubernetes.namespace', default: 'openim', rejects: ['Bad_Name'], help: /cannot change after the install/ },
  { key: 'kubernetes.ingress.controller', default: 'traefik' },
  { key: 'kubernetes.ingress.install', default: false },
  { key: 'kubernetes.ingress.tls.mode', default: 'none' },
  { key: 'kubernetes.storage.backend', default: 'local-path', choices: ['local-path', 'nfs', 'rook-ceph', 'existing'] },
  { key: 'infrastructure.objectStorage.provider', default: 'minio' },
  { key: 'infrastructure.objectStorage.mode', default: 'bundled' },
  { key: 'infrastructure.objectStorage.externalAddress', help: /phones and browsers must reach it/ },
  { key: 'infrastructure.mongodb.mode', default: 'bundled' },
  { key: 'infrastructure.redis.mode', default: 'bundled' },
  { key: 'infrastructure.kafka.mode', default: 'bundled' },
  { key: 'images.registry', default: 'docker.io' },
  { key: 'offline.bundle' },
  { key: 'openim.components.chat', default: true },
  { key: 'openim.components.webFront', default: true },
  { key: 'openim.components.adminFront', default: true },
  { key: 'openim.allowRegister', default: true, message: /open registration/ },
  { key: 'monitoring.enabled', default: false },
  { key: 'logging.enabled', default: false },
  { key: 'wizard.save', default: false },
  { key: '--yes', default: true, message: /dry run/ },
];

const fail = (stderr: string): RunResult => ({ exitCode: 1, stdout: '', stderr });

export function fakeMachine(m: Machine): RecordingRunner {
  return new RecordingRunner((argv) => {
    const line = argv.join(' ');
    if (line.endsWith('config current-context'))
      return m.context ? ok(`${m.context}\n`) : fail('error: current-context is not set\n');
    if (line.includes('get storageclass')) {
      if (!m.storageClasses) return fail('The connection to the server localhost:8080 was refused\n');
      const items = m.storageClasses.map((sc) => ({
        metadata: {
          name: sc.name,
          annotations: sc.isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {},
        },
        provisioner: sc.provisioner,
      }));
      return ok(JSON.stringify({ items }));
    }
    if (line === 'cat /proc/1/comm') return ok(`${m.init ?? 'systemd'}\n`);
    return m.other?.(argv) ?? fail(`not faked: ${line}`);
  });
}

const made: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oid-wizard-'));
  made.push(dir);
  return dir;
}

/** For afterAll: removes every folder tempDir made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface WizardRun {
  result: WizardResult;
  prompter: ScriptedPrompter;
  runner: RecordingRunner;
  output: string;
  cwd: string;
}

/** Runs the wizard against a script; fails on unexpected or unused prompts. */
export async function runScript(
  input: ConfigInput,
  script: ScriptStep[],
  options: { machine?: Machine; cwd?: string; wizard?: Partial<WizardOptions>; signal?: AbortSignal } = {},
): Promise<WizardRun> {
  const prompter = new ScriptedPrompter(script);
  const runner = fakeMachine(options.machine ?? { init: 'process_api' });
  const cwd = options.cwd ?? tempDir();
  const lines: string[] = [];
  const result = await runWizard(
    input,
    {
      prompter,
      runner,
      err: (s) => lines.push(s),
      cwd,
      columns: 100,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    { dryRun: true, ...options.wizard },
  );
  prompter.done();
  return { result, prompter, runner, output: lines.join('\n'), cwd };
}

/**
 * Runs the printed command line through the normal (non-interactive) resolver,
 * with the credentials the user typed in the env variables it names: it must
 * give the very spec the wizard produced.
 */
export function replayCommand(run: WizardRun, baseEnv: Record<string, string | undefined> = {}): DeploySpec {
  const flags: ConfigFlags & { set: string[] } = { set: [] };
  const dedicated: Record<string, keyof ConfigFlags> = {
    '--preset': 'preset',
    '-c': 'config',
    '--target': 'target',
    '--profile': 'profile',
    '--domain': 'domain',
    '--namespace': 'namespace',
    '--ingress': 'ingress',
    '--storage': 'storage',
    '--mirror': 'mirror',
    '--bundle': 'bundle',
  };
  for (const [option, value] of run.result.command.options) {
    if (option === '--yes' || option === '--dry-run') continue;
    if (option === '--set') flags.set.push(value!);
    else if (dedicated[option!]) (flags as unknown as Record<string, unknown>)[dedicated[option!]!] = value;
    else throw new Error(`unknown option on the printed command line: ${option}`);
  }
  const env: Record<string, string | undefined> = { ...baseEnv };
  for (const name of run.result.command.env) {
    const path = [...run.result.answered.keys()].find((p) => envNameFor(p) === name);
    env[name] = String(run.result.answered.get(path!));
  }
  return resolveConfig(configInput(flags, env)).spec;
}
