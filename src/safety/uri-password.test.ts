// #19 Medium 11: a password inside infrastructure.mongodb.uri never appears
// in `plan --json` or `render` output, and rendered files that could hold a
// credential are 0600.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildPlan } from '../targets/build-plan.js';
import type { WriteAction } from '../plan/types.js';
import { renderPlan } from '../render/render.js';
import { resolveSecrets } from '../secrets/secrets.js';
import { materialiseYaml } from '../secrets/yaml.js';
import { allExternal, unprobed } from '../../test/helpers/binary-specs.js';
import { templatesDir } from '../util/package-root.js';

const PASSWORD = 'Uri-Pa55word-only-here';
const URI = `mongodb://openim:${PASSWORD}@db1.example:27017,db2.example:27017/openim?authSource=admin&replicaSet=rs0`;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('#19 Medium 11: the password of a mongodb uri', () => {
  const spec = allExternal(`infrastructure.mongodb.uri=${URI}`);
  const plan = buildPlan(spec, unprobed);

  it('is not in the plan (plan --json prints this object)', () => {
    expect(JSON.stringify(plan)).not.toContain(PASSWORD);
  });

  it('is not in any rendered file, and files with a credential placeholder are 0600', async () => {
    const out = mkdtempSync(join(tmpdir(), 'oid-render-'));
    await renderPlan(plan, { outDir: out, templatesDir: templatesDir() });
    for (const f of files(out)) {
      const text = readFileSync(f, 'utf8');
      expect(text, relative(out, f)).not.toContain(PASSWORD);
      if (text.includes('«secret:')) expect(statSync(f).mode & 0o077, relative(out, f)).toBe(0);
    }
  });

  it('reaches mongodb.yml on the host exactly as given', () => {
    const write = plan.steps
      .flatMap((s) => s.actions)
      .find((a): a is WriteAction => a.kind === 'write' && a.path.endsWith('/server/mongodb.yml'))!;
    const { values } = resolveSecrets(spec, {});
    expect(parse(materialiseYaml(write.content, values)).uri).toBe(URI);
  });
});
