// Helpers both targets use to read a live install: proxy variable names,
// the Kafka topic listing, and a Mongo login whose password goes through
// stdin (a mongosh script), never argv.

import type { RunResult } from '../../process/runner.js';
import type { LiveEvidence } from './types.js';

export const PROXY_VARIABLES = [
  'http_proxy',
  'https_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'grpc_proxy',
  'GRPC_PROXY',
];

/** `kafka-topics.sh --describe` → name and partition count per topic. */
export function parseTopicDescribe(text: string): { name: string; partitions: number }[] {
  const out: { name: string; partitions: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*Topic:\s*(\S+)\s.*PartitionCount:\s*(\d+)/.exec(line);
    if (m) out.push({ name: m[1]!, partitions: Number(m[2]) });
  }
  return out;
}

/** A `kafka-topics.sh --describe` run → the topics it lists, or its last two lines of output as the error. */
export function kafkaTopicsEvidence(r: RunResult): LiveEvidence['kafkaTopics'] {
  return r.exitCode === 0
    ? { ok: true, topics: parseTopicDescribe(r.stdout) }
    : { ok: false, error: (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ') };
}

/** A mongosh script for stdin: the password never reaches argv. */
export function mongoPingScript(uri: string): string {
  return [
    'try {',
    `  const c = connect(${JSON.stringify(uri)});`,
    '  const r = c.runCommand({ ping: 1 });',
    '  print("OPENIM-DEPLOY-PING " + JSON.stringify({ ok: r.ok }));',
    '} catch (e) {',
    '  print("OPENIM-DEPLOY-PING " + JSON.stringify({ ok: 0, error: String(e.message || e) }));',
    '}',
    '',
  ].join('\n');
}

export function parseMongoPing(stdout: string): { ok: boolean; detail: string } {
  const line = stdout.split('\n').find((l) => l.startsWith('OPENIM-DEPLOY-PING '));
  if (!line) return { ok: false, detail: stdout.trim().split('\n').pop() || 'no answer from mongosh' };
  try {
    const r = JSON.parse(line.slice('OPENIM-DEPLOY-PING '.length)) as { ok: number; error?: string };
    return r.ok === 1
      ? { ok: true, detail: 'ping answered after authentication' }
      : { ok: false, detail: r.error ?? 'ping failed' };
  } catch {
    return { ok: false, detail: line };
  }
}
