// Kubernetes only: ingress controller, TLS and storage.

import type { Choice } from '../prompter.js';
import type { QuestionContext } from './context.js';
import { specSoFar } from './context.js';

type Controller = 'traefik' | 'gateway-api' | 'istio' | 'nginx' | 'none';

export async function askIngress(q: QuestionContext): Promise<void> {
  const { ask, answers } = q;
  const production = answers.get('profile') === 'production';
  const controller = await ask.choose<Controller>('kubernetes.ingress.controller', {
    message: 'Ingress controller',
    help: `How traffic from outside reaches OpenIM (HTTP API, WebSocket, web fronts, files).${production ? ' For production pick traefik or gateway-api: ingress-nginx was retired in March 2026 and gets no security fixes.' : ''}`,
    default: 'traefik',
    choices: [
      { value: 'traefik', name: 'traefik (recommended)', description: 'Maintained, handles WebSocket; k3s ships it.' },
      {
        value: 'gateway-api',
        name: 'Gateway API',
        description: 'The successor of Ingress; needs the Gateway API CRDs and a Gateway controller.',
      },
      { value: 'istio', name: 'Istio gateway', description: 'When the cluster already runs the Istio mesh.' },
      {
        value: 'nginx',
        name: 'ingress-nginx (dev only: retired March 2026)',
        description: 'No security fixes since its retirement in March 2026; do not expose it in production.',
      },
      {
        value: 'none',
        name: 'none: I expose the services myself',
        description: 'No routes are created; use NodePorts, a LoadBalancer or your own proxy.',
      },
    ],
  });
  if (controller === 'none') return;

  await ask.yesNo('kubernetes.ingress.install', {
    message: `Install the ${controller} controller too?`,
    help: `Answer no when the cluster already runs ${controller} (k3s ships traefik). Yes installs a pinned version into the cluster.`,
    default: false,
  });

  const mode = await ask.choose<'none' | 'cert-manager' | 'secret'>('kubernetes.ingress.tls.mode', {
    message: 'TLS (HTTPS) for the domain',
    help: 'Without TLS, tokens and messages cross the network in clear text; browsers also refuse some features on plain HTTP.',
    default: production ? 'cert-manager' : 'none',
    choices: [
      { value: 'none', name: 'none: plain HTTP', description: 'For a laptop or a closed test network.' },
      {
        value: 'cert-manager',
        name: 'cert-manager issues the certificate',
        description: 'Needs cert-manager in the cluster and an Issuer (e.g. Let’s Encrypt).',
      },
      {
        value: 'secret',
        name: 'an existing TLS Secret',
        description: 'A kubernetes.io/tls Secret you created in the namespace.',
      },
    ],
  });
  if (mode === 'cert-manager') {
    await ask.text('kubernetes.ingress.tls.issuer', {
      message: 'cert-manager issuer name',
      help: 'The Issuer or ClusterIssuer that signs the certificate for the domain.',
      default: answers.get<string>('kubernetes.ingress.tls.issuer'),
      extra: (value) => (value === '' ? 'required' : true),
    });
    await ask.choose('kubernetes.ingress.tls.issuerKind', {
      message: 'Issuer kind',
      default: answers.get<'ClusterIssuer' | 'Issuer'>('kubernetes.ingress.tls.issuerKind'),
      choices: [
        { value: 'ClusterIssuer', name: 'ClusterIssuer (cluster-wide)' },
        { value: 'Issuer', name: 'Issuer (in the OpenIM namespace)' },
      ],
    });
  }
  if (mode === 'secret') {
    await ask.text('kubernetes.ingress.tls.secretName', {
      message: 'Name of the TLS Secret',
      help: `A kubernetes.io/tls Secret in namespace ${answers.get<string>('kubernetes.namespace')} holding the certificate for the domain.`,
      default: 'openim-tls',
      extra: (value) =>
        /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(String(value))
          ? true
          : 'a Secret name: lower-case letters, digits, "-" and "."',
    });
  }
}

/** Select values beyond the backend enum: an existing StorageClass picked from the cluster. */
const CLASS_PREFIX = 'class:';

