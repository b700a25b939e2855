// The only interface through which anything asks the user a question.
// Implementations: inquirer on a TTY, a non-interactive one that never
// blocks, and a scripted one for tests (scripted-prompter.ts).

import { ConfigError, UserAbort } from '../errors.js';
import { wrapText } from './text.js';

export interface Choice<T extends string = string> {
  value: T;
  name: string;
  description?: string;
}

/** Every question has a key: the config path it answers, or a flag/wizard name such as `--yes`. */
interface Question {
  key: string;
  message: string;
  /** Why the choice matters; shown above the prompt. */
  help?: string;
}

export interface SelectQuestion<T extends string = string> extends Question {
  choices: Choice<T>[];
  default?: T;
}

export interface InputQuestion extends Question {
  default?: string;
  /** true when valid, else the message to show; the prompt asks again. */
  validate?: (value: string) => string | true;
}

export interface ConfirmQuestion extends Question {
  default?: boolean;
}

export interface PasswordQuestion extends Question {
  validate?: (value: string) => string | true;
}

export interface Prompter {
  select<T extends string>(q: SelectQuestion<T>): Promise<T>;
  input(q: InputQuestion): Promise<string>;
  confirm(q: ConfirmQuestion): Promise<boolean>;
  password(q: PasswordQuestion): Promise<string>;
}

/** Used without a TTY or with CI set: answers with the default, or fails naming the flag to pass. */
export class NonInteractivePrompter implements Prompter {
  private missing(key: string, message: string): never {
    throw new ConfigError([
      {
        path: key,
        message: `${message}: no terminal to ask on`,
        hint: `pass --set ${key}=… or use a preset/config file`,
      },
    ]);
  }
  async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
    return q.default ?? this.missing(q.key, q.message);
  }
  async input(q: InputQuestion): Promise<string> {
    return q.default ?? this.missing(q.key, q.message);
  }
  async confirm(q: ConfirmQuestion): Promise<boolean> {
    if (q.key === '--yes')
      throw new ConfigError([
        {
          path: '--yes',
          message: 'applying changes needs confirmation and there is no terminal',
          hint: 'pass --yes, or --dry-run to only print the plan',
        },
      ]);
    return q.default ?? this.missing(q.key, q.message);
  }
  async password(q: PasswordQuestion): Promise<string> {
    return this.missing(q.key, q.message);
  }
}

export interface InquirerPrompterOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream & { columns?: number };
  /** Aborting it cancels the open prompt (UserAbort). */
  signal?: AbortSignal;
  /** Defaults to the NO_COLOR convention: any non-empty value turns colour off. */
  color?: boolean;
}

const identity = (text: string) => text;

/** inquirer's styles without colour, for NO_COLOR (https://no-color.org). */
const PLAIN_THEME = {
  prefix: { idle: '?', done: '✔' },
  style: {
    answer: identity,
    message: identity,
    error: (text: string) => `> ${text}`,
    defaultAnswer: (text: string) => `(${text})`,
    help: identity,
    highlight: identity,
    key: (text: string) => `<${text}>`,
    description: identity,
    disabled: identity,
  },
};

/** inquirer on the terminal; Ctrl-C becomes UserAbort (exit 130, nothing changed). */
export class InquirerPrompter implements Prompter {
  private readonly options: InquirerPrompterOptions;
  private readonly color: boolean;
  constructor(options: InquirerPrompterOptions = {}) {
    this.options = options;
    this.color = options.color ?? !process.env.NO_COLOR;
  }

  private get output(): NodeJS.WritableStream & { columns?: number } {
    return this.options.output ?? process.stdout;
  }

  private context() {
    return {
      ...(this.options.input ? { input: this.options.input } : {}),
      ...(this.options.output ? { output: this.options.output } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    };
  }

  private theme() {
    return this.color ? {} : { theme: PLAIN_THEME };
  }

  /** Help goes above the prompt, wrapped to the terminal so narrow screens stay readable. */
  private showHelp(help: string | undefined): void {
    if (!help) return;
    const width = Math.max(20, (this.output.columns ?? 80) - 2);
    const lines = wrapText(help, width - 2).map((line) => `  ${line}`);
    const text = lines.join('\n');
    this.output.write(`${this.color ? `\u001b[2m${text}\u001b[22m` : text}\n`);
  }

  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    if (this.options.signal?.aborted) throw new UserAbort('cancelled');
    try {
      return await fn();
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError')
        throw new UserAbort('cancelled at a prompt');
      throw e;
    }
  }

  async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
    const { select } = await import('@inquirer/prompts');
    this.showHelp(q.help);
    const rows = (this.output as { rows?: number }).rows;
    // Keep the list and its description on short terminals.
    const pageSize = Math.max(3, Math.min(q.choices.length, rows ? rows - 8 : 10));
    return this.ask(() =>
      select<T>(
        {
          message: q.message,
          choices: q.choices,
          pageSize,
          ...(q.default !== undefined ? { default: q.default } : {}),
          ...this.theme(),
        } as Parameters<typeof select<T>>[0],
        this.context(),
      ),
    );
  }

  async input(q: InputQuestion): Promise<string> {
    const { input } = await import('@inquirer/prompts');
    this.showHelp(q.help);
    return this.ask(() =>
      input(
        {
          message: q.message,
          ...(q.default !== undefined && q.default !== '' ? { default: q.default } : {}),
          ...(q.validate ? { validate: q.validate } : {}),
          ...this.theme(),
        },
        this.context(),
      ),
    );
  }

  async confirm(q: ConfirmQuestion): Promise<boolean> {
    const { confirm } = await import('@inquirer/prompts');
    this.showHelp(q.help);
    return this.ask(() =>
      confirm(
        { message: q.message, ...(q.default !== undefined ? { default: q.default } : {}), ...this.theme() },
        this.context(),
      ),
    );
  }

  async password(q: PasswordQuestion): Promise<string> {
    const { password } = await import('@inquirer/prompts');
    this.showHelp(q.help);
    return this.ask(() =>
      password(
        { message: q.message, mask: '*', ...(q.validate ? { validate: q.validate } : {}), ...this.theme() },
        this.context(),
      ),
    );
  }
}
