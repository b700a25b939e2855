// The image each OpenIM module runs: registry from images.registry, tag from
// the catalog release, then the mirror rewrite every image goes through.

import type { DeploySpec } from '../../../config/schema.js';
import { resolveImage, openimImageRef, specImageSource, type ImageRef } from '../../../catalog/images.js';
import type { OpenIMModule } from '../../../catalog/modules.js';
import { chatRelease, serverRelease } from '../../../catalog/openim-versions.js';

export function moduleTag(spec: DeploySpec, mod: OpenIMModule): string {
  switch (mod.product) {
    case 'server':
      return spec.openim.serverVersion;
    case 'chat':
      return spec.openim.chatVersion;
    case 'front':
      // Fronts have their own tags, matched to the server (web) and chat (admin) lines (pain point 9).
      return mod.name === 'openim-admin-front'
        ? chatRelease(spec.openim.chatVersion).adminFrontTag
        : serverRelease(spec.openim.serverVersion).webFrontTag;
  }
}

/** The reference the cluster pulls, after `images.rewrite` and `images.mirror`. */
export function moduleImage(spec: DeploySpec, mod: OpenIMModule): ImageRef {
  return resolveImage(openimImageRef(mod.image, moduleTag(spec, mod), spec.images.registry), specImageSource(spec));
}

/** Chart values form: repository (with registry host), tag, digest. */
export function imageValues(ref: ImageRef): {
  repository: string;
  tag: string;
  digest: string;
  pullPolicy: 'IfNotPresent';
} {
  return {
    repository: `${ref.registry}/${ref.repository}`,
    tag: ref.tag,
    digest: ref.digest ?? '',
    pullPolicy: 'IfNotPresent',
  };
}
