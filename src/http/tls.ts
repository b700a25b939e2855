// TLS for private registries: an internal CA (Harbor, a company PKI) or a
// registry whose certificate cannot be verified at all (a lab, told so
// explicitly per host). Node's own fetch cannot take a CA per request, so
// undici (the same client Node's fetch is built on) is loaded only when one
// of these is asked for; a plain run never pays for it.

import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { DeployError, EXIT } from '../errors.js';

/** TLS options for one host of a node:https request (streamed uploads, S3). */
export interface TlsSettings {
  /** The whole list of CAs to trust (system roots included). */
  ca?: string[];
  rejectUnauthorized?: boolean;
}

export interface RegistryTls {
  /** PEM certificates of CAs to trust besides the system's (readCaFiles). */
  caPems?: string[];
  /** host[:port] whose certificate is not verified at all (still TLS). */
  skipVerify?: string[];
}

/** Certificate errors from Node's TLS stack: the ones a CA file or --tls-skip-verify would fix. */
const CERT_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && CERT_ERRORS.has(code);
}

export const CERTIFICATE_HINT =
  "the server's certificate is not trusted here: give its CA with --ca-file ca.pem (bundle create, bundle push) or NODE_EXTRA_CA_CERTS=ca.pem (every command, install included); bundle create and bundle push also take --tls-skip-verify for a registry you cannot verify";

/** A request refused for its certificate: retrying cannot help, so nothing retries it. */
export class CertificateError extends DeployError {
  readonly code = 'CERTIFICATE_INVALID';
  readonly exitStatus = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** What NODE_EXTRA_CA_CERTS adds to Node's default list (kept when a CA list is given explicitly). */
async function nodeExtraCerts(): Promise<string[]> {
  const file = process.env.NODE_EXTRA_CA_CERTS; // read by Node itself from this process's environment
  if (!file) return [];
  return [await readFile(file, 'utf8').catch(() => '')].filter(Boolean);
}

/** The PEM text of each CA file; throws naming the file that is missing or holds no certificate. */
export async function readCaFiles(files: string[]): Promise<string[]> {
  return Promise.all(
    files.map(async (file) => {
      const pem = await readFile(file, 'utf8').catch((e: Error) => {
        throw new Error(`cannot read the CA file ${file}: ${e.message}`);
      });
      if (!pem.includes('-----BEGIN CERTIFICATE-----'))
        throw new Error(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      return pem;
    }),
  );
}

export interface TlsAccess {
  /** For fetch calls. */
  fetch: typeof fetch;
  /** For node:https calls (streamed uploads), the same choice per host. */
  tlsFor: (host: string) => TlsSettings;
}

/** A fetch (and node:https settings) that trust the extra CAs and skip verification for the named hosts; undefined when nothing is asked. */
export async function registryTls(tls: RegistryTls): Promise<TlsAccess | undefined> {
  const extra = tls.caPems ?? [];
  // host:443 and host name the same server (URLs drop the default port).
  const skip = new Set((tls.skipVerify ?? []).map((h) => h.replace(/:443$/, '')));
  if (extra.length === 0 && skip.size === 0) return undefined;
  // `ca` replaces Node's default list (public roots + NODE_EXTRA_CA_CERTS): rebuild it with the extra CAs
  // added. Without extra CAs the default list stays as it is.
  const ca = extra.length ? [...rootCertificates, ...(await nodeExtraCerts()), ...extra] : undefined;
  const skipped = (host: string) => skip.has(host) || skip.has(host.replace(/:\d+$/, ''));
  // Bundled as CommonJS: the exports may sit on `default`.
  const loaded = (await import('undici')) as typeof import('undici') & { default?: typeof import('undici') };
  const undici = loaded.default ?? loaded;
  const verified = new undici.Agent(ca ? { connect: { ca } } : {});
  const unverified = new undici.Agent({ connect: { rejectUnauthorized: false } });
  const wrapped = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const dispatcher = skipped(url.host) ? unverified : verified;
    return undici.fetch(url, { ...(init as object), dispatcher } as Parameters<
      typeof undici.fetch
    >[1]) as unknown as Promise<Response>;
  };
  return {
    fetch: wrapped as typeof fetch,
    tlsFor: (host) => (skipped(host) ? { rejectUnauthorized: false } : ca ? { ca } : {}),
  };
}
