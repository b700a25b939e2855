// Config objects → YAML text, one document per file name, via yaml's
// stringify (never concatenation). Key order follows the builders.

import { stringify } from 'yaml';
import type { ConfigFiles } from './types.js';

export function serialiseConfigFiles(files: ConfigFiles): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(files).sort()) {
    // lineWidth 0: never fold long values (URLs, placeholders) across lines.
    out[name] = stringify(files[name], { lineWidth: 0 });
  }
  return out;
}
