// The alert rules as rendered for each target pass `promtool check rules`,
// and every alert is unit-tested with `promtool test rules`: it fires with
// the expected labels and text on synthetic series, and stays silent on a
// healthy or unrelated one.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { NFS_SERVER_SET } from '../helpers/config-presets.js';
import { monitoringContext } from '../../src/monitoring/index.js';
import type { DeploySpec } from '../../src/config/schema.js';
import { binaryMonitoringFiles } from '../../src/targets/binary/monitoring/index.js';
import {
  MONITORING_FILES,
  monitoringSteps as monitoringStepsWith,
} from '../../src/targets/kubernetes/monitoring/index.js';
import type { WriteAction } from '../../src/plan/types.js';
import { alertCases, promtoolTestFile } from './alert-cases.js';
import { promtool, tempDir, writeText, writeYaml, removeTempDirs } from './promtool.js';
import { withLayout } from '../helpers/kubernetes-specs.js';

const monitoringSteps = withLayout(monitoringStepsWith);

afterAll(removeTempDirs);

/** The rules file exactly as each target renders it. */
function renderedRules(spec: DeploySpec): string {
  if (spec.target === 'kubernetes') {
    const write = monitoringSteps(spec, { target: 'kubernetes', probed: false })
      .flatMap((s) => s.actions)
      .find((a): a is WriteAction => a.kind === 'write' && a.render === MONITORING_FILES.rules)!;
    const [rule] = parseAllDocuments(write.content).map((d) => d.toJSON());
    return JSON.stringify({ groups: rule.spec.groups });
  }
  return binaryMonitoringFiles(spec).find((f) => f.path.endsWith('/rules/openim-alerts.yml'))!.content;
}

const targets: [string, DeploySpec][] = [
  [
    'kubernetes (production)',
    resolveConfig({ preset: 'production', sets: ['openim.domain=im.example.com', NFS_SERVER_SET] }).spec,
  ],
  ['binary (single host)', resolveConfig({ preset: 'single-host' }).spec],
];

describe.each(targets)('alert rules on %s', (_, spec) => {
  const dir = tempDir('rules');
  const rulesPath = writeText(join(dir, 'rules.yml'), renderedRules(spec));
  const cases = alertCases(monitoringContext(spec));

  it('pass promtool check rules', () => {
    const r = promtool(['check', 'rules', rulesPath]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('have a firing and a silent promtool test for every alert', () => {
    const alerts = (parse(renderedRules(spec)).groups as { rules: { alert: string }[] }[]).flatMap((g) =>
      g.rules.map((r) => r.alert),
    );
    for (const alert of alerts) {
      expect(
        cases.some((c) => c.alertname === alert && c.expected.length > 0),
        `firing case for ${alert}`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === alert && c.expected.length === 0),
        `silent case for ${alert}`,
      ).toBe(true);
    }
    expect(cases.every((c) => alerts.includes(c.alertname))).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('promtool test rules: %s', (name, c) => {
    const file = writeYaml(
      join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.test.yml`),
      promtoolTestFile('rules.yml', c),
    );
    const r = promtool(['test', 'rules', file], dir);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });
});
