import { describe, expect, it } from 'vitest';
import { specFor } from '../../../../test/helpers/kubernetes-specs.js';
import { ingressObjects as ingressObjectsWith } from './objects.js';
import { openimRoutes as openimRoutesWith } from './routes.js';
import { withLayout } from '../../../../test/helpers/kubernetes-specs.js';

const ingressObjects = withLayout(ingressObjectsWith);
const openimRoutes = withLayout(openimRoutesWith);

const spec = (controller: string, extra: string[] = []) =>
  specFor('production', [`kubernetes.ingress.controller=${controller}`, ...extra]);
const byKind = (objects: ReturnType<typeof ingressObjects>, kind: string) =>
  objects.filter((o) => o.kind === kind) as Record<string, any>[];

describe('routes', () => {
  it('cover the OpenIM paths on the main host and the admin console on admin.<domain>', () => {
    const routes = openimRoutes(spec('traefik'));
    expect(routes.map((r) => `${r.host}${r.path} → ${r.service}:${r.port}`)).toEqual([
      'im.example.com/api → openim-api:10002',
      'im.example.com/msg_gateway → openim-msggateway:10001',
      'im.example.com/chat → chat-api:10008',
      'im.example.com/complete_admin → admin-api:10009',
      'im.example.com/im-minio-api → openim-minio:9000',
      'im.example.com/openim → openim-minio:9000',
      'im.example.com/ → openim-web-front:80',
      'admin.im.example.com/ → openim-admin-front:80',
      'im.example.com/grafana → openim-grafana:80',
    ]);
    expect(routes.find((r) => r.id === 'api')!.setHeaders).toEqual({ 'X-Request-Api': 'https://im.example.com/api' });
    // Presigned form uploads reach <host>/<bucket> without the prefix (OpenIM's MinIO client drops it there).
    expect(routes.find((r) => r.id === 'object-storage-form')).toMatchObject({
      path: '/openim',
      stripPrefix: false,
      largeBody: true,
    });
    expect(
      openimRoutes(spec('traefik', ['infrastructure.objectStorage.bucket=api']))
        .filter((r) => r.path === '/api')
        .map((r) => r.id),
    ).toEqual(['api']);
  });

  it('leave out what is not installed', () => {
    const ids = openimRoutes(
      spec('traefik', [
        'openim.components.chat=false',
        'openim.components.adminFront=false',
        'infrastructure.objectStorage.mode=external',
        'infrastructure.objectStorage.endpoint=https://s3.example.com',
        'infrastructure.objectStorage.accessKey=AKIAEXAMPLE',
        'infrastructure.objectStorage.secretKey=secretEXAMPLE1',
      ]),
    ).map((r) => r.id);
    expect(ids).toEqual(['api', 'msg-gateway', 'web', 'grafana']);
    const noMonitoring = openimRoutes(spec('traefik', ['monitoring.enabled=false'])).map((r) => r.id);
    expect(noMonitoring).not.toContain('grafana');
  });
});

describe('ingress objects', () => {
  it('nginx: rewrite, WebSocket timeouts, unlimited bodies, X-Request-Api, TLS from the Certificate', () => {
    const objects = ingressObjects(spec('nginx'));
    const ingresses = byKind(objects, 'Ingress');
    const get = (id: string) => ingresses.find((i) => i.metadata.name === `openim-${id}`)!;
    expect(get('api').metadata.annotations['nginx.ingress.kubernetes.io/rewrite-target']).toBe('/$2');
    expect(get('api').spec.rules[0].http.paths[0].path).toBe('/api(/|$)(.*)');
    expect(get('api').metadata.annotations['nginx.ingress.kubernetes.io/configuration-snippet']).toBe(
      'proxy_set_header X-Request-Api $scheme://$host/api;',
    );
    expect(get('msg-gateway').metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
    expect(get('object-storage').metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('0');
    expect(get('web').spec.rules[0].http.paths[0]).toMatchObject({ path: '/', pathType: 'Prefix' });
    expect(get('web').spec.tls).toEqual([{ hosts: ['im.example.com'], secretName: 'openim-tls' }]);
    const [cert] = byKind(objects, 'Certificate');
    expect(cert!.spec).toMatchObject({
      secretName: 'openim-tls',
      dnsNames: ['im.example.com', 'admin.im.example.com'],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
    });
  });

  it('traefik: one IngressRoute on websecure, strip and header middlewares', () => {
    const objects = ingressObjects(spec('traefik'));
    const [route] = byKind(objects, 'IngressRoute');
    expect(route!.spec.entryPoints).toEqual(['websecure']);
    const api = route!.spec.routes.find((r: any) => r.match.includes('/api'));
    expect(api.match).toBe('Host(`im.example.com`) && (Path(`/api`) || PathPrefix(`/api/`))');
    expect(api.middlewares).toEqual([{ name: 'openim-strip-api' }, { name: 'openim-headers-api' }]);
    expect(
      byKind(objects, 'Middleware').find((m) => m.metadata.name === 'openim-headers-api')!.spec.headers
        .customRequestHeaders,
    ).toEqual({ 'X-Request-Api': 'https://im.example.com/api' });
  });

  it('istio: Gateway with TLS and a VirtualService per host, specific prefixes before /', () => {
    const objects = ingressObjects(spec('istio'));
    const [gateway] = byKind(objects, 'Gateway');
    expect(gateway!.spec.servers[1].tls).toEqual({ mode: 'SIMPLE', credentialName: 'openim-tls' });
    const [main] = byKind(objects, 'VirtualService');
    const names = main!.spec.http.map((h: any) => h.name);
    expect(names.at(-1)).toBe('web');
    expect(main!.spec.http.find((h: any) => h.name === 'api').rewrite).toEqual({ uri: '/' });
    // Istio reads the credential from the gateway's namespace.
    expect(byKind(objects, 'Certificate')[0]!.metadata.namespace).toBe('istio-system');
  });

  it('gateway-api: Gateway of the named class, HTTPRoute with prefix rewrite and header filter', () => {
    const objects = ingressObjects(spec('gateway-api', ['kubernetes.ingress.className=eg']));
    const [gateway] = byKind(objects, 'Gateway');
    expect(gateway!.spec.gatewayClassName).toBe('eg');
    expect(gateway!.spec.listeners.map((l: any) => l.protocol)).toEqual(['HTTP', 'HTTPS']);
    const [route] = byKind(objects, 'HTTPRoute');
    expect(route!.spec.hostnames).toEqual(['im.example.com']);
    expect(route!.spec.rules[0].filters).toEqual([
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'X-Request-Api', value: 'https://im.example.com/api' }] },
      },
    ]);
  });

  it('none: no objects', () => {
    expect(ingressObjects(spec('none'))).toEqual([]);
  });
});
