// The values the production and offline presets leave empty on purpose (#19 Medium 9):
// an operator names their own NFS server and private registry, so the tests that
// resolve these presets give them explicitly too, the way an operator must.

/** An NFS server for tests that resolve the production preset (it stores on NFS). */
export const NFS_SERVER_SET = 'kubernetes.storage.nfs.server=nfs.internal';

/** The private registry for tests that resolve the offline preset (the bundle's images are pushed there). */
export const MIRROR_SET = 'images.mirror=registry.internal:5000';

/** The --set lines each preset needs before it validates, besides openim.domain where production asks for one. */
const PRESET_REQUIRED_SETS: Readonly<Record<string, readonly string[]>> = {
  production: [NFS_SERVER_SET],
  offline: [MIRROR_SET],
};

/** `PRESET_REQUIRED_SETS[preset]`, empty for a preset that needs nothing. */
export function requiredSets(preset: string | undefined): string[] {
  return [...(PRESET_REQUIRED_SETS[preset ?? ''] ?? [])];
}
