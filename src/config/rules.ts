// Cross-field rules: what one field demands of another. Errors stop the run;
// warnings are printed and the run goes on.

import type { ConfigIssue } from '../errors.js';
import type { DeploySpec } from './schema.js';
import { chatRelease, MONGO_URI_UNESCAPED, serverRelease, WELL_KNOWN_SECRETS } from '../catalog/openim-versions.js';
import { isIpv4, looksLikeIpv4, unusableIpv4 } from './domain.js';
import { secretPaths } from './json-schema.js';
import { getPath, type Plain } from './paths.js';
import { findModule } from '../catalog/modules.js';

export function crossFieldErrors(spec: DeploySpec): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const k8s = spec.kubernetes;
  const infra = spec.infrastructure;
  const add = (path: string, message: string, hint?: string) =>
    issues.push(hint ? { path, message, hint } : { path, message });

  if (spec.profile === 'production' && !spec.openim.domain) {
    add(
      'openim.domain',
      'required for production: clients, TLS and MinIO presigned URLs need a public host',
      'pass --set openim.domain=im.example.com',
    );
  }
  const domain = spec.openim.domain;
  const byAddress = isIpv4(domain);
  if (!byAddress && looksLikeIpv4(domain))
    add(
      'openim.domain',
      `${domain} looks like an IPv4 address but is not one`,
      'four numbers from 0 to 255, e.g. 203.0.113.10',
    );
  const unusable = byAddress ? unusableIpv4(domain, spec.profile) : undefined;
  if (unusable) add('openim.domain', `${domain} ${unusable}`, 'use the address (or DNS name) clients connect to');

  if (spec.target === 'kubernetes') {
    if (k8s.storage.backend === 'nfs') {
      if (!k8s.storage.nfs.server)
        add(
          'kubernetes.storage.nfs.server',
          'required when kubernetes.storage.backend is nfs',
          'the NFS server host name or IP, e.g. --set kubernetes.storage.nfs.server=10.0.0.5',
        );
      if (!k8s.storage.nfs.path)
        add(
          'kubernetes.storage.nfs.path',
          'required when kubernetes.storage.backend is nfs',
          'the exported directory, e.g. /srv/nfs/openim',
        );
    }
    if (k8s.storage.backend === 'existing' && !k8s.storage.storageClass) {
      add(
        'kubernetes.storage.storageClass',
        'required when kubernetes.storage.backend is existing',
        'kubectl get storageclass lists the names',
      );
    }
    if (k8s.ingress.tls.mode === 'secret' && !k8s.ingress.tls.secretName) {
      add(
        'kubernetes.ingress.tls.secretName',
        'required when tls.mode is secret',
        'a kubernetes.io/tls Secret in the namespace',
      );
    }
    if (k8s.ingress.tls.mode !== 'none' && !spec.openim.domain && spec.profile !== 'production') {
      add('openim.domain', 'TLS needs a domain to issue the certificate for');
    }
    if (k8s.ingress.tls.mode === 'cert-manager' && byAddress && k8s.ingress.controller !== 'none') {
      add(
        'kubernetes.ingress.tls.mode',
        `cert-manager needs a DNS name: ACME issuers (Let's Encrypt) validate a name, and openim.domain is the IP address ${domain}`,
        'use --set kubernetes.ingress.tls.mode=secret with a certificate for that IP in kubernetes.ingress.tls.secretName, or none, or a DNS name in openim.domain',
      );
    }
    if (
      infra.objectStorage.provider === 'rook-ceph' &&
      k8s.storage.backend !== 'rook-ceph' &&
      infra.objectStorage.mode === 'bundled'
    ) {
      add(
        'infrastructure.objectStorage.provider',
        'rook-ceph object storage needs kubernetes.storage.backend rook-ceph (the operator and cluster it runs on)',
      );
    }
  } else {
    if (k8s.ingress.controller === 'istio' || k8s.ingress.controller === 'gateway-api') {
      add(
        'kubernetes.ingress.controller',
        `${k8s.ingress.controller} only works with target kubernetes`,
        'use --set kubernetes.ingress.controller=none for the binary target',
      );
    }
    if (infra.objectStorage.provider === 'rook-ceph')
      add('infrastructure.objectStorage.provider', 'rook-ceph only works with target kubernetes');
    if (k8s.storage.backend === 'rook-ceph')
      add('kubernetes.storage.backend', 'rook-ceph only works with target kubernetes');
    proxyErrors(spec, add);
  }

  for (const [name, component] of [
    ['mongodb', infra.mongodb],
    ['redis', infra.redis],
    ['kafka', infra.kafka],
    ['etcd', infra.etcd],
  ] as const) {
    if (component.mode !== 'external') continue;
    const hasUri = name === 'mongodb' && infra.mongodb.uri !== '';
    if (component.address.length === 0 && !hasUri) {
      add(
        `infrastructure.${name}.address`,
        `required when infrastructure.${name}.mode is external`,
        `e.g. --set infrastructure.${name}.address[0]=host:port`,
      );
    }
  }
  if (infra.mongodb.mode === 'external' && !infra.mongodb.uri && !infra.mongodb.password) {
    add(
      'infrastructure.mongodb.password',
      'external MongoDB needs the password of infrastructure.mongodb.username (or a full uri)',
      '--set infrastructure.mongodb.password=PASSWORD, or --set infrastructure.mongodb.uri=mongodb://USER:PASSWORD@HOST:PORT/DB',
    );
  }
  // OpenIM builds `mongodb://user:password@…` from the parts without escaping them (catalog MONGO_URI_UNESCAPED):
  // the driver then refuses or misreads a password holding URI delimiters.
  // The username too (found by src/safety/hostile-config.property.test.ts: `a@b` was accepted).
  for (const [part, value, fix] of [
    [
      'password',
      infra.mongodb.password ?? '',
      'use a password without : / ? # [ ] @ % (generated ones never have them), or give infrastructure.mongodb.uri with the password percent-encoded',
    ],
    [
      'username',
      infra.mongodb.username,
      'use a user name without : / ? # [ ] @ %, or give infrastructure.mongodb.uri with the name percent-encoded',
    ],
  ] as const) {
    const reserved = [...MONGO_URI_UNESCAPED.reserved].filter((c) => value.includes(c));
    if (!infra.mongodb.uri && reserved.length > 0) {
      add(
        `infrastructure.mongodb.${part}`,
        `contains ${reserved.map((c) => JSON.stringify(c)).join(' ')}: OpenIM puts the ${part} into a mongodb:// URI unescaped, so the driver cannot parse it`,
        fix,
      );
    }
  }

  const os = infra.objectStorage;
  if (os.provider === 'minio' || os.provider === 'rook-ceph') {
    if (os.mode === 'external' && !os.endpoint)
      add(
        'infrastructure.objectStorage.endpoint',
        'required for external object storage',
        '--set infrastructure.objectStorage.endpoint=http://HOST:PORT',
      );
  } else {
    if (os.mode === 'bundled')
      add(
        'infrastructure.objectStorage.mode',
        `${os.provider} is a cloud service: set mode external with its endpoint and keys`,
      );
    if (!os.accessKey || !os.secretKey)
      add('infrastructure.objectStorage.accessKey', `${os.provider} needs accessKey and secretKey`);
  }
  if (os.mode === 'external' && (os.provider === 'minio' || os.provider === 's3') && (!os.accessKey || !os.secretKey)) {
    add(
      'infrastructure.objectStorage.secretKey',
      'external object storage needs accessKey and secretKey',
      '--set infrastructure.objectStorage.accessKey=KEY --set infrastructure.objectStorage.secretKey=SECRET',
    );
  }
  if (os.externalAddress && !/^https?:\/\/[^\s]+$/.test(os.externalAddress)) {
    add(
      'infrastructure.objectStorage.externalAddress',
      'must be a URL clients can reach, e.g. https://im.example.com/im-minio-api',
    );
  }
  if (os.externalAddress && /external_ip|127\.0\.0\.1|localhost|\.svc(\.|:|\/|$)/.test(os.externalAddress)) {
    add(
      'infrastructure.objectStorage.externalAddress',
      'must be reachable by clients, not a placeholder or an internal address (files would fail to upload)',
      'leave it empty to use https://<domain>/im-minio-api',
    );
  }

  if (spec.openim.components.adminFront && !spec.openim.components.chat) {
    add(
      'openim.components.adminFront',
      'the admin front talks to chat: enable openim.components.chat or disable adminFront',
    );
  }
  const server = serverRelease(spec.openim.serverVersion);
  const chat = chatRelease(spec.openim.chatVersion);
  if (spec.openim.components.chat && chat.serverLine !== server.line) {
    add(
      'openim.chatVersion',
      `chat ${chat.version} talks to server ${chat.serverLine}.x, not ${server.version}`,
      'pick a chat release made for that server line (the catalog pairs chat 1.8.x with server 3.8.x; src/catalog/openim-versions.ts serverLine)',
    );
  }
  for (const [name, count = 0] of Object.entries(spec.openim.replicas)) {
    const mod = findModule(name);
    if (mod?.singleton && count > 1)
      add(`openim.replicas.${name}`, `${name} runs scheduled jobs and must have at most one instance`);
    if (mod?.maxInstances && count > mod.maxInstances) {
      add(
        `openim.replicas.${name}`,
        `more than ${mod.maxInstances} instances add nothing: the Kafka topics have ${mod.maxInstances} partitions`,
      );
    }
  }
  if (spec.profile === 'production') {
    // Every credential field, not a chosen few: the value is named by where it comes from, never printed.
    for (const path of secretPaths()) {
      const value = getPath(spec as unknown as Plain, path.split('.'));
      const known = WELL_KNOWN_SECRETS.find((w) => w.value === value);
      if (known)
        add(
          path,
          `is an upstream default, ${known.source}: refused in production`,
          'leave it empty to generate one, or set a value of your own',
        );
    }
  }
  if (spec.offline.bundle && spec.images.mirror === '' && spec.target === 'kubernetes') {
    add(
      'images.mirror',
      'an offline install on Kubernetes needs the private registry the bundle is pushed to',
      'e.g. --set images.mirror=registry.internal:5000',
    );
  }
  return issues;
}

