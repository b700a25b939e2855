// `render --out DIR`: every file the plan would write, laid out for review or
// GitOps, plus the helm-rendered manifest of each release. Secret values are
// never rendered: files keep their «secret:id» placeholders.

import { cp, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Runner } from '../process/runner.js';
import type { Plan } from '../plan/types.js';
import { Semaphore } from '../execute/semaphore.js';
import { hasSecretRefs } from '../secrets/secrets.js';

export interface RenderResult {
  files: string[];
  manifests: string[];
  /** Releases helm should have rendered and did not (helm missing or failing): the render is incomplete. */
  failed: { release: string; reason: string; exitCode: number }[];
}

export async function renderPlan(
  plan: Plan,
  options: { outDir: string; templatesDir: string; runner?: Runner; helm?: string; concurrency?: number },
): Promise<RenderResult> {
  const out = options.outDir;
  const files: string[] = [];
  await mkdir(out, { recursive: true });
  // 0600 for every file with a credential placeholder: filled in (GitOps), it holds the credential.
  await writeFile(join(out, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  files.push('plan.json');
  for (const step of plan.steps) {
    for (const action of step.actions) {
      if (action.kind === 'write' && action.render) {
        const path = join(out, action.render);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, action.content, { mode: hasSecretRefs(action.content) ? 0o600 : action.mode & 0o644 });
        files.push(action.render);
      } else if (action.kind === 'copy' && action.render) {
        await mkdir(dirname(join(out, action.render)), { recursive: true });
        await cp(join(options.templatesDir, action.from), join(out, action.render), { recursive: true, force: true });
        files.push(action.render);
      }
    }
  }

  const manifests: string[] = [];
  const failed: RenderResult['failed'] = [];
  const releases = plan.steps.flatMap((s) => (s.release ? [s.release] : []));
  await mkdir(join(out, 'manifests'), { recursive: true });
  // helm template calls are independent: run a few at once, keep plan order in the result.
  const semaphore = new Semaphore(options.concurrency ?? 4);
  const results = await Promise.all(
    releases.map(async (release): Promise<{ manifest?: string; fail?: RenderResult['failed'][number] }> => {
      if (!options.runner) return { fail: { release: release.name, reason: 'helm not run (no runner)', exitCode: -1 } };
      const release_ = await semaphore.acquire();
      try {
        // Upstream charts come from their repository (or its kubernetes.helmRepoMirrors entry, already in
        // the plan) at the pinned version, exactly as install would fetch them.
        const source = release.local
          ? []
          : [
              ...(release.version ? ['--version', release.version] : []),
              ...(release.repo ? ['--repo', release.repo] : []),
            ];
        const argv = [
          options.helm ?? 'helm',
          'template',
          release.name,
          release.chart,
          '--namespace',
          release.namespace,
          '--values',
          release.valuesFile,
          ...source,
          ...(release.skipSchemaValidation ? ['--skip-schema-validation'] : []),
        ];
        const result = await options.runner.run(argv, { cwd: out });
        if (result.exitCode !== 0) {
          const why = result.stderr.trim().split('\n').pop() || `exit ${result.exitCode}`;
          const reason =
            release.local || !release.repo
              ? why
              : `upstream chart ${release.chart}${release.version ? ` ${release.version}` : ''}${release.repo ? ` from ${release.repo}` : ''}: ${why} (without access to that repository, set kubernetes.helmRepoMirrors to a mirror that serves it)`;
          return { fail: { release: release.name, reason, exitCode: result.exitCode } };
        }
        const path = `manifests/${release.name}.yaml`;
        await writeFile(join(out, path), result.stdout);
        return { manifest: path };
      } finally {
        release_();
      }
    }),
  );
  for (const r of results) {
    if (r.manifest) manifests.push(r.manifest);
    if (r.fail) failed.push(r.fail);
  }
  return { files, manifests, failed };
}
