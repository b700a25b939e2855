// Asks for one config key unless a layer already answers it, validates the
// answer with that key's zod piece, and records it.

import { UserAbort } from '../errors.js';
import type { Answers } from './answers.js';
import type { Choice, Prompter } from './prompter.js';
import { ruleVerdict } from './rule-check.js';
import { checkValue, enumValues, parseValue } from './schema-piece.js';

export interface TextQuestion {
  message: string;
  help?: string;
  default?: string;
  /** Text → config value (e.g. a comma list → array); identity by default. */
  toValue?: (text: string) => unknown;
  /** Rules beyond the key's own schema (cross-field ones such as "required for production"). */
  extra?: (value: unknown, text: string) => string | true;
}

export class Asker {
  constructor(
    readonly answers: Answers,
    readonly prompter: Prompter,
    private readonly signal?: AbortSignal,
  ) {}

  /** Between prompts Ctrl-C arrives as SIGINT (the terminal is not raw); stop before asking more. */
  checkAbort(): void {
    if (this.signal?.aborted) throw new UserAbort('cancelled');
  }

  async choose<T extends string>(
    path: string,
    q: { message: string; help?: string; choices: Choice<T>[]; default?: T },
  ): Promise<T> {
    if (this.answers.given(path)) return this.answers.get<T>(path);
    this.checkAbort();
    // Offer only what the schema and the rules accept given the answers so far.
    const allowed = new Set(enumValues(path));
    const choices = q.choices.filter(
      (c) => allowed.has(c.value) && ruleVerdict(this.answers.raw, path, c.value) === true,
    );
    if (choices.length === 0) throw new Error(`${path}: no choice is valid with the answers so far`);
    const fallback = choices.some((c) => c.value === q.default) ? q.default : choices[0]!.value;
    const answer = await this.prompter.select<T>({
      key: path,
      message: q.message,
      choices,
      default: fallback as T,
      ...(q.help ? { help: q.help } : {}),
    });
    this.answers.put(path, parseValue(path, answer));
    return answer;
  }

  /** Free text; the prompt re-asks until the schema piece (and `extra`) accept it. */
  async text<T = string>(path: string, q: TextQuestion): Promise<T> {
    if (this.answers.given(path)) return this.answers.get<T>(path);
    this.checkAbort();
    const toValue = q.toValue ?? ((text: string) => text);
    const validate = (text: string): string | true => {
      const value = toValue(text.trim());
      const verdict = checkValue(path, value);
      if (verdict !== true) return verdict;
      const extra = q.extra ? q.extra(value, text.trim()) : true;
      return extra === true ? ruleVerdict(this.answers.raw, path, parseValue(path, value)) : extra;
    };
    const text = (
      await this.prompter.input({
        key: path,
        message: q.message,
        validate,
        ...(q.help ? { help: q.help } : {}),
        ...(q.default !== undefined ? { default: q.default } : {}),
      })
    ).trim();
    const value = parseValue<T>(path, toValue(text));
    this.answers.put(path, value);
    return value;
  }

  async yesNo(path: string, q: { message: string; help?: string; default?: boolean }): Promise<boolean> {
    if (this.answers.given(path)) return this.answers.get<boolean>(path);
    this.checkAbort();
    const answer = await this.prompter.confirm({
      key: path,
      message: q.message,
      ...(q.help ? { help: q.help } : {}),
      ...(q.default !== undefined ? { default: q.default } : {}),
    });
    this.answers.put(path, parseValue(path, answer));
    return answer;
  }

  /** A credential: masked input; when optional, empty leaves the key unset. */
  async secret(path: string, q: { message: string; help?: string; required: boolean }): Promise<void> {
    if (this.answers.given(path)) return;
    this.checkAbort();
    const validate = (text: string): string | true => {
      if (text === '') return q.required ? 'required' : true;
      return checkValue(path, text);
    };
    const answer = await this.prompter.password({
      key: path,
      message: q.message,
      validate,
      ...(q.help ? { help: q.help } : {}),
    });
    if (answer !== '') this.answers.put(path, parseValue(path, answer));
  }

  /** The rules' verdict on a value for `path` given the answers so far. */
  allows(path: string, value: unknown): boolean {
    return ruleVerdict(this.answers.raw, path, value) === true;
  }

  /** A value implied by another answer (e.g. cloud storage is always external); no prompt. */
  imply(path: string, value: unknown): void {
    if (!this.answers.given(path)) this.answers.put(path, parseValue(path, value));
  }
}
