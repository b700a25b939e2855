// Every upstream chart the catalog pins must exist upstream at that version.
// The reference: ../shared/charts, the upstream charts packaged from their
// release tags with a chart repository index (see test/helpers/shared-charts.ts).
// Two pins once named versions that were never released
// (kube-prometheus-stack 81.4.5, loki 12.0.1): an online install with
// monitoring or logging would have failed at its helm step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pinnedRepoCharts, sharedChartsDir } from '../../test/helpers/shared-charts.js';

describe('upstream chart pins', () => {
  it('every pinned repository chart exists in the upstream index at that version', () => {
    const index = parse(readFileSync(join(sharedChartsDir(), 'index.yaml'), 'utf8')) as {
      entries: Record<string, { version: string }[]>;
    };
    const charts = pinnedRepoCharts();
    // ingress-nginx, traefik, istio ×3, nfs, rook ×2, cert-manager, kube-prometheus-stack, loki, alloy.
    expect(charts.length).toBeGreaterThanOrEqual(12);
    const missing = charts
      .filter((c) => !(index.entries[c.name] ?? []).some((e) => e.version === c.version))
      .map(
        (c) =>
          `${c.name} ${c.version} (${c.repo}); upstream has ${(index.entries[c.name] ?? []).map((e) => e.version).join(', ') || 'no such chart'}`,
      );
    expect(missing).toEqual([]);
  });
});
