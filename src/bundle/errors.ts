// A bundle that fails verification. Each problem names the file inside the
// bundle; `install` refuses before anything is installed. Exits 1, like any
// failed run (code BUNDLE_INVALID).

import { DeployError, EXIT } from '../errors.js';

export interface BundleProblem {
  /** Path inside the bundle (or the bundle file itself). */
  file: string;
  message: string;
}

export class BundleError extends DeployError {
  readonly code = 'BUNDLE_INVALID';
  readonly exitStatus = EXIT.failed;
  readonly problems: BundleProblem[];
  constructor(bundle: string, problems: BundleProblem[]) {
    super(
      `bundle ${bundle} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.file}: ${p.message}`).join('\n')}`,
    );
    this.name = 'BundleError';
    this.problems = problems;
  }
}
