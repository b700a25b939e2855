// THE allow-list of the conformance suite: every intentional difference
// between what openim-deploy renders and upstream's own config, one entry per
// difference, each with the reason and the upstream source it rests on. The
// suite prints this list, fails on any difference not listed here, and fails
// on an entry that no longer matches anything (so the list cannot go stale).

import type { Finding, FindingKind } from './compare.js';
import type { Product } from './upstream.js';

export interface AllowEntry {
  kind: FindingKind;
  product: Product;
  /** Upstream module version the entry was reviewed against. */
  version: string;
  file: string;
  /** Dotted key path ('' for a file); decoder keys compare case-insensitively (viper lower-cases). */
  key: string;
  /** Only for these targets; absent = both. */
  targets?: ('binary' | 'kubernetes')[];
  reason: string;
  /** path@tag:line of the upstream source the reason rests on. */
  upstream: string;
}

export const ALLOW_LIST: readonly AllowEntry[] = [];

export function allowEntryFor(f: Finding, version: string, target: 'binary' | 'kubernetes'): AllowEntry | undefined {
  const decoderKey = f.kind.startsWith('decode-');
  const same = (a: string, b: string) => (decoderKey ? a.toLowerCase() === b.toLowerCase() : a === b);
  return ALLOW_LIST.find(
    (e) => e.kind === f.kind && e.product === f.product && e.version === version && e.file === f.file && same(e.key, f.key) && (!e.targets || e.targets.includes(target)),
  );
}
