// Where `verify` reaches an install, per target, and the credentials it uses
// (from the install state, like every other command; never printed).

import type { DeploySpec } from '../config/schema.js';
import { OPENIM_DEFAULTS } from '../catalog/openim-versions.js';
import { PUBLIC_PORTS } from '../catalog/modules.js';
import type { Probe } from '../plan/types.js';
import { secretRef, type SecretValues } from '../secrets/secrets.js';
import { objectExternalAddress } from './binary/endpoints.js';
import { CHAT_ADMIN_SECRET } from '../chat-admin/credentials.js';
import { publicUrls } from './kubernetes/urls.js';
import { proxied, proxyUrls } from './binary/proxy/urls.js';
import { proxyPaths } from './binary/proxy/paths.js';
import { binaryLayout } from './binary/layout.js';
import type { VerifyCredentials, VerifyEndpoints } from '../verify/types.js';

/** What must be port-forwarded on Kubernetes when there is no ingress to go through. */
interface ForwardNeed {
  key: 'api' | 'ws' | 'chat' | 'admin';
  service: string;
  port: number;
}

export interface VerifyPlan {
  endpoints: VerifyEndpoints;
  forwards: ForwardNeed[];
  chatNotApplicable?: string;
}

function objectStorageNote(spec: DeploySpec): string | undefined {
  const os = spec.infrastructure.objectStorage;
  if (os.provider !== 'minio')
    return `object storage provider ${os.provider}: presigned URLs point at the provider's own endpoint, which verify does not compare (checked only for MinIO, whose externalAddress openim-deploy sets)`;
  return undefined;
}

/** Addresses verify reaches as a client would, with nothing to port-forward. */
interface DirectAddresses {
  api: string;
  ws: string;
  chatApi: string;
  adminApi: string;
  objectStorage: string;
  caFile?: string;
}

function direct(a: DirectAddresses, chat: boolean, note: string | undefined): VerifyPlan {
  return {
    endpoints: {
      api: a.api,
      ws: a.ws,
      chat: chat ? a.chatApi : '',
      admin: chat ? a.adminApi : '',
      objectStorage: a.objectStorage,
      ...(a.caFile ? { caFile: a.caFile } : {}),
      ...(note ? { objectStorageNotApplicable: note } : {}),
    },
    forwards: [],
  };
}

export function verifyPlan(spec: DeploySpec): VerifyPlan {
  const chat = spec.openim.components.chat;
  const note = objectStorageNote(spec);
  if (spec.target === 'binary' && proxied(spec)) {
    // Through the proxy, as clients go: the one public endpoint, trusting the internal CA when it made the certificate.
    const urls = proxyUrls(spec);
    const caFile = spec.binary.proxy.tls.mode === 'self-signed' ? proxyPaths(binaryLayout(spec)).caFile : undefined;
    return direct(
      {
        api: urls.apiAddr,
        ws: urls.wsAddr,
        chatApi: urls.chatApi,
        adminApi: urls.adminApi,
        objectStorage: objectExternalAddress(spec),
        ...(caFile ? { caFile } : {}),
      },
      chat,
      note,
    );
  }
  if (spec.target === 'binary') {
    const loop = (port: number, scheme = 'http') => `${scheme}://127.0.0.1:${port}`;
    return direct(
      {
        api: loop(PUBLIC_PORTS.api),
        ws: loop(PUBLIC_PORTS.msgGateway, 'ws'),
        chatApi: loop(PUBLIC_PORTS.chatApi),
        adminApi: loop(PUBLIC_PORTS.adminApi),
        objectStorage: objectExternalAddress(spec),
      },
      chat,
      note,
    );
  }
  const urls = publicUrls(spec);
  if (spec.kubernetes.ingress.controller !== 'none' && spec.openim.domain) {
    return direct(
      {
        api: urls.apiAddr,
        ws: urls.wsAddr,
        chatApi: urls.chatApi,
        adminApi: urls.adminApi,
        objectStorage: urls.objectStorage,
      },
      chat,
      note,
    );
  }
  // No public route: port-forward the Services; presigned object URLs are signed for the
  // external address, which a port-forward cannot stand in for.
  const viaIngress = spec.infrastructure.objectStorage.externalAddress
    ? undefined
    : 'no ingress or domain, so the object storage external address (presigned URLs) is not reachable from here; set infrastructure.objectStorage.externalAddress to a reachable URL or use an ingress';
  const objectNote = note ?? viaIngress;
  return {
    endpoints: {
      api: '',
      ws: '',
      chat: '',
      admin: '',
      objectStorage: urls.objectStorage,
      ...(objectNote ? { objectStorageNotApplicable: objectNote } : {}),
    },
    forwards: [
      { key: 'api', service: 'openim-api', port: PUBLIC_PORTS.api },
      { key: 'ws', service: 'openim-msggateway', port: PUBLIC_PORTS.msgGateway },
      ...(chat
        ? [
            { key: 'chat' as const, service: 'chat-api', port: PUBLIC_PORTS.chatApi },
            { key: 'admin' as const, service: 'admin-api', port: PUBLIC_PORTS.adminApi },
          ]
        : []),
    ],
  };
}

export function verifyCredentials(spec: DeploySpec, secrets: Partial<SecretValues>): VerifyCredentials {
  const secret = secrets['openim.secret'] ?? '';
  if (!secret)
    throw new Error(
      'no OpenIM secret in the install state: is OpenIM installed with this config (same -c/--preset, --workdir)?',
    );
  return {
    secret,
    imAdminUserID: OPENIM_DEFAULTS.imAdminUserID,
    superCode: secrets['chat.superCode'] ?? spec.openim.superCode ?? '',
    chatAdminAccount: OPENIM_DEFAULTS.chatAdminAccount,
    // The password the install set through admin-api (src/chat-admin); empty: admin-login says why it cannot run.
    chatAdminPassword: secrets[CHAT_ADMIN_SECRET] ?? '',
  };
}

/** The probe of the install's last step: the same checks as `openim-deploy verify`. */
export function verifyProbe(spec: DeploySpec, endpoints: VerifyEndpoints): Extract<Probe, { kind: 'openim-verify' }> {
  return {
    kind: 'openim-verify',
    endpoints,
    chat: spec.openim.components.chat,
    openRegistration: spec.openim.allowRegister,
    secret: secretRef('openim.secret'),
    superCode: secretRef('chat.superCode'),
    adminUserID: OPENIM_DEFAULTS.imAdminUserID,
    deliveryTimeoutSeconds: spec.verify.deliveryTimeoutSeconds,
  };
}

/** Why the install's verify step does not run, when it does not. */
export function verifyOff(spec: DeploySpec): string | undefined {
  return spec.verify.afterInstall
    ? undefined
    : 'verify after install is off (verify.afterInstall false): run openim-deploy verify';
}
