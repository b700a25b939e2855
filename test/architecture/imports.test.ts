// The import rules of src/ (docs/ARCHITECTURE.md), checked on every relative
// import of every non-test source file: static, `import type`, `export from`
// and dynamic import(). A failure names the cycle or the forbidden import.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  cycles,
  describeCycle,
  folderGraph,
  importsLeavingRoot,
  layerViolations,
  readFileGraph,
} from './import-graph.js';
import { LAYERS } from './layers.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const files = readFileGraph(SRC);
const folders = folderGraph(files);

describe('src/ import rules', () => {
  it('reads the whole tree (a sanity floor, so an empty graph cannot pass)', () => {
    expect(files.size).toBeGreaterThan(250);
    expect([...files.values()].reduce((n, targets) => n + targets.size, 0)).toBeGreaterThan(1000);
  });

  it('has no cycle between folders', () => {
    expect(cycles(folders).map((c) => describeCycle(folders, c))).toEqual([]);
  });

  it('has no circle between files', () => {
    expect(cycles(files).map((c) => describeCycle(files, c))).toEqual([]);
  });

  it('never imports up a layer, and every folder has a place in the layer table', () => {
    const layers = LAYERS.map((l) => l.folders);
    const { violations, unknownFolders } = layerViolations(files, layers);
    expect(unknownFolders, 'folders missing from test/architecture/layers.ts').toEqual([]);
    expect(
      violations.map(
        (v) => `${v.file} (${LAYERS[v.fromLayer]!.name}) imports ${v.imports} (${LAYERS[v.toLayer]!.name})`,
      ),
    ).toEqual([]);
  });

  it('never imports from outside src/ (test support stays under test/)', () => {
    expect(importsLeavingRoot(SRC)).toEqual([]);
  });
});