/** binary.proxy: what each TLS mode needs (paths are checked on the host by preflight). */
function proxyErrors(spec: DeploySpec, add: (path: string, message: string, hint?: string) => void): void {
  const proxy = spec.binary.proxy;
  if (!proxy.enabled) return;
  const domain = spec.openim.domain;
  const tls = proxy.tls;
  if (!domain)
    add(
      'openim.domain',
      'the proxy serves one public host: it needs openim.domain',
      'e.g. --set openim.domain=im.example.com (or turn the proxy off: --set binary.proxy.enabled=false)',
    );
  if (tls.mode === 'acme') {
    if (isIpv4(domain)) {
      add(
        'binary.proxy.tls.mode',
        `ACME (Let's Encrypt HTTP-01) validates a DNS name, and openim.domain is the IP address ${domain}`,
        'use --set binary.proxy.tls.mode=self-signed or provided, or a DNS name in openim.domain',
      );
    } else if (
      !tls.acme.directory &&
      (domain.endsWith('.localhost') || domain === 'localhost' || !domain.includes('.'))
    ) {
      add(
        'binary.proxy.tls.mode',
        `Let's Encrypt cannot validate ${domain}: it is not a public DNS name`,
        'use a public name that points at this host, or --set binary.proxy.tls.mode=self-signed',
      );
    }
    if (tls.acme.staging && tls.acme.directory)
      add(
        'binary.proxy.tls.acme.staging',
        "staging picks Let's Encrypt's staging directory, and acme.directory names another one: give one of them",
      );
  }
  if (tls.acme.caRoot && !tls.acme.directory)
    add('binary.proxy.tls.acme.caRoot', 'only applies to a private ACME directory (binary.proxy.tls.acme.directory)');
  if (tls.mode === 'provided') {
    if (!tls.provided.cert)
      add(
        'binary.proxy.tls.provided.cert',
        'required when binary.proxy.tls.mode is provided',
        'the PEM certificate chain for openim.domain, e.g. /etc/ssl/im.example.com/fullchain.pem',
      );
    if (!tls.provided.key)
      add(
        'binary.proxy.tls.provided.key',
        'required when binary.proxy.tls.mode is provided',
        'its PEM private key, e.g. /etc/ssl/im.example.com/privkey.pem',
      );
  }
}

