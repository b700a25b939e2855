// systemd unit files as data: an object per section, serialised here and
// nowhere else. Arrays become repeated keys; `''` is an empty assignment
// (which resets a list, e.g. `CapabilityBoundingSet=`). Values are written
// as given: `%i` and other specifiers keep their systemd meaning.

type UnitValue = string | number | boolean | readonly (string | number)[];
export type UnitSection = Record<string, UnitValue | undefined>;
export type UnitFile = Record<string, UnitSection>;

const SECTION_ORDER = ['Unit', 'Service', 'Socket', 'Timer', 'Path', 'Install'];

function line(key: string, value: string | number | boolean): string {
  const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  // A newline would start a new directive; a trailing backslash would continue the line.
  if (/[\r\n]/.test(text) || text.endsWith('\\'))
    throw new Error(`unit value for ${key} must be one line: ${JSON.stringify(text)}`);
  return `${key}=${text}`;
}

export function renderUnit(unit: UnitFile, comment?: string): string {
  const sections = Object.keys(unit).sort((a, b) => {
    const ia = SECTION_ORDER.indexOf(a);
    const ib = SECTION_ORDER.indexOf(b);
    return (ia === -1 ? SECTION_ORDER.length - 1.5 : ia) - (ib === -1 ? SECTION_ORDER.length - 1.5 : ib);
  });
  const out: string[] = comment ? comment.split('\n').map((l) => `# ${l}`.trimEnd()) : [];
  for (const name of sections) {
    if (!/^[A-Z][A-Za-z]*$/.test(name)) throw new Error(`invalid unit section name ${name}`);
    if (out.length) out.push('');
    out.push(`[${name}]`);
    for (const [key, value] of Object.entries(unit[name]!)) {
      if (value === undefined) continue;
      if (!/^[A-Z][A-Za-z0-9]*$/.test(key)) throw new Error(`invalid unit key ${key}`);
      if (Array.isArray(value)) for (const v of value as readonly (string | number)[]) out.push(line(key, v));
      else out.push(line(key, value as string | number | boolean));
    }
  }
  return `${out.join('\n')}\n`;
}

/** Section → key → every value in order (for tests and drift checks). Comments and blank lines are skipped. */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(l);
    if (header) {
      section = out[header[1]!] ??= {};
      continue;
    }
    const eq = l.indexOf('=');
    if (!section || eq === -1) throw new Error(`not a unit file line: ${raw}`);
    (section[l.slice(0, eq)] ??= []).push(l.slice(eq + 1));
  }
  return out;
}

/**
 * An argv as one ExecStart= value. systemd splits on spaces, reads C escapes
 * and quotes, expands `%` specifiers and `$VAR`: a word with any of those is
 * double-quoted with `\` and `"` escaped, and every `%` and `$` doubled, so
 * each argument arrives exactly as given (e.g. a regex like `openim.+\.service`).
 */
export function execStart(argv: readonly string[]): string {
  return argv
    .map((arg) => {
      const literal = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
      if (arg !== '' && /^[A-Za-z0-9_@%$+=:,./-]+$/.test(arg)) return literal;
      return `"${literal.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    })
    .join(' ');
}
