// systemd EnvironmentFile= text from a map. Every value is double-quoted and
// escaped for that spot (encode.ts `env`), its secret placeholders tagged, so
// a `"`, `$` or space in a password or path arrives exactly as given.

import { encodeText } from '../../secrets/encode.js';

export function environmentFileText(env: Record<string, string>): string {
  return `# Written by openim-deploy; a re-run overwrites changes.\n${Object.entries(env)
    .map(([k, v]) => `${k}="${encodeText('env', v)}"`)
    .join('\n')}\n`;
}
