// The non-interactive command that reproduces this session: the user's own
// preset, file, flags and --set, plus one option per answer. Credentials
// appear only as the names of env variables to set.

import { envNameFor, type ConfigInput } from '../config/resolve.js';
import { getPath, leavesOf, splitPath } from '../config/paths.js';
import { flagFor } from '../config/command-options.js';
import { quoteArg } from '../plan/print.js';
import { schemaDefaults, type Answers } from './answers.js';
import { isSecretPath } from './schema-piece.js';

export interface CommandLine {
  /** Env variables to export first (credentials), by name only. */
  env: string[];
  /** Option groups, e.g. ['--preset', 'dev'] or ['--set', 'a.b=c']. */
  options: string[][];
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

function option(path: string, value: unknown): string[] {
  const flag = flagFor(path);
  return flag ? [flag, text(value)] : ['--set', `${path}=${text(value)}`];
}

export function equivalentCommand(
  input: ConfigInput,
  answers: Answers,
  options: { dryRun?: boolean } = {},
): CommandLine {
  const out: string[][] = [];
  if (input.preset) out.push(['--preset', input.preset]);
  if (input.file) out.push(['-c', input.file]);
  for (const leaf of leavesOf(input.flags ?? {})) {
    if (leaf.length) out.push(option(leaf.join('.'), getPath(input.flags, leaf)));
  }
  for (const set of input.sets ?? []) out.push(['--set', set]);
  const env: string[] = [];
  for (const [path, value] of answers.set) {
    if (isSecretPath(path)) {
      env.push(envNameFor(path));
      continue;
    }
    // An answer equal to the schema default changes nothing on the command line (target and profile stay, for the reader).
    const isDefault =
      JSON.stringify(value) === JSON.stringify(getPath(schemaDefaults(answers.get('profile')), splitPath(path)));
    if (isDefault && path !== 'target' && path !== 'profile') continue;
    out.push(option(path, value));
  }
  out.push(options.dryRun ? ['--dry-run'] : ['--yes']);
  return { env, options: out };
}

/** Shell text, broken with `\` so no line is wider than `width` where possible. */
export function formatCommand(cmd: CommandLine, width: number, program = 'openim-deploy install'): string[] {
  const groups = cmd.options.map((o) => o.map(quoteArg).join(' '));
  const lines: string[] = [];
  let line = `  ${cmd.env.map((name) => `${name}=…`).join(' ')}${cmd.env.length ? ' ' : ''}${program}`;
  for (const group of groups) {
    if (line.length + 1 + group.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `      ${group}`;
    } else line += ` ${group}`;
  }
  lines.push(line);
  return lines;
}
