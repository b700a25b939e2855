// Chart image registries under images.mirror. The mirror layout keeps the
// upstream path, with the upstream registry host as the first path element
// for everything not on Docker Hub (catalog/images.ts resolveImage); a chart
// that takes `registry` + `repository` therefore gets the mirror plus that
// host as its registry.

import type { DeploySpec } from '../../../config/rules.js';
import { resolveImage } from '../../../catalog/images.js';

/** The `registry` value for images whose upstream registry is `upstream`, or undefined without a mirror. */
export function mirrorRegistry(spec: DeploySpec, upstream: string): string | undefined {
  if (!spec.images.mirror) return undefined;
  const ref = resolveImage({ registry: upstream, repository: 'x', tag: '0' }, { registry: spec.images.registry, mirror: spec.images.mirror });
  return [ref.registry, ...ref.repository.split('/').slice(0, -1)].join('/');
}

/** `{ image: { registry } }` when mirrored, else nothing: spread into a chart component's values. */
export function imageRegistry(spec: DeploySpec, upstream: string): { image?: { registry: string } } {
  const registry = mirrorRegistry(spec, upstream);
  return registry ? { image: { registry } } : {};
}
