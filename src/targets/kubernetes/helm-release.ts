// One Helm release as a plan step: write its values (built as an object),
// then `helm upgrade --install … --wait`. The only place that shapes helm's
// install argv. Upstream charts come from their repository, or from the
// offline bundle when `offline.bundle` is set (chart-source.ts).

import { toYaml } from '../../secrets/yaml.js';
import type { DeploySpec } from '../../config/schema.js';
import type { ExecAction, Phase, Step } from '../../plan/types.js';
import { chartSourceArgs, upstreamChartSource, type ChartSource } from './chart-source.js';
import { helmBase, kubectlBase } from './tools.js';

export interface ReleaseSpec {
  id: string;
  title: string;
  phase: Phase;
  needs: string[];
  name: string;
  namespace: string;
  /** Local chart path (relative to the work dir) or the chart name in `repo` (an HTTP URL or `oci://` prefix). */
  chart: string;
  values: object;
  local: boolean;
  repo?: string;
  version?: string;
  createNamespace?: boolean;
  component?: string;
  retries?: number;
  /** The catalog's reason to run helm with --skip-schema-validation (ChartRef.skipSchemaValidation). */
  skipSchemaValidation?: string;
}

/** The chart argument and flags helm is given for a release. */
function releaseSource(spec: DeploySpec, r: Pick<ReleaseSpec, 'chart' | 'repo' | 'version' | 'local'>): ChartSource {
  if (r.local) return { chart: r.chart, ...(r.version ? { version: r.version } : {}), bundled: false };
  return upstreamChartSource(spec, {
    name: r.chart,
    ...(r.repo ? { repo: r.repo } : {}),
    ...(r.version ? { version: r.version } : {}),
  });
}

function helmUpgradeArgv(
  spec: DeploySpec,
  r: Pick<
    ReleaseSpec,
    'name' | 'chart' | 'namespace' | 'repo' | 'version' | 'createNamespace' | 'local' | 'skipSchemaValidation'
  >,
  valuesFile: string,
): string[] {
  const source = releaseSource(spec, r);
  return [
    ...helmBase(spec),
    'upgrade',
    '--install',
    r.name,
    source.chart,
    '--namespace',
    r.namespace,
    '--values',
    valuesFile,
    '--wait',
    '--timeout',
    spec.kubernetes.helmTimeout,
    ...chartSourceArgs(source),
    ...(r.createNamespace ? ['--create-namespace'] : []),
    ...(r.skipSchemaValidation ? ['--skip-schema-validation'] : []),
  ];
}

/**
 * Runs before every `helm upgrade --install`. A helm killed mid-operation (SIGKILL,
 * a lost machine or CI runner) leaves its release `pending-install`/`pending-upgrade`
 * for ever, and every later upgrade fails with "another operation is in progress"
 * (helm#5595), so "re-run to resume" would never work (found by the cluster e2e).
 * The deployment lock means no other run of ours is operating, so such a record
 * is a dead one: deleting it (helm keeps releases in Secrets labelled owner=helm)
 * lets helm go on from the last deployed revision, or install afresh and adopt the
 * objects the dead run created (they carry this release's ownership annotations).
 * Nothing is pending on a normal run, and then this deletes nothing.
 */
export function clearDeadPendingRelease(spec: DeploySpec, name: string, namespace: string): ExecAction {
  return {
    kind: 'exec',
    argv: [
      ...kubectlBase(spec),
      '--namespace',
      namespace,
      'delete',
      'secret',
      '--ignore-not-found',
      '--selector',
      `owner=helm,name=${name},status in (pending-install,pending-upgrade,pending-rollback)`,
    ],
    mutates: true,
  };
}

export function releaseStep(spec: DeploySpec, r: ReleaseSpec): Step {
  const valuesFile = `values/${r.name}.yaml`;
  const source = releaseSource(spec, r);
  return {
    id: r.id,
    title: r.title,
    phase: r.phase,
    needs: r.needs,
    ...(r.component ? { component: r.component } : {}),
    release: {
      name: r.name,
      namespace: r.namespace,
      // What helm is given: the bundled archive offline (its version stays, for the record).
      chart: source.chart,
      valuesFile,
      local: r.local,
      ...(r.version ? { version: r.version } : {}),
      ...(source.repo ? { repo: source.repo } : {}),
      ...(r.skipSchemaValidation ? { skipSchemaValidation: true } : {}),
    },
    actions: [
      { kind: 'write', path: valuesFile, mode: 0o644, content: toYaml(r.values), render: valuesFile },
      clearDeadPendingRelease(spec, r.name, r.namespace),
      { kind: 'exec', argv: helmUpgradeArgv(spec, r, valuesFile), mutates: true },
    ],
    retries: r.retries ?? 1,
  };
}

/** `kubectl apply --server-side` of a manifest file the step writes first. */
export function applyActions(
  spec: DeploySpec,
  path: string,
  content: string,
  mode: number,
  render?: string,
): Step['actions'] {
  return [
    { kind: 'write', path, mode, content, ...(render ? { render } : {}) },
    {
      kind: 'exec',
      argv: [...kubectlBase(spec), 'apply', '--server-side', '--field-manager=openim-deploy', '-f', path],
      mutates: true,
    },
  ];
}
