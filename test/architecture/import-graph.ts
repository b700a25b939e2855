// The import graph of src/: every relative import of every non-test source file (static `import`,
// `import type`, `export ... from` and dynamic `import()`), as a file graph and as a folder graph
// (folder = first path segment under src/; a file directly in src/ counts as its own folder). Pure functions over a
// `{ file: imports[] }` map so the checker itself can be tested on a tiny synthetic graph.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** file (path relative to src/, forward slashes) → the files it imports (same form). */
export type FileGraph = Map<string, Set<string>>;

/** Every relative import specifier in one TypeScript source, in the order they appear. */
export function importSpecifiers(source: string): string[] {
  // TypeScript's own pre-processor: it sees through comments and strings, and with
  // detectJavaScriptImports it also reports dynamic import() calls.
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** Resolves a relative specifier ('./x.js', '../y') from `fromFile` to a .ts file under `root`, or undefined. */
function resolveSpecifier(root: string, fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(join(root, fromFile)), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  for (const candidate of candidates) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) {
      return relative(root, candidate).split(sep).join('/');
    }
  }
  return undefined;
}

function listSourceFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listSourceFiles(root, rel));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts'))
      out.push(rel);
  }
  return out.sort();
}

/** The file graph of every non-test .ts file under `root`; imports that leave `root` are dropped. */
export function readFileGraph(root: string): FileGraph {
  const graph: FileGraph = new Map();
  for (const file of listSourceFiles(root)) {
    const targets = new Set<string>();
    for (const specifier of importSpecifiers(readFileSync(join(root, file), 'utf8'))) {
      const target = resolveSpecifier(root, file, specifier);
      if (target !== undefined && target !== file) targets.add(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The unit a file belongs to: its first path segment; a file directly in src/ is its own unit (its name without .ts). */
export function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file.replace(/\.ts$/, '') : file.slice(0, slash);
}

/** Relative imports that leave `root` (src/ reaching into test/ support, scripts, ...): "file → specifier". */
export function importsLeavingRoot(root: string): string[] {
  const out: string[] = [];
  for (const file of listSourceFiles(root)) {
    for (const specifier of importSpecifiers(readFileSync(join(root, file), 'utf8'))) {
      const target = relative(root, resolve(dirname(join(root, file)), specifier));
      if (target.startsWith('..')) out.push(`${file} → ${specifier}`);
    }
  }
  return out;
}

/** Folder graph: an edge A → B when some file in A imports some file in B (A ≠ B). */
export function folderGraph(files: FileGraph): FileGraph {
  const graph: FileGraph = new Map();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from) graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one node (i.e. the cycles), Tarjan's algorithm, each sorted. */
export function cycles(graph: FileGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlink.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlink.set(node, Math.min(lowlink.get(node)!, lowlink.get(next)!));
      } else if (onStack.has(next)) {
        lowlink.set(node, Math.min(lowlink.get(node)!, indices.get(next)!));
      }
    }
    if (lowlink.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) result.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return result.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One edge of each cycle, written out as "a → b → … → a", so a failure says which imports to look at. */
export function describeCycle(graph: FileGraph, component: string[]): string {
  const members = new Set(component);
  const start = component[0]!;
  // Breadth-first search from start back to start, inside the component: the shortest loop through start.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start].join(' → ');
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component.join(', ');
}

/** The allowed layer order: index 0 is the bottom; a folder may import its own layer and the layers below. */
export type Layers = readonly (readonly string[])[];

export interface LayerViolation {
  file: string;
  imports: string;
  fromLayer: number;
  toLayer: number;
}

/** Every import that goes up a layer (or into / out of a folder the layer table does not name). */
export function layerViolations(
  files: FileGraph,
  layers: Layers,
): { violations: LayerViolation[]; unknownFolders: string[] } {
  const layerOf = new Map<string, number>();
  layers.forEach((folders, i) => folders.forEach((folder) => layerOf.set(folder, i)));
  const violations: LayerViolation[] = [];
  const unknown = new Set<string>();
  for (const [file, targets] of files) {
    const fromLayer = layerOf.get(folderOf(file));
    if (fromLayer === undefined) unknown.add(folderOf(file));
    for (const target of targets) {
      const toLayer = layerOf.get(folderOf(target));
      if (toLayer === undefined) unknown.add(folderOf(target));
      if (fromLayer !== undefined && toLayer !== undefined && toLayer > fromLayer) {
        violations.push({ file, imports: target, fromLayer, toLayer });
      }
    }
  }
  return { violations, unknownFolders: [...unknown].sort() };
}
