// Cross-field rules, applied to one answer on the spot: the answers so far
// plus the candidate value go through the same schema and rules as the final
// validation, and only problems reported at the asked key count (rules about
// keys not asked yet must not block this one).

import { deploySpecSchema } from '../config/schema.js';
import { crossFieldErrors } from '../config/rules.js';
import { setPath, splitPath, type Plain } from '../config/paths.js';

export function ruleVerdict(raw: Plain, path: string, value: unknown): string | true {
  const trial = structuredClone(raw);
  setPath(trial, splitPath(path), value);
  const parsed = deploySpecSchema.safeParse(trial);
  // Schema problems elsewhere are not this answer's fault; the piece check covers this key.
  if (!parsed.success) return true;
  const issue = crossFieldErrors(parsed.data).find((i) => i.path === path);
  return issue ? `${issue.message}${issue.hint ? ` (${issue.hint})` : ''}` : true;
}
