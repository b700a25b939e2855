// A Prompter for tests: plays a script of expected prompts in order. Each
// prompt must match the next step's key (and message, when given); answers go
// through the prompt's own validation as a terminal user's would; an
// unexpected prompt fails at once and `done()` fails on unused steps.

import type { ConfirmQuestion, InputQuestion, PasswordQuestion, Prompter, SelectQuestion } from './prompter.js';

export interface ScriptStep {
  key: string;
  /** The answer; absent = press Enter (the default). */
  answer?: string | boolean;
  message?: string | RegExp;
  /** Expected help text (the "why it matters"). */
  help?: RegExp;
  /** Values the prompt's validation must refuse before the answer is typed. */
  rejects?: string[];
  /** Exact choice values a select must offer. */
  choices?: string[];
  /** Expected default. */
  default?: string | boolean;
}

export interface AskedPrompt {
  kind: 'select' | 'input' | 'confirm' | 'password';
  key: string;
  message: string;
  help?: string;
  default?: string | boolean;
  choices?: string[];
  answer: string | boolean;
}

export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

export class ScriptedPrompter implements Prompter {
  readonly asked: AskedPrompt[] = [];
  private readonly steps: ScriptStep[];
  constructor(steps: ScriptStep[]) {
    this.steps = [...steps];
  }

  private next(kind: AskedPrompt['kind'], q: { key: string; message: string; help?: string }): ScriptStep {
    const step = this.steps.shift();
    const where = `prompt #${this.asked.length + 1} (${kind} ${q.key}: "${q.message}")`;
    if (!step) throw new ScriptError(`unexpected ${where}: the script has no more steps`);
    if (step.key !== q.key) throw new ScriptError(`unexpected ${where}: the script expected ${step.key}`);
    if (
      step.message !== undefined &&
      !(typeof step.message === 'string' ? q.message === step.message : step.message.test(q.message))
    ) {
      throw new ScriptError(`${where}: message does not match ${String(step.message)}`);
    }
    if (step.help && !step.help.test(q.help ?? ''))
      throw new ScriptError(`${where}: help "${q.help ?? ''}" does not match ${String(step.help)}`);
    return step;
  }

  private checkDefault(step: ScriptStep, actual: string | boolean | undefined, key: string): void {
    if (step.default !== undefined && step.default !== actual)
      throw new ScriptError(`${key}: default is ${String(actual)}, the script expected ${String(step.default)}`);
  }

  /** Records what was asked and answered, as the wizard's tests read it back. */
  private record(
    kind: AskedPrompt['kind'],
    q: { key: string; message: string; help?: string; default?: string | boolean },
    answer: string | boolean,
    choices?: string[],
  ): void {
    this.asked.push({
      kind,
      key: q.key,
      message: q.message,
      ...(q.help ? { help: q.help } : {}),
      ...(q.default !== undefined ? { default: q.default } : {}),
      ...(choices ? { choices } : {}),
      answer,
    });
  }

  private validateText(
    step: ScriptStep,
    key: string,
    validate: ((v: string) => string | true) | undefined,
    answer: string,
  ): void {
    for (const bad of step.rejects ?? []) {
      if (!validate || validate(bad) === true) throw new ScriptError(`${key}: "${bad}" should have been refused`);
    }
    const verdict = validate ? validate(answer) : true;
    if (verdict !== true) throw new ScriptError(`${key}: answer "${answer}" refused: ${verdict}`);
  }

  async select<T extends string>(q: SelectQuestion<T>): Promise<T> {
    const step = this.next('select', q);
    const values = q.choices.map((c) => c.value as string);
    if (step.choices && JSON.stringify(step.choices) !== JSON.stringify(values))
      throw new ScriptError(
        `${q.key}: choices are ${values.join(', ')}, the script expected ${step.choices.join(', ')}`,
      );
    this.checkDefault(step, q.default, q.key);
    const answer = step.answer === undefined ? (q.default ?? values[0]) : String(step.answer);
    if (answer === undefined || !values.includes(answer))
      throw new ScriptError(`${q.key}: "${String(answer)}" is not one of the choices (${values.join(', ')})`);
    this.record('select', q, answer, values);
    return answer as T;
  }

  async input(q: InputQuestion): Promise<string> {
    const step = this.next('input', q);
    this.checkDefault(step, q.default, q.key);
    // Enter on an empty line gives the default, as inquirer does.
    const typed = step.answer === undefined ? '' : String(step.answer);
    const answer = typed === '' ? (q.default ?? '') : typed;
    this.validateText(step, q.key, q.validate, answer);
    this.record('input', q, answer);
    return answer;
  }

  async confirm(q: ConfirmQuestion): Promise<boolean> {
    const step = this.next('confirm', q);
    this.checkDefault(step, q.default, q.key);
    if (step.answer !== undefined && typeof step.answer !== 'boolean')
      throw new ScriptError(`${q.key}: a confirm needs a boolean answer`);
    const answer = step.answer ?? q.default ?? true;
    this.record('confirm', q, answer);
    return answer;
  }

  async password(q: PasswordQuestion): Promise<string> {
    const step = this.next('password', q);
    const answer = step.answer === undefined ? '' : String(step.answer);
    this.validateText(step, q.key, q.validate, answer);
    this.record('password', q, answer);
    return answer;
  }

  /** Fails when the script has steps no prompt used. */
  done(): void {
    if (this.steps.length > 0) throw new ScriptError(`unused prompts: ${this.steps.map((s) => s.key).join(', ')}`);
  }

  keys(): string[] {
    return this.asked.map((a) => a.key);
  }
}
