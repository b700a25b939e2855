// Images an upstream chart deploys, found by rendering it: the catalog pins a
// chart's main image, but a chart such as kube-prometheus-stack runs a dozen.
// `bundle create` renders each pulled chart with the plan's values (helm
// template, offline) and bundles every image the manifests name.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseImage, type ImageRef } from '../catalog/images.js';
import type { Runner } from '../process/runner.js';

/** An image-looking value: `[registry/]path[:tag][@digest]` without spaces or a scheme. */
const IMAGE =
  /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** Flags that hand an image to an operator (prometheus-operator's config reloader, and the like). */
const IMAGE_FLAG = /^--[a-z0-9-]*(?:image|reloader)[a-z0-9-]*=(.+)$/;

/**
 * Settings that hand an image to an operator by name: rook-ceph's operator ConfigMap
 * (rook-ceph v1.19.6 templates/configmap.yaml: ROOK_CSI_CEPH_IMAGE, ROOK_CSI_ATTACHER_IMAGE,
 * ROOK_CSIADDONS_IMAGE…; the operator starts the CSI pods with them) and `env` entries named the same way.
 */
const IMAGE_SETTING = /(?:^|_)IMAGE$/;

/** Every image a set of rendered manifests names: `image:` fields, `--*image*=` container arguments and `*_IMAGE` settings. */
export function imagesInManifests(yamlText: string): ImageRef[] {
  const found = new Map<string, ImageRef>();
  const add = (text: string) => {
    const value = text.trim();
    // A reference needs a tag or digest here: a bare name would be `latest`, which no pinned install uses.
    if (!IMAGE.test(value) || !/[:@]/.test(value.split('/').pop() ?? '')) return;
    const ref = parseImage(value);
    found.set(`${ref.registry}/${ref.repository}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`, ref);
  };
  const visit = (node: unknown, key?: string): void => {
    if (typeof node === 'string') {
      if (key === 'image' || (key && IMAGE_SETTING.test(key))) add(node);
      const flag = IMAGE_FLAG.exec(node);
      if (flag) add(flag[1]!);
      return;
    }
    if (Array.isArray(node)) return node.forEach((n) => visit(n));
    if (typeof node !== 'object' || node === null) return;
    const entry = node as { name?: unknown; value?: unknown };
    if (typeof entry.name === 'string' && typeof entry.value === 'string' && IMAGE_SETTING.test(entry.name))
      add(entry.value);
    for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  for (const doc of parseAllDocuments(yamlText)) {
    try {
      visit(doc.toJS());
    } catch {
      // a document helm would not apply either
    }
  }
  return [...found.values()];
}

export interface RenderInput {
  release: string;
  namespace: string;
  chartFile: string;
  /** Values file content from the plan; empty for chart defaults. */
  values: string;
}

/** `helm template` of one chart archive; undefined (with the reason) when helm cannot render it. */
export async function renderChartImages(
  input: RenderInput,
  options: { runner: Runner; helm: string; scratch: string },
): Promise<{ images: ImageRef[] } | { error: string }> {
  const argv = [options.helm, 'template', input.release, input.chartFile, '--namespace', input.namespace];
  if (input.values) {
    const file = join(options.scratch, `values-${input.release}.yaml`);
    await writeFile(file, input.values);
    argv.push('--values', file);
  }
  let result;
  try {
    result = await options.runner.run(argv, { cwd: options.scratch, timeoutMs: 120_000 });
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (result.exitCode !== 0)
    return { error: result.stderr.trim().split('\n').pop() ?? `helm exited ${result.exitCode}` };
  return { images: imagesInManifests(result.stdout) };
}
