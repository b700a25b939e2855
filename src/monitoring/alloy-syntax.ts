// Grafana Alloy configuration syntax, built as data and printed by one
// function (the same rule as YAML: never concatenate config text).
//   block:     name "label" { … }
//   attribute: key = value
// Values are strings, numbers, booleans, arrays, objects, or `expr()` for a
// raw expression such as a component reference or sys.env("HOSTNAME").

export interface AlloyExpr {
  readonly expr: string;
}

type AlloyValue =
  string | number | boolean | AlloyExpr | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

export interface AlloyBlock {
  readonly block: string;
  readonly label?: string;
  readonly body: readonly AlloyItem[];
}

export type AlloyItem = AlloyBlock | readonly [key: string, value: AlloyValue];

export const expr = (text: string): AlloyExpr => ({ expr: text });

export function block(name: string, label: string | undefined, body: readonly AlloyItem[]): AlloyBlock {
  return label === undefined ? { block: name, body } : { block: name, label, body };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isExpr(v: AlloyValue): v is AlloyExpr {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as AlloyExpr).expr === 'string'
  );
}

function value(v: AlloyValue, indent: string): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isExpr(v)) return v.expr;
  if (Array.isArray(v)) return `[${v.map((item) => value(item, indent)).join(', ')}]`;
  const entries = Object.entries(v as Record<string, AlloyValue>);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  const lines = entries.map(
    ([k, item]) => `${inner}${IDENTIFIER.test(k) ? k : JSON.stringify(k)} = ${value(item, inner)},`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function item(i: AlloyItem, indent: string): string {
  if (Array.isArray(i)) {
    const [key, v] = i as readonly [string, AlloyValue];
    if (!IDENTIFIER.test(key)) throw new Error(`invalid Alloy attribute name ${key}`);
    return `${indent}${key} = ${value(v, indent)}`;
  }
  const b = i as AlloyBlock;
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(b.block)) throw new Error(`invalid Alloy block name ${b.block}`);
  const head = b.label === undefined ? b.block : `${b.block} ${JSON.stringify(b.label)}`;
  if (b.body.length === 0) return `${indent}${head} { }`;
  return `${indent}${head} {\n${b.body.map((x) => item(x, `${indent}  `)).join('\n')}\n${indent}}`;
}

/** The configuration file text: top-level blocks separated by blank lines. */
export function printAlloy(blocks: readonly AlloyBlock[], header?: string): string {
  const comment = header
    ? `${header
        .split('\n')
        .map((l) => `// ${l}`.trimEnd())
        .join('\n')}\n\n`
    : '';
  return `${comment}${blocks.map((b) => item(b, '')).join('\n\n')}\n`;
}
