// Issue 19 Medium 12 against a real kube-apiserver: with an IP address as
// openim.domain, the routes the plan writes (manifests/openim-ingress.yaml)
// are accepted for each ingress flavour, with and without a TLS Secret. The
// host rule the plan used to write (`host: 10.0.0.5`, `admin.10.0.0.5`) is
// refused by the same API server: "must be a DNS name, not an IP address".
//
// What this proves: the objects are valid for the API server and the CRDs
// (Traefik's from traefik-crds, Istio's from its base chart, Gateway API's
// standard install), as `kubectl apply` sends them. What it does not prove:
// that a controller routes them (kwok runs no controller; test:k8s-real runs
// OpenIM behind no ingress); admission webhooks are off, as in upstream.test.ts.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { unprobedFacts } from '../../src/facts/types.js';
import { buildPlan } from '../../src/targets/build-plan.js';
import { helmBinaries, type HelmBinaries } from '../helpers/tools.js';
import { sharedChartsDir } from '../helpers/shared-charts.js';
import { TestCluster } from './cluster.js';

const IP = '10.0.0.5';
const tools: HelmBinaries = helmBinaries().find((t) => t.label === 'helm4')!;
const CONTROLLERS: Record<string, string[]> = {
  nginx: ['kubernetes.ingress.controller=nginx'],
  traefik: ['kubernetes.ingress.controller=traefik'],
  istio: ['kubernetes.ingress.controller=istio'],
  'gateway-api': ['kubernetes.ingress.controller=gateway-api', 'kubernetes.ingress.className=openim-gateway'],
};

let cluster: TestCluster;
const home = mkdtempSync(join(tmpdir(), 'openim-ip-domain-'));

async function run(argv: string[], input?: string): Promise<string> {
  const [cmd, ...args] = argv;
  const bin = cmd === 'helm' ? tools.helm : cmd === 'kubectl' ? tools.kubectl : cmd!;
  const child = promisify(execFile)(bin, args, {
    cwd: home,
    env: { PATH: `${dirname(tools.helm)}:${process.env.PATH ?? ''}`, HOME: home, KUBECONFIG: cluster.kubeconfig },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 2 ** 20,
  });
  if (input !== undefined) child.child.stdin!.end(input);
  try {
    return (await child).stdout;
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    throw new Error(`${argv.join(' ')} exited ${e.code}: ${(e.stderr ?? '').slice(-3000)}`);
  }
}

/** The CustomResourceDefinitions a chart renders (helm template, CRDs only). */
async function chartCrds(tgz: string): Promise<string> {
  const text = await run(['helm', 'template', 'crds', join(sharedChartsDir(), tgz), '--include-crds']);
  return parseAllDocuments(text)
    .map((d) => d.toJS() as { kind?: string } | null)
    .filter((d) => d?.kind === 'CustomResourceDefinition')
    .map((d) => `---\n${stringify(d)}`)
    .join('');
}

/** What the plan writes as manifests/openim-ingress.yaml for this spec. */
function routesManifest(sets: string[]): string {
  const spec = resolveConfig({ preset: 'dev', sets, env: {} }).spec;
  const write = buildPlan(spec, unprobedFacts('kubernetes'))
    .steps.flatMap((s) => s.actions)
    .find((a) => a.kind === 'write' && a.path === 'manifests/openim-ingress.yaml');
  if (!write || write.kind !== 'write') throw new Error('no ingress manifest in the plan');
  return write.content;
}

beforeAll(async () => {
  cluster = await TestCluster.start({ kubectl: tools.kubectl, noAdmissionWebhooks: true, nodes: 1 });
  const crds = join(home, 'crds.yaml');
  writeFileSync(crds, [await chartCrds('traefik-crds-1.13.0.tgz'), await chartCrds('base-1.26.2.tgz')].join(''));
  await run(['kubectl', 'apply', '--server-side', '-f', crds]);
  await run([
    'kubectl',
    'apply',
    '--server-side',
    '-f',
    join(sharedChartsDir(), 'gateway-api-v1.3.0-standard-install.yaml'),
  ]);
  await run(['kubectl', 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  await run(['kubectl', 'create', 'namespace', 'istio-system']);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe(`${tools.label}: openim.domain=${IP}, routes accepted by a real API server`, () => {
  for (const [controller, sets] of Object.entries(CONTROLLERS)) {
    for (const tls of [[], ['kubernetes.ingress.tls.mode=secret', 'kubernetes.ingress.tls.secretName=openim-ip-tls']]) {
      it(`${controller}${tls.length ? ' with a TLS Secret' : ''}`, async () => {
        const ns = `ip-${controller}${tls.length ? '-tls' : ''}`;
        const text = routesManifest([`openim.domain=${IP}`, `kubernetes.namespace=${ns}`, ...sets, ...tls]);
        // No host rule or hostname names the address (the X-Request-Api header value does, as it should).
        expect(text).not.toMatch(/host: 10\.0\.0\.5|Host\(`10\.0\.0\.5`\)|- 10\.0\.0\.5\n|admin\.10\.0\.0\.5/);
        await run(['kubectl', 'create', 'namespace', ns]);
        const file = join(home, `${ns}.yaml`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
        await run(['kubectl', 'apply', '-f', file]);
        const stored = (await run(['kubectl', 'get', '-f', file, '-o', 'name'])).trim().split('\n');
        expect(stored.length).toBe(parseAllDocuments(text).length);
      });
    }
  }

  it('the host rule an address used to get is refused by the same API server (what the plan wrote before)', async () => {
    const ns = 'ip-host-rule';
    await run(['kubectl', 'create', 'namespace', ns]);
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'openim-api', namespace: ns },
      spec: {
        rules: [
          {
            host: IP,
            http: {
              paths: [
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'openim-api', port: { number: 10002 } } },
                },
              ],
            },
          },
        ],
      },
    };
    await expect(run(['kubectl', 'apply', '-f', '-'], JSON.stringify(ingress))).rejects.toThrow(
      /must be a DNS name, not an IP address/,
    );
  });
});
