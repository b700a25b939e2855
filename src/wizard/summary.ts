// The table shown before confirming: every choice in words, where it came
// from when not answered here, and never a credential's value.

import type { DeploySpec } from '../config/schema.js';
import { targetFor } from '../targets/registry.js';
import type { Answers } from './answers.js';
import type { Row } from './text.js';

const onOff = (on: boolean) => (on ? 'yes' : 'no');
const hasSecret = (value: string | undefined) => (value ? 'set' : 'none');

/** `seenContext`: the kubectl context the light probe found, when it looked. */
export function summaryRows(spec: DeploySpec, answers: Answers, seenContext?: string): Row[] {
  const rows: Row[] = [];
  const add = (label: string, value: string, ...paths: string[]) => {
    // A note says which layer answered, so a surprise ("why nfs?") is explained.
    const sources = [
      ...new Set(paths.map((p) => answers.sourceOf(p)).filter((s) => s !== 'answer' && s !== 'default')),
    ];
    rows.push(sources.length ? { label, value, note: `from ${sources.join(', ')}` } : { label, value });
  };
  const k8s = spec.kubernetes;
  const infra = spec.infrastructure;

  const context = k8s.context
    ? `context ${k8s.context}`
    : seenContext
      ? `current kubectl context, ${seenContext}`
      : 'current kubectl context';
  add('Target', spec.target === 'kubernetes' ? `Kubernetes (${context})` : 'this host (systemd units)', 'target');
  add('Profile', spec.profile, 'profile');
  add('Domain', spec.openim.domain || '(none)', 'openim.domain');
  if (spec.target === 'kubernetes') {
    add('Namespace', k8s.namespace, 'kubernetes.namespace');
    const ing = k8s.ingress;
    add(
      'Ingress',
      ing.controller === 'none'
        ? 'none'
        : `${ing.controller}${ing.install ? ', installed by openim-deploy' : ', already in the cluster'}`,
      'kubernetes.ingress.controller',
      'kubernetes.ingress.install',
    );
    if (ing.controller !== 'none') {
      const tls = ing.tls;
      add(
        'TLS',
        tls.mode === 'none'
          ? 'none (plain HTTP)'
          : tls.mode === 'cert-manager'
            ? `cert-manager, ${tls.issuerKind} ${tls.issuer}`
            : `Secret ${tls.secretName}`,
        'kubernetes.ingress.tls.mode',
      );
    }
    const st = k8s.storage;
    const storage =
      st.backend === 'nfs'
        ? `nfs ${st.nfs.server}:${st.nfs.path}`
        : st.backend === 'existing'
          ? `StorageClass ${st.storageClass}`
          : st.backend;
    add(
      'Storage',
      storage,
      'kubernetes.storage.backend',
      'kubernetes.storage.storageClass',
      'kubernetes.storage.nfs.server',
    );
  }

  const os = infra.objectStorage;
  // The plan's own address (scheme from the TLS mode, the host's MinIO port on the binary target), never a guess made here.
  const fileUrl = targetFor(spec.target).filesUrl(spec);
  const osValue =
    os.mode === 'bundled'
      ? `${os.provider}, bundled`
      : `${os.provider}, external ${os.endpoint}, bucket ${os.bucket}${os.region ? `, region ${os.region}` : ''}, keys ${hasSecret(os.secretKey)}`;
  add(
    'Object storage',
    os.provider === 'minio' || os.provider === 'rook-ceph' ? `${osValue}; files at ${fileUrl}` : osValue,
    'infrastructure.objectStorage.provider',
    'infrastructure.objectStorage.mode',
  );

  const m = infra.mongodb;
  add(
    'MongoDB',
    m.mode === 'bundled'
      ? 'bundled'
      : m.uri
        ? 'external (full URI given)'
        : `external ${m.address.join(', ')}, db ${m.database}, user ${m.username}, password ${hasSecret(m.password)}`,
    'infrastructure.mongodb.mode',
    'infrastructure.mongodb.address',
  );
  const r = infra.redis;
  add(
    'Redis',
    r.mode === 'bundled'
      ? 'bundled'
      : `external ${r.address.join(', ')}${r.clusterMode ? ' (cluster)' : ''}, password ${hasSecret(r.password)}`,
    'infrastructure.redis.mode',
    'infrastructure.redis.address',
  );
  const kf = infra.kafka;
  add(
    'Kafka',
    kf.mode === 'bundled'
      ? 'bundled'
      : `external ${kf.address.join(', ')}${kf.username ? `, SASL user ${kf.username}` : ''}${kf.tls ? ', TLS' : ''}`,
    'infrastructure.kafka.mode',
    'infrastructure.kafka.address',
  );
  if (spec.target === 'binary') {
    const e = infra.etcd;
    add(
      'etcd',
      e.mode === 'bundled' ? 'bundled' : `external ${e.address.join(', ')}${e.username ? `, user ${e.username}` : ''}`,
      'infrastructure.etcd.mode',
      'infrastructure.etcd.address',
    );
  }

  if (spec.target === 'kubernetes') {
    const img = spec.images;
    add(
      'Images',
      img.mirror
        ? `rewritten to ${img.mirror}${img.pullSecret ? ` (pull secret ${img.pullSecret})` : ''}`
        : img.registry,
      'images.registry',
      'images.mirror',
    );
  } else {
    add('Downloads', spec.binary.mirror || 'upstream (GitHub and project sites)', 'binary.mirror');
  }
  add('Offline bundle', spec.offline.bundle || 'none (online install)', 'offline.bundle');
  const c = spec.openim.components;
  add(
    'Components',
    [
      'server',
      ...(c.chat ? ['chat'] : []),
      ...(c.webFront ? ['web client'] : []),
      ...(c.adminFront ? ['admin console'] : []),
    ].join(', '),
    'openim.components.chat',
    'openim.components.webFront',
    'openim.components.adminFront',
  );
  if (c.chat)
    add(
      'Registration',
      spec.openim.allowRegister ? 'open: anyone can create an account' : 'closed: accounts are made by the admin',
      'openim.allowRegister',
    );
  add('Monitoring', onOff(spec.monitoring.enabled), 'monitoring.enabled');
  add('Logging', onOff(spec.logging.enabled), 'logging.enabled');
  add('Credentials', 'generated where not given, then stored by the installer; never shown');
  return rows;
}
