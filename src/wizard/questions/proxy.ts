// The binary target's reverse proxy (binary.proxy): whether Caddy fronts OpenIM,
// and how its certificate is made. Asked after the profile and domain, because
// both decide the defaults (the schema's own: specSoFar applies them).

import { existsSync, statSync } from 'node:fs';
import { CADDY } from '../../catalog/proxy.js';
import type { QuestionContext } from './context.js';
import { specSoFar } from './context.js';

const TLS_CHOICES = [
  {
    value: 'acme',
    name: "acme: Let's Encrypt, automatic",
    description: 'Needs openim.domain to resolve to this host and port 80 reachable from the internet (HTTP-01).',
  },
  {
    value: 'self-signed',
    name: 'self-signed: an internal CA',
    description: 'Works anywhere; clients must trust the CA written to <configDir>/tls/ca.crt.',
  },
  {
    value: 'provided',
    name: 'provided: my certificate and key files',
    description: 'PEM files you renew yourself; expiry shows in status and doctor.',
  },
  {
    value: 'none',
    name: 'none: plain HTTP on port 80',
    description: 'Only behind a TLS terminator of your own, or for a trial.',
  },
] as const;

type TlsMode = (typeof TLS_CHOICES)[number]['value'];

/** A PEM file the proxy will read: must exist now (preflight checks its contents and permissions). */
function existingFile(value: unknown): string | true {
  const path = String(value);
  return existsSync(path) && statSync(path).isFile() ? true : `no such file: ${path}`;
}

export async function askProxy(q: QuestionContext): Promise<void> {
  const { ask } = q;
  const defaults = specSoFar(q.answers).binary.proxy;
  const enabled = await ask.yesNo('binary.proxy.enabled', {
    message: 'Put a reverse proxy (Caddy) in front of OpenIM: one HTTPS endpoint on 443?',
    help: "Clients then reach everything through https://<domain>/ (API, WebSocket, chat, files), HTTP redirects to HTTPS, and OpenIM's own ports listen on loopback only. Without it clients use OpenIM's raw ports over plain HTTP.",
    default: defaults.enabled,
  });
  if (!enabled) return;

  const mode = await ask.choose<TlsMode>('binary.proxy.tls.mode', {
    message: 'Where does the HTTPS certificate come from?',
    help: "acme is offered only for a public DNS name (Let's Encrypt cannot validate an address or *.localhost).",
    choices: [...TLS_CHOICES],
    default: defaults.tls.mode,
  });
  if (mode === 'acme') {
    await ask.text('binary.proxy.tls.acme.email', {
      message: "Contact e-mail for Let's Encrypt (empty: none)",
      help: 'Used only for expiry and problem notices about the certificate.',
      default: '',
    });
    await ask.yesNo('binary.proxy.tls.acme.staging', {
      message: "Use Let's Encrypt's staging directory (untrusted test certificates) for a first try?",
      help: 'Staging has high rate limits; switch to production by re-running install without it.',
      default: false,
    });
  }
  if (mode === 'provided') {
    await ask.text('binary.proxy.tls.provided.cert', {
      message: 'Certificate chain file (PEM, absolute path)',
      help: 'The full chain for the domain, e.g. /etc/ssl/im.example.com/fullchain.pem.',
      extra: existingFile,
    });
    await ask.text('binary.proxy.tls.provided.key', {
      message: 'Private key file (PEM, absolute path)',
      help: 'Must not be readable by other users (preflight checks).',
      extra: existingFile,
    });
  }
}

/** The artifact question for Caddy's release archive: its URL is known (the catalog), its checksum is not pinned. */
export const CADDY_ARCHIVE_HELP = `Caddy ${CADDY.version}'s release archive is downloaded from GitHub; the project pins no checksum for it, so give the one from the release's checksums file (or a file you downloaded, with sha256sum FILE).`;
