// Small builders for PromQL selectors, so label values are always quoted and
// regex-escaped the same way (an unescaped `.` in a module regex would match
// more than meant; a missing quote is a parse error only promtool would see).

type MatchOp = '=' | '!=' | '=~' | '!~';
export type Matcher = readonly [label: string, op: MatchOp, value: string];

/** A PromQL string literal. JSON escaping is a subset of PromQL's Go-style escapes. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `a|b|c` with each value escaped: the value of a `=~` matcher that matches exactly these values. */
export function anyOf(values: readonly string[]): string {
  return values.map(escapeRegex).join('|');
}

/** `metric{label="value",…}`; without a metric name, just the braces. */
export function selector(metric: string, matchers: readonly Matcher[]): string {
  const inner = matchers.map(([label, op, value]) => `${label}${op}${quote(value)}`).join(', ');
  return `${metric}{${inner}}`;
}
