// openim.domain as an IPv4 address (issue #19 Medium 12): accepted where it
// works, refused with the key and the fix where it cannot.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve.js';
import { issuesOf } from '../../test/helpers/config-helpers.js';
import { isIpv4 } from './domain.js';

const production = (...sets: string[]) =>
  resolveConfig({ preset: 'production', sets: ['kubernetes.storage.nfs.server=10.0.0.6', ...sets] });

describe('openim.domain as an IP address', () => {
  it('an IPv4 address is a valid domain on both targets', () => {
    expect(resolveConfig({ preset: 'dev', sets: ['openim.domain=10.0.0.5'] }).spec.openim.domain).toBe('10.0.0.5');
    expect(resolveConfig({ preset: 'single-host', sets: ['openim.domain=192.168.1.20'] }).spec.openim.domain).toBe(
      '192.168.1.20',
    );
    expect(
      production(
        'openim.domain=203.0.113.10',
        'kubernetes.ingress.tls.mode=secret',
        'kubernetes.ingress.tls.secretName=ip-cert',
      ).spec.openim.domain,
    ).toBe('203.0.113.10');
    expect(isIpv4('10.0.0.5')).toBe(true);
    expect(isIpv4('10.0.0.256')).toBe(false);
  });

  it('cert-manager (ACME) with an address is refused, naming the key and the fix', () => {
    const issues = issuesOf(() => production('openim.domain=203.0.113.10'));
    const tls = issues.find((i) => i.path === 'kubernetes.ingress.tls.mode')!;
    expect(tls.message).toBe(
      "cert-manager needs a DNS name: ACME issuers (Let's Encrypt) validate a name, and openim.domain is the IP address 203.0.113.10",
    );
    expect(tls.hint).toBe(
      'use --set kubernetes.ingress.tls.mode=secret with a certificate for that IP in kubernetes.ingress.tls.secretName, or none, or a DNS name in openim.domain',
    );
  });

  it('something that only looks like an address, and addresses no client can use, are refused', () => {
    expect(
      issuesOf(() => resolveConfig({ preset: 'dev', sets: ['openim.domain=10.0.0.256'] })).find(
        (i) => i.path === 'openim.domain',
      )?.message,
    ).toBe('10.0.0.256 looks like an IPv4 address but is not one');
    expect(
      issuesOf(() => resolveConfig({ preset: 'dev', sets: ['openim.domain=10.0.5'] })).map((i) => i.path),
    ).toContain('openim.domain');
    for (const [address, why] of [
      ['0.0.0.0', /unspecified/],
      ['255.255.255.255', /broadcast/],
      ['224.0.0.1', /multicast/],
    ] as const) {
      expect(
        issuesOf(() => resolveConfig({ preset: 'dev', sets: [`openim.domain=${address}`] })).find(
          (i) => i.path === 'openim.domain',
        )?.message,
      ).toMatch(why);
    }
    // Loopback: fine to try on one machine (dev), not for production.
    expect(resolveConfig({ preset: 'dev', sets: ['openim.domain=127.0.0.1'] }).spec.openim.domain).toBe('127.0.0.1');
    expect(
      issuesOf(() => production('openim.domain=127.0.0.1', 'kubernetes.ingress.tls.mode=none')).find(
        (i) => i.path === 'openim.domain',
      )?.message,
    ).toMatch(/loopback/);
  });

  it('IPv6 is refused by the schema with a message that says so', () => {
    const issue = issuesOf(() => resolveConfig({ preset: 'dev', sets: ['openim.domain=fd00::5'] })).find(
      (i) => i.path === 'openim.domain',
    );
    expect(issue?.message).toMatch(/or an IPv4 address .*IPv6 is not supported/);
  });

  it('the admin console, which needs admin.<domain>, is a warning that names the port-forward and the alternatives', () => {
    const warnings = resolveConfig({ preset: 'dev', sets: ['openim.domain=10.0.0.5'] }).warnings;
    const admin = warnings.find((w) => w.path === 'openim.components.adminFront')!;
    expect(admin.message).toMatch(/installed but not published/);
    expect(admin.hint).toMatch(/kubectl -n openim port-forward svc\/openim-admin-front 8080:80/);
    expect(
      resolveConfig({ preset: 'dev', sets: ['openim.domain=im.example.com'] }).warnings.map((w) => w.path),
    ).not.toContain('openim.components.adminFront');
  });
});
