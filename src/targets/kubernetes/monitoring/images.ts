// Chart image registries under images.rewrite and images.mirror. Both keep the
// upstream path below what they replace (the mirror with the upstream registry
// host as the first path element for everything not on Docker Hub;
// catalog/images.ts resolveImagePrefix); a chart that takes `registry` +
// `repository` therefore gets where that whole upstream registry moved.

import type { DeploySpec } from '../../../config/schema.js';
import { resolveImagePrefix, specImageSource } from '../../../catalog/images.js';

/** The `registry` value for images whose upstream registry is `upstream`, or undefined when nothing moves them. */
export function mirrorRegistry(spec: DeploySpec, upstream: string): string | undefined {
  return resolveImagePrefix(upstream, specImageSource(spec));
}

/** `{ image: { registry } }` when moved, else nothing: spread into a chart component's values. */
export function imageRegistry(spec: DeploySpec, upstream: string): { image?: { registry: string } } {
  const registry = mirrorRegistry(spec, upstream);
  return registry ? { image: { registry } } : {};
}
