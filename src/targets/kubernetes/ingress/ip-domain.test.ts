// Installing by IP on Kubernetes (issue #19 Medium 12): an Ingress host (and a
// Gateway hostname) must be a DNS name, so the routes match any host; the URLs
// clients get (SDK, X-Request-Api, MinIO's externalAddress) use the address;
// the admin console, which needs admin.<domain>, is not published.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../build-plan.js';
import { parseAllDocuments } from 'yaml';
import { specFor, UNPROBED } from '../../../../test/helpers/kubernetes-specs.js';
import { summaryText as summaryTextWith } from '../verify/summary.js';
import { kubernetesUrls } from '../day2/status.js';
import { ingressObjects as ingressObjectsWith } from './objects.js';
import { openimRoutes as openimRoutesWith } from './routes.js';
import { withLayout } from '../../../../test/helpers/kubernetes-specs.js';

const ingressObjects = withLayout(ingressObjectsWith);
const openimRoutes = withLayout(openimRoutesWith);
const summaryText = withLayout(summaryTextWith);

const IP = '10.0.0.5';
const CONTROLLERS: [string, string[]][] = [
  ['nginx', []],
  ['traefik', []],
  ['istio', []],
  ['gateway-api', ['kubernetes.ingress.className=openim-gateway']],
];
const ipSpec = (controller: string, extra: string[] = [], ...sets: string[]) =>
  specFor('dev', [`openim.domain=${IP}`, `kubernetes.ingress.controller=${controller}`, ...extra, ...sets]);

