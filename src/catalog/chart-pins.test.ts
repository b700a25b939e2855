// Every upstream chart the catalog pins must exist upstream at that version.
// The reference: ../shared/charts, the upstream charts packaged from their
// release tags with a chart repository index (OPENIM_SHARED_CHARTS overrides
// the folder). Two pins once named versions that were never released
// (kube-prometheus-stack 81.4.5, loki 12.0.1): an online install with
// monitoring or logging would have failed at its helm step.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/package-root.js';
import type { ChartRef } from './infrastructure.js';
import * as infrastructure from './infrastructure.js';
import * as ingress from './ingress.js';

/** OPENIM_SHARED_CHARTS, else `shared/charts` beside the checkout (or beside the main checkout of a worktree, or this machine's /work). */
const CANDIDATES = [process.env.OPENIM_SHARED_CHARTS, resolve(packageRoot(), '..', 'shared', 'charts'), resolve(packageRoot(), '..', '..', 'shared', 'charts'), '/work/shared/charts'].filter((p): p is string => !!p);
const FIXTURES = CANDIDATES.find((p) => existsSync(join(p, 'index.yaml'))) ?? CANDIDATES[0]!;

/** Every repository chart reachable from the catalog's exports. */
function pinnedCharts(): ChartRef[] {
  const found: ChartRef[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown) => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const v = value as Partial<ChartRef>;
    if (v.source === 'repo' && typeof v.name === 'string' && typeof v.version === 'string' && typeof v.repo === 'string') found.push(v as ChartRef);
    for (const child of Object.values(value)) walk(child);
  };
  walk(infrastructure);
  walk(ingress);
  return found;
}

describe('upstream chart pins', () => {
  it('the fixture chart repository is there (../shared/charts, or OPENIM_SHARED_CHARTS)', () => {
    expect(existsSync(join(FIXTURES, 'index.yaml')), `no index.yaml in ${CANDIDATES.join(', ')}: the upstream chart fixtures are missing (set OPENIM_SHARED_CHARTS)`).toBe(true);
  });

  it('every pinned repository chart exists in the upstream index at that version', () => {
    const index = parse(readFileSync(join(FIXTURES, 'index.yaml'), 'utf8')) as { entries: Record<string, { version: string }[]> };
    const charts = pinnedCharts();
    // ingress-nginx, traefik, istio ×3, nfs, rook ×2, cert-manager, kube-prometheus-stack, loki, alloy.
    expect(charts.length).toBeGreaterThanOrEqual(12);
    const missing = charts
      .filter((c) => !(index.entries[c.name] ?? []).some((e) => e.version === c.version))
      .map((c) => `${c.name} ${c.version} (${c.repo}); upstream has ${(index.entries[c.name] ?? []).map((e) => e.version).join(', ') || 'no such chart'}`);
    expect(missing).toEqual([]);
  });
});
