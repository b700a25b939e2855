// Live connectivity checks for external services, and the address parsing
// they need.

import type { QuestionContext } from './context.js';

export interface Endpoint {
  host: string;
  port: number;
}

/** `host:port` → endpoint. */
export function parseHostPort(text: string): Endpoint | undefined {
  const m = /^([^\s:/]+):([0-9]{1,5})$/.exec(text);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

/** An S3-style endpoint: `host:port` or a URL (port from the scheme when absent). */
export function parseEndpoint(text: string): Endpoint | undefined {
  if (/^https?:\/\//.test(text)) {
    try {
      const url = new URL(text);
      return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
    } catch {
      return undefined;
    }
  }
  return parseHostPort(text);
}

/** `a, b:1` → [`a:<defaultPort>`, `b:1`]: a missing port means the service's usual one. */
export function addressList(text: string, defaultPort: number): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/:[0-9]+$/.test(s) ? s : `${s}:${defaultPort}`));
}

/**
 * Connects to each endpoint now. When one fails, the user decides: a cluster
 * may reach addresses this machine cannot, so a failure is a question, not a verdict.
 */
export async function confirmReachable(q: QuestionContext, path: string, endpoints: Endpoint[]): Promise<boolean> {
  if (endpoints.length === 0) return true;
  q.note(`Checking ${endpoints.map((e) => `${e.host}:${e.port}`).join(', ')}…`);
  const results = await Promise.all(endpoints.map((e) => q.reach(e.host, e.port)));
  q.ask.checkAbort();
  for (const r of results) q.note(`  ${r.ok ? 'reachable' : 'NOT reachable'}: ${r.detail}`);
  if (results.every((r) => r.ok)) return true;
  const kubernetes = q.answers.get('target') === 'kubernetes';
  return q.ask.prompter.confirm({
    key: `check:${path}`,
    message: 'Keep this address anyway?',
    help: kubernetes
      ? 'This machine could not connect. Keep it if only the cluster can reach it (a private network); otherwise answer no and correct it.'
      : 'This host could not connect, and OpenIM will run here: answer no to correct the address, yes if the service is not up yet.',
    default: false,
  });
}
