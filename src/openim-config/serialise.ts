// Config objects → YAML text, one document per file name, via yaml (never
// concatenation). Key order follows the builders. Secret placeholders become
// literal blocks so any value stays a string once written (see toYaml).

import { toYaml } from '../secrets/yaml.js';
import type { ConfigFiles } from './types.js';

export function serialiseConfigFiles(files: ConfigFiles): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(files).sort()) out[name] = toYaml(files[name]);
  return out;
}
