// Secrets out of everything a support bundle holds: every known value (and
// its base64 and URI-encoded forms, as Secrets and connection strings carry
// them), then anything that looks like a credential assignment or a URI
// with a password, whatever its value.

import { REDACTED, Redactor } from '../secrets/redact.js';

const ASSIGNMENT =
  /((?:["']?)(?:[A-Za-z0-9_.-]*?)(?:password|passwd|secret|token|secretkey|secret_key|accesskey|access_key|supercode|keyfile)(?:["']?)\s*[:=]\s*["']?)([^\s"',}]+)/gi;
const URI_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)([^@\s/]+)(@)/gi;

export class Scrubber {
  private readonly redactor: Redactor;
  constructor(values: Iterable<string>) {
    const forms = new Set<string>();
    for (const v of values) {
      if (!v || v.length < 4) continue;
      forms.add(v);
      forms.add(Buffer.from(v, 'utf8').toString('base64'));
      forms.add(encodeURIComponent(v));
    }
    this.redactor = new Redactor(forms);
  }

  scrub(text: string): string {
    return this.redactor
      .redact(text)
      .replace(URI_PASSWORD, (_, a: string, _p: string, c: string) => `${a}${REDACTED}${c}`)
      .replace(ASSIGNMENT, (whole: string, key: string, value: string) =>
        value === REDACTED || value.startsWith('«') || /^(true|false|null|""|''|\$\{?\w+\}?)$/i.test(value)
          ? whole
          : `${key}${REDACTED}`,
      );
  }
}
