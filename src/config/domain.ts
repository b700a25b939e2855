// openim.domain may be a DNS name or an IPv4 address: installing by IP is
// common for OpenIM (a LAN, a test server, no DNS yet). What an address
// cannot have: Ingress/Gateway host rules, an ACME certificate, a second host
// admin.<domain>. Each place that needs a name asks here.

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

/** Digits and dots only: meant as an address (a DNS name never has an all-numeric top-level label). */
export function looksLikeIpv4(host: string): boolean {
  return /^[0-9.]+$/.test(host);
}

/** Why clients cannot use this IPv4 address for OpenIM, or undefined when they can. */
export function unusableIpv4(address: string, profile: 'dev' | 'production'): string | undefined {
  const [a = 0] = address.split('.').map(Number);
  if (address === '0.0.0.0') return 'is the unspecified address, not one clients can connect to';
  if (address === '255.255.255.255') return 'is the broadcast address';
  if (a >= 224 && a <= 239) return 'is a multicast address';
  if (a >= 240) return 'is a reserved address';
  if (a === 127 && profile === 'production') return 'is a loopback address: no other machine reaches it';
  return undefined;
}
