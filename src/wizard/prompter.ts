// The only interface through which anything asks the user a question.
// Implementations: inquirer on a TTY, a non-interactive one that never
// blocks, and scripted ones in tests.

import { ConfigError, UserAbort } from '../errors.js';

export interface Choice<T extends string = string> {
  value: T;
  name: string;
  description?: string;
}

export interface Prompter {
  select<T extends string>(q: { key: string; message: string; choices: Choice<T>[]; default?: T; help?: string }): Promise<T>;
  input(q: { key: string; message: string; default?: string; help?: string; validate?: (value: string) => string | true }): Promise<string>;
  confirm(q: { key: string; message: string; default?: boolean }): Promise<boolean>;
  password(q: { key: string; message: string; help?: string; validate?: (value: string) => string | true }): Promise<string>;
}

/** Used without a TTY or with CI set: answers with the default, or fails naming the flag to pass. */
export class NonInteractivePrompter implements Prompter {
  private missing(key: string, message: string): never {
    throw new ConfigError([{ path: key, message: `${message}: no terminal to ask on`, hint: `pass --set ${key}=… or use a preset/config file` }]);
  }
  async select<T extends string>(q: { key: string; message: string; default?: T }): Promise<T> {
    return q.default ?? this.missing(q.key, q.message);
  }
  async input(q: { key: string; message: string; default?: string }): Promise<string> {
    return q.default ?? this.missing(q.key, q.message);
  }
  async confirm(q: { key: string; message: string; default?: boolean }): Promise<boolean> {
    if (q.key === '--yes') throw new ConfigError([{ path: '--yes', message: 'applying changes needs confirmation and there is no terminal', hint: 'pass --yes, or --dry-run to only print the plan' }]);
    return q.default ?? this.missing(q.key, q.message);
  }
  async password(q: { key: string; message: string }): Promise<string> {
    return this.missing(q.key, q.message);
  }
}

/** inquirer on the terminal; Ctrl-C becomes UserAbort (exit 130, nothing changed). */
export class InquirerPrompter implements Prompter {
  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if ((e as Error).name === 'ExitPromptError' || (e as Error).name === 'AbortPromptError') throw new UserAbort('cancelled at a prompt');
      throw e;
    }
  }
  async select<T extends string>(q: { message: string; choices: Choice<T>[]; default?: T; help?: string }): Promise<T> {
    const { select } = await import('@inquirer/prompts');
    return this.ask(() => select<T>({ message: q.message, choices: q.choices, ...(q.default !== undefined ? { default: q.default } : {}) }));
  }
  async input(q: { message: string; default?: string; validate?: (value: string) => string | true }): Promise<string> {
    const { input } = await import('@inquirer/prompts');
    return this.ask(() => input({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}), ...(q.validate ? { validate: q.validate } : {}) }));
  }
  async confirm(q: { message: string; default?: boolean }): Promise<boolean> {
    const { confirm } = await import('@inquirer/prompts');
    return this.ask(() => confirm({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}) }));
  }
  async password(q: { message: string; validate?: (value: string) => string | true }): Promise<string> {
    const { password } = await import('@inquirer/prompts');
    return this.ask(() => password({ message: q.message, mask: '*', ...(q.validate ? { validate: q.validate } : {}) }));
  }
}
