// Registry credentials from the files `docker login`, `podman login` and
// `skopeo login` write. Read once, never printed, never written anywhere.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credential {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`docker login` with some registries). */
  identityToken?: string;
}

export interface CredentialStore {
  /** `host` as it appears in image references (docker.io, ghcr.io, host:port). */
  get(host: string): Credential | undefined;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** Docker Hub is stored under its legacy index URL by `docker login`. */
const HOST_ALIASES: Record<string, string[]> = {
  'docker.io': [
    'docker.io',
    'index.docker.io',
    'registry-1.docker.io',
    'https://index.docker.io/v1/',
    'https://index.docker.io/v1',
    'https://registry-1.docker.io',
  ],
};

function keyHost(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

function decode(entry: AuthEntry): Credential | undefined {
  const found: Credential = {};
  if (entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) {
      found.username = text.slice(0, colon);
      found.password = text.slice(colon + 1);
    }
  }
  if (entry.username) found.username = entry.username;
  if (entry.password) found.password = entry.password;
  if (entry.identitytoken) found.identityToken = entry.identitytoken;
  return found.username || found.identityToken ? found : undefined;
}

export class DockerConfigCredentials implements CredentialStore {
  private readonly entries: Map<string, Credential> = new Map();

  constructor(files: string[]) {
    for (const file of files) {
      if (!existsSync(file)) continue;
      let parsed: { auths?: Record<string, AuthEntry> };
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
      } catch (error) {
        throw new Error(`cannot read registry credentials from ${file}: ${(error as Error).message}`);
      }
      for (const [key, entry] of Object.entries(parsed.auths ?? {})) {
        const credential = decode(entry);
        // The first file wins, as with the tools that wrote them.
        if (credential && !this.entries.has(key)) this.entries.set(key, credential);
      }
    }
  }

  get(host: string): Credential | undefined {
    const candidates = HOST_ALIASES[host] ?? [host];
    for (const candidate of candidates) {
      const exact = this.entries.get(candidate);
      if (exact) return exact;
    }
    for (const [key, credential] of this.entries) if (candidates.includes(keyHost(key))) return credential;
    return undefined;
  }

  /** The default files, in the order the tools look: $REGISTRY_AUTH_FILE, containers auth.json, $DOCKER_CONFIG or ~/.docker. */
  static fromEnv(env: Record<string, string | undefined>): DockerConfigCredentials {
    const home = env.HOME ?? homedir();
    const files = [
      env.REGISTRY_AUTH_FILE,
      env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined,
      join(env.DOCKER_CONFIG ?? join(home, '.docker'), 'config.json'),
    ].filter((f): f is string => Boolean(f));
    return new DockerConfigCredentials(files);
  }
}

export const noCredentials: CredentialStore = { get: () => undefined };
