// #19 High 4: a secret value must never change the shape of a manifest. The
// values are hostile on purpose: a new document, a leading space, a newline.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../config/resolve.js';
import { runAction } from '../execute/actions.js';
import { RecordingRunner } from '../../test/helpers/recording-runner.js';
import { buildPlan } from '../targets/build-plan.js';
import type { WriteAction } from '../plan/types.js';
import { Redactor } from '../secrets/redact.js';
import { SECRET_IDS, type SecretValues } from '../secrets/secrets.js';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specFor, UNPROBED } from '../../test/helpers/kubernetes-specs.js';

const INJECTION =
  'x\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: pwned}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: default, namespace: openim}]';

async function writeWith(action: WriteAction, values: Partial<SecretValues>): Promise<string> {
  const workdir = await mkdtemp(join(tmpdir(), 'openim-safety-'));
  await runAction(action, {
    runner: new RecordingRunner(),
    workdir,
    templatesDir: workdir,
    secrets: values,
    redactor: new Redactor([]),
    probe: async () => ({ ok: true, detail: '' }),
    report: () => {},
    stepId: 't',
  });
  return readFile(join(workdir, action.path), 'utf8');
}

function all(value: string): SecretValues {
  return Object.fromEntries(SECRET_IDS.map((id) => [id, value])) as SecretValues;
}

describe('#19 High 4: secret values cannot inject YAML', () => {
  const plan = buildPlan(specFor('production'), UNPROBED);
  const secrets = plan.steps
    .flatMap((s) => s.actions)
    .find((a): a is WriteAction => a.kind === 'write' && a.path === 'manifests/openim-secrets.yaml')!;

  for (const hostile of [INJECTION, '  leading spaces', 'trailing  ', 'a\nb', '#x', "'q'\"", '|', '- item', '{a: 1}']) {
    it(`keeps ${JSON.stringify(hostile).slice(0, 30)} one string in the same documents`, async () => {
      const text = await writeWith(secrets, all(hostile));
      const docs = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; stringData: Record<string, string> });
      expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Secret']);
      for (const d of docs) for (const v of Object.values(d.stringData)) expect(v).toBe(hostile);
    });
  }

  it('refuses control characters in secret values at validation', () => {
    for (const key of [
      'openim.secret',
      'infrastructure.redis.password',
      'infrastructure.mongodb.password',
      'monitoring.grafanaAdminPassword',
    ]) {
      expect(() => resolveConfig({ preset: 'dev', sets: [`${key}=a\u0007b`] })).toThrow(/control character/);
    }
  });
});
