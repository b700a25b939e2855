// checksums.sha256: `sha256sum -c` compatible (two spaces, sorted paths),
// with a closing comment line that holds the digest of the lines above it, so
// a damaged list is told apart from a damaged file it lists (sha256sum
// ignores `#` lines).

import { sha256Hex } from '../util/hash.js';

const SELF = '# sha256 of the lines above: ';

export function formatChecksums(sums: Map<string, string>): Buffer {
  const lines = [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, hex]) => `${hex}  ${path}\n`);
  const body = `# openim-deploy bundle: sha256 of every file (sha256sum -c checksums.sha256)\n${lines.join('')}`;
  return Buffer.from(`${body}${SELF}${sha256Hex(body)}\n`, 'utf8');
}

export interface ParsedChecksums {
  sums: Map<string, string>;
  /** Why the list itself is not intact, if it is not. */
  damage?: string;
}

export function parseChecksums(data: Buffer): ParsedChecksums {
  const text = data.toString('utf8');
  const sums = new Map<string, string>();
  let damage: string | undefined;
  const selfAt = text.lastIndexOf(`\n${SELF}`);
  if (selfAt < 0) damage = 'the closing self-check line is missing';
  else {
    const body = text.slice(0, selfAt + 1);
    const claimed = text.slice(selfAt + 1 + SELF.length).trim();
    if (claimed !== sha256Hex(body))
      damage = 'the list does not match its own digest (the file is damaged or was edited)';
  }
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-f0-9]{64}) [ *](.+)$/.exec(line);
    if (!m) {
      damage ??= `line ${i + 1} is not "<sha256>  <path>"`;
      continue;
    }
    if (sums.has(m[2]!)) damage ??= `${m[2]} is listed twice`;
    sums.set(m[2]!, m[1]!);
  }
  return damage ? { sums, damage } : { sums };
}
