// The dashboards as rendered (Kubernetes ConfigMaps, host JSON files) are
// valid JSON with unique uids, and every PromQL expression in them parses:
// each becomes a throwaway recording rule checked by `promtool check rules`.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import type { Dashboard } from '../../src/monitoring/index.js';
import { promqlOf } from '../../src/monitoring/index.js';
import type { WriteAction } from '../../src/plan/types.js';
import { binaryMonitoringFiles } from '../../src/targets/binary/monitoring/index.js';
import {
  MONITORING_FILES,
  monitoringSteps as monitoringStepsWith,
} from '../../src/targets/kubernetes/monitoring/index.js';
import { promtool, tempDir, writeYaml, removeTempDirs } from './promtool.js';
import { withLayout } from '../helpers/kubernetes-specs.js';

const monitoringSteps = withLayout(monitoringStepsWith);

afterAll(removeTempDirs);

function kubernetesDashboards(): string[] {
  const spec = resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec;
  const write = monitoringSteps(spec, { target: 'kubernetes', probed: false })
    .flatMap((s) => s.actions)
    .find((a): a is WriteAction => a.kind === 'write' && a.render === MONITORING_FILES.dashboards)!;
  return parseAllDocuments(write.content).flatMap((d) =>
    Object.values((d.toJSON() as { data: Record<string, string> }).data),
  );
}

function hostDashboards(): string[] {
  const spec = resolveConfig({ preset: 'single-host', sets: ['logging.enabled=true'] }).spec;
  return binaryMonitoringFiles(spec)
    .filter((f) => f.path.endsWith('.json'))
    .map((f) => f.content);
}

/** promtool check rules over one recording rule per expression; returns its result and the rule → panel map. */
function checkExpressions(exprs: { panel: string; expr: string }[]) {
  const dir = tempDir('promql');
  const rules = exprs.map((e, i) => ({ record: `openim_dashboard:expr_${i}`, expr: e.expr }));
  const path = writeYaml(join(dir, 'exprs.yml'), { groups: [{ name: 'dashboard-expressions', rules }] });
  return promtool(['check', 'rules', path]);
}

describe.each([
  ['Kubernetes ConfigMaps', kubernetesDashboards],
  ['host JSON files', hostDashboards],
] as const)('dashboards rendered as %s', (_, load) => {
  const texts = load();
  const dashboards = texts.map((t) => JSON.parse(t) as Dashboard);

  it('are valid JSON with unique uids and titles', () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(4);
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(dashboards.length);
    for (const d of dashboards) expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  it('have only PromQL that promtool parses', () => {
    const exprs = dashboards.flatMap(promqlOf);
    expect(exprs.length).toBeGreaterThan(20);
    const r = checkExpressions(exprs);
    expect(r.status, `${r.output}\n${exprs.map((e, i) => `expr_${i} (${e.panel}): ${e.expr}`).join('\n')}`).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});

it('a malformed expression fails the same check (the parse is real)', () => {
  expect(checkExpressions([{ panel: 'x', expr: 'sum by (job (up)' }]).status).not.toBe(0);
});
