// Text form of a StatusReport: one row per component, the reasons under it.

import type { StatusReport } from '../targets/day2/types.js';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatStatus(report: StatusReport): string {
  const versions = report.installed
    ? `OpenIM ${report.installed.serverVersion} + chat ${report.installed.chatVersion}`
    : 'OpenIM';
  const lines = [`${versions} on ${report.target} (${report.scope}): ${report.healthy ? 'healthy' : 'UNHEALTHY'}`, ''];
  if (report.components.length) {
    const rows = [['COMPONENT', 'KIND', 'VERSION', 'READY', 'RESTARTS', 'ENDPOINTS']];
    const notes = new Map<number, string[]>();
    report.components.forEach((c, i) => {
      rows.push([
        `${c.healthy ? ' ' : '✗'} ${c.name}`,
        c.kind,
        c.version || '-',
        `${c.ready}/${c.desired}`,
        String(c.restarts),
        c.endpoints.slice(0, 3).join(', ') + (c.endpoints.length > 3 ? ', …' : ''),
      ]);
      const n: string[] = [];
      if (c.waiting) n.push(`    not ready: ${c.waiting}`);
      if (c.lastRestart) n.push(`    last restart: ${c.lastRestart}`);
      if (n.length) notes.set(i + 1, n);
    });
    table(rows).forEach((line, i) => {
      lines.push(line);
      lines.push(...(notes.get(i) ?? []));
    });
  } else lines.push('no components found');
  if (report.urls.length) {
    lines.push('', 'URLs:');
    const w = Math.max(...report.urls.map((u) => u.name.length));
    for (const u of report.urls) lines.push(`  ${u.name.padEnd(w)}  ${u.url}`);
  }
  const cert = report.certificate;
  if (cert)
    lines.push(
      '',
      'error' in cert
        ? `certificate: ${cert.error}`
        : `certificate: ${cert.names} from ${cert.issuer} (${cert.mode}), valid until ${cert.notAfter} (${cert.daysLeft} days left)`,
    );
  const j = report.journal;
  lines.push(
    '',
    `journal: ${j.done}/${j.total} steps done${j.failed ? `, ${j.failed} failed` : ''}${j.interrupted + j.started ? `, ${j.interrupted + j.started} interrupted` : ''}`,
  );
  if (report.problems.length) lines.push('', 'problems:', ...report.problems.map((p) => `  - ${p}`));
  return `${lines.join('\n')}\n`;
}
