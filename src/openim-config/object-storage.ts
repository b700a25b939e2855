// minio.yml and the `object` block of openim-rpc-third.yml. OpenIM hands
// clients presigned URLs built from externalAddress, so it must be a URL the
// clients reach, never a cluster-internal or loopback one (pain point 1).

import type { GenContext } from './context.js';
import { ConfigInputError } from './infra.js';
import { secretSlot } from './secret-slots.js';

/**
 * Why clients could not use this URL, or null when they can. In-cluster
 * names, bare service names and the upstream `external_ip` placeholder never
 * work; loopback works only for a client on the same machine, so it is
 * accepted for the dev profile only.
 */
function unreachableReason(url: string, profile: 'dev' | 'production'): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'is not an http(s) URL';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '' || host === 'external_ip' || host === '0.0.0.0') return 'has a placeholder host';
  if (/\.svc$|\.svc\.|\.cluster\.local$/.test(host)) return 'is a cluster-internal name';
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '::1';
  if (loopback) return profile === 'production' ? 'is a loopback address' : null;
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (!ipv4 && !host.includes('.') && !host.includes(':'))
    return 'is a bare service name that only resolves inside the cluster or compose network';
  return null;
}

/** `http(s)://host:port/...` → `host:port`; minio.yml internalAddress is host:port. */
function hostPort(address: string): string {
  const m = /^[a-z]+:\/\/([^/]+)/i.exec(address);
  return m ? m[1]! : address.replace(/\/.*$/, '');
}

/** Which driver of openim-rpc-third talks to the provider. */
function objectEnable(ctx: GenContext): 'minio' | 'aws' | 'cos' | 'oss' | 'kodo' {
  const os = ctx.endpoints.objectStorage;
  switch (os.provider) {
    case 'minio':
    case 'rook-ceph':
      return 'minio';
    case 's3':
      // OpenIM's aws driver targets AWS itself; any other S3 endpoint speaks the MinIO protocol.
      return os.internalAddress === '' || /amazonaws\.com/.test(os.internalAddress) ? 'aws' : 'minio';
    default:
      return os.provider;
  }
}

export function minioFile(ctx: GenContext): Record<string, unknown> {
  const os = ctx.endpoints.objectStorage;
  const isMinio = objectEnable(ctx) === 'minio';
  const reason = isMinio ? unreachableReason(os.externalAddress, ctx.spec.profile) : null;
  if (reason) {
    throw new ConfigInputError(
      'infrastructure.objectStorage.externalAddress',
      `${JSON.stringify(os.externalAddress)} ${reason}: clients get presigned URLs on it, so file upload and download would fail`,
      'use a URL clients reach, e.g. https://<domain>/im-minio-api',
    );
  }
  return {
    bucket: os.bucket,
    accessKeyID: isMinio ? secretSlot('objectStorage.accessKey') : '',
    secretAccessKey: isMinio ? secretSlot('objectStorage.secretKey') : '',
    sessionToken: '',
    internalAddress: isMinio ? hostPort(os.internalAddress) : '',
    externalAddress: isMinio ? os.externalAddress : '',
    publicRead: false,
  };
}

/** openim-rpc-third.yml `object`: every provider block present (env overrides need the keys), credentials only in the active one. */
export function thirdObjectBlock(ctx: GenContext): Record<string, unknown> {
  const os = ctx.endpoints.objectStorage;
  const enable = objectEnable(ctx);
  const on = (p: string) => enable === p;
  const key = (p: string) => (on(p) ? secretSlot('objectStorage.accessKey') : '');
  const sec = (p: string) => (on(p) ? secretSlot('objectStorage.secretKey') : '');
  const url = os.externalAddress || os.internalAddress;
  const endpointBucket = (p: string) => ({
    endpoint: on(p) ? os.internalAddress : '',
    bucket: on(p) ? os.bucket : '',
    bucketURL: on(p) ? url : '',
    accessKeyID: key(p),
    accessKeySecret: sec(p),
    sessionToken: '',
    publicRead: false,
  });
  return {
    enable,
    cos: {
      bucketURL: on('cos') ? url : '',
      secretID: key('cos'),
      secretKey: sec('cos'),
      sessionToken: '',
      publicRead: false,
    },
    // OSS and Kodo take the same block (openim.yml: oss and kodo).
    oss: endpointBucket('oss'),
    kodo: endpointBucket('kodo'),
    aws: {
      region: on('aws') ? os.region : '',
      bucket: on('aws') ? os.bucket : '',
      accessKeyID: key('aws'),
      secretAccessKey: sec('aws'),
      sessionToken: '',
      publicRead: false,
    },
  };
}
