// Independent of how bundleContents finds images: render the production plan
// with real helm (every local chart, with the plan's values) and read the
// `image:` fields of the manifests. Each one must be in the bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { formatImage, parseImage } from '../../src/catalog/images.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { requiredSets } from '../helpers/config-presets.js';
import { ExecaRunner } from '../../src/process/execa-runner.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import { renderPlan } from '../../src/render/render.js';
import { bundleContents } from '../../src/bundle/contents.js';
import { templatesDir } from '../../src/util/package-root.js';
import { helmBinaries } from '../helpers/tools.js';
import { removeTempDirs, tempDir } from './helpers/scratch.js';

function imageFields(text: string): string[] {
  const out: string[] = [];
  const visit = (node: unknown, key?: string): void => {
    if (key === 'image' && typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach((n) => visit(n));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  for (const doc of parseAllDocuments(text)) visit(doc.toJS());
  return out;
}

afterAll(removeTempDirs);

describe('every image the rendered production plan runs is bundled', () => {
  for (const preset of ['production', 'dev']) {
    it(`${preset}: helm template of each local release`, async () => {
      const { spec } = resolveConfig({
        preset,
        sets: ['openim.domain=im.example.com', ...requiredSets(preset)],
        env: {},
      });
      const plan = buildPlan(spec, unprobedFacts('kubernetes'));
      const out = tempDir('render');
      const result = await renderPlan(plan, {
        outDir: out,
        templatesDir: templatesDir(),
        runner: new ExecaRunner(),
        helm: helmBinaries()[0]!.helm,
      });
      const localReleases = plan.steps.filter((s) => s.release?.local).length;
      expect(result.manifests.length, JSON.stringify(result.failed)).toBe(localReleases);
      const used = new Set(
        result.manifests
          .flatMap((m) => imageFields(readFileSync(join(out, m), 'utf8')))
          .map((i) => formatImage(parseImage(i))),
      );
      expect(used.size).toBeGreaterThan(10);
      const bundled = new Set(bundleContents(spec, { templatesDir: templatesDir() }).images.map(formatImage));
      expect([...used].filter((i) => !bundled.has(i))).toEqual([]);
    });
  }
});
