// Every infrastructure image goes through the one mirror rule (issue #3 §7).

import type { DeploySpec } from '../../../config/schema.js';
import { formatImage, resolveImage, specImageSource, type ImageRef } from '../../../catalog/images.js';

/** The reference the cluster pulls, after `images.rewrite` and `images.mirror`. */
export function pulledImage(spec: DeploySpec, ref: ImageRef): ImageRef {
  return resolveImage(ref, specImageSource(spec));
}

/** The chart `image` block of our own charts. */
export interface ChartImage {
  repository: string;
  tag: string;
  digest: string;
  pullPolicy: 'IfNotPresent';
}

export function chartImage(spec: DeploySpec, ref: ImageRef): ChartImage {
  const pulled = pulledImage(spec, ref);
  return {
    repository: `${pulled.registry}/${pulled.repository}`,
    tag: pulled.tag,
    digest: pulled.digest ?? '',
    pullPolicy: 'IfNotPresent',
  };
}

/** `registry/repository:tag[@digest]` after the rewrite rules and the mirror. */
export function imageString(spec: DeploySpec, ref: ImageRef): string {
  return formatImage(pulledImage(spec, ref));
}

/** imagePullSecrets names of our charts. */
export function pullSecrets(spec: DeploySpec): string[] {
  return spec.images.pullSecret ? [spec.images.pullSecret] : [];
}
