// Renders one preset × target through the real `render --out` code path
// (resolveConfig → buildPlan → renderPlan, with real helm for the Kubernetes
// releases) and collects what OpenIM processes would load: the config files
// per product and, on Kubernetes, the IMENV_/CHATENV_ variables the
// helm-rendered workloads set, checked against the rendered Secret.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { requiredSets } from '../helpers/config-presets.js';
import type { Runner } from '../../src/process/runner.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import { renderPlan } from '../../src/render/render.js';
import { CONFIG_MAPS, OPENIM_SECRET } from '../../src/targets/kubernetes/names.js';
import { repoRoot } from '../helpers/tools.js';
import { sharedChartRepo, withUpstreamCharts } from '../helpers/shared-charts.js';
import type { Finding } from './compare.js';
import type { Product } from './upstream.js';

export type Target = 'binary' | 'kubernetes';

export interface RenderedConfig {
  /** file name → YAML text, per product. */
  files: Record<Product, Record<string, string>>;
  /** Env variable names set on OpenIM workloads (Kubernetes), per product. */
  env: Record<Product, string[]>;
  /** secretKeyRefs into the OpenIM Secret that name a key it lacks. */
  secretProblems: Finding[];
}

/** Sets a preset needs to be valid for every target (production wants a real domain); on Kubernetes also the
 *  values the production and offline presets leave to the operator (NFS server, private registry). */
const PRESET_SETS: Record<string, string[]> = {
  production: ['openim.domain=im.example.com'],
  offline: ['openim.domain=im.example.com'],
};

function ymlFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yml'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

function manifestObjects(dir: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as Record<string, any> | null;
      if (!obj) continue;
      out.push(...(obj.kind === 'List' ? (obj.items as Record<string, any>[]) : [obj]));
    }
  }
  return out;
}

const PRODUCT_OF_ENV: [string, Product][] = [
  ['IMENV_', 'server'],
  ['CHATENV_', 'chat'],
];

export async function renderConfig(args: {
  preset: string;
  target: Target;
  versions: Record<Product, string>;
  outDir: string;
  helm: string;
  runner: Runner;
}): Promise<RenderedConfig> {
  const sets = [
    ...(PRESET_SETS[args.preset] ?? []),
    ...(args.target === 'kubernetes' ? requiredSets(args.preset) : []),
    `openim.serverVersion=${args.versions.server}`,
    `openim.chatVersion=${args.versions.chat}`,
  ];
  const resolved = resolveConfig({ preset: args.preset, flags: { target: args.target }, sets, env: {} }).spec;
  // Upstream charts (monitoring, logging, ingress, storage) render from ../shared/charts on loopback.
  const spec =
    args.target === 'kubernetes' ? withUpstreamCharts(resolved, await sharedChartRepo(), args.outDir) : resolved;
  const plan = buildPlan(spec, unprobedFacts(args.target));
  const result = await renderPlan(plan, {
    outDir: args.outDir,
    templatesDir: join(repoRoot, 'templates'),
    runner: args.runner,
    helm: args.helm,
  });

  if (args.target === 'binary') {
    // The binary layout writes each product's -c folder as config/<product>/ in the render.
    return {
      files: {
        server: ymlFiles(join(args.outDir, 'config', 'server')),
        chat: ymlFiles(join(args.outDir, 'config', 'chat')),
      },
      env: { server: [], chat: [] },
      secretProblems: [],
    };
  }

  if (result.failed.length > 0)
    throw new Error(`helm template failed: ${result.failed.map((s) => `${s.release}: ${s.reason}`).join('; ')}`);
  const objects = manifestObjects(join(args.outDir, 'manifests'));
  const files: Record<Product, Record<string, string>> = { server: {}, chat: {} };
  for (const product of ['server', 'chat'] as const) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === CONFIG_MAPS[product]);
    files[product] = Object.fromEntries(
      Object.entries((cm?.data ?? {}) as Record<string, string>).filter(([f]) => f.endsWith('.yml')),
    );
  }
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata?.name === OPENIM_SECRET);
  const secretKeys = new Set([...Object.keys(secret?.stringData ?? {}), ...Object.keys(secret?.data ?? {})]);
  const env: Record<Product, Set<string>> = { server: new Set(), chat: new Set() };
  const secretProblems: Finding[] = [];
  for (const o of objects.filter((x) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(x.kind))) {
    const pod = o.spec?.template?.spec;
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      for (const e of (c.env ?? []) as {
        name: string;
        valueFrom?: { secretKeyRef?: { name: string; key: string } };
      }[]) {
        const product = PRODUCT_OF_ENV.find(([p]) => e.name.startsWith(p))?.[1];
        if (!product) continue;
        env[product].add(e.name);
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && ref.name === OPENIM_SECRET && !secretKeys.has(ref.key)) {
          secretProblems.push({
            kind: 'secret-ref',
            product,
            file: `${o.kind}/${o.metadata.name}`,
            key: e.name,
            detail: `Secret ${OPENIM_SECRET} has no key ${ref.key}`,
          });
        }
      }
    }
  }
  return { files, env: { server: [...env.server].sort(), chat: [...env.chat].sort() }, secretProblems };
}
