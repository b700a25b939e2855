// binary.proxy.tls.mode provided: the certificate and key the user gives, as the
// host has them. Read-only facts (preflight), and the findings preflight, status
// and doctor show: both files there, the key readable by nobody but its owner
// and group, the certificate's names and expiry.

import { X509Certificate } from 'node:crypto';
import type { DeploySpec } from '../../../config/schema.js';
import type { Runner } from '../../../process/runner.js';
import type { ProvidedTlsFacts } from '../../../facts/types.js';
import { probeOutput } from '../probe-output.js';

/** What the host holds at the provided paths (undefined: not mode provided). */
export async function gatherProvidedTls(spec: DeploySpec, runner: Runner): Promise<ProvidedTlsFacts | undefined> {
  const tls = spec.binary.proxy.tls;
  if (
    spec.target !== 'binary' ||
    !spec.binary.proxy.enabled ||
    tls.mode !== 'provided' ||
    !tls.provided.cert ||
    !tls.provided.key
  )
    return undefined;
  const [pem, keyMode] = await Promise.all([
    probeOutput(runner, ['cat', '--', tls.provided.cert]),
    probeOutput(runner, ['stat', '-L', '-c', '%a', '--', tls.provided.key]),
  ]);
  const facts: ProvidedTlsFacts = {
    cert: { path: tls.provided.cert, exists: pem !== undefined },
    key: { path: tls.provided.key, exists: keyMode !== undefined },
  };
  if (keyMode !== undefined) facts.key.mode = keyMode.trim();
  if (pem !== undefined) {
    try {
      const cert = new X509Certificate(pem);
      facts.cert.notAfter = new Date(cert.validTo).toISOString();
      facts.cert.names = cert.subjectAltName ?? '';
    } catch (e) {
      facts.cert.invalid = (e as Error).message;
    }
  }
  return facts;
}

export interface TlsFinding {
  id: string;
  severity: 'error' | 'warn' | 'info';
  message: string;
  fix?: string;
}

/** Days from `now` to the certificate's end (negative: expired). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / 86_400_000);
}

export function providedTlsFindings(spec: DeploySpec, facts: ProvidedTlsFacts, now: Date): TlsFinding[] {
  const out: TlsFinding[] = [];
  const { cert, key } = facts;
  if (!cert.exists)
    out.push({
      id: 'proxy.tls.cert',
      severity: 'error',
      message: `binary.proxy.tls.provided.cert ${cert.path} cannot be read`,
      fix: 'give the path of the PEM certificate chain on this host',
    });
  else if (cert.invalid)
    out.push({
      id: 'proxy.tls.cert',
      severity: 'error',
      message: `${cert.path} is not a PEM certificate: ${cert.invalid}`,
    });
  if (!key.exists)
    out.push({
      id: 'proxy.tls.key',
      severity: 'error',
      message: `binary.proxy.tls.provided.key ${key.path} cannot be read`,
      fix: 'give the path of the PEM private key on this host',
    });
  // The last octal digit is what every other user may do with it.
  else if (key.mode && key.mode.at(-1) !== '0') {
    out.push({
      id: 'proxy.tls.key-mode',
      severity: 'error',
      message: `${key.path} is readable by every user (mode ${key.mode})`,
      fix: `chmod o-rwx ${key.path} (e.g. 0600 root:root; the installer hands Caddy a 0640 copy)`,
    });
  }
  if (cert.notAfter) {
    const days = daysLeft(cert.notAfter, now);
    const what = `${cert.path} (${cert.names || 'no subjectAltName'}) expires ${cert.notAfter.slice(0, 10)}`;
    if (days < 0)
      out.push({
        id: 'proxy.tls.expiry',
        severity: 'error',
        message: `${what}: expired ${-days} day(s) ago`,
        fix: 'put a renewed certificate there and re-run install',
      });
    else if (days < 14)
      out.push({
        id: 'proxy.tls.expiry',
        severity: 'warn',
        message: `${what}: ${days} day(s) left`,
        fix: 'renew it, then re-run install (Caddy is given a copy)',
      });
    else out.push({ id: 'proxy.tls.expiry', severity: 'info', message: `${what}: ${days} day(s) left` });
    const domain = spec.openim.domain;
    if (
      cert.names &&
      domain &&
      !cert.names
        .split(/,\s*/)
        .some(
          (n) =>
            n === `DNS:${domain}` ||
            n === `IP Address:${domain}` ||
            (n.startsWith('DNS:*.') &&
              domain.endsWith(n.slice(5)) &&
              domain.split('.').length === n.slice(6).split('.').length + 1),
        )
    ) {
      out.push({
        id: 'proxy.tls.names',
        severity: 'error',
        message: `${cert.path} is for ${cert.names}, not ${domain}`,
        fix: 'give the certificate issued for openim.domain',
      });
    }
  }
  return out;
}

export interface ServedCertificate {
  names: string;
  notAfter: string;
  issuer: string;
}

/** The certificate the proxy serves for the domain on this host (read, not verified: status and doctor show what is there). */
export async function servedCertificate(
  spec: DeploySpec,
  port: number,
  timeoutMs = 5000,
): Promise<ServedCertificate | { error: string }> {
  const { connect } = await import('node:tls');
  return new Promise((resolve) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: spec.openim.domain, rejectUnauthorized: false },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        if (!cert?.valid_to) return resolve({ error: 'no certificate served' });
        resolve({
          names: cert.subjectaltname ?? '',
          notAfter: new Date(cert.valid_to).toISOString(),
          issuer: String(cert.issuer?.CN ?? cert.issuer?.O ?? ''),
        });
      },
    );
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve({ error: `no TLS answer on 127.0.0.1:${port} within ${timeoutMs} ms` });
    });
    socket.once('error', (e) => resolve({ error: e.message }));
  });
}
