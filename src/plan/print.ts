// One printer turns plan data into text for `plan`, `--dry-run` and logs.

import type { Action, Plan, Probe } from './types.js';

/** Quote an argv element for display only; nothing ever runs this string. */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./«»-]+$/u.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function formatArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

function formatProbe(probe: Probe): string {
  switch (probe.kind) {
    case 'tcp':
      return `tcp ${probe.host}:${probe.port}`;
    case 'http':
      return `http ${probe.url} → ${probe.expectStatus}`;
    case 'exec':
      return `until ${formatArgv(probe.argv)} succeeds`;
    case 'openim-admin-token':
      return probe.portForward
        ? `OpenIM API (through ${formatArgv(probe.portForward)}) gives an admin token`
        : `OpenIM API ${probe.apiUrl} gives an admin token`;
    case 'openim-verify':
      return `openim-deploy verify against ${probe.endpoints.api} (tokens, throw-away users, WebSocket push, stored message, file upload/download${probe.chat ? ', chat and admin login' : ''})`;
  }
}

function formatAction(action: Action): string {
  switch (action.kind) {
    case 'exec':
      return `$ ${formatArgv(action.argv)}${action.input !== undefined ? ' <<stdin' : ''}`;
    case 'write':
      return `write ${action.path} (mode ${action.mode.toString(8).padStart(4, '0')}, ${Buffer.byteLength(action.content)} bytes)`;
    case 'copy':
      return `copy templates/${action.from} → ${action.to}`;
    case 'wait':
      return `wait ${formatProbe(action.probe)} (timeout ${action.timeoutSeconds}s)`;
    case 'note':
      return `note: ${action.text}`;
    case 'fetch': {
      const from = action.url ?? action.file ?? '(no source)';
      const pin = action.sha256
        ? `sha256 ${action.sha256.slice(0, 12)}…`
        : action.verifiedBy
          ? `verified by the ${action.verifiedBy}`
          : 'sha256 NOT PINNED';
      return `fetch ${from} → ${action.to} (${pin})`;
    }
    case 'chat-admin-password': {
      const where =
        'url' in action.adminApi ? action.adminApi.url : `port-forward (${formatArgv(action.adminApi.portForward)})`;
      return `set the chat admin password of ${action.account} to ${action.password} through admin-api at ${where} (replaces chat's seeded one; no change when it already logs in)`;
    }
    case 'extract': {
      const how = [
        action.strip ? `strip ${action.strip}` : '',
        ...(action.select ?? []).map((s) => `${s.from} → ${s.to}`),
      ].filter(Boolean);
      return `extract ${action.archive} → ${action.to}${how.length ? ` (${how.join(', ')})` : ''}`;
    }
    case 'go-build': {
      // Proxy URLs may carry credentials (https://user:token@proxy): never printed.
      const env = Object.entries(action.env).map(([k, v]) => `${k}=${v.replace(/\/\/[^/@\s]+@/g, '//***@')}`);
      return `go build ${action.services.length} services + ${action.tools.length} tools of ${action.module}@${action.version} (go ≥ ${action.goVersion}, linux/${action.arch}${env.length ? `, ${env.join(' ')}` : ''}) → ${action.to} (cached in ${action.cacheDir})`;
    }
  }
}

export function formatPlan(plan: Plan): string {
  const lines = [
    `Plan v${plan.version}: OpenIM server ${plan.openim.serverVersion}, chat ${plan.openim.chatVersion} → ${plan.target} (${plan.profile}) in ${plan.scope}`,
    `${plan.steps.length} steps`,
    '',
  ];
  plan.steps.forEach((step, i) => {
    lines.push(`${String(i + 1).padStart(3)}. [${step.id}] ${step.title}`);
    if (step.needs.length) lines.push(`       after: ${step.needs.join(', ')}`);
    if (step.notApplicable !== undefined) lines.push(`       skipped: ${step.notApplicable}`);
    for (const action of step.actions) lines.push(`       ${formatAction(action)}`);
  });
  return lines.join('\n');
}

/** A plan as one JSON line: what `--json` prints with `--dry-run` (JSON lines, like the progress events it stands for). */
export function jsonLine(plan: Plan): string {
  return `${JSON.stringify(plan)}\n`;
}
