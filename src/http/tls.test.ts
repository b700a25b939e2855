import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendWithRetry } from './request.js';
import { describeFetchError } from './retry.js';
import { readCaFiles, registryTls } from './tls.js';

const certificateError = () =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    }),
  });

describe('registry TLS', () => {
  it('a fetch error is described with its cause code', () => {
    expect(describeFetchError(certificateError())).toBe('fetch failed (SELF_SIGNED_CERT_IN_CHAIN)');
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(describeFetchError(refused)).toBe('fetch failed (ECONNREFUSED)');
  });

  it('a certificate error is not retried and names the fixes; another network error is retried', async () => {
    let calls = 0;
    const failing = (error: () => Error) =>
      (async () => {
        calls++;
        throw error();
      }) as unknown as typeof fetch;
    await expect(
      sendWithRetry('https://registry.internal/v2/', () => ({}), {
        retries: 3,
        retryDelayMs: 1,
        fetch: failing(certificateError),
      }),
    ).rejects.toThrow(/SELF_SIGNED_CERT_IN_CHAIN.*--ca-file/);
    expect(calls).toBe(1);
    calls = 0;
    const other = await sendWithRetry('https://registry.internal/v2/', () => ({}), {
      retries: 3,
      retryDelayMs: 1,
      fetch: failing(() => new TypeError('fetch failed')),
    }).catch((e: Error) => e);
    expect((other as Error).message).not.toContain('--ca-file'); // only a certificate error names the certificate fixes
    expect(calls).toBe(4);
  });

  it('CA files must exist and hold a PEM certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oid-tls-'));
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    await expect(readCaFiles([join(dir, 'missing.pem')])).rejects.toThrow(/cannot read the CA file .*missing\.pem/);
    await expect(readCaFiles([join(dir, 'key.pem')])).rejects.toThrow(/key\.pem holds no PEM certificate/);
  });

  it('nothing asked, nothing loaded; a skipped host gets no verification, others keep the system roots plus the CA', async () => {
    expect(await registryTls({})).toBeUndefined();
    const tls = (await registryTls({
      caPems: ['-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n'],
      skipVerify: ['lab.internal:5000'],
    }))!;
    expect(tls.tlsFor('lab.internal:5000')).toEqual({ rejectUnauthorized: false });
    const verified = tls.tlsFor('harbor.internal');
    expect(verified.rejectUnauthorized).toBeUndefined();
    expect(verified.ca!.length).toBeGreaterThan(100); // the system roots are kept
    expect(verified.ca!.at(-1)).toContain('-----BEGIN CERTIFICATE-----\nX');
  });
});