export async function askStorage(q: QuestionContext): Promise<void> {
  const { ask, answers } = q;
  const production = answers.get('profile') === 'production';
  let backend = answers.get<string>('kubernetes.storage.backend');
  const needClasses =
    !answers.given('kubernetes.storage.backend') ||
    (backend === 'existing' && !answers.given('kubernetes.storage.storageClass'));
  const look = needClasses ? await q.probes.kubeLook(specSoFar(answers)) : undefined;
  const classes = look?.storageClasses ?? [];

  if (!answers.given('kubernetes.storage.backend')) {
    ask.checkAbort();
    const choices: Choice[] = [
      ...classes.map((sc) => ({
        value: `${CLASS_PREFIX}${sc.name}`,
        name: `StorageClass ${sc.name}${sc.isDefault ? ' (cluster default)' : ''}`,
        description: `Already in the cluster; provisioner ${sc.provisioner}.`,
      })),
      {
        value: 'local-path',
        name: 'local-path: volumes on the node’s disk',
        description: 'Simple; data lives on one node, so losing that node loses it. Dev only.',
      },
      {
        value: 'nfs',
        name: 'nfs: an NFS export',
        description: 'Shared storage from an NFS server you give; survives node loss.',
      },
      {
        value: 'rook-ceph',
        name: 'rook-ceph: Ceph in the cluster',
        description: 'Replicated block and object storage; needs raw disks on three or more nodes.',
      },
      ...(classes.length === 0
        ? [
            {
              value: 'existing',
              name: 'existing: a StorageClass by name',
              description: 'A StorageClass already in the cluster (cloud disks, Longhorn…).',
            },
          ]
        : []),
    ];
    const defaultClass = classes.find((sc) => sc.isDefault);
    const suggested = production ? (defaultClass ? `${CLASS_PREFIX}${defaultClass.name}` : 'nfs') : 'local-path';
    const reachable = look?.reachable
      ? `found ${classes.length} StorageClass${classes.length === 1 ? '' : 'es'} in context ${look.context}`
      : `the cluster was not reachable${look?.problem ? ` (${look.problem})` : ''}`;
    const answer = await ask.prompter.select({
      key: 'kubernetes.storage.backend',
      message: 'Storage for MongoDB, Kafka, Redis and files',
      help: `Where persistent volumes come from; this decides whether data survives losing a node (${reachable}).`,
      choices,
      default: suggested,
    });
    if (answer.startsWith(CLASS_PREFIX)) {
      ask.imply('kubernetes.storage.backend', 'existing');
      answers.put('kubernetes.storage.storageClass', answer.slice(CLASS_PREFIX.length));
      backend = 'existing';
    } else {
      ask.imply('kubernetes.storage.backend', answer);
      backend = answer;
    }
  }

  if (backend === 'existing' && !answers.has('kubernetes.storage.storageClass')) {
    if (classes.length > 0) {
      await ask.choose('kubernetes.storage.storageClass', {
        message: 'StorageClass',
        default: (classes.find((sc) => sc.isDefault) ?? classes[0])!.name,
        choices: classes.map((sc) => ({ value: sc.name, name: sc.name, description: sc.provisioner })),
      });
    } else {
      await ask.text('kubernetes.storage.storageClass', {
        message: 'StorageClass name',
        help: '`kubectl get storageclass` lists them; the volumes of MongoDB, Kafka, Redis and MinIO are created with it.',
        extra: (value) => (value === '' ? 'required' : true),
      });
    }
  }

  if (backend === 'nfs') {
    await ask.text('kubernetes.storage.nfs.server', {
      message: 'NFS server (host name or IP)',
      help: 'Every node must be able to mount from it.',
      extra: (value) =>
        value === ''
          ? 'required'
          : /[\s/:]/.test(String(value))
            ? 'a host name or IP only (no scheme, port or path)'
            : true,
    });
    await ask.text('kubernetes.storage.nfs.path', {
      message: 'Exported path on the NFS server',
      help: 'A directory the server exports read-write, e.g. /srv/nfs/openim; each volume gets a subdirectory.',
      extra: (value) => (String(value).startsWith('/') ? true : 'an absolute path such as /srv/nfs/openim'),
    });
  }
}
