// Small helpers for dotted paths into plain objects.

export type Plain = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a.b[0].c` and `a.b.0.c` both become ['a','b','0','c']. */
export function splitPath(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s.length > 0);
}

export function getPath(obj: unknown, path: string[]): unknown {
  let node: unknown = obj;
  for (const segment of path) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isPlainObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

export function setPath(obj: Plain, path: string[], value: unknown): void {
  let node: Plain | unknown[] = obj;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const nextIsIndex = /^\d+$/.test(path[i + 1] ?? '');
    if (Array.isArray(node)) {
      const index = Number(segment);
      if (last) node[index] = value;
      else {
        if (!isPlainObject(node[index]) && !Array.isArray(node[index])) node[index] = nextIsIndex ? [] : {};
        node = node[index] as Plain | unknown[];
      }
      return;
    }
    if (last) node[segment] = value;
    else {
      if (!isPlainObject(node[segment]) && !Array.isArray(node[segment])) node[segment] = nextIsIndex ? [] : {};
      node = node[segment] as Plain | unknown[];
    }
  });
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Leaf paths of a plain value: arrays count as leaves. */
export function leavesOf(obj: unknown, prefix: string[] = []): string[][] {
  if (!isPlainObject(obj)) return [prefix];
  const entries = Object.entries(obj);
  if (entries.length === 0 && prefix.length > 0) return [prefix];
  return entries.flatMap(([k, v]) => leavesOf(v, [...prefix, k]));
}
