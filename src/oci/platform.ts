// `--platform linux/amd64,linux/arm64` and matching it against an image index.

import type { Platform } from './media-types.js';

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.trim().split('/');
  if (!os || !architecture || rest.length > 0)
    throw new Error(`platform "${text}" must be os/arch[/variant], e.g. linux/amd64`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** arm64 images are published with and without the implied variant v8. */
function normalVariant(p: Platform): string {
  if (p.architecture === 'arm64' && (!p.variant || p.variant === 'v8')) return 'v8';
  return p.variant ?? '';
}

/** Does an image's platform satisfy a requested one? A request without a variant accepts any. */
export function platformMatches(image: Platform, wanted: Platform): boolean {
  if (image.os !== wanted.os || image.architecture !== wanted.architecture) return false;
  if (!wanted.variant) return true;
  return normalVariant(image) === normalVariant(wanted);
}
