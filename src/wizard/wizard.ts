// The interactive install: fill the gaps of the partial config (flag ?? file
// ?? preset ?? env ?? prompt), validate with the same schema and rules as
// every other input, show the summary and preflight findings, offer to save
// the answers and print the equivalent command, then confirm. All prompting
// ends here, before any task list starts.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import chalk from 'chalk';
import { collectLayers, type ConfigInput } from '../config/resolve.js';
import type { DeploySpec } from '../config/schema.js';
import { deploySpecSchema } from '../config/schema.js';
import { validateSpec, zodIssues } from '../config/validate.js';
import { ConfigError, PreflightError, UserAbort, type ConfigIssue, type PreflightFinding } from '../errors.js';
import type { Runner } from '../process/runner.js';
import { tcpProbe, type ProbeResult } from '../execute/probes.js';
import type { Facts } from '../facts/types.js';
import { Answers } from './answers.js';
import { Asker } from './asker.js';
import { equivalentCommand, formatCommand, type CommandLine } from './command-line.js';
import { preflight } from './findings.js';
import { LightProbes } from './light-probes.js';
import type { Prompter } from './prompter.js';
import { askBasics } from './questions/basics.js';
import type { QuestionContext } from './questions/context.js';
import { askComponents, askObservability } from './questions/features.js';
import { askInfrastructure } from './questions/infrastructure.js';
import { askIngress, askStorage } from './questions/kubernetes.js';
import { askObjectStorage } from './questions/object-storage.js';
import { askProxy } from './questions/proxy.js';
import { askArtifacts, askBinarySource, askDownloadMirror, askImages, askOffline } from './questions/sources.js';
import { ANSWERS_FILE, saveAnswers } from './save.js';
import { printReport } from './report.js';
import { summaryRows } from './summary.js';
import { wrapText } from './text.js';

export interface WizardDeps {
  prompter: Prompter;
  runner: Runner;
  /** Where the wizard's own text goes (stderr: stdout stays for the plan). */
  err(text: string): void;
  cwd: string;
  signal?: AbortSignal;
  /** Terminal width for the summary and command line. */
  columns?: number;
  /** TCP check for external services; the real socket probe unless a test swaps it. */
  reach?: (host: string, port: number) => Promise<ProbeResult>;
}

export interface WizardOptions {
  /** Only the light looks; no full facts, nothing changed. */
  dryRun: boolean;
  /** Preflight ids the user accepts (errors become warnings). */
  ignorePreflight?: string[];
}

export interface WizardResult {
  /** false: the user said no at the end; nothing was changed. */
  confirmed: boolean;
  spec: DeploySpec;
  warnings: ConfigIssue[];
  /** Gathered facts for a real install; unprobed ones for a dry run. */
  facts: Facts;
  findings: PreflightFinding[];
  /** Config keys the wizard set, in order (credentials included: the caller must not print them). */
  answered: Map<string, unknown>;
  saved?: string;
  /** The equivalent non-interactive command (credentials only as env variable names). */
  command: CommandLine;
}

async function askAll(q: QuestionContext, cwd: string): Promise<void> {
  await askBasics(q);
  const kubernetes = q.answers.get('target') === 'kubernetes';
  if (kubernetes) {
    await askIngress(q);
    await askStorage(q);
  } else {
    await askProxy(q);
  }
  await askObjectStorage(q);
  await askInfrastructure(q);
  if (kubernetes) await askImages(q);
  else await askDownloadMirror(q);
  await askOffline(q, cwd);
  await askComponents(q);
  if (!kubernetes) {
    await askBinarySource(q);
    await askArtifacts(q, cwd);
  }
  await askObservability(q);
}

export async function runWizard(input: ConfigInput, deps: WizardDeps, options: WizardOptions): Promise<WizardResult> {
  const layers = collectLayers(input);
  // Refuse bad input before asking anything: no one should answer twenty questions to learn --target was misspelt.
  if (layers.issues.length > 0) throw new ConfigError(layers.issues);
  const early = deploySpecSchema.safeParse(layers.raw);
  if (!early.success) throw new ConfigError(zodIssues(early.error));

  const width = Math.max(40, Math.min(deps.columns ?? 80, 120));
  const answers = new Answers(layers);
  const ask = new Asker(answers, deps.prompter, deps.signal);
  const probes = new LightProbes(deps.runner, deps.signal);
  const q: QuestionContext = {
    ask,
    answers,
    probes,
    note: (text) => deps.err(chalk.dim(text)),
    reach: deps.reach ?? ((host, port) => tcpProbe(host, port, 3000)),
    ignored: new Set(options.ignorePreflight ?? []),
  };

  try {
    deps.err(chalk.bold('OpenIM installer'));
    for (const line of wrapText('Enter takes the default shown; Ctrl-C stops without changing anything.', width - 2))
      deps.err(chalk.dim(line));
    await askAll(q, deps.cwd);
    ask.checkAbort();

    const { spec, warnings } = validateSpec(answers.raw, layers.issues);

    const { facts, findings } = await preflight(spec, probes, deps.runner, options.dryRun, q.ignored, q.note);
    ask.checkAbort();

    const seen = await probes.seen();
    printReport(deps.err, {
      rows: summaryRows(spec, answers, seen.kube?.context),
      warnings,
      findings,
      dryRun: options.dryRun,
      width,
    });

    const file = join(deps.cwd, ANSWERS_FILE);
    const exists = existsSync(file);
    const save = await deps.prompter.confirm({
      key: 'wizard.save',
      message: exists
        ? `${ANSWERS_FILE} exists here: overwrite it with these answers?`
        : `Save these answers to ${ANSWERS_FILE}?`,
      help: 'A config file to re-run or review later; credentials are not written to it.',
      default: false,
    });
    let saved: string | undefined;
    if (save) {
      await saveAnswers(file, answers.raw);
      saved = file;
      deps.err(`wrote ${file}`);
    }

    const command = equivalentCommand(input, answers);
    deps.err(
      options.dryRun ? 'To install with these answers, without questions:' : 'The same install without questions:',
    );
    for (const line of formatCommand(command, width)) deps.err(line);
    if (saved) deps.err(`  or: openim-deploy install -c ${ANSWERS_FILE} --yes`);
    if (command.env.length)
      deps.err(chalk.dim(`  (set ${command.env.join(', ')} to the credentials you typed; they are not printed)`));
    deps.err('');

    const base = { spec, warnings, facts, findings, answered: answers.set, command, ...(saved ? { saved } : {}) };
    // Preflight errors stop a real install here; the answers are saved above if wanted.
    if (!options.dryRun && findings.some((f) => f.severity === 'error')) throw new PreflightError(findings);

    const where = spec.target === 'kubernetes' ? `Kubernetes namespace ${spec.kubernetes.namespace}` : 'this host';
    const confirmed = await deps.prompter.confirm({
      key: '--yes',
      message: options.dryRun
        ? 'Make the plan with these choices? (dry run: nothing is installed)'
        : `Install OpenIM on ${where}?`,
      default: true,
    });
    return { ...base, confirmed };
  } catch (e) {
    // A probe cancelled by Ctrl-C surfaces as AbortError: same outcome as Ctrl-C at a prompt.
    if ((e as Error).name === 'AbortError') throw new UserAbort('cancelled');
    throw e;
  }
}