export function specWarnings(spec: DeploySpec): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  if (spec.target === 'kubernetes') {
    if (
      spec.profile === 'production' &&
      spec.kubernetes.ingress.tls.mode === 'none' &&
      spec.kubernetes.ingress.controller !== 'none'
    ) {
      warnings.push({
        path: 'kubernetes.ingress.tls.mode',
        message: 'production without TLS: tokens and messages cross the network in clear text',
        hint: 'use cert-manager or an existing secret',
      });
    }
    if (spec.profile === 'production' && spec.kubernetes.ingress.controller === 'nginx') {
      warnings.push({
        path: 'kubernetes.ingress.controller',
        message: 'ingress-nginx was retired in March 2026 and gets no security fixes',
        hint: 'use traefik or gateway-api for production',
      });
    }
    if (
      isIpv4(spec.openim.domain) &&
      spec.openim.components.adminFront &&
      spec.kubernetes.ingress.controller !== 'none'
    ) {
      warnings.push({
        path: 'openim.components.adminFront',
        message: `the admin console is served on its own host (admin.<domain>), and the IP address ${spec.openim.domain} has none: it is installed but not published`,
        hint: `reach it with kubectl -n ${spec.kubernetes.namespace} port-forward svc/openim-admin-front 8080:80, use a DNS name in openim.domain, or set openim.components.adminFront=false`,
      });
    }
    if (spec.profile === 'production' && spec.kubernetes.storage.backend === 'local-path') {
      warnings.push({
        path: 'kubernetes.storage.backend',
        message: 'local-path volumes live on one node: losing it loses MongoDB, Kafka and files',
        hint: 'use nfs, rook-ceph or an existing replicated StorageClass',
      });
    }
  }
  if (
    spec.target === 'binary' &&
    spec.binary.proxy.enabled &&
    spec.binary.proxy.tls.mode === 'none' &&
    spec.profile === 'production'
  ) {
    warnings.push({
      path: 'binary.proxy.tls.mode',
      message: 'production without TLS: tokens and messages cross the network in clear text',
      hint: 'use acme, provided or self-signed unless a TLS terminator of your own sits in front',
    });
  }
  if (spec.target === 'binary' && !spec.binary.proxy.enabled && spec.profile === 'production') {
    warnings.push({
      path: 'binary.proxy.enabled',
      message: 'production without the proxy: clients reach OpenIM on its raw ports over plain HTTP',
      hint: 'leave binary.proxy.enabled on (the default for production)',
    });
  }
  return warnings;
}
