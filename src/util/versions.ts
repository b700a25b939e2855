// Ordering of release versions (OpenIM's, charts', CRD bundles'): pure.

/** v3.8.3-patch.16 → [3, 8, 3, 16]; OpenIM's `-patch.N` tags come after their base release. */
export function versionKey(version: string): number[] {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-patch\.(\d+))?/.exec(version);
  if (!m) return [];
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
}

export function compareVersions(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < 4; i++) {
    const d = (ka[i] ?? 0) - (kb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