/** Every host or hostname an ingress object of any flavour names. */
function hostsIn(objects: Record<string, any>[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    for (const rule of o.spec?.rules ?? []) if (rule.host !== undefined) out.push(rule.host);
    for (const tls of o.spec?.tls && Array.isArray(o.spec.tls) ? o.spec.tls : []) out.push(...(tls.hosts ?? []));
    for (const route of o.spec?.routes ?? [])
      for (const m of String(route.match ?? '').matchAll(/Host\(`([^`]*)`\)/g)) out.push(m[1]!);
    out.push(...(o.spec?.hostnames ?? []));
    if (o.kind === 'VirtualService') out.push(...o.spec.hosts);
    if (o.kind === 'Gateway' && o.apiVersion.startsWith('networking.istio.io'))
      for (const s of o.spec.servers) out.push(...s.hosts);
    if (o.kind === 'Certificate') out.push(...(o.spec.dnsNames ?? []));
  }
  return out;
}

describe('openim.domain is an IP address on Kubernetes', () => {
  it.each(CONTROLLERS)(
    '%s: no object names the address (or admin.<address>) as a host; routes match any host',
    (controller, extra) => {
      const objects = ingressObjects(ipSpec(controller, extra)) as Record<string, any>[];
      const hosts = hostsIn(objects);
      expect(hosts.filter((h) => h.includes(IP))).toEqual([]);
      expect(hosts.every((h) => h === '*')).toBe(true);
      // The same routes as with a name, minus the console that needs its own host.
      const ids = openimRoutes(ipSpec(controller, extra)).map((r) => r.id);
      expect(ids).toEqual([
        'api',
        'msg-gateway',
        'chat-api',
        'admin-api',
        'object-storage',
        'object-storage-form',
        'web',
      ]);
    },
  );

  it('the URLs clients get use the address: SDK, X-Request-Api, MinIO externalAddress (http without TLS)', () => {
    const spec = ipSpec('traefik');
    const plan = JSON.stringify(buildPlan(spec, UNPROBED));
    expect(plan).toContain(`externalAddress: http://${IP}/im-minio-api`);
    expect(openimRoutes(spec).find((r) => r.id === 'api')!.setHeaders).toEqual({ 'X-Request-Api': `http://${IP}/api` });
    const summary = summaryText(spec);
    expect(summary).toContain(`SDK: apiAddr=http://${IP}/api wsAddr=ws://${IP}/msg_gateway`);
    expect(summary).toContain(`Files (MinIO presigned URLs): http://${IP}/im-minio-api`);
    expect(summary).toContain(
      'Admin console: not published (it needs its own host name, admin.<domain>): kubectl -n openim port-forward svc/openim-admin-front 8080:80',
    );
    expect(summary).not.toContain(`admin.${IP}`);
    // status lists the URLs that exist, not a console URL that would open the web client.
    expect(kubernetesUrls(spec).map((u) => u.name)).not.toContain('admin console');
    expect(kubernetesUrls(spec).find((u) => u.name === 'api')!.url).toBe(`http://${IP}/api`);
  });

  it.each(CONTROLLERS)(
    '%s with TLS from a Secret (a certificate for the address): https URLs, the Secret serves any host',
    (controller, extra) => {
      const spec = ipSpec(
        controller,
        extra,
        'kubernetes.ingress.tls.mode=secret',
        'kubernetes.ingress.tls.secretName=openim-ip-tls',
      );
      const objects = ingressObjects(spec) as Record<string, any>[];
      expect(hostsIn(objects).filter((h) => h !== '*')).toEqual([]);
      expect(JSON.stringify(objects)).toContain('openim-ip-tls');
      expect(objects.some((o) => o.kind === 'Certificate')).toBe(false);
      if (controller === 'nginx')
        for (const ingress of objects.filter((o) => o.kind === 'Ingress'))
          expect(ingress.spec.tls).toEqual([{ secretName: 'openim-ip-tls' }]);
      expect(summaryText(spec)).toContain(`SDK: apiAddr=https://${IP}/api wsAddr=wss://${IP}/msg_gateway`);
      expect(JSON.stringify(buildPlan(spec, UNPROBED))).toContain(`externalAddress: https://${IP}/im-minio-api`);
    },
  );

  it('traefik by address with TLS makes the Secret its default certificate (no SNI comes with an address); never by name or without TLS', () => {
    const stores = (spec: ReturnType<typeof ipSpec>) =>
      (ingressObjects(spec) as Record<string, any>[]).filter((o) => o.kind === 'TLSStore');
    expect(
      stores(
        ipSpec('traefik', [], 'kubernetes.ingress.tls.mode=secret', 'kubernetes.ingress.tls.secretName=openim-ip-tls'),
      ),
    ).toEqual([
      expect.objectContaining({
        apiVersion: 'traefik.io/v1alpha1',
        metadata: expect.objectContaining({ name: 'default', namespace: 'openim' }),
        spec: { defaultCertificate: { secretName: 'openim-ip-tls' } },
      }),
    ]);
    expect(stores(ipSpec('traefik'))).toEqual([]);
    expect(
      stores(
        specFor('dev', [
          'openim.domain=im.example.com',
          'kubernetes.ingress.controller=traefik',
          'kubernetes.ingress.tls.mode=secret',
          'kubernetes.ingress.tls.secretName=x',
        ]),
      ),
    ).toEqual([]);
  });

  it('a DNS name keeps its host rules and the console on admin.<domain>', () => {
    const routes = openimRoutes(specFor('dev', ['openim.domain=im.example.com']));
    expect(new Set(routes.map((r) => r.host))).toEqual(new Set(['im.example.com', 'admin.im.example.com']));
  });

  it('the rendered ingress manifest of the plan carries no host rule', () => {
    const plan = buildPlan(ipSpec('nginx'), UNPROBED);
    const write = plan.steps
      .flatMap((s) => s.actions)
      .find((a) => a.kind === 'write' && a.path.endsWith('openim-ingress.yaml'));
    const objects = parseAllDocuments((write as { content: string }).content).map(
      (d) => d.toJS() as Record<string, any>,
    );
    expect(objects.filter((o) => o.kind === 'Ingress').length).toBeGreaterThan(0);
    expect(hostsIn(objects)).toEqual([]);
  });
});
