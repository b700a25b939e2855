// Every line the executor prints or logs passes through a Redactor built
// from the secret values in use.

export const REDACTED = '«redacted»';

export class Redactor {
  private readonly values: string[];
  constructor(values: Iterable<string>) {
    // Longest first so a secret containing another is replaced whole.
    this.values = [...new Set([...values].filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  }

  redactArgv(argv: readonly string[]): string[] {
    return argv.map((a) => this.redact(a));
  }
}
