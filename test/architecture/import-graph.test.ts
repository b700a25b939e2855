// The checker itself, on tiny synthetic graphs: it must find what it is meant to find,
// otherwise the import-rule test over src/ could pass without looking.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cycles,
  describeCycle,
  folderGraph,
  folderOf,
  importSpecifiers,
  importsLeavingRoot,
  layerViolations,
  readFileGraph,
  type FileGraph,
} from './import-graph.js';

const graph = (edges: Record<string, string[]>): FileGraph =>
  new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe('importSpecifiers', () => {
  it('sees static, type-only, re-export and dynamic imports, and skips packages and comments', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "const e = await import('./e.js');",
      "import { z } from 'zod';",
      "// import { f } from './f.js';",
      'const s = "import { g } from \'./g.js\'";',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.js', '../b/b.js', './c.js', './d.js', './e.js']);
  });
});

describe('cycles', () => {
  it('finds a two-node and a three-node cycle and ignores the acyclic rest', () => {
    const g = graph({ a: ['b'], b: ['a', 'c'], c: [], x: ['y'], y: ['z'], z: ['x'], lone: ['a'] });
    expect(cycles(g)).toEqual([
      ['a', 'b'],
      ['x', 'y', 'z'],
    ]);
    expect(describeCycle(g, ['x', 'y', 'z'])).toBe('x → y → z → x');
  });

  it('finds none in a DAG', () => {
    expect(cycles(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });
});

describe('folderGraph', () => {
  it('turns file edges into folder edges; a file directly in src/ is its own folder', () => {
    expect(folderOf('main.ts')).toBe('main');
    expect(folderOf('plan/types.ts')).toBe('plan');
    const folders = folderGraph(
      graph({
        'plan/build.ts': ['targets/registry.ts', 'plan/types.ts'],
        'targets/registry.ts': ['plan/types.ts'],
        'plan/types.ts': [],
      }),
    );
    expect(cycles(folders)).toEqual([['plan', 'targets']]);
  });
});

describe('layerViolations', () => {
  const layers = [['util'], ['plan'], ['targets']];
  it('names an import that goes up a layer', () => {
    const files = graph({
      'plan/build.ts': ['targets/registry.ts', 'util/x.ts'],
      'targets/registry.ts': ['plan/types.ts'],
      'util/x.ts': [],
      'plan/types.ts': [],
    });
    expect(layerViolations(files, layers)).toEqual({
      violations: [{ file: 'plan/build.ts', imports: 'targets/registry.ts', fromLayer: 1, toLayer: 2 }],
      unknownFolders: [],
    });
  });
  it('names a folder missing from the table', () => {
    expect(layerViolations(graph({ 'extra/a.ts': ['util/x.ts'], 'util/x.ts': [] }), layers).unknownFolders).toEqual([
      'extra',
    ]);
  });
});

describe('readFileGraph', () => {
  const root = mkdtempSync(join(tmpdir(), 'import-graph-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  it('resolves .js specifiers to .ts files and folder imports to index.ts, and leaves test files out', () => {
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'b'));
    writeFileSync(
      join(root, 'a/one.ts'),
      "import { two } from '../b/two.js';\nexport const one = () => import('../b');\n",
    );
    writeFileSync(join(root, 'b/two.ts'), "import type { one } from '../a/one.js';\nexport const two = 2;\n");
    writeFileSync(join(root, 'b/index.ts'), 'export const three = 3;\n');
    writeFileSync(join(root, 'b/two.test.ts'), "import { one } from '../a/one.js';\n");
    const files = readFileGraph(root);
    expect([...files.keys()]).toEqual(['a/one.ts', 'b/index.ts', 'b/two.ts']);
    expect([...files.get('a/one.ts')!]).toEqual(['b/two.ts', 'b/index.ts']);
    expect(cycles(files)).toEqual([['a/one.ts', 'b/two.ts']]);
    expect(importsLeavingRoot(root)).toEqual([]);
  });
  it('names an import that leaves the root', () => {
    mkdirSync(join(root, 'c'));
    writeFileSync(join(root, 'c/uses-support.ts'), "import type { X } from '../../support/x.js';\n");
    expect(importsLeavingRoot(root)).toEqual(['c/uses-support.ts → ../../support/x.js']);
  });
});
